"""The regulator's rules as data: early-warning thresholds, the regional level method, supervision classes.

The bundled ``data/regional-rules.yaml`` holds dualprev's defaults (stated as dualprev's: no
national thresholds exist) and a provincial variant of the supervision classes; a province replaces
the file with :func:`load_rules`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import yaml

from dualprev_core.errors import Problem, ValidationError
from dualprev_core.provenance import Citation

__all__ = ["RegionalRules", "SupervisionClass", "SupervisionVariant", "regional_rules", "load_rules", "CONDITION_KEYS"]

#: Keys a supervision class condition may test.
CONDITION_KEYS = ("level", "industry", "standardization", "warnings_at_least", "overdue_major_at_least")
_LEVEL_KEYS = ("major", "large", "general", "low")


@attrs.frozen
class SupervisionClass:
    """One class: its id, Chinese name, inspections per year, and the condition that puts an enterprise in it."""

    id: str
    zh: str
    per_year: float
    when: Mapping[str, Any]


@attrs.frozen
class SupervisionVariant:
    """An ordered list of classes (first match wins) with its citation."""

    name: str
    citation: Citation
    classes: tuple[SupervisionClass, ...]


@attrs.frozen
class RegionalRules:
    """Every regulator-side rule of one rules file."""

    version: str
    warnings: Mapping[str, Any]
    warnings_citation: Citation
    region_methods: Mapping[str, Mapping[str, Any]]
    region_default: str
    supervision: Mapping[str, SupervisionVariant]
    supervision_default: str


def _condition_problems(cond: Any, where: str, source: str) -> list[Problem]:
    if not isinstance(cond, Mapping):
        return [Problem(where, f"must be a mapping (got {cond!r})", source)]
    out: list[Problem] = []
    for key, value in cond.items():
        if key in ("any", "all"):
            if not isinstance(value, list):
                out.append(Problem(f"{where}.{key}", "must be a list of conditions", source))
                continue
            for i, sub in enumerate(value):
                out += _condition_problems(sub, f"{where}.{key}[{i}]", source)
        elif key not in CONDITION_KEYS:
            out.append(Problem(f"{where}.{key}", f"unknown condition; allowed: any, all, {', '.join(CONDITION_KEYS)}", source))
        elif key == "level" and (not isinstance(value, list) or not set(value) <= set(_LEVEL_KEYS)):
            out.append(Problem(f"{where}.level", f"must list levels among {', '.join(_LEVEL_KEYS)} (got {value!r})", source))
        elif key.endswith("_at_least") and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            out.append(Problem(f"{where}.{key}", f"must be a whole number ≥ 0 (got {value!r})", source))
        elif key in ("industry", "standardization") and not isinstance(value, list):
            out.append(Problem(f"{where}.{key}", f"must be a list (got {value!r})", source))
    return out


def _parse(data: Any, source: str) -> RegionalRules:
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ValidationError([Problem("", "must be a mapping", source)], source=source)
    for key in ("version", "warnings", "region_level", "supervision"):
        if key not in data:
            problems.append(Problem(key, "is required", source))
    if problems:
        raise ValidationError(problems, source=source)
    variants: dict[str, SupervisionVariant] = {}
    for name, v in (data["supervision"].get("variants") or {}).items():
        classes = []
        for i, c in enumerate(v.get("classes") or []):
            where = f"supervision.variants.{name}.classes[{i}]"
            per_year = c.get("per_year")
            if not isinstance(per_year, int | float) or isinstance(per_year, bool) or per_year <= 0:
                problems.append(Problem(f"{where}.per_year", f"must be a number > 0 (got {per_year!r})", source))
                continue
            problems += _condition_problems(c.get("when", {}), f"{where}.when", source)
            classes.append(SupervisionClass(str(c["id"]), str(c.get("zh", c["id"])), float(per_year), c.get("when") or {}))
        if not classes or classes[-1].when:
            problems.append(Problem(f"supervision.variants.{name}.classes", "the last class must have an empty condition (everyone else)", source))
        variants[str(name)] = SupervisionVariant(str(name), Citation.from_mapping(v.get("citation") or {"standard": "?"}), tuple(classes))
    sup_default = str(data["supervision"].get("default", ""))
    if sup_default not in variants:
        problems.append(Problem("supervision.default", f"{sup_default!r} is not a variant ({', '.join(variants)})", source))
    methods = dict(data["region_level"].get("methods") or {})
    reg_default = str(data["region_level"].get("default", ""))
    for name in methods:
        if name not in ("highest", "share"):
            problems.append(Problem(f"region_level.methods.{name}", "unknown method; dualprev implements highest and share", source))
    if reg_default not in methods:
        problems.append(Problem("region_level.default", f"{reg_default!r} is not a method ({', '.join(methods)})", source))
    warnings = dict(data["warnings"])
    if problems:
        raise ValidationError(problems, source=source)
    return RegionalRules(
        version=str(data["version"]),
        warnings=warnings,
        warnings_citation=Citation.from_mapping(warnings.pop("citation", {"standard": "dualprev", "verified": False})),
        region_methods=methods,
        region_default=reg_default,
        supervision=variants,
        supervision_default=sup_default,
    )


def load_rules(path: str | Path) -> RegionalRules:
    """Read a regional rules file of the shape of the bundled ``regional-rules.yaml``."""
    from dualprev_core.yaml_lines import read_document

    return _parse(read_document(path, what="regional rules"), str(path))


@functools.cache
def regional_rules() -> RegionalRules:
    """The bundled rules (cached)."""
    text = resources.files("dualprev_core").joinpath("data", "regional-rules.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text), "regional-rules.yaml")
