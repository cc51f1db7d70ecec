"""Criteria by version: a finding is judged by the document version in force when it was made, or by
the version the caller names, and the judgement says which."""

from __future__ import annotations

import datetime as dt
import types

import pytest
import yaml
from click.testing import CliRunner

from dualprev_core import hookimpl
from dualprev_core.assessment.assessment import Assessment
from dualprev_core.errors import InvalidInput, ValidationError
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.model.records import Inspection
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult
from dualprev_core.packs import PackManifest, load_packs
from dualprev_core.rules import parse_ruleset
from dualprev_core.rules.versions import CriteriaDocument, VersionChoice, documents_of, select_rulesets
from dualprev_core.strategies import CHINA_STANDARD_TIME

OLD = {"standard": "测〔2009〕1号", "version": "2009", "title": "旧判定标准", "in_force_from": "2009-05-13",
       "in_force_until": "2018-06-01", "dates_verified": False,
       "superseded_by": {"standard": "测〔2018〕2号", "version": "2018"}}
NEW = {"standard": "测〔2018〕2号", "version": "2018", "title": "新判定标准", "in_force_from": "2018-06-01",
       "supersedes": [{"standard": "测〔2009〕1号", "version": "2009", "in_force_until": "2018-06-01", "encoded": True}]}


def _ruleset(rsid: str, rule: str, document: dict, condition: dict) -> dict:
    """A rule file: a failed control meeting ``condition`` makes its open hidden danger major."""
    return {
        "format": "dualprev-rules/1", "ruleset": rsid, "pack": "verpack", "document": document,
        "rules": [{
            "id": rule, "title": {"zh": rule}, "citation": {"standard": document["standard"], "edition": document["version"], "clause": "1"},
            "when": [
                {"fact": "hidden_danger", "as": "hd", "where": [{"field": "state", "op": "ne", "value": "closed"}]},
                {"fact": "control", "as": "c", "where": [{"field": "key", "op": "eq", "ref": "hd.control"}, condition,
                                                         {"field": "state", "op": "in", "value": ["failed", "missing"]}]},
            ],
            "then": [{"grade_hidden_danger": "major"}],
        }],
    }


# The old version makes any failed critical control major; the new one only a failed management control.
OLD_RULES = _ruleset("ver-old", "OLD-1", OLD, {"field": "critical", "op": "eq", "value": True})
NEW_RULES = _ruleset("ver-new", "NEW-1", NEW, {"field": "kind", "op": "eq", "value": "management"})

DOC = {
    "format": "dualprev-enterprise/1",
    "enterprise": {"id": "E", "name": "测试企业"},
    "areas": [{"id": "A", "name": "车间"}],
    "risks": [{"id": "R1", "name": "火灾", "area": "A", "category": "火灾", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 40},
               "controls": [{"id": "C1", "name": "紧急切断阀", "kind": "engineering", "owner_level": "workshop", "critical": True},
                            {"id": "C2", "name": "动火作业票", "kind": "management", "owner_level": "post"}]}],
}

BEFORE = dt.datetime(2017, 3, 1, 9, 0, tzinfo=CHINA_STANDARD_TIME)
AFTER = dt.datetime(2019, 3, 1, 9, 0, tzinfo=CHINA_STANDARD_TIME)
ON_THE_DAY = dt.datetime(2018, 6, 1, 0, 0, tzinfo=CHINA_STANDARD_TIME)


@pytest.fixture
def rule_files(tmp_path):
    paths = []
    for name, doc in (("old.yaml", OLD_RULES), ("new.yaml", NEW_RULES)):
        p = tmp_path / name
        p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        paths.append(p)
    return paths


def _pack(paths):
    mod = types.ModuleType("verpack")

    @hookimpl
    def dualprev_pack_manifest():
        return PackManifest(name="verpack", version="0.9", core_api=">=1.0,<2")

    @hookimpl
    def dualprev_register_criteria(registrar):
        for p in paths:
            registrar.rule_file(p)

    mod.dualprev_pack_manifest = dualprev_pack_manifest
    mod.dualprev_register_criteria = dualprev_register_criteria
    return mod


