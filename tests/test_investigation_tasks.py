"""Investigation tasks: generation (items + templates), status at a time, missed checks, escalation."""

from __future__ import annotations

import json
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core.cli.app import cli
from dualprev_core.errors import InvalidInput, TransitionRejected, ValidationError
from dualprev_core.hidden_dangers.ledger import CheckMissed, Ledger
from dualprev_core.investigation import WorkCalendar, build_plan, schedule_of
from dualprev_core.loading.enterprise import parse_enterprise, parse_frequency
from dualprev_core.model.vocabulary import OwnerLevel
from dualprev_core.packs import InspectionTemplate, load_packs
from dualprev_core.provenance import Citation

CST = timezone(timedelta(hours=8))
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def t(day: int, hour: int = 0, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


def enterprise(inspections: list[dict[str, Any]] | None = None, settings: dict[str, Any] | None = None,
               items: list[dict[str, Any]] | None = None, tags: list[str] | None = None) -> Any:
    control: dict[str, Any] = {
        "id": "C1", "name": "紧急切断阀", "kind": "engineering", "owner_level": "post", "post": "P-OP",
        "inspection_items": items if items is not None else [
            {"id": "I-2H", "content": "巡检", "frequency": "2h", "owner_level": "post", "post": "P-OP"},
            {"id": "I-W", "content": "周检", "frequency": "weekly", "owner_level": "workshop"},
        ],
    }
    if tags is not None:
        control["tags"] = tags
    data: dict[str, Any] = {
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "E", "name": "测试企业"},
        "areas": [{"id": "A", "name": "厂区"}, {"id": "A1", "name": "罐区", "parent": "A"}],
        "posts": [
            {"id": "P-OP", "name": "操作工", "area": "A1", "owner_level": "post", "people": ["李", "王"]},
            {"id": "P-WS", "name": "车间主任", "area": "A", "owner_level": "workshop", "people": ["赵"]},
        ],
        "risks": [{"id": "R1", "name": "泄漏", "area": "A1", "category": "fire", "method": "ls",
                   "inputs": {"L": 3, "S": 4}, "controls": [control]}],
        "inspections": inspections or [],
    }
    if settings is not None:
        data["settings"] = settings
    return parse_enterprise(data)


def insp(i: int, at: datetime, **kw: Any) -> dict[str, Any]:
    return {"id": f"X{i}", "result": "effective", "by": kw.pop("by", "李"), "at": at.isoformat(), **kw}


# ---------------------------------------------------------------- schedules


def test_frequencies_make_the_schedule_they_read_as() -> None:
    assert schedule_of(parse_frequency("2h")).kind == "interval"
    assert schedule_of(parse_frequency("weekly")).kind == "calendar"
    twice = schedule_of(parse_frequency("twice-daily"))
    assert (twice.kind, twice.unit, twice.count) == ("calendar", "day", 2)
    assert schedule_of(parse_frequency("seasonal")).unit == "quarter"
    assert schedule_of(parse_frequency("节假日前")).kind == "holiday"
    assert schedule_of(parse_frequency("3y")).kind == "interval"


def test_calendar_windows() -> None:
    cal = WorkCalendar()
    week = schedule_of(parse_frequency("weekly"))
    assert week.window(t(3, 12), cal) == (t(30, month=11), t(7))  # 2026-12-03 is a Thursday; weeks start Monday
    shift = schedule_of(parse_frequency("shift"))
    assert shift.window(t(3, 7), cal) == (t(3, 0), t(3, 8))  # 00:00–08:00 is the night shift of three from 08:00
    q = schedule_of(parse_frequency("quarterly"))
    assert q.window(t(3), cal) == (datetime(2026, 10, 1, tzinfo=CST), datetime(2027, 1, 1, tzinfo=CST))


def test_calendar_settings_are_validated() -> None:
    with pytest.raises(ValidationError, match="shift_hours"):
        enterprise(settings={"investigation": {"shift_hours": 7}})
    with pytest.raises(ValidationError, match="holidays"):
        enterprise(settings={"investigation": {"holidays": [{"date": "not-a-date"}]}})


# ---------------------------------------------------------------- status


