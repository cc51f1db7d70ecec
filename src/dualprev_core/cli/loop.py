"""CLI commands of the hidden-danger loop: ``inspect``, ``hidden-dangers``, ``rules check``.

The event files these commands read and write (JSON lines, one hidden-danger event per line)
are the input of the persistent ledger.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from dualprev_core.cli.common import _LABELS, _common, _fail, _guard, _out, _packs, _rules_option
from dualprev_core.errors import InvalidInput


def _load_ledger(path: Path | None) -> Any:
    from dualprev_core.hidden_dangers.ledger import Ledger

    if path is not None and path.exists():
        return Ledger.from_jsonl(path)
    return Ledger()


def _assessment(enterprise: Path, ledger: Any, *, replay: bool = True, rule_files: tuple[Path, ...] = ()) -> Any:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.loading.enterprise import load_enterprise

    packs = _packs(rule_files)
    e = load_enterprise(enterprise, packs=packs)
    return Assessment(e, packs=packs, ledger=ledger, replay_inspections=replay)


@click.command("inspect")
@click.argument("enterprise", type=click.Path(path_type=Path))
@click.option("--inspections", "inspections_file", type=click.Path(path_type=Path), help="a dualprev-inspections/1 file to record (default: the enterprise file's own inspections)")
@click.option("--ledger", type=click.Path(path_type=Path), help="hidden-danger event file (JSON lines) to continue and write back")
@_rules_option
@_common
@_guard
def inspect_cmd(enterprise: Path, inspections_file: Path | None, ledger: Path | None, rule_files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Record inspection results: prints the hidden dangers created and the levels that moved."""
    from dualprev_core.loading.enterprise import load_inspections

    led = _load_ledger(ledger)
    a = _assessment(enterprise, led, replay=False, rule_files=rule_files)
    inspections = load_inspections(inspections_file, a.enterprise) if inspections_file else list(a.enterprise.inspections)
    outcomes = [a.record_inspection(i) for i in sorted(inspections, key=lambda i: (i.at, i.id))]
    before_criteria = {h.id for h in led.all()}
    matches = a.evaluate_criteria(at=max((i.at for i in inspections), default=None))
    from dualprev_core.assessment.report import hidden_danger_summary

    by_criteria = [hidden_danger_summary(h) for h in led.all() if h.id not in before_criteria]
    if ledger is not None:
        led.to_jsonl(ledger)
    data = {"inspections": [o.to_dict() for o in outcomes], "opened_by_criteria": by_criteria,
            "criteria_matches": [m.to_dict() for m in matches], "ledger": str(ledger) if ledger else None, "events": len(led.events)}
    if as_json:
        _out(data)
        return
    L = _LABELS[lang]
    t = Table("#", L["hidden_dangers"], L["grade"], L["why"], title="排查记录" if lang == "zh" else "inspections")
    for o in outcomes:
        hd = o.hidden_danger
        moved = "; ".join(f"{c.id}: {c.before.label(lang) if c.before else '—'} → {c.after.label(lang) if c.after else '—'}" for c in o.changes)
        crit = ", ".join(f"{c.criterion_id} ({c.citation})" for c in hd.criteria) if hd else ""
        note = "already recorded" if o.already_recorded else ""
        t.add_row(o.inspection, (f"{hd.id}{' (new)' if o.opened else ''}" if hd else "—"),
                  (hd.grade.label(lang) if hd and hd.grade else "—"), "\n".join(x for x in (moved, crit, note) if x))
    Console().print(t)
    for h in by_criteria:
        crit = ", ".join(f"{c['criterion_id']} ({c['citation'].get('standard', '')} {c['citation'].get('clause', '')})" for c in h["criteria"])
        Console().print(f"{L['hidden_dangers']}: {h['id']} {h['grade']} {crit}", markup=False)


_ACTIONS = ("assess", "regrade", "approve-plan", "start", "rectify", "verify", "close", "suspend", "resume")


@click.group("hidden-dangers")
def hd_group() -> None:
    """The hidden-danger ledger: list, transition (with the loop's guards), check overdue."""


@hd_group.command("list")
@click.option("--ledger", type=click.Path(path_type=Path), required=True, help="hidden-danger event file (JSON lines)")
@click.option("--open", "only_open", is_flag=True, help="only hidden dangers not closed")
@_common
@_guard
def hd_list(ledger: Path, only_open: bool, as_json: bool, lang: str) -> None:
    """List the hidden dangers of a ledger file with their state, grade and flags."""
    from dualprev_core.assessment.report import hidden_danger_summary

    if not ledger.exists():
        _fail(f"{ledger}: file not found")
    led = _load_ledger(ledger)
    hds = [h for h in led.all() if h.is_open or not only_open]
    if as_json:
        _out([hidden_danger_summary(h) for h in hds])
        return
    L = _LABELS[lang]
    t = Table("ID", L["control"], L["grade"], L["state"], "deadline", "flags", title=L["hidden_dangers"])
    for h in hds:
        flags = ", ".join(x for x in ("overdue → " + str(h.escalated_to) if h.overdue else "", "停产" if h.suspended else "") if x)
        t.add_row(h.id, h.control_id, h.grade.label(lang) if h.grade else "—", h.state.label(lang),
                  h.deadline.isoformat(timespec="minutes") if h.deadline else "—", flags)
    Console().print(t)


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    from dualprev_core.loading.enterprise import parse_time

    try:
        return parse_time(value)
    except ValueError as exc:
        raise InvalidInput(f"--at: {exc}") from None


