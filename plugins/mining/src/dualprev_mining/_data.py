"""The pack's data files (fact spec, re-identification triggers) and its criterion items."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from dualprev_core.packs import find_rule_files
from dualprev_core.yaml_lines import safe_load_fast

__all__ = ["DATA", "CRITERIA", "MONITORING_ENV", "load_data", "criterion_items"]

DATA = Path(str(resources.files("dualprev_mining") / "data"))
CRITERIA = Path(str(resources.files("dualprev_mining") / "criteria"))
#: Environment variable naming a replacement for the pack's monitoring rule file (its settings).
MONITORING_ENV = "DUALPREV_MINING_MONITORING_RULES"


@cache
def load_data(name: str) -> Any:
    """A YAML data file of the pack, parsed once."""
    return safe_load_fast((DATA / name).read_text(encoding="utf-8"))


@cache
def criterion_items() -> dict[str, str]:
    """Every criterion item (the rule ids controls may name in ``mining:items``) → its rule file's name."""
    from dualprev_core.packs.define import parsed_ruleset

    out: dict[str, str] = {}
    for p in find_rule_files(CRITERIA):
        if p.name == "monitoring.yaml":  # alarms on readings, not items a control names
            continue
        for rule in parsed_ruleset(p).rules:
            if any(o.kind == "grade_hidden_danger" and str(o.value).lower() == "major" for o in rule.then):
                out[rule.id] = p.name
    return out
