"""Loading enterprise files: every problem at once, with path and line; nothing dropped."""

from __future__ import annotations

import json

import pytest

from dualprev_core.errors import ValidationError
from dualprev_core.loading.enterprise import load_enterprise, parse_enterprise, parse_frequency, parse_time

GOOD = {
    "format": "dualprev-enterprise/1",
    "enterprise": {"id": "E1", "name": "某化工有限公司", "facts": {"employees": 120}},
    "areas": [
        {"id": "PLANT", "name": "厂区", "geometry": {"type": "polygon", "coordinates": [[0, 0], [100, 0], [100, 50]]}},
        {"id": "W1", "name": "合成车间", "parent": "PLANT"},
    ],
    "posts": [{"id": "P1", "name": "操作工", "area": "W1", "owner_level": "post"}],
    "risk_points": [{"id": "RP1", "name": "反应釜", "area": "W1", "kind": "installation"}],
    "hazards": [{"id": "H1", "name": "超压", "factor": "2101", "risk_point": "RP1"}],
    "risks": [
        {
            "id": "R1", "name": "反应釜超压爆炸", "risk_point": "RP1", "hazards": ["H1"], "category": "容器爆炸",
            "method": "lec", "inputs": {"L": 1, "E": 6, "C": 40}, "facts": {"chemical:unit": "U1"},
            "controls": [
                {"id": "C1", "name": "安全阀", "kind": "engineering", "owner_level": "team", "post": "P1", "critical": True,
                 "on_failure": {"L": 6}, "inspection_items": [{"id": "II1", "content": "检查铅封", "frequency": "每班"}]},
            ],
        }
    ],
    "inspections": [{"id": "I1", "item": "II1", "result": "failed", "by": "张三", "at": "2026-11-02T10:00:00"}],
}


def bad(doc_changes):
    import copy

    doc = copy.deepcopy(GOOD)
    doc_changes(doc)
    with pytest.raises(ValidationError) as exc:
        parse_enterprise(doc, source="f.yaml")
    return exc.value


def test_good_document_loads_and_keeps_everything():
    e = parse_enterprise(GOOD)
    assert e.risks[0].area == "W1"  # from the risk point
    assert e.risks[0].category == "GB6441-2025:vessel_explosion"
    assert e.controls[0].mitigates == ("R1",)
    assert e.inspection_items[0].control == "C1" and e.inspection_items[0].frequency.unit == "shift"
    assert e.inspections[0].control == "C1"
    assert e.inspections[0].at.utcoffset().total_seconds() == 8 * 3600
    assert e.facts == {"employees": 120} and e.risks[0].facts == {"chemical:unit": "U1"}


def test_the_issue_example_path_and_message():
    err = bad(lambda d: d["risks"][0]["controls"][0].update(owner_level="x"))
    assert [str(p) for p in err.problems] == [
        "f.yaml: risks[0].controls[0].owner_level: 'x' is not one of company, workshop, team, post"
    ]


def test_every_problem_is_reported_at_once():
    def change(d):
        d["risks"][0]["controls"][0]["owner_level"] = "x"
        d["risks"][0]["method"] = "lecc"
        d["areas"][1]["parent"] = "NOPE"
        d["posts"][0]["colour"] = "red"
        del d["risks"][0]["name"]

    err = bad(change)
    paths = {p.path for p in err.problems}
    assert {"risks[0].controls[0].owner_level", "risks[0].name", "posts[0].colour"} <= paths
    # schema problems are reported first; references are checked once the structure is sound
    assert len(err.problems) >= 3
    assert "unknown field 'colour'" in str(err) and "put free-form data under 'facts'" in str(err)


def test_semantic_problems_all_at_once_with_suggestions():
    def change(d):
        d["risks"][0]["method"] = "lecc"
        d["areas"][1]["parent"] = "PLANTT"
        d["risks"][0]["category"] = "火 灾"
        d["inspections"][0]["item"] = "II2"

    err = bad(change)
    msgs = {p.path: p.message for p in err.problems}
    assert "did you mean 'lec'" in msgs["risks[0].method"]
    assert "did you mean 'PLANT'" in msgs["areas[1].parent"]
    assert "did you mean '火灾'" in msgs["risks[0].category"]
    assert "'II2' is not an inspection item" in msgs["inspections[0].item"]


def test_grading_inputs_off_scale_name_the_risk_path():
    err = bad(lambda d: d["risks"][0]["inputs"].update(L=4))
    assert err.problems[0].path == "risks[0].inputs"
    assert "must be one of 0.1, 0.2, 0.5, 1, 3, 6, 10 (got 4)" in err.problems[0].message


def test_on_failure_cannot_lower_an_input_nor_leave_the_scale():
    err = bad(lambda d: d["risks"][0]["controls"][0].update(on_failure={"L": 0.5, "Q": 3}))
    msgs = {p.path: p.message for p in err.problems}
    assert "below risk 'R1'" in msgs["risks[0].controls[0].on_failure.L"]
    assert "not an input of lec" in msgs["risks[0].controls[0].on_failure.Q"]


def test_inherent_below_assessed_is_refused():
    err = bad(lambda d: d["risks"][0].update(inherent_level="low"))
    assert "below the assessed level large" in err.problems[0].message


def test_duplicate_ids_across_kinds_and_cycles():
    def change(d):
        d["posts"][0]["id"] = "W1"
        d["areas"][0]["parent"] = "W1"

    err = bad(change)
    text = str(err)
    assert "duplicate id 'W1' (first used at areas[1])" in text
    assert "is its own ancestor" in text


