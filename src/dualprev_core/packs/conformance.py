"""Conformance kit for pack authors: check a pack in one call or one command.

``dualprev packs check NAME`` (or :func:`check_pack` / :func:`assert_pack_conforms` in a test)
loads the pack alone with the core, then checks:

* the manifest (name, version, core API range, at least one standard cited);
* hook implementations: known hooks only, no parameter defaults (pluggy would pass nothing);
* every registered rule file validates, and every rule has **examples** both ways — at least one
  case where it fires and one where it does not — which pass on every available engine
  (the reference engine and durable-rules), so a criterion's data is its own test.

Rule examples live beside the rule file as ``<name>.examples.yaml``::

    format: dualprev-rule-examples/1
    examples:
      - rule: chem-2017-01            # the rule id
        expect: fires                 # or: does_not_fire
        title: 两套装置间距不足          # what the case shows
        facts:                        # asserted in order (type, key, fields)
          - {type: installation, key: U1, "chemical:major_hazard_level": 1}
        events: []                    # optional, posted in order after the facts
        advance_to: null              # optional clock time (epoch s) for silence rules
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import yaml

from dualprev_core.errors import DualprevError
from dualprev_core.packs.calls import Packs
from dualprev_core.packs.loader import ENTRY_POINT_GROUP, load_packs

__all__ = ["Finding", "ConformanceReport", "check_pack", "assert_pack_conforms", "run_rule_examples", "EXAMPLES_FORMAT", "examples_path"]

EXAMPLES_FORMAT = "dualprev-rule-examples/1"


@attrs.frozen
class Finding:
    """One conformance result: ``ok``, ``error`` or ``skipped``."""

    status: str
    check: str
    message: str

    def __str__(self) -> str:
        return f"[{self.status}] {self.check}: {self.message}"


@attrs.frozen
class ConformanceReport:
    pack: str
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.status == "error" for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "error"]

    def to_dict(self) -> dict[str, Any]:
        return {"pack": self.pack, "ok": self.ok, "findings": [attrs.asdict(f) for f in self.findings]}


def examples_path(rule_file: Path) -> Path:
    """``x.yaml`` → ``x.examples.yaml`` (same folder)."""
    return rule_file.with_name(rule_file.stem + ".examples" + rule_file.suffix)


def _engines(requested: Iterable[str]) -> list[str]:
    from dualprev_core.rules import durable_available

    out = []
    for kind in requested:
        if kind == "durable" and durable_available() is not None:
            continue
        out.append(kind)
    return out


def run_rule_examples(rule_file: Path, *, engines: Iterable[str] = ("reference", "durable")) -> list[Finding]:
    """Run ``rule_file``'s examples on each engine; one finding per problem (or an ok summary)."""
    from dualprev_core.rules import load_ruleset, make_engine

    findings: list[Finding] = []
    ruleset = load_ruleset(rule_file)
    ex_path = examples_path(rule_file)
    if not ex_path.is_file():
        return [Finding("error", "examples", f"{rule_file}: no examples file {ex_path.name}; every rule needs a firing and a non-firing example")]
    data = yaml.safe_load(ex_path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping) or data.get("format") != EXAMPLES_FORMAT or not isinstance(data.get("examples"), list):
        return [Finding("error", "examples", f"{ex_path}: must be a mapping with format: {EXAMPLES_FORMAT} and a list 'examples'")]
    rule_ids = {r.id for r in ruleset.rules}
    seen: dict[str, set[str]] = {r: set() for r in rule_ids}
    kinds = _engines(engines)
    for i, ex in enumerate(data["examples"]):
        where = f"{ex_path.name}: examples[{i}]"
        if not isinstance(ex, Mapping) or ex.get("rule") not in rule_ids or ex.get("expect") not in ("fires", "does_not_fire"):
            findings.append(Finding("error", "examples", f"{where}: needs 'rule' (one of the file's rule ids) and 'expect: fires|does_not_fire'"))
            continue
        seen[ex["rule"]].add(ex["expect"])
        for kind in kinds:
            try:
                fired = _run_case(make_engine(kind), ruleset, ex)
            except DualprevError as exc:
                findings.append(Finding("error", "examples", f"{where} ({ex['rule']}, {kind}): {exc}"))
                continue
            if fired != (ex["expect"] == "fires"):
                findings.append(Finding("error", "examples", f"{where} ({ex['rule']}, {kind}): expected {ex['expect']}, but it {'fired' if fired else 'did not fire'}"
                                        + (f" — {ex['title']}" if ex.get("title") else "")))
    for rid, got in sorted(seen.items()):
        for need in ("fires", "does_not_fire"):
            if need not in got:
                findings.append(Finding("error", "examples", f"{rule_file.name}: rule {rid!r} has no '{need}' example"))
    if not findings:
        findings.append(Finding("ok", "examples", f"{rule_file.name}: {len(data['examples'])} examples of {len(rule_ids)} rules pass on {', '.join(kinds)}"))
    return findings


