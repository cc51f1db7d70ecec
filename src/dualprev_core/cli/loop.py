"""CLI commands of the hidden-danger loop: ``inspect``, ``hidden-dangers``, ``rules check``.

The event files these commands read and write (JSON lines, one hidden-danger event per line)
are the input of the persistent ledger.
"""

from __future__ import annotations

import os
from datetime import datetime
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
    _fail,
    _guard,
    _out,
    _packs,
    _rules_option,
    change_state,
    open_state,
)
from dualprev_core.errors import InvalidInput


def _load_ledger(path: Path | None) -> Any:
    from dualprev_core.hidden_dangers.ledger import Ledger
    from dualprev_core.store import read_ledger

    if path is not None and path.exists():
        return read_ledger(path)
    return Ledger()


def _ledger_or_db(ledger: Path | None, db: str | None) -> None:
    if ledger is not None and db is not None and os.environ.get("DUALPREV_DB") != db:
        _fail("give either --ledger FILE or --db URL, not both (to move a ledger file into the store: dualprev db import-ledger)")
    if ledger is None and db is None:
        _fail("give --ledger FILE.jsonl or --db URL (or set DUALPREV_DB)")


def _change_ledger(ledger: Path, change: Any) -> Any:
    """Lock the ledger file, read it, apply ``change(ledger)``, write it back atomically."""
    from dualprev_core.store import ledger_lock, write_ledger

    if not ledger.exists():
        _fail(f"{ledger}: file not found")
    with ledger_lock(ledger):
        led = _load_ledger(ledger)
        value = change(led)
        write_ledger(led, ledger)
    return value


def _assessment(enterprise: Path, ledger: Any, *, replay: bool = True, rule_files: tuple[Path, ...] = ()) -> Any:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.loading.enterprise import load_enterprise

    packs = _packs(rule_files)
    e = load_enterprise(enterprise, packs=packs)
    return Assessment(e, packs=packs, ledger=ledger, replay_inspections=replay)


