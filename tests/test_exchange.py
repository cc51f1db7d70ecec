"""The national exchange model: code maps, credit codes, stable ids, submissions and their validation."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.cli.app import cli
from dualprev_core.errors import InvalidInput, ValidationError
from dualprev_core.exchange import (
    ENTITIES,
    build_submission,
    check_character,
    check_submission,
    code_maps,
    credit_code_problem,
    events_head_hash,
    load_code_maps,
    record_id,
    submission_problems,
    validate_credit_code,
)
from dualprev_core.exchange.credit_code import ALPHABET
from dualprev_core.loading.enterprise import load_enterprise
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult
from dualprev_core.packs.loader import load_packs

ROOT = Path(__file__).resolve().parents[1]
PLANT = ROOT / "examples" / "chemical-plant.yaml"
CC = "91320500MA1XTEQ40Q"


@pytest.fixture(scope="module")
def packs():
    return load_packs()


@pytest.fixture(scope="module")
def assessment(packs):
    e = load_enterprise(PLANT, packs=packs)
    a = Assessment(e, packs=packs)
    a.evaluate_criteria(at=max(i.at for i in e.inspections))
    return a


@pytest.fixture(scope="module")
def submission(assessment):
    return build_submission(assessment, head_hash=events_head_hash(assessment.ledger.events))


# ------------------------------------------------------------------ credit codes (GB 32100)


def test_credit_code_published_example_is_valid():
    # The code printed on a sample business licence in public guidance material.
    assert credit_code_problem("91350100M000100Y43") is None
    assert check_character("91350100M000100Y4") == "3"


@given(st.text(alphabet=ALPHABET[:10], min_size=6, max_size=6), st.text(alphabet=ALPHABET, min_size=9, max_size=9),
       st.integers(0, 16), st.data())
def test_credit_code_detects_every_single_substitution(division, org, pos, data):
    body = "91" + division + org
    code = body + check_character(body)
    assert credit_code_problem(code) is None
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != code[pos]]))
    mutated = code[:pos] + wrong + code[pos + 1:]
    assert credit_code_problem(mutated) is not None


@pytest.mark.parametrize("bad, words", [
    ("91320500MA1XTEQ40", "18 characters"),
    ("91320500MA1XTEQ4OQ", "'O' at position 17"),
    ("91320500ma1xteq40q", "not allowed"),
    ("91320500MA1XTEQ40R", "check character is 'R'"),
    ("913205X0MA1XTEQ40Q", "administrative division"),
])
def test_credit_code_problems_say_what_is_wrong(bad, words):
    assert words in (credit_code_problem(bad) or "")
    with pytest.raises(InvalidInput, match="统一社会信用代码"):
        validate_credit_code(bad)


# ------------------------------------------------------------------ code maps


def test_code_maps_are_the_national_lists():
    m = code_maps()
    assert m.citation.verified is False  # the normative text was not available
    assert m["RISK_CLASS"].code(RiskLevel.MAJOR.key) == "1" and m["RISK_CLASS"].code("low") == "4"
    assert [m["DANGER_LEVEL"].code(g.key) for g in HiddenDangerGrade] == ["0", "1"]
    assert m["DANGER_SRC"].code("control_failure") == "9" and m["DANGER_SRC"].meaning("9") == "管控措施失效"
    assert {m["CHECK_STATUS"].code(r.key) for r in InspectionResult} == {"0", "1"}
    assert set(m["DANGER_STATE"].codes) == {"0", "1", "9"}
    assert set(m["CLASSIFY1"].codes) == {"1", "2", "3", "4"}
    assert all(c.split("-")[0] in m["CLASSIFY1"].codes for c in m["CLASSIFY2"].codes)


def test_no_internal_value_is_a_national_code():
    """Our enum values never pass as codes: each list's codes and our keys are disjoint."""
    m = code_maps()
    internal = {lvl.key for lvl in RiskLevel} | {g.key for g in HiddenDangerGrade} | {r.key for r in InspectionResult}
    for name in ("RISK_CLASS", "DANGER_LEVEL", "CHECK_STATUS", "DANGER_STATE", "DANGER_SRC"):
        assert not internal & set(m[name].codes), name