def _run_case(engine: Any, ruleset: Any, ex: Mapping[str, Any]) -> bool:
    with engine:
        engine.load(ruleset)
        engine.assert_facts(ex.get("facts") or [])
        if ex.get("events"):
            engine.post_events(ex["events"])
        if ex.get("advance_to") is not None:
            engine.advance_clock(float(ex["advance_to"]))
        return any(m.rule == ex["rule"] for m in engine.matches())


def _resolve(pack: str | ModuleType | object) -> tuple[str, object]:
    if not isinstance(pack, str):
        return getattr(pack, "__name__", repr(pack)), pack
    import importlib.metadata

    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == pack:
            return pack, ep.load()
    raise DualprevError(f"no installed pack named {pack!r} in the entry-point group {ENTRY_POINT_GROUP!r}")


def check_pack(pack: str | ModuleType | object, *, engines: Iterable[str] = ("reference", "durable")) -> ConformanceReport:
    """Check one pack (an installed pack's name, or its module) in isolation with the core."""
    from dualprev_core.packs import hookspecs

    label, module = _resolve(pack)
    findings: list[Finding] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        packs: Packs = load_packs(load_entrypoints=False, extra=[module], strict=False)
    name = next((n for n in packs.manifests if n != "core"), label)
    if packs.errors:
        for err in packs.errors.values():
            findings.append(Finding("error", "load", str(err)))
        return ConformanceReport(name, tuple(findings))
    manifest = packs.manifests[name]
    findings.append(Finding("ok", "load", f"{name} {manifest.version} loads alone with the core"))
    if not manifest.standards:
        findings.append(Finding("error", "manifest", "no standards cited (manifest.standards is empty)"))
    specs = set(hookspecs.HOOKS)
    for attr in dir(module):
        fn = getattr(module, attr)
        if not attr.startswith("dualprev_") or not callable(fn):
            continue
        if attr not in specs:
            findings.append(Finding("error", "hooks", f"{attr} is not a dualprev hook (known: {', '.join(sorted(specs))})"))
            continue
        with_defaults = [p.name for p in inspect.signature(fn).parameters.values() if p.default is not inspect.Parameter.empty and p.name != "self"]
        if with_defaults:
            findings.append(Finding("error", "hooks", f"{attr}: parameters with defaults receive nothing from pluggy: {', '.join(with_defaults)}"))
    rule_files = [p for (pk, p) in packs.registry.rule_files.values() if pk == name]
    for rf in sorted(rule_files):
        findings += run_rule_examples(rf, engines=engines)
    if not any(f.check == "hooks" and f.status == "error" for f in findings):
        findings.append(Finding("ok", "hooks", "hook implementations match the specs"))
    return ConformanceReport(name, tuple(findings))


def assert_pack_conforms(pack: str | ModuleType | object, **kwargs: Any) -> ConformanceReport:
    """:func:`check_pack`, raising ``AssertionError`` listing every error (for a pack's tests)."""
    report = check_pack(pack, **kwargs)
    if not report.ok:
        raise AssertionError(f"pack {report.pack!r} does not conform:\n" + "\n".join(f"  {f}" for f in report.errors))
    return report