@click.command("inspect")
@click.argument("enterprise", type=click.Path(path_type=Path), required=False)
@click.option("--inspections", "inspections_file", type=click.Path(path_type=Path), help="a dualprev-inspections/1 file to record (default: the enterprise file's own inspections)")
@click.option("--ledger", type=click.Path(path_type=Path), help="hidden-danger event file (JSON lines) to continue and write back")
@_db_option
@_enterprise_id_option
@_rules_option
@_common
@_guard
def inspect_cmd(enterprise: Path | None, inspections_file: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None,
                rule_files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Record inspection results: prints the hidden dangers created and the levels that moved.

    With --db, every inspection is recorded in the store (passed ones too, as 排查记录) with the
    hidden dangers it opens; without --inspections, the register's own inspection records.
    """
    from dualprev_core.assessment.report import hidden_danger_summary
    from dualprev_core.loading.enterprise import load_inspections

    _check_source(enterprise, db, file_flag="ENTERPRISE")
    if enterprise is not None:
        db = None

    def record(state: Any) -> dict[str, Any]:
        a = state.assessment()
        led = state.ledger
        inspections = load_inspections(inspections_file, a.enterprise) if inspections_file else list(state.register_inspections)
        outcomes = [state.record_inspection(i) for i in sorted(inspections, key=lambda i: (i.at, i.id))]
        before_criteria = {h.id for h in led.all()}
        matches = a.evaluate_criteria(at=max((i.at for i in inspections), default=None))
        by_criteria = [hidden_danger_summary(h) for h in led.all() if h.id not in before_criteria]
        return {"outcomes": outcomes, "by_criteria": by_criteria, "matches": matches}

    result, state = change_state(record, enterprise, ledger=ledger, db=db, enterprise_id=enterprise_id, rule_files=rule_files,
                                 replay_inspections=False)
    outcomes, by_criteria, matches = result["outcomes"], result["by_criteria"], result["matches"]
    data = {"inspections": [o.to_dict() for o in outcomes], "opened_by_criteria": by_criteria,
            "criteria_matches": [m.to_dict() for m in matches], "ledger": str(ledger) if ledger else None, "events": len(state.ledger.events)}
    if state.store is not None:
        data["store"] = {"url": state.store.display, "enterprise": state.enterprise_id, "version": state.version, "head_hash": state.head_hash}
    if as_json:
        _out(data)
        return
    from dualprev_core.cli.i18n import citation_text, hd_grade, show, table, text

    L = _LABELS[lang]
    t = table((text("inspection", lang), "id"), (L["hidden_dangers"], "id"), (L["grade"], "text"), (L["why"], "text"), title=text("inspections", lang))
    for o in outcomes:
        hd = o.hidden_danger
        moved = "\n".join(f"{c.id}: {c.before.label(lang) if c.before else '—'} → {c.after.label(lang) if c.after else '—'}" for c in o.changes)
        crit = ", ".join(f"{c.criterion_id} ({citation_text(c.citation, lang)})" for c in hd.criteria) if hd else ""
        note = text("already", lang) if o.already_recorded else ""
        t.add_row(o.inspection, (f"{hd.id}{text('new', lang) if o.opened else ''}" if hd else "—"),
                  (hd.grade.label(lang) if hd and hd.grade else "—"), "\n".join(x for x in (moved, crit, note) if x) or "—")
    show(Console(), t)
    for h in by_criteria:
        crit = ", ".join(f"{c['criterion_id']} ({c['citation'].get('standard', '')} {c['citation'].get('clause', '')})" for c in h["criteria"])
        Console().print(f"{L['hidden_dangers']}: {h['id']} {hd_grade(h['grade'], lang)} {crit}", markup=False)
    if state.store is not None:
        click.echo(f"{state.store.display}#{state.enterprise_id}: " + (f"版本 {state.version}，流头哈希 {state.head_hash}" if lang == "zh" else
                                                                       f"version {state.version}, head {state.head_hash}"))


_ACTIONS = ("assess", "regrade", "approve-plan", "start", "rectify", "verify", "close", "suspend", "resume",
            "report", "supervise", "order-suspension", "assess-remediation", "apply-resume", "review")


@click.group("hidden-dangers")
def hd_group() -> None:
    """The hidden-danger ledger: list, open, transition (with the loop's guards), render, check overdue."""


@hd_group.command("list")
@click.option("--ledger", type=click.Path(path_type=Path), help="hidden-danger event file (JSON lines)")
@_db_option
@_enterprise_id_option
@click.option("--open", "only_open", is_flag=True, help="only hidden dangers not closed")
@_common
@_guard
def hd_list(ledger: Path | None, db: str | None, enterprise_id: str | None, only_open: bool, as_json: bool, lang: str) -> None:
    """List the hidden dangers of a ledger file (or of an enterprise in the store) with their state, grade and flags."""
    from dualprev_core.assessment.report import hidden_danger_summary

    _ledger_or_db(ledger, db)
    if ledger is not None:
        if not ledger.exists():
            _fail(f"{ledger}: file not found")
        led = _load_ledger(ledger)
    else:
        led = open_state(db=db, enterprise_id=enterprise_id).ledger
    hds = [h for h in led.all() if h.is_open or not only_open]
    if as_json:
        _out([hidden_danger_summary(h) for h in hds])
        return
    from dualprev_core.cli.i18n import escalation, show, table, text

    L = _LABELS[lang]
    t = table((text("id", lang), "id"), (L["control"], "id"), (L["grade"], "text"), (L["state"], "text"), (text("deadline", lang), "text"),
              (text("flags", lang), "text"), title=L["hidden_dangers"])
    for h in hds:
        flags = "\n".join(x for x in (text("overdue_to", lang, to=escalation(h.escalated_to, lang)) if h.overdue else "",
                                       text("suspended", lang) if h.suspended else "") if x)
        t.add_row(h.id, h.control_id or h.subject or "—", h.grade.label(lang) if h.grade else "—", h.state.label(lang),
                  h.deadline.isoformat(timespec="minutes").replace("T", " ") if h.deadline else "—", flags or "—")
    show(Console(), t)


def _at(value: str | None, option: str = "--at") -> datetime | None:
    if value is None:
        return None
    from dualprev_core.model.values import parse_time

    try:
        return parse_time(value)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}") from None


def _read_mapping(path: Path, what: str) -> Any:
    """A plan or report file read through every input limit (a foreign file is never printed back)."""
    from dualprev_core.yaml_lines import read_document

    data = read_document(path, what=what)
    if not isinstance(data, dict):
        _fail(f"{path}: {what} must be a mapping (got {type(data).__name__})")
    return data


def _document(title: str | None, number: str, issuer: str, date: str, uri: str, action: str) -> dict[str, str]:
    if not title:
        _fail(f"{action} needs --doc-title (the document: e.g. 督办通知书, 评估报告, 恢复生产申请, 审查意见); "
              "--doc-number, --doc-issuer, --doc-date and --doc-uri add its details")
    return {"title": str(title), "number": number, "issued_by": issuer, "date": date, "uri": uri}


@hd_group.command("transition")
@click.option("--ledger", type=click.Path(path_type=Path), help="hidden-danger event file (JSON lines), rewritten on success")
@_db_option
@click.argument("hd_id")
@click.argument("action", type=click.Choice(_ACTIONS))
@click.option("--by", required=True, help="who does it (for regrade --basis expert|regulator: who judged)")
@click.option("--why", default="", help="the reason")
@click.option("--at", "at_text", help="when (ISO 8601; default now)")
@click.option("--grade", type=click.Choice(["general", "major"]), help="assess/regrade: the grade")
@click.option("--basis", type=click.Choice(["criterion", "expert", "regulator"]), default="criterion", show_default=True,
              help="regrade: an installed criterion (judged on --enterprise), or an expert's or the regulator's judgement")
@click.option("--deadline", help="assess/supervise: rectification deadline (ISO 8601)")
@click.option("--measures", multiple=True, help="rectify: measures taken (repeatable)")
@click.option("--passed/--failed", default=None, help="verify/assess-remediation/review: the result")
@click.option("--plan", "plan_file", type=click.Path(path_type=Path), help="approve-plan: YAML/JSON plan (五落实; a major one the six contents of 16号令)")
@click.option("--report", "report_file", type=click.Path(path_type=Path), help="report: YAML/JSON with current_state, cause, harm, difficulty")
@click.option("--to", "recipient", type=click.Choice(["regulator", "workers_congress"]), default="regulator", show_default=True, help="report: recipient")
@click.option("--enterprise", "-e", "enterprise", help="regrade --basis criterion: with --ledger the enterprise FILE the criteria judge; with --db the enterprise ID")
@click.option("--authority", help="supervise: the supervising authority")
@click.option("--scope", help="order-suspension: full or partial, and what")
@click.option("--assessor", type=click.Choice(["own", "agency"]), help="assess-remediation: the unit's own experts or a qualified agency")
@click.option("--agency", default="", help="assess-remediation --assessor agency: the agency")
@click.option("--qualification", default="", help="assess-remediation --assessor agency: its qualification (资质)")
@click.option("--expert", "experts", multiple=True, help="assess-remediation --assessor own: a technical staff member or expert (repeatable)")
@click.option("--conclusion", default="", help="assess-remediation: the conclusion")
@click.option("--doc-title", help="supervise/order-suspension/assess-remediation/apply-resume/review: the document's title")
@click.option("--doc-number", default="", help="the document's number (文号)")
@click.option("--doc-issuer", default="", help="who issued the document")
@click.option("--doc-date", default="", help="the document's date")
@click.option("--doc-uri", default="", help="where the document is kept")
@_common
@_guard
def hd_transition(ledger: Path | None, db: str | None, hd_id: str, action: str, by: str, why: str, at_text: str | None, grade: str | None,
                  basis: str, deadline: str | None, measures: tuple[str, ...], passed: bool | None, plan_file: Path | None,
                  report_file: Path | None, recipient: str, enterprise: str | None, authority: str | None, scope: str | None,
                  assessor: str | None, agency: str, qualification: str, experts: tuple[str, ...], conclusion: str, doc_title: str | None,
                  doc_number: str, doc_issuer: str, doc_date: str, doc_uri: str, as_json: bool, lang: str) -> None:
    """Apply one transition; a guard's refusal exits 2 with its reason and changes nothing."""
    from dualprev_core.assessment.report import hidden_danger_summary

    _ledger_or_db(ledger, db)
    at = _at(at_text)
    # Check the options before touching the ledger, so a usage mistake changes nothing.
    if action == "assess" and grade is None:
        _fail("assess needs --grade")
    if action == "regrade" and basis == "criterion" and enterprise is None and ledger is not None:
        _fail("regrade needs --enterprise FILE: a hidden danger becomes major by a criterion of an installed pack, judged on the "
              "enterprise's present facts — or on a judgement: --basis expert|regulator --by WHO --why TEXT")
    if action == "approve-plan" and plan_file is None:
        _fail("approve-plan needs --plan FILE with the five implementations (responsible_person, measures, funds_amount/funds_source, "
              "deadline, contingency_plan); a major one also objectives, tasks, materials, organisation, requirements, safety_measures")
    if action == "report" and report_file is None:
        _fail("report needs --report FILE with current_state, cause, harm, difficulty (总局令第16号 第十四条)")
    if action == "supervise" and not authority:
        _fail("supervise needs --authority (the supervising authority)")
    if action == "order-suspension" and not scope:
        _fail("order-suspension needs --scope (full or partial, and what)")
    if action == "assess-remediation" and assessor is None:
        _fail("assess-remediation needs --assessor own|agency")
    if action in ("verify", "assess-remediation", "review") and passed is None:
        _fail(f"{action} needs --passed or --failed")
    document = (_document(doc_title, doc_number, doc_issuer, doc_date, doc_uri, action)
                if action in ("supervise", "order-suspension", "assess-remediation", "apply-resume", "review") else None)
    plan = _read_mapping(plan_file, "plan") if plan_file is not None else None
    report = _read_mapping(report_file, "report") if report_file is not None else None

    def apply(led: Any, regrade: Any) -> Any:  # noqa: C901 - one branch per action
        if action == "assess":
            return led.assess(hd_id, grade=grade, by=by, why=why, at=at, deadline=_at(deadline, "--deadline"))
        if action == "regrade":
            if basis != "criterion":
                return led.regrade(hd_id, grade=grade or "major", basis=basis, by=by, why=why, at=at)
            return regrade().regrade_by_criteria(hd_id, by=by, why=why, at=at)
        if action == "approve-plan":
            try:
                return led.approve_plan(hd_id, plan=plan, by=by, why=why, at=at)
            except InvalidInput as exc:  # name the file the plan came from
                raise InvalidInput(f"{plan_file}: {exc}") from None
        if action == "report":
            try:
                return led.submit_report(hd_id, report=report, recipient=recipient, by=by, why=why, at=at)
            except InvalidInput as exc:
                raise InvalidInput(f"{report_file}: {exc}") from None
        if action == "supervise":
            return led.list_supervision(hd_id, authority=str(authority), document=document, deadline=_at(deadline), by=by, why=why, at=at)
        if action == "order-suspension":
            return led.order_suspension(hd_id, scope=str(scope), document=document, by=by, why=why, at=at)
        if action == "assess-remediation":
            return led.assess_remediation(hd_id, assessor=str(assessor), passed=bool(passed), conclusion=conclusion, document=document,
                                          agency=agency, qualification=qualification, experts=experts, by=by, why=why, at=at)
        if action == "apply-resume":
            return led.apply_to_resume(hd_id, document=document, by=by, why=why, at=at)
        if action == "review":
            return led.review_resumption(hd_id, passed=bool(passed), document=document, by=by, why=why, at=at)
        if action == "start":
            return led.start_rectifying(hd_id, by=by, why=why, at=at)
        if action == "rectify":
            return led.rectify(hd_id, measures=measures or ("(not stated)",), by=by, why=why, at=at)
        if action == "verify":
            return led.verify(hd_id, passed=bool(passed), by=by, why=why, at=at)
        if action == "close":
            return led.close(hd_id, by=by, why=why, at=at)
        if action == "suspend":
            return led.suspend_production(hd_id, by=by, why=why, at=at)
        return led.resume_production(hd_id, by=by, why=why, at=at)

    from dualprev_core.errors import TransitionRejected

    head = ""
    try:
        if ledger is not None:
            hd = _change_ledger(ledger, lambda led: apply(led, lambda: _assessment(Path(str(enterprise)), led, replay=False, rule_files=())))
        else:
            hd, state = change_state(lambda st: apply(st.ledger, lambda: st.assessment), db=db, enterprise_id=enterprise)
            head = (f"；{state.store.display}#{state.enterprise_id} 版本 {state.version}，流头哈希 {state.head_hash}" if lang == "zh" else
                    f"; {state.store.display}#{state.enterprise_id} version {state.version}, head {state.head_hash}")
    except TransitionRejected as exc:
        if lang != "zh":
            raise
        # What the user typed, and why it was refused, in Chinese (the English reason when a guard gives none).
        typed = " ".join(["dualprev hidden-dangers transition", hd_id, action, "--by", by] + (["--why", why] if why else []))
        _fail(f"已拒绝：`{typed}`\n  {exc.zh or str(exc)}\n  未做任何更改")
    if as_json:
        _out(hidden_danger_summary(hd))
    else:
        extra = f", {hd.supervision.label(lang)}" if hd.supervision else ""
        click.echo(f"{hd.id}: {hd.state.label(lang)}" + (f" ({hd.grade.label(lang)}{extra})" if hd.grade else "") + head)


@hd_group.command("open")
@click.option("--ledger", type=click.Path(path_type=Path), required=True, help="hidden-danger event file (JSON lines), created or rewritten")
@click.option("--enterprise", "-e", "enterprise", type=click.Path(path_type=Path), required=True, help="the enterprise file (to check the subject and grade it)")
@click.option("--subject", required=True, help="what no control covers: area:<id>, risk_point:<id> or enterprise:<id>")
@click.option("--finding", type=click.Choice(["weakened", "failed", "missing"]), default="failed", show_default=True)
@click.option("--description", required=True, help="what is wrong (e.g. a management defect, an area-wide condition)")
@click.option("--source", default="manual", show_default=True, help="where it was found, e.g. inspection:<id>")
@click.option("--owner-level", type=click.Choice(["post", "team", "workshop", "company"]), default="company", show_default=True)
@click.option("--by", required=True)
@click.option("--at", "at_text", help="when (ISO 8601; default now)")
@_common
@_guard
def hd_open(ledger: Path, enterprise: Path, subject: str, finding: str, description: str, source: str, owner_level: str, by: str,
            at_text: str | None, as_json: bool, lang: str) -> None:
    """Record a hidden danger no control covers, on an area, a risk point or the enterprise, graded by the installed criteria."""
    from dualprev_core.assessment.report import hidden_danger_summary
    from dualprev_core.clock import SystemClock
    from dualprev_core.model.vocabulary import InspectionResult, OwnerLevel
    from dualprev_core.store import ledger_lock, write_ledger

    with ledger_lock(ledger):
        led = _load_ledger(ledger)
        a = _assessment(enterprise, led, replay=False)
        hd = a.open_hidden_danger_on(subject, source=source, at=_at(at_text) or SystemClock().now(), description=description,
                                     finding=InspectionResult.parse(finding), owner_level=OwnerLevel.parse(owner_level), by=by)
        write_ledger(led, ledger)
    data = hidden_danger_summary(hd)
    if as_json:
        _out(data)
    else:
        click.echo(f"{hd.id}: {hd.state.label(lang)} ({hd.grade.label(lang) if hd.grade else '—'}) — {data['effect_on_levels']}")


@hd_group.command("render")
@click.argument("hd_id")
@click.option("--ledger", type=click.Path(path_type=Path), help="hidden-danger event file (JSON lines)")
@_db_option
@click.option("--enterprise-id", "-e", "enterprise_id", metavar="ID", help="with --db: the enterprise")
@click.option("--report", "report_file", type=click.Path(path_type=Path), help="a draft report (YAML/JSON) to show instead of the submitted one")
@click.option("--name", "enterprise_name", default="", help="the enterprise's name for the heading")
@click.option("--html", "html_out", type=click.Path(path_type=Path), help="write the HTML document here")
@click.option("--pdf", "pdf_out", type=click.Path(path_type=Path), help="print it to PDF here (headless Chromium)")
@_common
@_guard
def hd_render(hd_id: str, ledger: Path | None, db: str | None, enterprise_id: str | None, report_file: Path | None, enterprise_name: str,
              html_out: Path | None, pdf_out: Path | None, as_json: bool, lang: str) -> None:
    """Render a major hidden danger's report and plan (总局令第16号 第十四、十五条) with its supervision record.

    Missing contents are printed as missing, so a draft can be reviewed; without --html/--pdf
    the HTML goes to standard output (with --json, the document's data).
    """
    from dualprev_core.hidden_dangers.ledger import MajorHiddenDangerReport
    from dualprev_core.outputs.browser import html_to_pdf
    from dualprev_core.outputs.major_report import major_report_html, major_report_record

    _ledger_or_db(ledger, db)
    if ledger is not None:
        if not ledger.exists():
            _fail(f"{ledger}: file not found")
        led = _load_ledger(ledger)
    else:
        state = open_state(None, db=db, enterprise_id=enterprise_id, replay_inspections=False)
        led = state.ledger
        enterprise_name = enterprise_name or state.enterprise.name
    hd = led.get(hd_id)
    draft = MajorHiddenDangerReport.from_mapping(_read_mapping(report_file, "report")) if report_file is not None else None
    if as_json:
        _out(major_report_record(hd, draft))
        return
    html = major_report_html(hd, enterprise_name=enterprise_name, report=draft)
    if html_out is None and pdf_out is None:
        click.echo(html)
        return
    if html_out is not None:
        html_out.write_text(html, encoding="utf-8")
        click.echo(f"{html_out}: HTML written")
    if pdf_out is not None:
        click.echo(f"{html_to_pdf(html, pdf_out)}: PDF written")


@hd_group.command("check-overdue")
@click.option("--ledger", type=click.Path(path_type=Path))
@_db_option
@_enterprise_id_option
@click.option("--now", "now_text", help="the check's time (ISO 8601; default now)")
@_common
@_guard
def hd_overdue(ledger: Path | None, db: str | None, enterprise_id: str | None, now_text: str | None, as_json: bool, lang: str) -> None:
    """Mark overdue and escalate every open hidden danger past its deadline."""
    _ledger_or_db(ledger, db)
    now = _at(now_text, "--now")
    if ledger is not None:
        events = _change_ledger(ledger, lambda led: led.check_overdue(now))
    else:
        events, _state = change_state(lambda st: st.ledger.check_overdue(now), db=db, enterprise_id=enterprise_id)
    data = [e.to_dict() for e in events]
    if as_json:
        _out(data)
    else:
        from dualprev_core.cli.i18n import escalation, event_kind

        for e in data:
            click.echo(f"{e['hd_id']}: {event_kind(e['kind'], lang)} → {escalation(e.get('escalated_to'), lang)}")
        if not data:
            click.echo("无逾期隐患" if lang == "zh" else "nothing overdue")


@click.command("monitor")
@click.argument("readings", type=click.Path(path_type=Path))
@click.option("--enterprise", "-e", "enterprise", help="the enterprise FILE (its monitoring_points); with --db: the enterprise ID")
@click.option("--ledger", type=click.Path(path_type=Path), help="hidden-danger event file (JSON lines) to continue and write back")
@_db_option
@click.option("--until", "until_text", help="advance the clock to this time at the end (ISO 8601), so silent points are caught")
@click.option("--progress/--no-progress", default=None, help="progress bar on stderr (default: when stderr is a terminal)")
@_rules_option
@_common
@_guard
def monitor_cmd(readings: Path, enterprise: str | None, ledger: Path | None, db: str | None, until_text: str | None, progress: bool | None,
                rule_files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Replay a readings file (CSV, JSON lines or YAML) through the packs' monitoring rules.

    With --db, the alarms and the hidden dangers they open are recorded in the store.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from dualprev_core.assessment.report import hidden_danger_summary
    from dualprev_core.monitoring import Monitor, read_readings

    if not readings.exists():
        _fail(f"{readings}: file not found")
    if db is None and enterprise is None:
        _fail("give --enterprise FILE or --db URL (or set DUALPREV_DB)")
    if db is not None and db == os.environ.get("DUALPREV_DB") and enterprise is not None and Path(enterprise).is_file():
        db = None  # -e names an enterprise file: it wins over a store from the environment
    file = Path(enterprise) if db is None and enterprise is not None else None
    # Readings stream from the file through the monitor one at a time (memory does not grow with
    # the file); the progress bar's total is a line count, taken only when the bar is shown.
    err = Console(stderr=True)
    show_bar = err.is_terminal if progress is None else progress
    total = _count_lines(readings) if show_bar and readings.suffix.lower() in (".csv", ".jsonl", ".ndjson") else None

    def run(state: Any) -> dict[str, Any]:
        a = state.assessment()
        mon = Monitor(a)
        if not mon.has_rules:
            err.print("dualprev: note: no installed pack has monitoring rules; readings are only checked", markup=False)
        before = a.current_levels()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, disable=not show_bar, transient=True) as bar:
            task = bar.add_task("readings", total=total)
            mon.feed_all(read_readings(readings), progress=(lambda i: bar.update(task, completed=i)) if show_bar else None, collect=False)
        if until_text:
            until = _at(until_text, "--until")
            if until is not None:
                mon.advance(until)
        if state.store is not None:
            for alarm in mon.alarms:
                state.record_alarm(alarm)
        return {"a": a, "mon": mon, "before": before}

    result, state = change_state(run, file, ledger=ledger, db=db if file is None else None,
                                 enterprise_id=enterprise if file is None else None, rule_files=rule_files)
    a, mon, before = result["a"], result["mon"], result["before"]
    after = a.current_levels()
    moved = [{"id": r, "before": before[r].key, "after": after[r].key} for r in after if after[r] != before[r]]
    data = {
        "readings": mon.readings,
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
    from dualprev_core.cli.i18n import show, table, text

    console.print(f"{mon.readings} {'条读数' if lang == 'zh' else 'readings'}; {len(mon.alarms)} {'次报警' if lang == 'zh' else 'alarms'}; "
                  f"{len(mon.problems)} {'条问题读数' if lang == 'zh' else 'problem readings'}")
    if mon.alarms:
        t = table((text("at", lang), "text"), (text("rule", lang), "id"), (text("alarm_level", lang), "text"), (text("point", lang), "id"),
                  (text("message", lang), "text"), title=text("alarms", lang))
        for x in mon.alarms:
            t.add_row(x.at.isoformat(timespec="seconds").replace("T", " "), x.rule, _alarm_level(x.level, lang), x.point or "—", x.message)
        show(console, t)
    for h in mon.hidden_dangers:
        from dualprev_core.cli.i18n import citation_text

        crit = ", ".join(f"{c.criterion_id} ({citation_text(c.citation, lang)})" for c in h.criteria)
        console.print(f"{_LABELS[lang]['hidden_dangers']}: {h.id} {h.grade.label(lang) if h.grade else ''} {crit}", markup=False)
    for m in moved:
        console.print(f"{m['id']}: {_level(m['before'], lang)} → {_level(m['after'], lang)}", markup=False)
    for p in mon.problems:
        console.print(f"{p.where}: {_PROBLEM_ZH.get(p.kind, p.kind)}（--json 给出详情）" if lang == "zh" else f"{p.where}: {p.kind}: {p.message}",
                      markup=False)


def _count_lines(path: Path) -> int | None:
    """Data lines of a CSV (minus the header) or JSON-lines file, read in blocks; None if unreadable."""
    try:
        with path.open("rb") as f:
            n = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return None
    return max(0, n - 1) if path.suffix.lower() == ".csv" else n


@click.group("rules")
def rules_group() -> None:
    """Rule files (dualprev-rules/1): validate."""


@rules_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_common
@_guard
def rules_check(files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Validate rule files; every error with file, rule id, path and line."""
    from dualprev_core.cli.i18n import text
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
                click.echo(f"{r['file']}: " + text("rules_ok", lang, ruleset=r["ruleset"], n=len(r["rules"])))
            else:
                click.echo(f"{r['file']}: " + text("rules_problems", lang, n=len(r["problems"])))
                for p in r["problems"]:
                    line = f" ({text('line', lang, n=p['line'])})" if p["line"] is not None else ""
                    click.echo(f"  - {p['path']}: {p['message']}{line}")
    if failed:
        raise SystemExit(2)


_PROBLEM_ZH = {"malformed": "格式错误", "unknown_point": "未知监测点", "wrong_unit": "单位不符", "wrong_quantity": "物理量不符",
               "not_a_number": "读数不是数值", "duplicate": "重复读数", "conflicting_duplicate": "同一时刻读数矛盾", "out_of_order": "时间倒序"}


def _level(key: str, lang: str) -> str:
    from dualprev_core.model.levels import RiskLevel

    return RiskLevel.parse(key).label(lang)


def _alarm_level(level: str, lang: str) -> str:
    """Alarm levels are colours in the packs' rules (red, orange, yellow, blue)."""
    zh = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
    return zh.get(level, level) if lang == "zh" else level


def _line_from_source(source: str | None) -> int | None:
    """Rule-file problems may carry the line as ``file:line`` in their source."""
    head, _, tail = (source or "").rpartition(":")
    return int(tail) if head and tail.isdigit() else None


__all__ = ["inspect_cmd", "hd_group", "hd_list", "hd_transition", "hd_open", "hd_render", "hd_overdue", "monitor_cmd", "rules_group", "rules_check"]

