"""Loading the pack's data files (criteria, fact spec, re-identification triggers)."""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dualprev_core.errors import InvalidInput
from dualprev_core.loading.yaml_lines import safe_load_fast

__all__ = ["DATA", "CRITERIA", "MONITORING_ENV", "load_data", "rule_files", "criterion_items"]

DATA = Path(str(resources.files("dualprev_mining") / "data"))
CRITERIA = Path(str(resources.files("dualprev_mining") / "criteria"))
#: Environment variable naming a replacement for the pack's monitoring rule file (its settings).
MONITORING_ENV = "DUALPREV_MINING_MONITORING_RULES"


@cache
def load_data(name: str) -> Any:
    """A YAML data file of the pack, parsed once."""
    return safe_load_fast((DATA / name).read_text(encoding="utf-8"))


def rule_files() -> list[Path]:
    """The rule files the pack registers: the criteria, then the monitoring file (or its replacement)."""
    files = sorted(p for p in CRITERIA.glob("*.yaml") if not p.name.endswith(".examples.yaml") and p.name != "monitoring.yaml")
    override = os.environ.get(MONITORING_ENV, "").strip()
    if override:
        p = Path(override)
        if not p.is_file():
            raise InvalidInput(f"{MONITORING_ENV}={override!r}: no such rule file (unset it to use the pack's monitoring.yaml)")
        files.append(p)
    else:
        files.append(CRITERIA / "monitoring.yaml")
    return files


@cache
def criterion_items() -> dict[str, dict[str, Any]]:
    """Every criterion item (the rule ids controls may name in ``mining:items``) → its rule mapping."""
    out: dict[str, dict[str, Any]] = {}
    for p in sorted(CRITERIA.glob("*.yaml")):
        if p.name.endswith(".examples.yaml") or p.name == "monitoring.yaml":
            continue
        for rule in yaml.safe_load(p.read_text(encoding="utf-8"))["rules"]:
            if any(o.get("grade_hidden_danger") == "major" for o in rule["then"]):
                out[rule["id"]] = {**rule, "file": p.name}
    return out