def test_interval_task_done_then_overdue_with_missed_checks_and_escalation() -> None:
    e = enterprise([insp(1, t(1, 8), item="I-2H"), insp(2, t(1, 9, 30), item="I-2H")])
    plan = build_plan(e)
    (s,) = [x for x in plan.status(t(1, 11), since=t(1, 8)) if x.task.id == "I-2H"]
    assert s.status.key == "done" and s.last_done == t(1, 9, 30) and s.due_at == t(1, 11, 30) and s.missed == ()
    (s,) = [x for x in plan.status(t(1, 12), since=t(1, 8)) if x.task.id == "I-2H"]
    assert s.status.key == "overdue" and s.due_at == t(1, 11, 30)
    assert s.missed_count == 1 and s.escalated_to == "team"  # one level above the post on the first miss
    (s,) = [x for x in plan.status(t(1, 16), since=t(1, 8)) if x.task.id == "I-2H"]
    assert s.missed_count == 3  # due 11:30, 13:30, 15:30
    assert s.escalated_to == "company"  # one more level per further period, never above the company


def test_calendar_task_due_done_and_overdue() -> None:
    e = enterprise([insp(1, t(1, 9), item="I-W", by="赵"), insp(2, t(9, 9), item="I-W", by="赵")])
    plan = build_plan(e)

    def weekly(at: datetime) -> Any:
        return next(x for x in plan.status(at, since=t(30, month=11)) if x.task.id == "I-W")

    s = weekly(t(3))
    assert s.status.key == "done" and s.due_at == t(14)  # next week's window ends 14 Dec
    s = weekly(t(12))
    assert s.status.key == "done" and s.done_in_window == 1  # 9 Dec is in the week of 7–14 Dec
    s = weekly(t(22))
    assert s.status.key == "overdue" and s.due_at == t(21) and s.missed_count == 1
    assert s.missed[0].window_start == t(14) and s.escalated_to == "company"  # workshop → company
    s = weekly(t(15))
    assert s.status.key == "due" and s.due_at == t(21)


def test_twice_daily_needs_two_checks_each_day() -> None:
    e = enterprise([insp(1, t(1, 9), item="I-2D", by="赵"), insp(2, t(2, 9), item="I-2D", by="赵"), insp(3, t(2, 15), item="I-2D", by="赵")],
                   items=[{"id": "I-2D", "content": "两次", "frequency": "twice-daily", "owner_level": "workshop"}])
    (s,) = build_plan(e).status(t(3, 1), since=t(1))
    assert [m.due_at for m in s.missed] == [t(2)] and s.missed[0].done == 1 and s.missed[0].required == 2
    assert s.status.key == "due"  # the day before had its two checks


def test_holiday_task_uses_the_enterprise_calendar() -> None:
    settings = {"investigation": {"holidays": [{"name": "元旦", "date": "2027-01-01"}], "holiday_lead_days": 5}}
    items = [{"id": "I-HOL", "content": "节前检查", "frequency": "before-holidays", "owner_level": "workshop"}]
    e = enterprise([], settings=settings, items=items)
    (s,) = build_plan(e).status(t(28), since=t(1))
    assert s.status.key == "due" and s.window == (t(27), datetime(2027, 1, 1, tzinfo=CST))
    (s,) = build_plan(e).status(datetime(2027, 1, 2, tzinfo=CST), since=t(1))
    assert s.status.key == "overdue" and s.missed_count == 1
    no_cal = enterprise([], items=items)
    (s,) = build_plan(no_cal).status(t(28), since=t(1))
    assert s.status.key == "due" and "no holidays" in s.note


def test_inspection_names_the_task_it_fulfils_and_unknown_tasks_are_refused() -> None:
    e = enterprise([insp(1, t(1, 9), task="I-W", by="李")])
    (s,) = [x for x in build_plan(e).status(t(2), since=t(30, month=11)) if x.task.id == "I-W"]
    assert s.fulfilled_by == ("X1",)
    with pytest.raises(ValidationError, match="task"):
        enterprise([insp(1, t(1, 9), task="I-NOPE")])


def test_control_only_inspection_counts_for_the_inspectors_post() -> None:
    e = enterprise([insp(1, t(1, 9), control="C1", by="王")])
    statuses = {x.task.id: x for x in build_plan(e).status(t(1, 10), since=t(1, 8))}
    assert statuses["I-2H"].fulfilled_by == ("X1",)  # 王 is on P-OP
    assert statuses["I-W"].fulfilled_by == ()  # the weekly check is the workshop's (赵)


