"""The pack's rule files (建质规〔2022〕2号, article by article) and the control checks they read."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from dualprev_core.packs import find_rule_files
from dualprev_core.packs.define import parsed_ruleset
from dualprev_core.rules import AnyOf, Condition

__all__ = ["criteria_dir", "rule_files", "known_checks", "CHECK_FIELD"]

#: The control fact naming which check a control is (what the criteria match on).
CHECK_FIELD = "construction:check"


def criteria_dir() -> Path:
    """The folder of the pack's rule files (and their ``.examples.yaml``)."""
    return Path(str(resources.files("dualprev_construction").joinpath("criteria")))


def rule_files() -> list[Path]:
    """The rule files under ``criteria/`` (the core's finder: not their ``.examples.yaml``), by name."""
    return find_rule_files(criteria_dir())


def _conditions(items: Iterable[Any]) -> Iterator[Condition]:
    for c in items:
        if isinstance(c, AnyOf):
            yield from _conditions(c.items)
        elif isinstance(c, Condition):
            yield c


@functools.cache
def known_checks() -> frozenset[str]:
    """Every value a rule compares ``construction:check`` with (the checks a control may name)."""
    out = set()
    for path in rule_files():
        for rule in parsed_ruleset(path).rules:
            for pattern in rule.when:
                out |= {str(c.value) for c in _conditions(getattr(pattern, "where", ()) or ())
                        if c.path == (CHECK_FIELD,) and c.op == "eq" and c.ref is None}
    return frozenset(out)