@hd_group.command("transition")
@click.option("--ledger", type=click.Path(path_type=Path), required=True, help="hidden-danger event file (JSON lines), rewritten on success")
@click.argument("hd_id")
@click.argument("action", type=click.Choice(_ACTIONS))
@click.option("--by", required=True, help="who does it")
@click.option("--why", default="", help="the reason")
@click.option("--at", "at_text", help="when (ISO 8601; default now)")
@click.option("--grade", type=click.Choice(["general", "major"]), help="assess: the grade")
@click.option("--deadline", help="assess: rectification deadline (ISO 8601)")
@click.option("--measures", multiple=True, help="rectify: measures taken (repeatable)")
@click.option("--passed/--failed", default=None, help="verify: the verification result")
@click.option("--plan", "plan_file", type=click.Path(path_type=Path), help="approve-plan: YAML/JSON with the five implementations")
@click.option("--enterprise", "-e", "enterprise", type=click.Path(path_type=Path), help="regrade: the enterprise file the criteria judge")
@_common
@_guard
def hd_transition(ledger: Path, hd_id: str, action: str, by: str, why: str, at_text: str | None, grade: str | None, deadline: str | None,
                  measures: tuple[str, ...], passed: bool | None, plan_file: Path | None, enterprise: Path | None, as_json: bool, lang: str) -> None:
    """Apply one transition; a guard's refusal exits 2 with its reason and changes nothing."""
    import yaml

    from dualprev_core.assessment.report import hidden_danger_summary

    if not ledger.exists():
        _fail(f"{ledger}: file not found")
    led = _load_ledger(ledger)
    at = _at(at_text)
    if action == "assess":
        if grade is None:
            _fail("assess needs --grade")
        hd = led.assess(hd_id, grade=grade, by=by, why=why, at=at, deadline=_at(deadline))
    elif action == "regrade":
        if enterprise is None:
            _fail("regrade needs --enterprise FILE: a hidden danger becomes major only by a criterion of an installed pack, "
                  "judged on the enterprise's present facts")
        hd = _assessment(enterprise, led, replay=False, rule_files=()).regrade_by_criteria(hd_id, by=by, why=why, at=at)
    elif action == "approve-plan":
        if plan_file is None:
            _fail("approve-plan needs --plan FILE with the five implementations (responsible_person, measures, funds_amount/funds_source, deadline, contingency_plan)")
        try:
            plan = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            _fail(f"{plan_file}: cannot read plan: {exc}")
        hd = led.approve_plan(hd_id, plan=plan, by=by, why=why, at=at)
    elif action == "start":
        hd = led.start_rectifying(hd_id, by=by, why=why, at=at)
    elif action == "rectify":
        hd = led.rectify(hd_id, measures=measures or ("(not stated)",), by=by, why=why, at=at)
    elif action == "verify":
        if passed is None:
            _fail("verify needs --passed or --failed")
        hd = led.verify(hd_id, passed=bool(passed), by=by, why=why, at=at)
    elif action == "close":
        hd = led.close(hd_id, by=by, why=why, at=at)
    elif action == "suspend":
        hd = led.suspend_production(hd_id, by=by, why=why, at=at)
    else:
        hd = led.resume_production(hd_id, by=by, why=why, at=at)
    led.to_jsonl(ledger)
    if as_json:
        _out(hidden_danger_summary(hd))
    else:
        click.echo(f"{hd.id}: {hd.state.label(lang)}" + (f" ({hd.grade.label(lang)})" if hd.grade else ""))


@hd_group.command("check-overdue")
@click.option("--ledger", type=click.Path(path_type=Path), required=True)
@click.option("--now", "now_text", help="the check's time (ISO 8601; default now)")
@_common
@_guard
def hd_overdue(ledger: Path, now_text: str | None, as_json: bool, lang: str) -> None:
    """Mark overdue and escalate every open hidden danger past its deadline."""
    if not ledger.exists():
        _fail(f"{ledger}: file not found")
    led = _load_ledger(ledger)
    events = led.check_overdue(_at(now_text))
    led.to_jsonl(ledger)
    data = [e.to_dict() for e in events]
    if as_json:
        _out(data)
    else:
        for e in data:
            click.echo(f"{e['hd_id']}: {e['kind']} → {e.get('escalated_to')}")
        if not data:
            click.echo("无逾期隐患" if lang == "zh" else "nothing overdue")