@pytest.fixture(params=["reference", "durable"])
def engine(request):
    if request.param == "durable":
        pytest.importorskip("durable.engine")
    return request.param


def _judge(rule_files, engine, control, at, versions=None):
    packs = load_packs(load_entrypoints=False, extra=[_pack(rule_files)])
    assert not packs.errors, packs.errors
    a = Assessment(parse_enterprise(DOC), packs=packs, rules_engine=engine, criteria_versions=versions)
    return a.record_inspection(Inspection("I1", control, InspectionResult.FAILED, "张三", at)).hidden_danger


def test_a_finding_before_the_new_document_is_judged_by_the_old_version(rule_files, engine):
    hd = _judge(rule_files, engine, "C1", BEFORE)
    assert hd.grade is HiddenDangerGrade.MAJOR
    (ref,) = hd.criteria
    assert ref.criterion_id == "OLD-1"
    assert ref.document.startswith("测〔2009〕1号@2009") and "in force at the finding" in ref.document
    assert "dates unverified" in ref.document
    # the new version's item (management controls) did not exist then
    assert _judge(rule_files, engine, "C2", BEFORE).grade is HiddenDangerGrade.GENERAL


@pytest.mark.parametrize("at", [AFTER, ON_THE_DAY], ids=["after", "first-day"])
def test_a_finding_from_the_new_documents_first_day_is_judged_by_the_new_version(rule_files, engine, at):
    hd = _judge(rule_files, engine, "C2", at)
    (ref,) = hd.criteria
    assert hd.grade is HiddenDangerGrade.MAJOR and ref.criterion_id == "NEW-1"
    assert ref.document.startswith("测〔2018〕2号@2018") and "in force at the finding" in ref.document
    # the old version no longer judges: a failed critical control is not major by it any more
    assert _judge(rule_files, engine, "C1", at).grade is HiddenDangerGrade.GENERAL


def test_a_version_the_caller_names_wins_over_the_dates(rule_files, engine):
    hd = _judge(rule_files, engine, "C1", AFTER, versions=["测〔2009〕1号@2009"])
    (ref,) = hd.criteria
    assert hd.grade is HiddenDangerGrade.MAJOR and ref.criterion_id == "OLD-1"
    assert "named by the caller" in ref.document
    # and the other version of its chain does not judge
    assert _judge(rule_files, engine, "C2", AFTER, versions=["测〔2009〕1号"]).grade is HiddenDangerGrade.GENERAL
    # naming the current version for an old finding judges it by the current one
    hd = _judge(rule_files, engine, "C2", BEFORE, versions=["测〔2018〕2号@2018"])
    assert [c.criterion_id for c in hd.criteria] == ["NEW-1"]


def test_the_judgement_is_recorded_with_its_version_and_round_trips(rule_files):
    from dualprev_core.hidden_dangers.events import CriterionRef

    hd = _judge(rule_files, "reference", "C1", BEFORE)
    (ref,) = hd.criteria
    back = CriterionRef.from_mapping(ref.to_dict())
    assert back == ref and back.document == ref.document
    legacy = {k: v for k, v in ref.to_dict().items() if k != "document"}
    assert CriterionRef.from_mapping(legacy).document == ""


def test_a_named_version_nobody_encodes_is_refused_with_the_encoded_ones(rule_files):
    with pytest.raises(InvalidInput, match=r"测〔2010〕9号.*no installed pack encodes it; encoded: .*测〔2009〕1号@2009, 测〔2018〕2号@2018"):
        _judge(rule_files, "reference", "C1", AFTER, versions=["测〔2010〕9号"])


