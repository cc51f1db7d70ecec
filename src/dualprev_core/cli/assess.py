"""``dualprev assess``, ``demo`` and ``schema``: an enterprise file's levels, colours and lists."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from dualprev_core.cli.common import (
    _LABELS,
    _check_source,
    _common,
    _db_option,
    _enterprise_id_option,
    _guard,
    _out,
    _rules_option,
    _style,
    open_state,
)

__all__ = ["assess_cmd", "demo_cmd", "schema_cmd", "example_path"]


def _assess(path: Path | None, as_json: bool, lang: str, rule_files: tuple[Path, ...] = (), *, db: str | None = None,
            enterprise_id: str | None = None) -> None:
    from dualprev_core.assessment.report import assessment_report

    state = open_state(path, db=db, enterprise_id=enterprise_id, rule_files=rule_files)
    enterprise = state.enterprise
    a = state.assessment()
    findings = a.evaluate_criteria(at=_latest_time(enterprise))
    report = assessment_report(a)
    if state.store is not None:
        # What the levels were computed from: a report carries the stream's head (see docs/store.md).
        report["store"] = {"url": state.store.display, "enterprise": state.enterprise_id, "version": state.version,
                           "register_version": state.register_version, "head_hash": state.head_hash}
    for m, why in a.unapplied:
        click.echo(f"dualprev: warning: criterion {m.rule} ({m.citation}) matched but was not applied: {why}", err=True)
    report["criteria_matches"] = [m.to_dict() for m in findings]
    if as_json:
        _out(report)
        return
    L = _LABELS[lang]
    console = Console()
    ent = report["enterprise"]
    lvl = a.enterprise_level().level
    console.print(f"[bold]{enterprise.name}[/] — {L['enterprise']}: " + (f"[{_style(lvl)}]{lvl.label(lang)}[/]" if lvl else L["none"]) + f"  ({ent['reason']})")
    t = Table(L["risk"], L["name"], L["area"], L["assessed"], L["current"], L["why"], title=L["risks_table"])
    for r in enterprise.risks:
        ex = a.explain(r.id)
        inactive = "" if r.id in a.active else (" (不计入)" if lang == "zh" else " (inactive)")
        t.add_row(r.id, r.name, r.area, f"[{_style(ex.assessed.level)}]{ex.assessed.level.label(lang)}[/]",
                  f"[{_style(ex.current)}]{ex.current.label(lang)}[/]{inactive}", ex.sentence(lang))
    console.print(t)
    t = Table(L["area"], L["name"], L["level"], L["colour"], title=L["areas_table"])
    for ar in report["areas"]:
        lv = a.area_level(ar["id"])
        t.add_row(ar["id"], ar["name"], f"[{_style(lv)}]{lv.label(lang)}[/]" if lv else "—", (lv.colour_zh if lang == "zh" else lv.colour) if lv else "—")
    console.print(t)
    console.print(f"[bold]{L['major_risks']}[/]: " + (", ".join(f"{m['id']} {m['name']}" for m in report["major_risks"]) or L["none"]))
    if report["hidden_dangers"]:
        t = Table("ID", L["control"], L["grade"], L["state"], "依据" if lang == "zh" else "criteria", title=L["hidden_dangers"])
        for h in report["hidden_dangers"]:
            crit = "\n".join(f"{c['criterion_id']} ({c['citation'].get('standard', '')} {c['citation'].get('clause', '')})".strip() for c in h["criteria"])
            t.add_row(h["id"], h["control"], h["grade"] or "—", h["state"], crit)
        console.print(t)
    core_keys = {"format", "enterprise", "level_counts", "risks", "areas", "major_risks", "hidden_dangers", "packs",
                 "criteria_matches", "criteria_unapplied", "store"}
    for key, section in report.items():
        if key not in core_keys:
            _print_section(console, key, section)
    if "store" in report:
        st = report["store"]
        console.print(f"{st['url']}#{st['enterprise']} version {st['version']}, head {st['head_hash']}", markup=False)
    if any(k not in core_keys for k in report):
        console.print("(--json " + ("给出完整内容" if lang == "zh" else "gives every field") + ")", markup=False)


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _print_section(console: Console, key: str, section: Any) -> None:
    """A pack's report section for people: a table of its records' plain fields."""
    if isinstance(section, list) and section and all(isinstance(x, dict) for x in section):
        plain = [c for c in section[0] if all(_scalar(x.get(c)) for x in section)]
        first = ("id", "name", "level_zh", "level", "R", "sum_q_over_Q", "is_major_hazard", "class", "status")
        cols = ([c for c in first if c in plain] + [c for c in plain if c not in first])[:7]
        t = Table(*cols, title=key)
        for x in section:
            t.add_row(*("—" if x.get(c) is None else str(x.get(c)) for c in cols))
        console.print(t)
    elif isinstance(section, dict):
        fields = {k: v for k, v in section.items() if _scalar(v)}
        console.print(f"[bold]{key}[/]: " + "; ".join(f"{k}={v}" for k, v in fields.items()), soft_wrap=True)
    else:
        console.print(f"[bold]{key}[/]: {len(section) if hasattr(section, '__len__') else section}")


@click.command("assess")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@_db_option
@_enterprise_id_option
@_rules_option
@_common
@_guard
def assess_cmd(file: Path | None, db: str | None, enterprise_id: str | None, rule_files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Assess an enterprise file (or an enterprise in the store, --db): levels, area colours, enterprise level, major-risk list.

    From the store, the levels reflect every inspection and hidden-danger transition recorded there.
    """
    _check_source(file, db)
    _assess(file, as_json, lang, rule_files, db=None if file is not None else db, enterprise_id=enterprise_id)


def _latest_time(enterprise: Any) -> Any:
    """Stamp for criteria-opened hidden dangers: the latest recorded inspection, else now."""
    times = [i.at for i in enterprise.inspections]
    return max(times) if times else None


def example_path() -> Path:
    """The bundled example enterprise (inside the wheel, or ``examples/`` in a checkout)."""
    packaged = resources.files("dualprev_core").joinpath("_examples/enterprise.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "examples" / "enterprise.yaml"


@click.command("demo")
@_common
@_guard
def demo_cmd(as_json: bool, lang: str) -> None:
    """``assess`` on the bundled example enterprise."""
    _assess(example_path(), as_json, lang)


@click.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the enterprise file."""
    from dualprev_core.loading.schema import SCHEMA

    _out(SCHEMA)