def test_a_replacement_code_file_is_checked(tmp_path):
    f = tmp_path / "codes.yaml"
    f.write_text("version: x\ncitation: {standard: S}\nmaps:\n  RISK_CLASS:\n    codes: {'1': 重大}\n    from: {major: '1', large: '2'}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"maps.RISK_CLASS.from.large: maps to '2'"):
        load_code_maps(f)


# ------------------------------------------------------------------ ids


def test_record_ids_are_stable_uuid5_of_the_natural_key():
    a = record_id(CC, "risk_events", "R-1")
    assert a == record_id(CC, "risk_events", "R-1")
    assert a != record_id(CC, "risk_events", "R-2") != record_id(CC, "control_measures", "R-1")
    assert a[14] == "5"  # version 5
    assert record_id(CC, "x", "a/b") != record_id(CC, "x", "a", "b")  # '/' inside an id cannot forge a key


# ------------------------------------------------------------------ the submission


def test_submission_validates_against_the_printed_schema(submission):
    schema = json.loads(CliRunner().invoke(cli, ["exchange", "schema"]).output)
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(submission))
    assert errors == []
    assert submission_problems(submission) == []


def test_submission_carries_every_national_set(submission, assessment):
    e = assessment.enterprise
    assert submission["enterprise"]["CREDIT_CODE"] == CC
    assert len(submission["risk_events"]) == len(e.risks)
    assert len(submission["control_measures"]) == sum(len(c.mitigates) for c in e.controls)
    assert len(submission["check_records"]) == sum(len(next(c for c in e.controls if c.id == i.control).mitigates) for i in e.inspections)
    assert len(submission["hidden_dangers"]) == len(assessment.ledger.all())
    for key in (ent.key for ent in ENTITIES):
        for rec in submission[key]:
            assert rec["CREDIT_CODE"] == CC and rec["COMPANY_CODE"] == e.id


def test_risk_classes_follow_current_levels(submission, assessment):
    codes = code_maps()["RISK_CLASS"]
    for ev in submission["risk_events"]:
        assert ev["RISK_CLASS"] == codes.code(assessment.current_level(ev["DP_RISK"]).key)
        assert ev["DP_ASSESSED_CLASS"] == codes.code(assessment.assessed_level(ev["DP_RISK"]).key)
    majors = {r.id for r in assessment.major_risks()}
    listed = {ev["DP_RISK"] for ev in submission["risk_events"] if ev["ID"] in {m["EVENT_ID"] for m in submission["major_risks"]}}
    assert listed == majors and all(m["RISK_CLASS"] == "1" for m in submission["major_risks"])


def test_hidden_dangers_are_control_failures_with_their_measure_and_record(submission, assessment):
    records = {r["ID"]: r for r in submission["check_records"]}
    measures = {m["ID"]: m for m in submission["control_measures"]}
    for h in submission["hidden_dangers"]:
        hd = assessment.ledger.get(h["DP_HIDDEN_DANGER"])
        assert h["DANGER_SRC"] == "9"
        assert h["DANGER_LEVEL"] == ("1" if hd.is_major else "0")
        assert measures[h["MEASURE_ID"]]["DP_CONTROL"] == hd.control_id
        if hd.source.startswith("inspection:"):
            assert records[h["RECORD_ID"]]["DP_INSPECTION"] == hd.source.split(":", 1)[1]
            assert records[h["RECORD_ID"]]["CHECK_STATUS"] == "1"


def test_major_hazards_carry_r_and_level_from_the_chemical_pack(submission, assessment, packs):
    units = {u["id"]: u for u in packs.assess_enterprise(assessment)["major_hazard_installations"]}
    assert submission["major_hazards"], "the example plant has major hazard installations"
    for mh in submission["major_hazards"]:
        u = units[mh["HAZARD_CODE"]]
        assert u["is_major_hazard"] and mh["R_VALUE"] == u["R"] and mh["HAZARD_LEVEL"] == str(u["level"])
    objects = {o["OBJECT_CODE"]: o for o in submission["risk_objects"]}
    for mh in submission["major_hazards"]:
        if mh["HAZARD_CODE"] in objects:  # the area is the installation: the object carries its code
            assert objects[mh["HAZARD_CODE"]]["HAZARD_ID"] == mh["ID"]


def test_zones_have_both_axes(submission, assessment):
    for z in submission["risk_zones"]:
        lvl = assessment.area_level(z["ZONE_CODE"])
        assert z["ZONE_LEVEL"] == code_maps()["ZONE_LEVEL"].code(lvl.key)
        assert z["INHERENT_RISK"] in "ⅠⅡⅢⅣ" and z["CONTROL_RISK"] in "ABCD"
        assert "dualprev" in z["DP_MAPPING"]


def test_export_is_idempotent(assessment, submission):
    again = build_submission(assessment, head_hash=submission["head_hash"])
    assert again["content_hash"] == submission["content_hash"]
    for key in (ent.key for ent in ENTITIES):
        assert again[key] == submission[key]


def test_no_credit_code_is_a_clear_error(packs):
    e = load_enterprise(ROOT / "examples" / "enterprise.yaml", packs=packs)
    with pytest.raises(InvalidInput, match="exchange:credit_code"):
        build_submission(Assessment(e, packs=packs), head_hash="0" * 64)


# ------------------------------------------------------------------ validation of bad submissions


