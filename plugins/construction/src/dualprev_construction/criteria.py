"""The pack's rule files (建质规〔2022〕2号, article by article) and the control checks they read."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["criteria_dir", "rule_files", "known_checks", "CHECK_FIELD"]

#: The control fact naming which check a control is (what the criteria match on).
CHECK_FIELD = "construction:check"


def criteria_dir() -> Path:
    """The folder of the pack's rule files (and their ``.examples.yaml``)."""
    return Path(str(resources.files("dualprev_construction").joinpath("criteria")))


def rule_files() -> list[Path]:
    """The rule files under ``criteria/`` (not their ``.examples.yaml``), sorted by name."""
    return sorted(p for p in criteria_dir().glob("*.yaml") if not p.name.endswith(".examples.yaml"))


def _conditions(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        if "field" in node:
            yield node
        for v in node.values():
            yield from _conditions(v)
    elif isinstance(node, list):
        for v in node:
            yield from _conditions(v)


@functools.cache
def known_checks() -> frozenset[str]:
    """Every value a rule compares ``construction:check`` with (the checks a control may name)."""
    out = set()
    for path in rule_files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out |= {str(c["value"]) for c in _conditions(doc.get("rules")) if c.get("field") == CHECK_FIELD and c.get("op") == "eq" and "value" in c}
    return frozenset(out)
