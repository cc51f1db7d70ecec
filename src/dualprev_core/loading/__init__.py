"""Reading files into the model: the enterprise file and its schema (YAML with line numbers is
:mod:`dualprev_core.yaml_lines`, a lower layer that the taxonomies and grading data use too).

The names below are imported on first use (PEP 562), so importing a submodule does not pull in
jsonschema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["load_enterprise", "parse_enterprise"]

if TYPE_CHECKING:
    from dualprev_core.loading.enterprise import load_enterprise, parse_enterprise


def __getattr__(name: str) -> Any:
    if name in __all__:
        from dualprev_core.loading import enterprise

        return getattr(enterprise, name)
    raise AttributeError(f"module 'dualprev_core.loading' has no attribute {name!r}")
