"""Re-identification tasks: the events after which a mine identifies its risks again."""

from __future__ import annotations

from datetime import date

import pytest
from dualprev_mining.reidentification import reidentification_tasks, triggers

from dualprev_core.errors import InvalidInput, UnknownReference


def tasks(mining, enterprise_facts=None, areas=None, **extra):
    return reidentification_tasks(mining.assess(mining.mine(enterprise_facts, areas=areas, **extra)))


def test_the_issue_lists_seven_triggers():
    assert set(triggers()) == {"new_working_face", "major_change", "restart", "fatal_accident", "major_hidden_danger", "new_technology", "annual"}


def test_a_new_working_face_asks_its_area_and_everything_below(mining):
    (t,) = tasks(mining, {"mining:last_identification": "2026-06-01"},
                 areas=[{"id": "F1", "facts": {"mining:events": [{"kind": "new_working_face", "at": "2026-11-20"}]}},
                        {"id": "F1-CUT", "name": "切眼", "parent": "F1", "kind": "heading"}])
    assert (t.kind, t.at, t.areas, t.status, t.pending) == ("new_working_face", date(2026, 11, 20), ("F1", "F1-CUT"), "due", ("F1", "F1-CUT"))
    assert t.to_dict()["title"] == triggers()["new_working_face"]["zh"]


def test_an_identification_after_the_event_marks_the_task_done(mining):
    (t,) = tasks(mining, {"mining:last_identification": "2026-06-01"},
                 areas=[{"id": "F1", "facts": {"mining:events": [{"kind": "fatal_accident", "at": "2026-10-01"}], "mining:last_identification": "2026-10-03"}}])
    assert (t.status, t.pending) == ("done", ())


@pytest.mark.parametrize(("stopped", "triggers_task"), [("2026-07-15", True), ("2026-07-16", False)])
def test_restart_after_a_stop_of_one_month_or_more(mining, stopped, triggers_task):
    ev = {"kind": "restart", "at": "2026-08-15", "stopped_since": stopped}
    got = tasks(mining, {"mining:last_identification": "2026-06-01", "mining:events": [ev]})
    assert [t.kind for t in got] == (["restart"] if triggers_task else [])
    if triggers_task:
        assert got[0].areas == ("F1", "MINE")   # an enterprise event without areas concerns the whole mine


def test_a_major_hidden_danger_and_an_inspection_event_trigger_their_risks_areas(mining):
    doc = mining.mine({"mining:last_identification": "2026-06-01"}, items=["coal-8-1"], inspections=[
        {"id": "X1", "control": "C1", "result": "failed", "by": "张三", "at": "2026-11-29T08:00:00"},
        {"id": "X2", "control": "C1", "result": "effective", "by": "张三", "at": "2026-11-29T09:00:00", "facts": {"mining:event": "new_technology"}},
    ])
    got = {(t.kind, t.source): t for t in reidentification_tasks(mining.assess(doc))}
    assert got[("major_hidden_danger", "hidden_danger:HD-C1-1")].areas == ("F1",)
    assert "coal-8-1" in got[("major_hidden_danger", "hidden_danger:HD-C1-1")].note
    assert got[("new_technology", "inspection:X2")].at == date(2026, 11, 29)


@pytest.mark.parametrize(("last", "due"), [(None, True), ("2025-11-30", True), ("2025-12-01", False)])
def test_annual_review(mining, last, due):
    facts = {"mining:last_identification": last} if last else {}
    assert any(t.kind == "annual" for t in tasks(mining, facts)) is due


def test_event_mistakes_are_clear_errors(mining):
    with pytest.raises(UnknownReference, match=r"'new_face' is not a re-identification event.*did you mean 'new_working_face'"):
        tasks(mining, {"mining:events": [{"kind": "new_face", "at": "2026-11-01"}]})
    with pytest.raises(InvalidInput, match="a restart needs the date production stopped"):
        tasks(mining, {"mining:events": [{"kind": "restart", "at": "2026-11-01"}]})
    with pytest.raises(UnknownReference, match="'F9' is not a known area"):
        tasks(mining, {"mining:events": [{"kind": "major_change", "at": "2026-11-01", "areas": ["F9"]}]})
    with pytest.raises(InvalidInput, match="must be a date"):
        tasks(mining, {"mining:events": [{"kind": "major_change", "at": "yesterday"}]})