@click.command("monitor")
@click.argument("readings", type=click.Path(path_type=Path))
@click.option("--enterprise", "-e", "enterprise", type=click.Path(path_type=Path), required=True, help="the enterprise file (its monitoring_points)")
@click.option("--ledger", type=click.Path(path_type=Path), help="hidden-danger event file (JSON lines) to continue and write back")
@click.option("--until", "until_text", help="advance the clock to this time at the end (ISO 8601), so silent points are caught")
@click.option("--progress/--no-progress", default=None, help="progress bar on stderr (default: when stderr is a terminal)")
@_rules_option
@_common
@_guard
def monitor_cmd(readings: Path, enterprise: Path, ledger: Path | None, until_text: str | None, progress: bool | None,
                rule_files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Replay a readings file (CSV, JSON lines or YAML) through the packs' monitoring rules."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from dualprev_core.assessment.report import hidden_danger_summary
    from dualprev_core.monitoring import Monitor, read_readings

    if not readings.exists():
        _fail(f"{readings}: file not found")
    led = _load_ledger(ledger)
    a = _assessment(enterprise, led, rule_files=rule_files)
    mon = Monitor(a)
    rows = list(read_readings(readings))
    err = Console(stderr=True)
    show = err.is_terminal if progress is None else progress
    if not mon.has_rules:
        err.print("dualprev: note: no installed pack has monitoring rules; readings are only checked", markup=False)
    before = a.current_levels()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, disable=not show, transient=True) as bar:
        task = bar.add_task("readings", total=len(rows))
        mon.feed_all(rows, progress=lambda i: bar.update(task, completed=i))
    if until_text:
        until = _at(until_text)
        if until is not None:
            mon.advance(until)
    if ledger is not None:
        led.to_jsonl(ledger)
    after = a.current_levels()
    moved = [{"id": r, "before": before[r].key, "after": after[r].key} for r in after if after[r] != before[r]]
    data = {
        "readings": len(rows),
        "alarms": [x.to_dict() for x in mon.alarms],
        "hidden_dangers": [hidden_danger_summary(h) for h in mon.hidden_dangers],
        "problems": [p.to_dict() for p in mon.problems],
        "actions": list(mon.actions),
        "levels_moved": moved,
    }
    if as_json:
        _out(data)
        return
    console = Console()
    console.print(f"{len(rows)} {'条读数' if lang == 'zh' else 'readings'}; {len(mon.alarms)} {'次报警' if lang == 'zh' else 'alarms'}; "
                  f"{len(mon.problems)} {'条问题读数' if lang == 'zh' else 'problem readings'}")
    if mon.alarms:
        t = Table("at", "rule", "level", "point", "message", title="报警" if lang == "zh" else "alarms")
        for x in mon.alarms:
            t.add_row(x.at.isoformat(timespec="seconds"), x.rule, x.level, x.point or "—", x.message)
        console.print(t)
    for h in mon.hidden_dangers:
        crit = ", ".join(f"{c.criterion_id} ({c.citation})" for c in h.criteria)
        console.print(f"{_LABELS[lang]['hidden_dangers']}: {h.id} {h.grade.label(lang) if h.grade else ''} {crit}", markup=False)
    for m in moved:
        console.print(f"{m['id']}: {m['before']} → {m['after']}", markup=False)
    for p in mon.problems:
        console.print(f"{p.where}: {p.kind}: {p.message}", markup=False)


@click.group("rules")
def rules_group() -> None:
    """Rule files (dualprev-rules/1): validate."""


@rules_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_common
@_guard
def rules_check(files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Validate rule files; every error with file, rule id, path and line."""
    from dualprev_core.errors import ValidationError
    from dualprev_core.rules import load_ruleset

    results: list[dict[str, Any]] = []
    failed = False
    for f in files:
        try:
            rs = load_ruleset(f)
            results.append({"file": str(f), "ok": True, "ruleset": rs.id, "rules": [r.id for r in rs.rules]})
        except ValidationError as exc:
            failed = True
            results.append({"file": str(f), "ok": False, "problems": [
                {"path": p.path, "message": p.message, "line": p.line if p.line is not None else _line_from_source(p.source)} for p in exc.problems]})
    if as_json:
        _out(results)
    else:
        for r in results:
            if r["ok"]:
                click.echo(f"{r['file']}: ok — ruleset {r['ruleset']}, {len(r['rules'])} rules")
            else:
                click.echo(f"{r['file']}: {len(r['problems'])} problem(s)")
                for p in r["problems"]:
                    line = f" (line {p['line']})" if p["line"] is not None else ""
                    click.echo(f"  - {p['path']}: {p['message']}{line}")
    if failed:
        raise SystemExit(2)


def _line_from_source(source: str | None) -> int | None:
    """Rule-file problems may carry the line as ``file:line`` in their source."""
    head, _, tail = (source or "").rpartition(":")
    return int(tail) if head and tail.isdigit() else None


__all__: list[str] = []

