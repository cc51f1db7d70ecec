"""``dualprev tasks``: the investigation tasks (排查任务) of an enterprise and their status at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dualprev_core.cli.common import (
    _check_source,
    _common,
    _db_option,
    _enterprise_id_option,
    _fail,
    _guard,
    _out,
    change_state,
    open_state,
)

__all__ = ["tasks_group", "tasks_list"]

_STATUS_STYLE = {"done": "green", "due": "yellow", "overdue": "bold red"}


@click.group("tasks")
def tasks_group() -> None:
    """Investigation tasks: what to check, on which control, by which post, how often — and their status."""


@tasks_group.command("list")
@click.argument("source", type=click.Path(path_type=Path), required=False)
@_db_option
@_enterprise_id_option
@click.option("--at", "at_text", help="the time to judge at (ISO 8601; default now)")
@click.option("--post", help="only this post's tasks")
@click.option("--person", help="only the tasks of the posts this person belongs to")
@click.option("--status", "only_status", type=click.Choice(["done", "due", "overdue"]), help="only tasks in this status")
@click.option("--since", "since_text", help="when monitoring started: no check counts as missed before it (default: the earliest inspection)")
@click.option("--inspections", "inspections_file", type=click.Path(path_type=Path), help="a dualprev-inspections/1 file of further recorded inspections")
@click.option("--ledger", type=click.Path(path_type=Path), help="with SOURCE: hidden-danger event file (JSON lines): its recorded missed checks are counted; with --record, new ones are appended")
@click.option("--record", is_flag=True, help="append a check_missed event (to --ledger, or to the store with --db) for every missed check not yet recorded")
@_common
@_guard
def tasks_list(source: Path | None, db: str | None, enterprise_id: str | None, at_text: str | None, post: str | None, person: str | None,
               only_status: str | None, since_text: str | None, inspections_file: Path | None, ledger: Path | None, record: bool,
               as_json: bool, lang: str) -> None:
    """List the tasks of SOURCE (an enterprise file; or --db URL [-e ID]) with their status at --at: done, due or overdue.

    Overdue tasks say the level they escalated to; every missed check (未排查) since monitoring
    started is counted.
    """
    from rich.console import Console

    from dualprev_core.cli.loop import _at
    from dualprev_core.clock import SystemClock
    from dualprev_core.investigation import build_plan
    from dualprev_core.loading.enterprise import load_inspections

    _check_source(source, db, file_flag="SOURCE")
    if source is not None and not source.exists():
        _fail(f"{source}: file not found")
    if record and source is not None and ledger is None:
        _fail("--record needs --ledger FILE (the event file the missed checks are appended to), or --db URL")
    at = _at(at_text) or SystemClock().now()
    since = _at(since_text)
    from_db = source is None

    def judge(state: Any) -> tuple[Any, int]:
        plan = build_plan(state.enterprise, state.packs)
        # the register's own inspections and those recorded since (the store keeps both), once each
        inspections = list({i.id: i for i in (*state.enterprise.inspections, *state.register_inspections, *state.inspections)}.values())
        if inspections_file is not None:
            if not inspections_file.exists():
                _fail(f"{inspections_file}: file not found")
            inspections += load_inspections(inspections_file, state.enterprise)
        statuses = plan.status(at, inspections, since=since, post=post, person=person)
        appended = 0
        if record:
            escalated = {s.task.id: s.escalated_to for s in statuses if s.escalated_to}
            appended = len(state.ledger.record_missed_checks([m for s in statuses for m in s.missed], at=at, escalated_to=escalated))
        return statuses, appended

    kwargs: dict[str, Any] = {"ledger": ledger} if not from_db else {"db": db, "enterprise_id": enterprise_id}
    if record:
        (statuses, appended), state = change_state(judge, source, replay_inspections=False, **kwargs)
    else:
        state = open_state(source, replay_inspections=False, **kwargs)
        statuses, appended = judge(state)
    counted = ledger is not None or from_db
    recorded: dict[str, int] = {}
    for m in state.ledger.missed_checks():
        recorded[m.task_id] = recorded.get(m.task_id, 0) + 1
    rows: list[dict[str, Any]] = []
    for s in statuses:
        if only_status is not None and s.status.key != only_status:
            continue
        d = s.to_dict()
        if counted:
            d["missed_recorded"] = recorded.get(s.task.id, 0)
        rows.append(d)
    if as_json:
        _out(rows if not counted else {"tasks": rows, "ledger": str(ledger) if ledger else state.origin, "missed_checks_appended": appended})
        return
    from dualprev_core.cli.i18n import escalation, show, table, text

    zh = lang == "zh"
    t = table((text("id", lang), "id"), ("岗位" if zh else "post", "id"), ("频次" if zh else "frequency", "text"), ("状态" if zh else "status", "text"),
              ("上次排查" if zh else "last done", "text"), ("时限" if zh else "due at", "text"), ("未排查" if zh else "missed", "text"),
              ("升级至" if zh else "escalated to", "text"), title=f"{'排查任务' if zh else 'investigation tasks'} @ {at.isoformat(timespec='minutes')}")
    labels = {"done": "已排查", "due": "待排查", "overdue": "逾期未排查"}
    for d in rows:
        st = d["status"]
        t.add_row(d["id"], d["post"] or "—", _frequency(d["frequency"], lang), f"[{_STATUS_STYLE[st]}]{labels[st] if zh else st}[/]",
                  (d["last_done"] or "—")[:16].replace("T", " "), (d["due_at"] or "—")[:16].replace("T", " "), str(d["missed"]),
                  escalation(d["escalated_to"], lang))
    console = Console()
    show(console, t)
    counts = {k: sum(1 for d in rows if d["status"] == k) for k in ("done", "due", "overdue")}
    missed = sum(d["missed"] for d in rows)
    if zh:
        console.print(f"已排查 {counts['done']} 项，待排查 {counts['due']} 项，逾期未排查 {counts['overdue']} 项；未排查 {missed} 次"
                      + (f"；新记入 {ledger or state.origin} {appended} 条" if record else ""), markup=False)
    else:
        console.print(f"{counts['done']} done, {counts['due']} due, {counts['overdue']} overdue; {missed} missed check(s)"
                      + (f"; {appended} newly recorded in {ledger or state.origin}" if record else ""), markup=False)


def _frequency(text_: str, lang: str) -> str:
    """The item's frequency as written, in Chinese for ``zh`` (``shift`` → 每班, ``2h`` → 每2小时)."""
    if lang != "zh":
        return text_
    from dualprev_core.loading.enterprise import parse_frequency
    from dualprev_core.outputs.tables import frequency_zh

    try:
        return frequency_zh(parse_frequency(text_))
    except ValueError:
        return text_
