"""``dualprev assess``, ``demo`` and ``schema``: an enterprise file's levels, colours and lists."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import click
from rich.console import Console

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
        click.echo(f"dualprev: warning: criterion {m.rule} ({m.citation}) matched but was not applied: {why}" if lang != "zh" else
                   f"dualprev: 警告：判定标准 {m.rule}（{m.citation}）已命中但未能执行：{why}", err=True)
    from dualprev_core.errors import excerpt
    from dualprev_core.loading.enterprise import unknown_actors

    for inspection, by in unknown_actors(a.enterprise):  # matched by identity: docs/limits.md
        click.echo(f"dualprev: warning: inspection {inspection}: {excerpt(by)} is not a person the register lists in posts[].people"
                   if lang != "zh" else f"dualprev: 警告：排查记录 {inspection} 的排查人 {excerpt(by)} 不是登记在岗位人员 (posts[].people) 中的人员", err=True)
    report["criteria_matches"] = [m.to_dict() for m in findings]
    if as_json:
        _out(report)
        return
    _print_report(a, report, lang)


def _print_report(a: Any, report: dict[str, Any], lang: str) -> None:
    """``assess`` for people, entirely in ``lang``; ids are never cut (see :mod:`dualprev_core.cli.i18n`)."""
    from dualprev_core.cli.i18n import hd_grade, hd_state, print_section, show, table, text

    L = _LABELS[lang]
    console = Console()
    enterprise = a.enterprise
    level = a.enterprise_level()
    lvl = level.level
    console.print(f"[bold]{enterprise.name}[/] — {L['enterprise']}: " + (f"[{_style(lvl)}]{lvl.label(lang)}[/]" if lvl else L["none"]))
    console.print(f"  {level.reason_in(lang)}", markup=False)
    t = table((L["risk"], "id"), (L["name"], "text"), (L["area"], "id"), (L["assessed"], "text"), (L["current"], "text"), (L["why"], "text"),
              title=L["risks_table"])
    for r in enterprise.risks:
        ex = a.explain(r.id)
        inactive = "" if r.id in a.active else text("inactive", lang)
        t.add_row(r.id, r.name, r.area, f"[{_style(ex.assessed.level)}]{ex.assessed.level.label(lang)}[/]",
                  f"[{_style(ex.current)}]{ex.current.label(lang)}[/]{inactive}", ex.sentence(lang))
    show(console, t)
    t = table((L["area"], "id"), (L["name"], "text"), (L["level"], "text"), (L["colour"], "text"), title=L["areas_table"])
    for ar in report["areas"]:
        lv = a.area_level(ar["id"])
        t.add_row(ar["id"], ar["name"], f"[{_style(lv)}]{lv.label(lang)}[/]" if lv else "—", (lv.colour_zh if lang == "zh" else lv.colour) if lv else "—")
    show(console, t)
    console.print(f"[bold]{L['major_risks']}[/]: " + (("、" if lang == "zh" else ", ").join(f"{m['id']} {m['name']}" for m in report["major_risks"]) or L["none"]))
    if report["hidden_dangers"]:
        t = table((text("id", lang), "id"), (L["control"], "id"), (L["grade"], "text"), (L["state"], "text"), (text("criteria", lang), "id"),
                  title=L["hidden_dangers"])
        cited: dict[str, str] = {}
        for h in report["hidden_dangers"]:
            for c in h["criteria"]:
                cited[c["criterion_id"]] = f"{c['citation'].get('standard', '')} {c['citation'].get('clause', '')}".strip()
            t.add_row(h["id"], h["control"], hd_grade(h["grade"], lang), hd_state(h["state"], lang), "\n".join(c["criterion_id"] for c in h["criteria"]) or "—")
        show(console, t)
        for cid, where in cited.items():
            console.print(f"  {cid}: {where}", markup=False)
    core_keys = {"format", "enterprise", "level_counts", "risks", "areas", "major_risks", "hidden_dangers", "packs",
                 "criteria_matches", "criteria_unapplied", "store"}
    labels = a.packs.registry.report_labels
    unlabelled = [key for key, section in report.items()
                  if key not in core_keys and not print_section(console, key, section, labels.get(key), lang)]
    if unlabelled:
        console.print(text("unlabelled", lang, n=len(unlabelled), keys=", ".join(unlabelled)), markup=False)
    if "store" in report:
        st = report["store"]
        console.print((f"数据来源 {st['url']}#{st['enterprise']}，版本 {st['version']}，流头哈希 {st['head_hash']}" if lang == "zh" else
                       f"{st['url']}#{st['enterprise']} version {st['version']}, head {st['head_hash']}"), markup=False)
    if any(k not in core_keys for k in report):
        console.print(text("more_in_json", lang), markup=False)


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
