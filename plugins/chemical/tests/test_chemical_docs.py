"""Keep docs/packs/chemical.md honest: it names every fact the pack reads and every criterion it encodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from dualprev_chemical.facts_spec import CONTROL_FACTS, ENTERPRISE_FACTS, FUNCTIONS, INSTALLATION_FACTS
from dualprev_chemical.pack import pack
from dualprev_chemical.templates import inspection_templates

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "packs" / "chemical.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("fact", sorted({*ENTERPRISE_FACTS, *INSTALLATION_FACTS, *CONTROL_FACTS}))
def test_every_fact_is_documented(fact):
    assert f"`{fact}`" in DOC


def test_every_item_and_function_is_documented():
    rules = [r for rs in pack.rulesets() for r in rs.rules]
    assert [f.name for f in pack.rule_files()] == ["121-2017-inspections.yaml", "121-2017-standing.yaml"]
    for n in range(1, 21):
        assert any(r.citation.clause == f"第{n}项" for r in rules), n
        assert f"\n| {n} |" in DOC, n
    for fn in FUNCTIONS:
        assert f"`{fn}`" in DOC, fn
    for t in inspection_templates():
        assert f"`{t.id}`" in DOC or f"`{t.id.removesuffix('-' + t.applies_to[0])}-<function>`" in DOC, t.id
