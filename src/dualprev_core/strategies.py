"""Public hypothesis strategies for the dualprev model (filled in with the model)."""

from __future__ import annotations

__all__: list[str] = []


def _hypothesis_setup_hook() -> None:
    """Entry point of the ``hypothesis`` group: registers type strategies for the model."""
