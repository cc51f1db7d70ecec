"""Validation of dualprev-rules/1 documents: paths, lines, messages, all problems at once."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rules.rules_helpers import doc, rule

from dualprev_core.errors import ValidationError
from dualprev_core.rules import (
    AnyOf,
    EventPattern,
    FactPattern,
    NonePattern,
    SilencePattern,
    load_ruleset,
)

GOOD = textwrap.dedent(
    """\
    format: dualprev-rules/1
    ruleset: chem-major
    pack: chemical
    rules:
      - id: chem-07
        title: {zh: 重大危险源SIS失效, en: SIS failed on a major hazard installation}
        citation: {standard: 安监总管三〔2017〕121号, edition: "2017", clause: "item 5", verified: false, note: paraphrased}
        salience: 10
        when:
          - none: {fact: waiver, where: [{field: control, op: eq, ref: c.key}]}
          - fact: unit
            as: u
            where:
              - {field: mh_level, op: in, value: [1, 2]}
          - fact: control
            as: c
            where:
              - {field: kind, op: eq, value: SIS}
              - {field: unit, op: eq, ref: u.key}
              - any:
                  - {field: status, op: eq, value: failed}
                  - {field: status, op: eq, value: missing}
        then:
          - grade_hidden_danger: major
          - open_hidden_danger: {on: c, grade: major}
          - alarm: {level: red, message: SIS失效}
      - id: gas-60s
        title: 瓦斯超限
        citation: {standard: AQ 1029, edition: "2019", clause: "6.2"}
        when:
          - event: reading
            as: r
            per: point
            held_for: 60
            where:
              - {field: quantity, op: eq, value: CH4}
              - {field: value, op: ge, value: 1.0}
              - {field: tiny, op: gt, value: 1e-5}
        then: [{escalate: {to: regulator}}]
      - id: quiet
        title: {en: no readings}
        citation: {standard: AQ 1029, edition: "2019", clause: "7"}
        when: [{silence: {event: reading, per: point, for: 600, as: s}}]
        then: [{flag: {name: offline, value: true}}]
    """
)


def write(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str, str | None]]:
    return [(p.path, p.message, p.source) for p in exc.value.problems]


def test_good_file_loads(tmp_path: Path) -> None:
    rs = load_ruleset(write(tmp_path, GOOD))
    assert rs.id == "chem-major" and rs.pack == "chemical"
    r = rs.rules[0]
    assert r.citation.clause == "item 5" and r.citation.verified is False
    assert isinstance(r.when[0], NonePattern) and isinstance(r.when[1], FactPattern)
    assert [p.alias for p in r.positive] == ["u", "c"]
    assert isinstance(r.when[2].where[2], AnyOf)
    assert r.then[1].value == {"on": "c", "grade": "major"}  # YAML 1.1 would read `on` as True
    ev = rs.rules[1].when[0]
    assert isinstance(ev, EventPattern) and ev.held_for == 60.0 and ev.per == ("point",)
    assert ev.where[2].value == 1e-5  # YAML 1.1 would read 1e-5 as a string
    assert isinstance(rs.rules[2].when[0], SilencePattern)


def test_json_file_with_lines(tmp_path: Path) -> None:
    d = doc(rule("r1", [{"fact": "a", "as": "x", "where": [{"field": "f", "op": "bogus", "value": 1}]}]))
    text = json.dumps(d, indent=2)
    with pytest.raises(ValidationError) as exc:
        load_ruleset(write(tmp_path, text, "r.json"))
    ((path, msg, src),) = problems(exc)
    assert path == "rules[0](id=r1).when[0].where[0].op"
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "bogus" in ln)
    assert src == f"{tmp_path / 'r.json'}:{line}"
    assert "'bogus'" in msg and "eq, ne, lt" in msg


BAD = textwrap.dedent(
    """\
    format: dualprev-rules/1
    ruleset: bad
    colour: blue
    rules:
      - id: r1
        title: x
        citation: {standard: GB 1, clause: "3"}
        when:
          - fact: a
            as: p
            where:
              - {field: v, op: between, value: [5, 1]}
              - {field: v, op: in, value: 3}
              - {field: v, op: eq, ref: q.key}
              - {field: v, op: matches, value: "([a-z"}
              - {field: v, op: gt, value: .nan}
              - {field: v, op: gte, value: 1}
          - fact: b
            as: q
          - fact: c
            as: q
        then: [{grade_hidden_danger: huge}]
      - id: r1
        title: y
        citation: {standard: GB 1, edition: "", clause: "3"}
        when: [{fact: a, as: z, where: [{field: k, op: eq, ref: nobody.key}]}]
        then: [{alarm: {level: purple}}, {open_hidden_danger: {on: nobody, grade: major}}]
    """
)


def test_all_problems_at_once_with_paths_and_lines(tmp_path: Path) -> None:
    f = write(tmp_path, BAD)
    with pytest.raises(ValidationError) as exc:
        load_ruleset(f)
    got = problems(exc)
    by_path = {p: (m, s) for p, m, s in got}
    src = str(f)
    expect = {
        "colour": (3, "unknown key 'colour'"),
        "rules[0](id=r1).citation": (7, "missing required key 'edition'"),
        "rules[0](id=r1).when[0].where[0].value": (12, "lo ≤ hi (got [5, 1])"),
        "rules[0](id=r1).when[0].where[1].value": (13, "non-empty list of scalars (got int 3)"),
        "rules[0](id=r1).when[0].where[2].ref": (14, "defined later (at when[1])"),
        "rules[0](id=r1).when[0].where[3].value": (15, "bad regular expression"),
        "rules[0](id=r1).when[0].where[4].value": (16, "non-finite number nan refused"),
        "rules[0](id=r1).when[0].where[5].op": (
            17,
            "unknown op 'gte'; allowed: eq, ne, lt, le, gt, ge, in, not_in, between, exists, missing, matches, contains (did you mean 'gt', 'ge'?)",
        ),
        "rules[0](id=r1).when[2].as": (21, "duplicate alias 'q'"),
        "rules[0](id=r1).then[0].grade_hidden_danger": (22, "one of general, major (got str 'huge')"),
        "rules[1](id=r1).id": (23, "duplicate rule id 'r1' (first at rules[0])"),
        "rules[1](id=r1).when[0].where[0].ref": (26, "undefined alias 'nobody'"),
        "rules[1](id=r1).then[0].alarm.level": (27, "one of red, orange, yellow, blue (got str 'purple')"),
        "rules[1](id=r1).then[1].open_hidden_danger.on": (27, "must name an alias of this rule (z)"),
    }
    for path, (line, text) in expect.items():
        assert path in by_path, f"{path} missing from {sorted(by_path)}"
        msg, s = by_path[path]
        assert text in msg, (path, msg)
        assert s == f"{src}:{line}", (path, s)
    assert len(got) == len(expect)
    # document order: sorted by line
    lines = [int(s.rsplit(":", 1)[1]) for _, _, s in got if s]
    assert lines == sorted(lines)
    assert str(exc.value).startswith(f"{src}: {len(expect)} problems found")


@pytest.mark.parametrize(
    ("when", "path", "text"),
    [
        ([{"fact": "a", "where": [{"field": "x", "op": "exists", "value": 1}]}], "when[0].where[0]", "takes no 'value'"),
        ([{"fact": "a", "where": [{"field": "x", "op": "lt", "value": "3"}]}], "when[0].where[0].value", "must be a number (got str '3')"),
        (
            [{"fact": "a", "where": [{"field": "x", "op": "lt", "value": True}]}],
            "when[0].where[0].value",
            "must be a number (got bool True)",
        ),
        ([{"fact": "a", "where": [{"field": "x", "op": "eq", "value": float("inf")}]}], "when[0].where[0].value", "non-finite"),
        ([{"fact": "a", "where": [{"field": "x", "op": "eq", "value": 2**60}]}], "when[0].where[0].value", "outside ±2**53"),
        ([{"fact": "a", "where": [{"field": "x", "op": "in", "value": []}]}], "when[0].where[0].value", "non-empty list"),
        ([{"fact": "a", "where": [{"field": "x", "op": "in", "value": [[1]]}]}], "when[0].where[0].value[0]", "must be a scalar"),
        ([{"fact": "a", "where": [{"field": "x", "op": "matches", "ref": "a.b"}]}], "when[0].where[0].ref", "cannot use 'ref'"),
        ([{"fact": "a", "where": [{"field": "x..y", "op": "exists"}]}], "when[0].where[0].field", "dotted field name"),
        ([{"fact": "a", "where": [{"field": "x", "op": "eq", "value": 1, "ref": "a.b"}]}], "when[0].where[0]", "either 'value' or 'ref'"),
        (
            [{"fact": "a", "wehre": []}],
            "when[0].wehre",
            "unknown key 'wehre' in a fact pattern; allowed: fact, as, where (did you mean 'where'",
        ),
        ([{"none": {"fact": "a"}}], "when", "at least one fact, event or silence pattern"),
        ([{"event": "e", "held_for": 5}], "when[0]", "'held_for' needs 'per'"),
        (
            [{"event": "e", "per": "p", "held_for": 5, "as": "x"}, {"silence": {"event": "e", "per": "p", "for": 5}}],
            "when",
            "at most one 'event' or 'silence'",
        ),
        ([{"silence": {"event": "e", "per": "p", "for": 0}}], "when[0].silence.for", "must be > 0"),
        (
            [{"event": "e", "per": "p", "held_for": 5, "where": [{"field": "x", "op": "eq", "ref": "x.y"}]}],
            "when[0].where[0].ref",
            "held_for",
        ),
        ([{"fact": f"t{i}", "as": f"a{i}"} for i in range(16)] + [{"none": {"fact": "z"}}], "when", "more than 16"),
        ([{"fact": "a", "as": "1x"}], "when[0].as", "must be an identifier"),
    ],
)
def test_each_kind_of_error(when: list[Any], path: str, text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        load_ruleset(doc(rule("r", when)))
    got = problems(exc)
    full = f"rules[0](id=r).{path}"
    assert any(p == full and text in m for p, m, _ in got), got


def test_missing_citation_and_format() -> None:
    d = doc(rule("r", [{"fact": "a"}]))
    del d["rules"][0]["citation"]
    d["format"] = "dualprev-rules/2"
    with pytest.raises(ValidationError) as exc:
        load_ruleset(d)
    msgs = [(p, m) for p, m, _ in problems(exc)]
    assert ("format", "'format' must be 'dualprev-rules/1' (got str 'dualprev-rules/2')") in msgs
    assert any(p == "rules[0](id=r)" and "citation" in m for p, m in msgs)


def test_none_anywhere_may_ref_any_positive_alias() -> None:
    rs = load_ruleset(
        doc(rule("r", [{"none": {"fact": "w", "where": [{"field": "k", "op": "eq", "ref": "b.key"}]}}, {"fact": "a", "as": "b"}]))
    )
    assert [type(p).__name__ for p in rs.rules[0].when] == ["NonePattern", "FactPattern"]


def test_yaml_errors_and_duplicate_keys(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as exc:
        load_ruleset(write(tmp_path, "format: [\n"))
    assert "invalid YAML" in exc.value.problems[0].message
    text = GOOD.replace("ruleset: chem-major\n", "ruleset: chem-major\nruleset: again\n")
    with pytest.raises(ValidationError) as exc:
        load_ruleset(write(tmp_path, text))
    ((path, msg, src),) = problems(exc)
    assert path == "ruleset" and "duplicate key" in msg and src.endswith(":3")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as exc:
        load_ruleset(tmp_path / "nope.yaml")
    assert "cannot read rule file" in str(exc.value)