def _paths(sub):
    return [p.path for p in submission_problems(sub)]


def test_unknown_codes_are_named_with_their_path(submission):
    bad = copy.deepcopy(submission)
    bad["risk_events"][2]["RISK_CLASS"] = "major"
    bad["hidden_dangers"][0]["DANGER_SRC"] = "11"
    assert _paths(bad) == ["hidden_dangers[0].DANGER_SRC", "risk_events[2].RISK_CLASS"]


def test_dangling_references_and_duplicates_are_all_listed(submission):
    bad = copy.deepcopy(submission)
    bad["control_measures"][0]["EVENT_ID"] = bad["risk_units"][0]["ID"]
    bad["check_records"].append(dict(bad["check_records"][0]))
    del bad["check_tasks"][0]
    problems = submission_problems(bad)
    text = "\n".join(f"{p.path}: {p.message}" for p in problems)
    assert "control_measures[0].EVENT_ID" in text and "not of risk_events" in text
    assert f"check_records[{len(bad['check_records']) - 1}].ID: UUID" in text and "used twice" in text
    assert "dangling reference" in text and "check_records[" in text


def test_edits_after_export_are_caught(submission):
    bad = copy.deepcopy(submission)
    bad["risk_events"][0]["EVENT_NAME"] = "changed"
    assert _paths(bad) == ["content_hash"]
    bad = copy.deepcopy(submission)
    bad["risk_events"][0]["ID"] = record_id(CC, "risk_events", "other")
    assert "risk_events[0].ID" in _paths(bad)


def test_classify2_must_sit_under_classify1(submission):
    bad = copy.deepcopy(submission)
    m = bad["control_measures"][0]
    m["CLASSIFY1"], m["CLASSIFY2"] = "4", "1-2"
    assert "control_measures[0].CLASSIFY2" in _paths(bad)


def test_check_submission_raises_with_every_problem(submission):
    bad = copy.deepcopy(submission)
    bad["enterprise"]["CREDIT_CODE"] = "91320500MA1XTEQ40R"
    with pytest.raises(ValidationError) as exc:
        check_submission(bad, source="x.json")
    msgs = [p.message for p in exc.value.problems if p.path == "enterprise.CREDIT_CODE"]
    assert any("check character" in m for m in msgs) and any("every one of the" in m for m in msgs)
    # one record naming another enterprise is named with its own path
    bad = copy.deepcopy(submission)
    bad["risk_events"][1]["CREDIT_CODE"] = "91350100M000100Y43"
    assert _paths(bad) == ["risk_events[1].CREDIT_CODE"]


# ------------------------------------------------------------------ CLI