def test_post_and_person_filters() -> None:
    plan = build_plan(enterprise())
    assert [s.task.id for s in plan.status(t(1), post="P-WS")] == ["I-W"]
    assert [s.task.id for s in plan.status(t(1), person="李")] == ["I-2H"]
    with pytest.raises(Exception, match="unknown post"):
        plan.status(t(1), post="P-NOPE")


@given(st.lists(st.integers(min_value=0, max_value=72 * 60), max_size=30), st.integers(min_value=0, max_value=72 * 60))
def test_another_check_never_adds_a_missed_check(minutes: list[int], extra: int) -> None:
    start = t(1)
    base = [insp(i, start + timedelta(minutes=m), item="I-2H") for i, m in enumerate(sorted(minutes))]
    more = [*base, insp(999, start + timedelta(minutes=extra), item="I-2H")]
    at = start + timedelta(hours=72)
    a = next(s for s in build_plan(enterprise(base)).status(at, since=start) if s.task.id == "I-2H")
    b = next(s for s in build_plan(enterprise(more)).status(at, since=start) if s.task.id == "I-2H")
    assert b.missed_count <= a.missed_count
    assert a.status.key in ("done", "due", "overdue")


# ---------------------------------------------------------------- templates


def _packs_with(template: InspectionTemplate) -> Any:
    from dualprev_core import hookimpl
    from dualprev_core.packs.registry import PackManifest

    mod = types.ModuleType("pack_tpl")

    @hookimpl
    def dualprev_pack_manifest() -> PackManifest:
        return PackManifest(name="tpl", version="1", core_api=">=0", standards=(Citation("TEST"),))

    @hookimpl
    def dualprev_register_templates(registrar: Any) -> None:
        registrar.inspection_template(template)

    mod.dualprev_pack_manifest = dualprev_pack_manifest  # type: ignore[attr-defined]
    mod.dualprev_register_templates = dualprev_register_templates  # type: ignore[attr-defined]
    packs = load_packs(load_entrypoints=False, extra=[mod])
    assert not packs.errors, packs.errors
    return packs


def _template(**kw: Any) -> InspectionTemplate:
    base: dict[str, Any] = {"id": "tpl-monthly", "title": "月检", "applies_to": ("sis",), "content": "SIS 投用",
                            "frequency": "monthly", "owner_level": OwnerLevel.WORKSHOP, "citation": Citation("TEST")}
    return InspectionTemplate(**{**base, **kw})


def test_templates_apply_to_tagged_controls_and_get_a_post() -> None:
    packs = _packs_with(_template())
    plan = build_plan(enterprise(items=[], tags=["sis"]), packs)
    (task,) = plan.tasks
    assert task.id == "tpl-monthly@C1" and task.post == "P-WS" and task.people == ("赵",)
    assert "area A" in task.assignment and task.citation == Citation("TEST")
    assert build_plan(enterprise(items=[], tags=["other"]), packs).tasks == ()


def test_a_template_an_item_covers_makes_no_task() -> None:
    packs = _packs_with(_template(frequency="monthly"))
    plan = build_plan(enterprise(tags=["sis"]), packs)  # the weekly workshop item covers a monthly workshop check
    assert [x.id for x in plan.tasks] == ["I-2H", "I-W"] and plan.covered == (("tpl-monthly", "C1", "I-W"),)


def test_requires_and_unless() -> None:
    packs = _packs_with(_template(requires=("two_key_one_major",)))
    assert build_plan(enterprise(items=[], tags=["sis"]), packs).tasks == ()
    assert len(build_plan(enterprise(items=[], tags=["sis", "two_key_one_major"]), packs).tasks) == 1
    packs = _packs_with(_template(unless=("two_key_one_major",)))
    assert build_plan(enterprise(items=[], tags=["sis", "two_key_one_major"]), packs).tasks == ()


def test_chemical_templates_follow_the_two_key_one_major_flag() -> None:
    from dualprev_core.loading.enterprise import load_enterprise

    packs = load_packs()
    e = load_enterprise(EXAMPLES / "chemical-plant.yaml", packs=packs)
    ids = {x.id for x in build_plan(e, packs).tasks}
    assert "chem-78-round-tkom-gas_detection@C-NH3-GDS" in ids  # the NH3 tank farm is a major hazard installation
    assert "chem-78-round-gas_detection@C-NH3-GDS" not in ids  # the 1 h round replaces the 2 h one


# ---------------------------------------------------------------- recording missed checks


