"""Loading the pack's data files (standards content as YAML, with provenance)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

from dualprev_core.provenance import Citation
from dualprev_core.yaml_lines import safe_load_fast

__all__ = ["data_file", "load", "citation"]


def data_file(name: str) -> Path:
    """The path of a data file shipped in ``dualprev_chemical/data``."""
    return Path(str(resources.files("dualprev_chemical").joinpath("data", name)))


@functools.cache
def load(name: str) -> Any:
    """A data file's content (parsed once)."""
    return safe_load_fast(data_file(name).read_text(encoding="utf-8"))


def citation(data: dict[str, Any], **override: Any) -> Citation:
    """A :class:`Citation` from a data file's ``citation`` mapping, with fields overridden."""
    return Citation.from_mapping({**data, **override})
