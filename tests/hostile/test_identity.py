"""People are identities: spellings a reader cannot tell apart are one person, everywhere a
guard asks for "someone else"."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hostile.hostile_helpers import assert_refused, run
from hostile.test_corpus import MIN, write
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core.clock import ManualClock
from dualprev_core.errors import InvalidInput, TransitionRejected
from dualprev_core.hidden_dangers.ledger import Ledger
from dualprev_core.identity import People, check_name, mixed_script, person_key, same_person

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 5, 1, 8, tzinfo=CST)

#: the two bypasses the issue found, and their neighbours
DISGUISES = [
    ("张工", "张工\u200b"),  # zero-width space
    ("张工", "\u200d张工"),  # zero-width joiner
    ("张工", "张\ufeff工"),  # BOM inside
    ("张工", " 张工 "),
    ("张 工", "张  工"),
    ("Zhang", "Zhаng"),  # Cyrillic а
    ("Zhang", "ZHANG"),
    ("Zhang", "Ｚｈａｎｇ"),  # full width
    ("Olga", "Οlga"),  # Greek Ο
    ("Li Wei", "Li\u00a0Wei"),  # no-break space
    ("Li", "L\u0456"),  # Cyrillic і
]


def _rectified(by: str) -> tuple[Ledger, str]:
    ledger = Ledger(clock=ManualClock(T0))
    hd = ledger.report(control_id="C-7", finding="failed", source="inspection:I-1", description="interlock bypassed",
                       owner_level="post", by="li", deadline=T0 + timedelta(days=1))
    ledger.assess(hd.id, grade="general", by="wang")
    ledger.start_rectifying(hd.id, by=by)
    ledger.rectify(hd.id, measures=["interlock restored"], by=by)
    return ledger, hd.id


@pytest.mark.parametrize(("rectifier", "verifier"), DISGUISES)
def test_a_rectifier_cannot_verify_under_a_disguise(rectifier: str, verifier: str) -> None:
    ledger, hd = _rectified(rectifier)
    with pytest.raises((TransitionRejected, InvalidInput)):
        ledger.verify(hd, passed=True, by=verifier)
    assert ledger.verify(hd, passed=True, by="赵六").state.key == "verified"


@given(st.sampled_from(["张工", "Zhang", "李四", "Wang Wu"]), st.lists(st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]), max_size=4),
       st.integers(0, 10))
def test_invisible_characters_anywhere_are_the_same_person(name: str, junk: list[str], at: int) -> None:
    at = min(at, len(name))
    disguised = name[:at] + "".join(junk) + name[at:]
    assert same_person(name, disguised)
    assert person_key(disguised) == person_key(name)


def test_different_people_stay_different() -> None:
    for a, b in (("张工", "张二"), ("Zhang", "Zheng"), ("Li", "Lu"), ("王五", "王伍")):
        assert not same_person(a, b)


@pytest.mark.parametrize("name", ["a\nb", "x\x1b[31m", "\u200b\u200c", "", "Zhаng", "x" * 201])
def test_names_that_cannot_identify_anyone_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        check_name(name)


def test_mixed_script_is_only_latin_cyrillic_greek() -> None:
    assert mixed_script("Zhаng") == ("CYRILLIC", "LATIN")
    assert mixed_script("张工 Zhang") == ()
    assert mixed_script("Иван") == ()


def test_the_register_reports_two_people_who_cannot_be_told_apart() -> None:
    people = People([("张工", "posts[0].people[0]"), ("张工\u200b", "posts[1].people[0]"), ("李工", "posts[1].people[1]")])
    assert len(people) == 2 and people.find("张工\u2060") == "张工"
    ((where, message),) = people.problems
    assert where == "posts[1].people[0]" and "cannot be told apart" in message


def test_an_inspector_the_register_does_not_know_is_reported(tmp_path: Path) -> None:
    ok = MIN + "inspections: [{id: I1, control: C1, result: failed, by: \"李工\\u200b\", at: '2026-01-01T08:00:00'}]\n"
    assert run("assess", write(tmp_path, "ok.yaml", ok), "--json").exit_code == 0
    unknown = MIN + "inspections: [{id: I1, control: C1, result: failed, by: 王五, at: '2026-01-01T08:00:00'}]\n"
    r = run("assess", write(tmp_path, "unknown.yaml", unknown), "--json", "--lang", "en")
    assert r.exit_code == 0 and "warning: inspection I1: '王五' is not a person the register lists" in r.stderr
    for by, fragment in (("Zhаng", "mixes Cyrillic and Latin"), ("\\u200b", "no visible")):
        bad = MIN + f"inspections: [{{id: I1, control: C1, result: failed, by: \"{by}\", at: '2026-01-01T08:00:00'}}]\n"
        p = write(tmp_path, "bad.yaml", bad)
        assert_refused(run("assess", p), str(p), "inspections[0].by", fragment)
    twins = MIN.replace("people: [张工, 李工]", "people: [张工, \"张工\\u200b\"]")
    p = write(tmp_path, "twins.yaml", twins)
    assert_refused(run("assess", p), "posts[0].people[1]", "cannot be told apart")


def test_the_cli_refuses_self_verification_in_disguise(tmp_path: Path) -> None:
    from hostile.hostile_helpers import EXAMPLE

    led = tmp_path / "l.jsonl"
    assert run("inspect", EXAMPLE, "--ledger", led, "--json").exit_code == 0
    hd = "HD-C-TK-GDS-1"
    for action, by in (("start", "何静"), ("rectify", "何静")):
        assert run("hidden-dangers", "transition", "--ledger", led, hd, action, "--by", by, "--at", "2026-11-20T10:00:00").exit_code == 0
    for disguise in ("何静\u200b", "何\u2060静", " 何静"):
        r = run("hidden-dangers", "transition", "--ledger", led, hd, "verify", "--passed", "--by", disguise, "--at", "2026-11-21T10:00:00", "--lang", "en")
        assert_refused(r, "rectifier")
    r = run("hidden-dangers", "transition", "--ledger", led, hd, "verify", "--passed", "--by", "x\x1b[2J", "--at", "2026-11-21T10:00:00", "--lang", "en")
    assert_refused(r, "control characters")