def test_select_rulesets_by_date_and_choice():
    old, new = parse_ruleset(OLD_RULES), parse_ruleset(NEW_RULES)
    assert [r.id for r in select_rulesets([old, new], dt.date(2018, 5, 31))] == ["ver-old"]
    assert [r.id for r in select_rulesets([old, new], dt.date(2018, 6, 1))] == ["ver-new"]
    assert [r.id for r in select_rulesets([old, new], dt.date(2030, 1, 1), VersionChoice.parse("测〔2009〕1号@2009"))] == ["ver-old"]
    # a rule set that declares no document judges findings of any date
    plain = parse_ruleset({k: v for k, v in OLD_RULES.items() if k != "document"} | {"ruleset": "plain"})
    assert plain.document is None
    assert [r.id for r in select_rulesets([old, new, plain], dt.date(1990, 1, 1))] == ["plain"]


def test_document_metadata_is_validated_with_its_field_named():
    bad = {**NEW_RULES, "document": {**NEW, "in_force_from": "2018-13-01"}}
    with pytest.raises(ValidationError, match=r"document.*in_force_from.*2018-13-01"):
        parse_ruleset(bad)
    bad = {**NEW_RULES, "document": {**NEW, "in_force_until": "2010-01-01"}}
    with pytest.raises(ValidationError, match="not after in_force_from"):
        parse_ruleset(bad)
    bad = {**NEW_RULES, "document": {**NEW, "effective": "2018-06-01"}}
    with pytest.raises(ValidationError, match="unknown key.*effective"):
        parse_ruleset(bad)


def test_document_status_and_in_force():
    old = CriteriaDocument.from_mapping(OLD)
    new = CriteriaDocument.from_mapping(NEW)
    assert (old.status, new.status) == ("superseded", "current")
    assert old.in_force_at(dt.date(2018, 5, 31)) and not old.in_force_at(dt.date(2018, 6, 1))
    assert not new.in_force_at(dt.date(2018, 5, 31)) and new.in_force_at(dt.date(2018, 6, 1))
    undated = CriteriaDocument(standard="X")
    assert undated.in_force_at(dt.date(1900, 1, 1)) and undated.status == "current"


def test_documents_of_lists_versions_and_unencoded_superseded_documents():
    new = parse_ruleset({**NEW_RULES, "document": {**NEW, "supersedes": [{"standard": "测〔2001〕0号", "version": "2001", "in_force_until": "2018-06-01"}]}})
    docs = documents_of([new])
    assert [(d["standard"], d["status"], d["encoded"]) for d in docs] == [("测〔2001〕0号", "superseded", False), ("测〔2018〕2号", "current", True)]
    assert docs[1]["rulesets"] == ["ver-new"]


def test_the_installed_packs_carry_their_documents_and_superseded_ones():
    packs = load_packs()
    docs = {}
    for rs in packs.registry.rulesets.values():
        assert rs.document is not None, f"{rs.id} declares no document"
        docs.setdefault(rs.pack, set()).add(rs.document.key)
    assert "安监总管三〔2017〕121号@2017" in docs.get("chemical", set())
    assert "应急管理部令第4号@2020" in docs.get("mining", set())
    assert "建质规〔2022〕2号@2022" in docs.get("construction", set())
    mining = documents_of(rs for rs in packs.registry.rulesets.values() if rs.pack == "mining")
    superseded = {d["standard"]: d for d in mining if d["status"] == "superseded"}
    assert superseded["安监总管一〔2017〕98号"]["in_force_until"] == "2022-09-01"
    assert superseded["原国家安全生产监督管理总局令第85号"]["in_force_until"] == "2021-01-01"


def test_dualprev_packs_shows_versions_and_dates():
    from dualprev_core.cli.app import cli as main

    out = CliRunner().invoke(main, ["packs", "--json"])
    assert out.exit_code == 0, out.output
    import json

    data = {p["name"]: p for p in json.loads(out.output)["packs"]}
    coal = next(d for d in data["mining"]["criteria"] if d["standard"] == "应急管理部令第4号")
    assert (coal["version"], coal["in_force_from"], coal["status"]) == ("2020", "2021-01-01", "current")
    table = CliRunner().invoke(main, ["packs", "--lang", "en"])
    assert table.exit_code == 0, table.output
    assert "superseded" in table.output and "2022-09-01" in table.output