def test_yaml_errors_carry_line_numbers(tmp_path):
    p = tmp_path / "e.yaml"
    p.write_text(
        "format: dualprev-enterprise/1\nenterprise: {id: E, name: 企业}\nareas:\n  - {id: A, name: 区域}\n"
        "risks:\n  - id: R1\n    name: 火灾\n    area: A\n    category: 火灾\n    method: lec\n    inputs: {L: 3, E: 6, C: 16}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as exc:
        load_enterprise(p)
    assert exc.value.problems[0].source == str(p)
    assert exc.value.problems[0].line == 11 and "(line 11)" in str(exc.value)


def test_malformed_files_are_problems_not_tracebacks(tmp_path):
    p = tmp_path / "e.yaml"
    p.write_text("a: [1,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="invalid YAML"):
        load_enterprise(p)
    j = tmp_path / "e.json"
    j.write_text("{", encoding="utf-8")
    with pytest.raises(ValidationError, match="invalid JSON"):
        load_enterprise(j)
    with pytest.raises(ValidationError, match="file not found"):
        load_enterprise(tmp_path / "missing.yaml")
    with pytest.raises(ValidationError, match="must be a mapping"):
        parse_enterprise([1, 2])


def test_json_and_yaml_load_the_same(tmp_path):
    import yaml

    (tmp_path / "e.json").write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "e.yaml").write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    assert load_enterprise(tmp_path / "e.json") == load_enterprise(tmp_path / "e.yaml")


@pytest.mark.parametrize(("text", "hours"), [("2h", 2), ("shift", 8), ("每天", 24), ("weekly", 168), ("每月", 730), ("quarterly", 2190), ("3y", 26280), ("twice-daily", 12)])
def test_frequencies(text, hours):
    assert parse_frequency(text).hours == hours


def test_bad_frequency_and_time_messages():
    with pytest.raises(ValueError, match="is not a frequency"):
        parse_frequency("sometimes")
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("yesterday")


def test_bundled_example_loads():
    from dualprev_core.cli.assess import example_path

    e = load_enterprise(example_path())
    assert len(e.risks) >= 25 and {c.owner_level.key for c in e.controls} == {"company", "workshop", "team", "post"}
    assert all(a.geometry is not None for a in e.areas)


def test_inherent_check_uses_the_enterprise_variant():
    def change(d):
        d["settings"] = {"variants": {"ls": "V2"}}
        d["risks"][0].update(method="ls", inputs={"L": 3, "S": 3}, inherent_level="general")
        d["risks"][0]["controls"][0]["on_failure"] = {"L": 4}

    err = bad(change)  # LS V2: R = 9 is large, above the stated inherent level
    assert "below the assessed level large" in str(err)


def test_edges_for_a_lookup_method_are_refused():
    err = bad(lambda d: d.update(settings={"edges": {"matrix": "inclusive"}}))
    assert "has no effect" in str(err)


def test_unquoted_yaml_times_are_read_as_text(tmp_path):
    import yaml

    doc = yaml.safe_dump(GOOD, allow_unicode=True).replace("'2026-11-02T10:00:00'", "2026-11-02T10:00:00")
    assert "at: 2026-11-02T10:00:00" in doc
    p = tmp_path / "e.yaml"
    p.write_text(doc, encoding="utf-8")
    assert load_enterprise(p).inspections[0].at.hour == 10


def test_fast_schema_check_agrees_with_jsonschema():
    """The fast path (fastjsonschema) and the reference (jsonschema) agree on valid and broken documents."""
    import copy

    import jsonschema
    from hypothesis import given
    from hypothesis import strategies as st

    from dualprev_core.loading.enterprise import _schema_accepts
    from dualprev_core.loading.schema import SCHEMA
    from dualprev_core.strategies import enterprise_documents

    breakages = [
        lambda d: d["risks"][0].update(method=3),
        lambda d: d["risks"][0].update(extra="x"),
        lambda d: d["areas"][0].pop("name"),
        lambda d: d["risks"][0].update(category_edition="1999"),
        lambda d: d.update(format="other"),
        lambda d: d["areas"][0].update(id="has space"),
        lambda d: d["risks"][0].update(inherent_level="huge"),
        lambda d: d["settings"]["escalation"].update(steps_per_defect=9),
        lambda d: None,
    ]

    @given(enterprise_documents(max_risks=3), st.sampled_from(breakages))
    def check(doc, breakage):
        doc = copy.deepcopy(doc)
        breakage(doc)
        reference = not list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
        assert _schema_accepts(doc) == reference

    check()


def test_duplicate_keys_are_refused_not_silently_overwritten(tmp_path):
    p = tmp_path / "e.yaml"
    p.write_text("format: dualprev-enterprise/1\nenterprise: {id: E, name: 企业}\nareas:\n  - id: A\n    name: 一车间\n    name: 二车间\n",
                 encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_enterprise(p)
    (problem,) = exc.value.problems
    assert (problem.path, problem.line) == ("areas[0].name", 6) and "duplicate key" in problem.message
    j = tmp_path / "e.json"
    j.write_text('{"format": "dualprev-enterprise/1", "enterprise": {"id": "E", "name": "a", "name": "b"}}', encoding="utf-8")
    with pytest.raises(ValidationError, match="duplicate key 'name'"):
        load_enterprise(j)


def test_yaml_1_2_booleans_only_true_and_false():
    from dualprev_core.yaml_lines import load_yaml_with_lines

    data, *_ = load_yaml_with_lines("a: yes\nb: on\nc: true\nd: 1e-5\ne: 12\nf: 2026-11-30T08:00:00\n")
    assert data == {"a": "yes", "b": "on", "c": True, "d": 1e-05, "e": 12, "f": "2026-11-30T08:00:00"}