def test_missed_checks_are_recorded_once_and_survive_the_file(tmp_path: Path) -> None:
    e = enterprise([insp(1, t(1, 8), item="I-2H")])
    (s,) = [x for x in build_plan(e).status(t(1, 15), since=t(1, 8)) if x.task.id == "I-2H"]
    led = Ledger()
    assert len(led.record_missed_checks(s.missed, at=t(1, 15))) == 3
    assert led.record_missed_checks(s.missed, at=t(1, 16)) == ()  # idempotent
    path = tmp_path / "l.jsonl"
    led.to_jsonl(path)
    again = Ledger.from_jsonl(path)
    assert [m.due_at for m in again.missed_checks("I-2H")] == [t(1, 10), t(1, 12), t(1, 14)]
    assert len(again) == 0  # no hidden danger
    with pytest.raises(TransitionRejected, match="already recorded"):
        again.append(again.missed_checks()[0])
    with pytest.raises(TransitionRejected, match="before the check was due"):
        led.append(CheckMissed(task_id="X", by="s", at=t(1), window_start=t(1, 1), due_at=t(1, 2)))
    with pytest.raises(InvalidInput, match="fewer"):
        CheckMissed(task_id="X", by="s", at=t(2), window_start=t(1, 1), due_at=t(1, 2), done=1, required=1)


def test_cli_tasks_list(tmp_path: Path) -> None:
    runner = CliRunner()
    ledger = tmp_path / "l.jsonl"
    r = runner.invoke(cli, ["tasks", "list", str(EXAMPLES / "chemical-plant.yaml"), "--at", "2026-12-03T12:00:00+08:00",
                            "--post", "P-TANK-OP", "--json", "--ledger", str(ledger), "--record"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    row = next(x for x in data["tasks"] if x["item"] == "I-NH3-ESV-1H")
    for key in ("item", "control", "post", "frequency", "last_done", "due_at", "status"):
        assert key in row
    assert row["post"] == "P-TANK-OP" and row["status"] in ("done", "due", "overdue")
    assert data["missed_checks_appended"] == sum(x["missed"] for x in data["tasks"]) > 0
    assert row["missed_recorded"] == row["missed"]
    r = runner.invoke(cli, ["tasks", "list", str(EXAMPLES / "chemical-plant.yaml"), "--post", "P-NOPE"])
    assert r.exit_code == 2 and "unknown post" in r.output
    r = runner.invoke(cli, ["tasks", "list", str(EXAMPLES / "chemical-plant.yaml"), "--at", "yesterday"])
    assert r.exit_code == 2 and "--at" in r.output


def test_cli_tasks_list_from_the_store(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'store.db'}"
    r = runner.invoke(cli, ["db", "import", str(EXAMPLES / "chemical-plant.yaml"), "--db", url])
    assert r.exit_code == 0, r.output
    args = ["tasks", "list", "--db", url, "--at", "2026-12-03T12:00:00+08:00", "--post", "P-TANK-OP", "--json"]
    r = runner.invoke(cli, [*args, "--record"])
    assert r.exit_code == 0, r.output
    first = json.loads(r.output)
    assert first["missed_checks_appended"] > 0
    r = runner.invoke(cli, args)
    again = json.loads(r.output)
    assert again["missed_checks_appended"] == 0
    assert all(x["missed_recorded"] == x["missed"] for x in again["tasks"])  # the store kept every check_missed event
    r = runner.invoke(cli, ["tasks", "list", str(EXAMPLES / "chemical-plant.yaml"), "--db", url])
    assert r.exit_code == 2 and "not both" in r.output


def test_data_files_doc_examples_load() -> None:
    """The examples in docs/data-files.md are valid: inspections against the chemical example, the plan and report."""
    import re

    import yaml

    from dualprev_core.hidden_dangers.ledger import MajorHiddenDangerReport, RectificationPlan
    from dualprev_core.loading.enterprise import load_enterprise, parse_inspections

    text = (EXAMPLES.parent / "docs" / "data-files.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    inspections, plan, report = blocks
    packs = load_packs()
    e = load_enterprise(EXAMPLES / "chemical-plant.yaml", packs=packs)
    parsed = parse_inspections(inspections, e)
    plan_ids = {t.id for t in build_plan(e, packs).tasks}
    assert all(x.task is None or x.task in plan_ids for x in parsed)
    assert RectificationPlan.from_mapping(plan).is_complete_for_major
    assert not MajorHiddenDangerReport.from_mapping(report).missing()
