"""The public strategies researchers use."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Enterprise
from dualprev_core.strategies import enterprise_documents, enterprises, inspections_for


@given(st.from_type(Enterprise))
def test_from_type_works_through_the_entry_point(e):
    assert isinstance(e, Enterprise) and e.risks


@given(enterprises(min_risks=2, max_risks=4, max_controls=2, max_areas=3), st.data())
def test_generated_records_are_consistent(e, data):
    assert 2 <= len(e.risks) <= 4 and len(e.areas) <= 3
    ids = {a.id for a in e.areas}
    assert all(r.area in ids for r in e.risks)
    risk_ids = {r.id for r in e.risks}
    assert all(set(c.mitigates) <= risk_ids for c in e.controls)
    for insp in data.draw(inspections_for(e, max_size=5)):
        assert insp.control in {c.id for c in e.controls}


@given(st.from_type(RiskLevel))
def test_levels_from_type(level):
    assert level in RiskLevel


@pytest.mark.parametrize("kwargs", [{"min_risks": 3, "max_risks": 2}, {"max_areas": 0}, {"max_controls": -1}])
def test_bad_arguments_are_refused_at_once(kwargs):
    with pytest.raises(ValueError):
        enterprise_documents(**kwargs)
