"""危大 thresholds by version: 建质〔2009〕87号 (superseded) beside 建办质〔2018〕31号.

A project is identified by the version in force on the day its identification was made
(``construction:identified_on``), or by the version it (or the caller) names; the result says which.
"""

from __future__ import annotations

import pytest
from dualprev_construction.subprojects import identify
from dualprev_construction.thresholds import BEYOND_SCALE, DANGEROUS, NONE, catalogue

from dualprev_core.errors import ValidationError
from dualprev_core.loading.enterprise import parse_enterprise

SUBPROJECTS = {
    "FRAME": {"kind": "support_frame", "point_load_kn": 6.9},   # 87号: > 700 kg (6.865 kN) → 超规模; 31号: < 7 kN
    "PANEL": {"kind": "formwork_tool", "form_type": "large_panel"},  # 87号 only
    "TUNNEL": {"kind": "formwork_tool", "form_type": "tunnel"},      # 31号 only
    "PIT": {"kind": "excavation", "depth_m": 5.0},                  # the same in both
}
OLD = {"FRAME": BEYOND_SCALE, "PANEL": DANGEROUS, "TUNNEL": NONE, "PIT": BEYOND_SCALE}
NEW = {"FRAME": DANGEROUS, "PANEL": NONE, "TUNNEL": BEYOND_SCALE, "PIT": BEYOND_SCALE}


def enterprise(**facts):
    return parse_enterprise({
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "P", "name": "项目", "industry": "construction", "facts": {f"construction:{k}": v for k, v in facts.items()}},
        "areas": [{"id": "S", "name": "现场"}],
        "risk_points": [{"id": sp, "name": sp, "area": "S", "kind": "activity", "facts": {f"construction:{k}": v for k, v in p.items()}}
                        for sp, p in SUBPROJECTS.items()],
    })


def classes(project):
    return {i.subproject.id: i.cls for i in project.identifications}


def test_identified_before_31_is_judged_by_87_and_says_so():
    p = identify(enterprise(identified_on="2017-05-02"))
    assert classes(p) == OLD
    assert p.thresholds["document"] == "建质〔2009〕87号@2009" and "in force on construction:identified_on 2017-05-02" in p.thresholds["chosen"]
    frame = next(i for i in p.identifications if i.subproject.id == "FRAME")
    (item,) = frame.deciding
    assert item.citation.standard == "建质〔2009〕87号" and item.citation.verified is False


@pytest.mark.parametrize("day", ["2018-06-01", "2024-03-01"])
def test_identified_from_31s_first_day_is_judged_by_31(day):
    p = identify(enterprise(identified_on=day))
    assert classes(p) == NEW
    assert p.thresholds["document"] == "建办质〔2018〕31号@2018" and p.thresholds["edition"] is None


def test_without_a_date_the_current_text_judges():
    p = identify(enterprise())
    assert classes(p) == NEW and "current text" in p.thresholds["chosen"]


def test_a_named_version_wins_over_the_date():
    p = identify(enterprise(identified_on="2024-03-01", thresholds_version="建质〔2009〕87号"))
    assert classes(p) == OLD and "named by enterprise.facts.construction:thresholds_version" in p.thresholds["chosen"]
    p = identify(enterprise(identified_on="2017-05-02", thresholds_version="建办质〔2018〕31号@2018"))
    assert classes(p) == NEW
    # the caller's name (the assessment's criteria_versions) wins over the project's
    p = identify(enterprise(thresholds_version="建办质〔2018〕31号"), ["建质〔2009〕87号@2009"])
    assert classes(p) == OLD and p.thresholds["chosen"] == "named by the caller (建质〔2009〕87号@2009)"


def test_bad_date_and_unknown_version_are_refused_with_the_field():
    with pytest.raises(ValidationError, match=r"construction:identified_on.*2017-02-30"):
        identify(enterprise(identified_on="2017-02-30"))
    with pytest.raises(ValidationError, match=r"construction:thresholds_version.*建质〔2003〕1号.*jz-2009-87"):
        identify(enterprise(thresholds_version="建质〔2003〕1号"))


def test_the_catalogue_carries_both_versions_with_dates():
    cat = catalogue()
    assert cat.document is not None and cat.document.key == "建办质〔2018〕31号@2018" and cat.document.status == "current"
    (sup,) = cat.document.supersedes
    assert (sup.standard, sup.in_force_until.isoformat(), sup.encoded) == ("建质〔2009〕87号", "2018-06-01", True)
    old = cat.edition("jz-2009-87").document
    assert old.status == "superseded" and old.dates_verified is False and old.in_force_from is None


def test_an_assessment_names_the_old_thresholds_and_the_section_says_so():
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.packs import load_packs

    named = Assessment(enterprise(identified_on="2024-03-01"), packs=load_packs(), criteria_versions=["建质〔2009〕87号@2009"])
    dw = named.packs.assess_enterprise(named)["construction:dangerous_works"]
    assert dw["thresholds_version"]["document"] == "建质〔2009〕87号@2009"
    assert {s["id"]: s["class"] for s in dw["subprojects"]} == OLD
    by_date = Assessment(enterprise(identified_on="2024-03-01"), packs=load_packs())
    dw = by_date.packs.assess_enterprise(by_date)["construction:dangerous_works"]
    assert dw["thresholds_version"]["document"] == "建办质〔2018〕31号@2018"