def test_cli_export_then_validate(tmp_path):
    out = tmp_path / "sub.json"
    r = CliRunner().invoke(cli, ["export", "submission", str(PLANT), "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["exchange", "validate", str(out), "--lang", "en"])
    assert r.exit_code == 0 and "valid" in r.output
    r = CliRunner().invoke(cli, ["exchange", "validate", str(out)])
    assert r.exit_code == 0 and "有效" in r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    data["check_records"][0]["CHECK_STATUS"] = "failed"
    out.write_text(json.dumps(data), encoding="utf-8")
    r = CliRunner().invoke(cli, ["exchange", "validate", str(out), "--json"])
    assert r.exit_code == 2
    assert json.loads(r.output)[0]["problems"][0]["path"] == "check_records[0].CHECK_STATUS"


def test_cli_validate_unreadable_and_not_json(tmp_path):
    f = tmp_path / "x.json"
    f.write_text("{not json", encoding="utf-8")
    r = CliRunner().invoke(cli, ["exchange", "validate", str(f), str(tmp_path / "missing.json")])
    assert r.exit_code == 2
    assert "not valid JSON" in r.output and "cannot read" in r.output and "Traceback" not in r.output


def test_cli_export_with_ledger_changes_the_head(tmp_path):
    led = tmp_path / "led.jsonl"
    r = CliRunner().invoke(cli, ["inspect", str(PLANT), "--inspections", str(ROOT / "examples" / "chemical-inspections.yaml"), "--ledger", str(led)])
    assert r.exit_code == 0, r.output
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert CliRunner().invoke(cli, ["export", "submission", str(PLANT), "-o", str(a)]).exit_code == 0
    assert CliRunner().invoke(cli, ["export", "submission", str(PLANT), "--ledger", str(led), "-o", str(b)]).exit_code == 0
    sa, sb = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    assert sa["head_hash"] != sb["head_hash"]
    assert len(sb["hidden_dangers"]) > len(sa["hidden_dangers"])
    assert any(h["DANGER_LEVEL"] == "1" for h in sb["hidden_dangers"])


def test_docs_describe_every_field_and_code_list():
    from dualprev_core.exchange.fields import COMMON, ENTERPRISE

    doc = (ROOT / "docs" / "exchange.md").read_text(encoding="utf-8")
    for f in COMMON + ENTERPRISE.fields + tuple(f for e in ENTITIES for f in e.fields):
        assert f"`{f.name}`" in doc, f.name
    for name in code_maps().maps:
        assert f"**{name}**" in doc, name


def test_cli_export_from_the_store_carries_its_head_hash(tmp_path):
    from dualprev_core.store import open_store

    url = f"sqlite:///{tmp_path / 'store.db'}"
    run = CliRunner().invoke
    assert run(cli, ["db", "import", str(PLANT), "--db", url]).exit_code == 0
    assert run(cli, ["inspect", "--db", url, "--inspections", str(ROOT / "examples" / "chemical-inspections.yaml")]).exit_code == 0
    out, again = tmp_path / "s.json", tmp_path / "t.json"
    r = run(cli, ["export", "submission", "--db", url, "-e", "E-HUACHENG", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert run(cli, ["export", "submission", "--db", url, "-o", str(again)]).exit_code == 0
    sub, sub2 = (json.loads(p.read_text(encoding="utf-8")) for p in (out, again))
    with open_store(url, create=False) as store:
        state = store.load("E-HUACHENG")
        assert sub["head_hash"] == state.head_hash
        assert len(sub["hidden_dangers"]) == len(state.ledger.all()) > 0
    assert sub["source"]["kind"] == "store" and sub["content_hash"] == sub2["content_hash"]
    assert submission_problems(sub) == []
    r = run(cli, ["export", "submission", str(PLANT), "--db", url])
    assert r.exit_code == 2 and "not both" in r.output


def test_missed_checks_are_sent_as_not_performed(tmp_path):
    from dualprev_core.region import EvaluationConfig, evaluate_submission
    from dualprev_core.store import open_store

    url = f"sqlite:///{tmp_path / 'store.db'}"
    run = CliRunner().invoke
    assert run(cli, ["db", "import", str(PLANT), "--db", url]).exit_code == 0
    assert run(cli, ["tasks", "list", "--db", url, "--at", "2026-11-03T00:00:00+08:00", "--record"]).exit_code == 0
    out = tmp_path / "s.json"
    assert run(cli, ["export", "submission", "--db", url, "-o", str(out)]).exit_code == 0
    sub = json.loads(out.read_text(encoding="utf-8"))
    with open_store(url, create=False) as store:
        state = store.load()
        missed = state.ledger.missed_checks()
        controls = {c.id: c for c in state.enterprise.controls}
        items = {i.id: i.control for i in state.enterprise.inspection_items}
        expected = sum(len(controls[items.get(m.task_id) or m.task_id.rpartition("@")[2]].mitigates) for m in missed)
    assert missed and sum(r["CHECK_STATUS"] == "2" for r in sub["check_records"]) == expected
    assert submission_problems(sub) == []
    row = evaluate_submission(sub, EvaluationConfig(as_of=datetime(2026, 11, 10, tzinfo=UTC)))
    assert "上报未排查" in next(w for w in json.loads(row["warning_details"]) if w["kind"] == "tasks_not_performed")["reason"]


def test_a_province_code_file_replaces_the_lists(tmp_path, submission):
    import yaml

    data = yaml.safe_load((ROOT / "src" / "dualprev_core" / "data" / "exchange-codes.yaml").read_text(encoding="utf-8"))
    data["version"] = "province-x-1"
    data["maps"]["DANGER_SRC"]["codes"]["11"] = "省定来源"
    codes = tmp_path / "codes.yaml"
    codes.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    schema = json.loads(CliRunner().invoke(cli, ["exchange", "schema", "--codes", str(codes)]).output)
    assert "11" in schema["properties"]["hidden_dangers"]["items"]["properties"]["DANGER_SRC"]["enum"]
    out = tmp_path / "s.json"
    assert CliRunner().invoke(cli, ["export", "submission", str(PLANT), "--codes", str(codes), "-o", str(out)]).exit_code == 0
    sub = json.loads(out.read_text(encoding="utf-8"))
    assert sub["code_version"] == "province-x-1"
    sub["hidden_dangers"][0]["DANGER_SRC"] = "11"
    from dualprev_core.exchange import content_hash

    sub["content_hash"] = content_hash(sub)
    out.write_text(json.dumps(sub), encoding="utf-8")
    assert CliRunner().invoke(cli, ["exchange", "validate", str(out), "--codes", str(codes)]).exit_code == 0
    r = CliRunner().invoke(cli, ["exchange", "validate", str(out)])
    assert r.exit_code == 2 and "code_version" in r.output and "DANGER_SRC" in r.output
