"""The packs' grading hook reads a hidden danger's facts built on access; they must equal the
eager mapping they replace, and reading one entry must not build the others."""

from __future__ import annotations

import json

import attrs
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core.assessment.assessment import Assessment, HiddenDangerFacts
from dualprev_core.strategies import enterprises, inspections_for


def _eager(a: Assessment, hd) -> dict:
    c = a.control(hd.control_id)
    risks = [a.risk(r) for r in c.mitigates]
    return {
        "id": hd.id, "subject": hd.subject, "finding": hd.finding.key, "inspection_facts": a.inspection_facts(hd), "source": hd.source,
        "control": attrs.asdict(c, recurse=True),
        "risks": [{**attrs.asdict(r, recurse=True), "current_level": a.current_level(r.id).key} for r in risks],
        "areas": sorted({x for r in risks for x in a.area_chain(r.area)}),
    }


@st.composite
def _cases(draw):
    e = draw(enterprises(max_risks=8))
    return e, draw(inspections_for(e, max_size=6, defects_only=True))


@given(_cases())
def test_lazy_hook_facts_equal_the_eager_mapping(case):
    e, inspections = case
    a = Assessment(e, replay_inspections=False)
    for insp in sorted(inspections, key=lambda i: (i.at, i.id)):
        a.record_inspection(insp)
    for hd in a.ledger.all():
        facts = a.hidden_danger_facts(hd)
        assert isinstance(facts, HiddenDangerFacts)
        expected = _eager(a, hd)
        assert list(facts) == list(expected)
        assert facts.to_dict() == expected
        assert [facts["risks"][i] for i in range(len(facts["risks"]))] == expected["risks"]
        assert facts["risks"][-1:] == expected["risks"][-1:]
        json.dumps(facts.to_dict(), default=str)


def test_reading_the_control_builds_no_risk(monkeypatch):
    from dualprev_core.loading.enterprise import parse_enterprise
    from dualprev_core.model.records import Inspection
    from dualprev_core.model.vocabulary import InspectionResult
    from dualprev_core.strategies import _T0

    risks = [{"id": f"R{i}", "name": f"风险{i}", "area": "A", "category": "火灾", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 7}}
             for i in range(50)]
    e = parse_enterprise({"format": "dualprev-enterprise/1", "enterprise": {"id": "E", "name": "企业"}, "areas": [{"id": "A", "name": "区"}],
                          "risks": risks, "controls": [{"id": "TRAIN", "name": "全员培训", "kind": "training", "owner_level": "company",
                                                        "mitigates": [r["id"] for r in risks]}]})
    a = Assessment(e, replay_inspections=False)
    out = a.record_inspection(Inspection("X", "TRAIN", InspectionResult.FAILED, "张三", _T0))
    facts = a.hidden_danger_facts(out.hidden_danger)
    built = []
    real = attrs.asdict
    monkeypatch.setattr(attrs, "asdict", lambda inst, **kw: built.append(inst) or real(inst, **kw))
    assert facts["control"]["id"] == "TRAIN"
    assert len(built) == 1  # the control only: none of the 50 risks was turned into a mapping
    assert len(facts["risks"]) == 50 and len(built) == 1
    assert facts["risks"][7]["id"] == "R7" and len(built) == 2
    assert "nope" not in facts
