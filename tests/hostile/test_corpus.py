"""The hostile inputs the hardening issue found, one test each, through the CLI in-process.

Every case must end with exit status 2, a message naming the file and the field (or the limit),
no traceback, bounded time, and never a foreign file's lines printed back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hostile.hostile_helpers import EXAMPLE, SECRET, assert_refused, run

MIN = """\
format: dualprev-enterprise/1
enterprise: {id: E, name: e, industry: x, region: r}
areas: [{id: A, name: a, geometry: {type: polygon, coordinates: [[0, 0], [10, 0], [10, 10]]}}]
posts: [{id: P, name: p, area: A, owner_level: post, people: [张工, 李工]}]
risks:
  - id: R
    name: r
    area: A
    category: 火灾
    method: lec
    inputs: {L: 3, E: 6, C: 15}
    controls:
      - {id: C1, name: c, kind: engineering, owner_level: post, post: P, on_failure: {L: 6}}
"""

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(9)
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def test_the_minimal_enterprise_is_valid(tmp_path: Path) -> None:
    r = run("assess", write(tmp_path, "e.yaml", MIN), "--json")
    assert r.exit_code == 0, r.output


# ------------------------------------------------------------------ enterprise files
@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("laughs.yaml", MIN + LAUGHS.replace("a: &a", "zz: &a"), ["max_nodes"]),
        ("recursive.yaml", MIN + "x: &x [*x]\n", ["refers to itself"]),
        ("deep-flow.yaml", MIN + "facts: " + "[" * 5000 + "]" * 5000 + "\n", ["nested"]),
        ("deep-json.json", '{"format": "dualprev-enterprise/1", "x": ' + "[" * 5000 + "]" * 5000 + "}", ["max_depth"]),
        ("deep-100.json", json.dumps({"format": "dualprev-enterprise/1", "enterprise": {"id": "E", "name": "e", "industry": "x",
                                       "facts": {"x": json.loads("[" * 100 + "]" * 100)}}}), ["enterprise.facts.x", "max_depth=64"]),
        ("digits.yaml", MIN.replace("L: 3,", "L: " + "9" * 5000 + ","), ["number"]),
        ("big.json", '{"format": "dualprev-enterprise/1", "enterprise": {"id": "E", "name": "e", "industry": "x", "facts": {"n": 1' + "0" * 400 + "}}}",
         ["enterprise.facts.n", "max_int_digits"]),
        ("nan.yaml", MIN.replace("[[0, 0],", "[[.nan, 0],"), ["areas[0].geometry.coordinates[0][0]", "not a finite number"]),
        ("inf.json", json.dumps({"format": "dualprev-enterprise/1", "enterprise": {"id": "E", "name": "e", "industry": "x"},
                                 "areas": [{"id": "A", "name": "a", "geometry": {"type": "point", "coordinates": [1, 2]}}]}).replace("[1, 2]", "[1e400, 2]"),
         ["areas[0].geometry.coordinates[0]", "not a finite number"]),
        ("inf-input.yaml", MIN.replace("C: 15}", "C: .inf}"), ["risks[0].inputs.C", "not a finite number"]),
        ("long.yaml", MIN.replace("name: e,", "name: " + "x" * 200_000 + ","), ["line 2", "max_string"]),
        ("long-multiline.yaml", MIN.replace("name: e,", "name: '" + "x " * 30_000 + "\n" + "y " * 30_000 + "',"), ["enterprise.name", "max_string"]),
        ("scale.yaml", MIN.replace("on_failure: {L: 6}", "on_failure: {L: 7}"), ["risks[0].controls[0].on_failure.L", "(got 7)"]),
        ("scale-big.yaml", MIN.replace("on_failure: {L: 6}", "on_failure: {L: 1e300}"), ["risks[0].controls[0].on_failure.L"]),
        ("latin1.yaml", MIN.replace("火灾", "fire").encode("utf-8") + "# caf\u00e9\n".encode("latin-1"), ["not UTF-8", "line 14"]),
        ("utf16.yaml", MIN.encode("utf-16"), ["not UTF-8"]),
        ("passwd.yaml", SECRET, ["must be a mapping"]),
        ("nul.yaml", MIN + "\x00\n", ["NUL"]),
    ],
)
def test_hostile_enterprise_files(tmp_path: Path, name: str, text: str | bytes, fragments: list[str]) -> None:
    p = write(tmp_path, name, text)
    assert_refused(run("assess", p, seconds=60), str(p), *fragments, secret=SECRET if name == "passwd.yaml" else None)


def test_a_directory_or_a_missing_folder_as_the_enterprise(tmp_path: Path) -> None:
    assert_refused(run("assess", tmp_path), str(tmp_path), "is a directory")
    missing = tmp_path / "nope" / "e.yaml"
    assert_refused(run("assess", missing), str(missing), "does not exist")


def test_a_5000_area_chain_is_refused_at_its_limit_not_run_for_minutes(tmp_path: Path) -> None:
    areas = [{"id": "A0", "name": "a"}] + [{"id": f"A{i}", "name": "a", "parent": f"A{i - 1}"} for i in range(1, 5000)]
    p = write(tmp_path, "chain.json", json.dumps({"format": "dualprev-enterprise/1", "enterprise": {"id": "E", "name": "e", "industry": "x"}, "areas": areas}))
    assert_refused(run("assess", p, seconds=60), "areas[65].parent", "max_area_depth=64")


def test_an_inspection_time_past_year_9999_in_utc(tmp_path: Path) -> None:
    p = write(tmp_path, "e.yaml", MIN + "inspections: [{id: I1, control: C1, result: failed, by: 张工, at: '9999-12-31T23:59:59-23:59'}]\n")
    assert_refused(run("assess", p), "inspections[0].at", "9999-12-31T23:59:59-23:59")


# ------------------------------------------------------------------ rule files
def _rule(where: str, n: int = 1) -> str:
    return f"""\
format: dualprev-rules/1
ruleset: hostile
rules:
  - id: r1
    title: t
    citation: {{standard: GB 0, edition: "1", clause: "1"}}
    when:
      - fact: enterprise
        as: e
        where: {where}
    then: [{{flag: {{name: x}}}}]
"""


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("laughs.yaml", _rule("[]") + LAUGHS, ["max_nodes"]),
        ("backref.yaml", _rule("[{field: region, op: matches, value: '(a)\\1'}]"), ["rules[0](id=r1).when[0].where[0].value", "backreferences"]),
        ("lookahead.yaml", _rule("[{field: region, op: matches, value: '(?=a)'}]"), ["where[0].value", "RE2"]),
        ("anys.yaml", _rule("[" + "{any: [" * 3000 + "{field: x, op: exists}" + "]}" * 3000 + "]"), ["nested"]),
        ("anys-70.yaml", _rule("[" + "{any: [" * 70 + "{field: x, op: exists}" + "]}" * 70 + "]"), ["max_depth=64"]),
        ("in.yaml", _rule("[{field: region, op: in, value: [" + ", ".join(str(i) for i in range(1001)) + "]}]"), ["where[0].value", "max_in_list=1000"]),
        ("long.yaml", _rule("[{field: region, op: eq, value: '" + "x" * 10_000_000 + "'}]"), ["max_string"]),
        ("regex-long.yaml", _rule("[{field: region, op: matches, value: '" + "a" * 5000 + "'}]"), ["max_regex_chars"]),
        ("nonutf8.yaml", _rule("[]").encode() + b"# \xff\xfe\n", ["not UTF-8"]),
        ("passwd.yaml", SECRET, ["a rule file must be a mapping"]),
        ("deep.json", "[" * 5000 + "]" * 5000, ["nested", "max_depth"]),
        ("digits.yaml", _rule("[{field: x, op: gt, value: " + "9" * 5000 + "}]"), ["number"]),
    ],
)
def test_hostile_rule_files(tmp_path: Path, name: str, text: str | bytes, fragments: list[str]) -> None:
    p = write(tmp_path, name, text)
    assert_refused(run("rules", "check", p, seconds=60), str(p), *fragments, secret=SECRET if name == "passwd.yaml" else None)


def test_a_catastrophic_regex_runs_in_linear_time_on_both_engines(tmp_path: Path) -> None:
    rules = write(tmp_path, "redos.yaml", _rule("[{field: region, op: matches, value: '^(a+)+$'}]"))
    assert run("rules", "check", rules).exit_code == 0  # RE2 runs it in linear time, so it may stay
    ent = write(tmp_path, "e.yaml", MIN.replace("region: r", "region: " + "a" * 30 + "!"))
    for engine in ("reference", "durable"):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DUALPREV_RULES_ENGINE", engine)
            r = run("assess", ent, "--rules", rules, "--json", seconds=30)
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["criteria_matches"] == []


# ------------------------------------------------------------------ readings
@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("passwd", SECRET, ["not a readings file"]),
        ("passwd.csv", SECRET, ["not a readings file", "header"]),
        ("passwd.jsonl", SECRET, ["not a readings file", "line 1"]),
        ("true.yaml", "readings: true\n", ["not a readings file", "got a mapping without a 'readings' list"]),
        ("scalar.yaml", "42\n", ["not a readings file"]),
        ("wide.csv", "point,value,at\nP," + "9" * 200_000 + ",2026-01-01T00:00:00+08:00\n", ["malformed CSV", "line 2"]),
        ("latin1.csv", b"point,value,at\nGT-305,1,2026-01-01T00:00:00+08:00 \xe9\n", ["not UTF-8"]),
        ("deep.jsonl", '{"point": "P", "value": 1, "at": "2026-01-01T00:00:00+08:00"}\n' + "[" * 5000 + "]" * 5000 + "\n", []),
        ("deep.json", "[" * 5000 + "]" * 5000, ["max_depth"]),
        ("laughs.yaml", LAUGHS, ["max_nodes"]),
    ],
)
def test_hostile_readings_files(tmp_path: Path, name: str, text: str | bytes, fragments: list[str]) -> None:
    p = write(tmp_path, name, text)
    r = run("monitor", p, "-e", EXAMPLE, "--json", seconds=60)
    if name == "deep.jsonl":  # a readings file with one bad line: the line is reported, by number only
        assert r.exit_code == 0, r.output
        (problem,) = [x for x in json.loads(r.stdout)["problems"] if x["kind"] == "malformed"]
        assert problem["where"].endswith(":2") and "max_depth" in problem["message"]
        return
    assert_refused(r, str(p), *fragments, secret=SECRET if "passwd" in name else None)


# ------------------------------------------------------------------ plans, ledgers, arguments
@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    led = tmp_path / "ledger.jsonl"
    assert run("inspect", EXAMPLE, "--ledger", led, "--json").exit_code == 0
    return led


def test_a_foreign_file_as_the_plan_is_not_printed(tmp_path: Path, ledger: Path) -> None:
    for name, text in (("shadow", SECRET), ("shadow.yaml", "\n".join(f"k{i}: {line}" for i, line in enumerate(SECRET.splitlines())))):
        plan = write(tmp_path, name, text)
        r = run("hidden-dangers", "transition", "--ledger", ledger, "HD-C-TK-GDS-1", "approve-plan", "--by", "吴涛", "--plan", plan)
        assert_refused(r, str(plan), "plan", secret=text)


def test_hostile_plan_files(tmp_path: Path, ledger: Path) -> None:
    for name, text, fragment in (("laughs.yaml", LAUGHS, "max_nodes"), ("bad.yaml", b"measures: [\xff]\n", "not UTF-8"),
                                 ("deep.json", "[" * 5000 + "]" * 5000, "max_depth")):
        plan = write(tmp_path, name, text)
        r = run("hidden-dangers", "transition", "--ledger", ledger, "HD-C-TK-GDS-1", "approve-plan", "--by", "吴涛", "--plan", plan)
        assert_refused(r, str(plan), fragment)


def test_hostile_ledgers(tmp_path: Path) -> None:
    assert_refused(run("hidden-dangers", "list", "--ledger", tmp_path), str(tmp_path), "directory")
    missing = tmp_path / "no" / "such" / "ledger.jsonl"
    before = len(list(tmp_path.iterdir()))
    assert_refused(run("inspect", EXAMPLE, "--ledger", missing), str(missing), "No such file or directory")
    assert len(list(tmp_path.iterdir())) == before
    for name, text, fragment in (
        ("latin1.jsonl", b'{"kind": "reported", "by": "\xe9"}\n', "not UTF-8"),
        ("deep.jsonl", "[" * 5000 + "]" * 5000 + "\n", "line 1"),
        ("passwd.jsonl", SECRET, "line 1"),
        ("digits.jsonl", '{"kind": "reported", "n": ' + "9" * 5000 + "}\n", "line 1"),
    ):
        p = write(tmp_path, name, text)
        assert_refused(run("hidden-dangers", "list", "--ledger", p), str(p), fragment, secret=SECRET if "passwd" in name else None)


@pytest.mark.parametrize(
    "args",
    [
        ("--at", "9999-12-31T23:59:59-23:59"),
        ("--at", "x" * 100_000),
        ("--deadline", "0001-01-01T00:00:00+23:59", "--grade", "general"),
    ],
)
def test_hostile_cli_arguments(ledger: Path, args: tuple[str, ...]) -> None:
    action = "assess" if "--grade" in args else "start"
    r = run("hidden-dangers", "transition", "--ledger", ledger, "HD-C-TK-GDS-1", action, "--by", "吴涛", *args)
    out = assert_refused(r, args[0] if args[0] == "--at" else "--deadline")
    assert "x" * 200 not in out


def test_grade_arguments_off_every_scale() -> None:
    for value in ("9" * 5000, "1e999", "nan"):
        assert_refused(run("grade", "lec", f"L={value}", "E=6", "C=15"), "lec L")


# ------------------------------------------------------------------ memory and time of the bombs
BOMBS = {
    "laughs.yaml": LAUGHS,
    "recursive.yaml": "x: &x [*x]\n",
    "deep.yaml": "x: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep-block.yaml": "x:\n" + "".join("  " * i + "- \n" for i in range(3000)),
    "deep.json": "[" * 5000 + "]" * 5000,
    "long.yaml": "x: " + "y" * 10_000_000 + "\n",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bombs_are_refused_in_bounded_time_and_memory(tmp_path: Path, name: str) -> None:
    import tracemalloc

    from hostile.hostile_helpers import time_limit

    from dualprev_core.errors import ValidationError
    from dualprev_core.loading.enterprise import load_enterprise
    from dualprev_core.monitoring import read_readings
    from dualprev_core.rules import load_ruleset
    from dualprev_core.yaml_lines import read_document

    p = write(tmp_path, name, BOMBS[name])
    size = p.stat().st_size
    for load in (load_enterprise, load_ruleset, read_document, lambda f: list(read_readings(f))):
        try:  # once first: imports and caches are not the input's cost
            load(write(tmp_path, "warm.yaml", "x: [1]\n"))
        except ValidationError:
            pass
        tracemalloc.start()
        try:
            with time_limit(20), pytest.raises(ValidationError) as exc:
                load(p)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert str(p) in str(exc.value)
        assert peak < 40 * size + 64 * 2**20, f"{load}: peak {peak / 2**20:.0f} MB for a {size / 2**20:.1f} MB file"


# ------------------------------------------------------------------ joins
def _join_rule(n: int, tied: bool) -> str:
    pats = "".join(
        f"      - fact: control\n        as: c{i}\n"
        + (f"        where: [{{field: key, op: eq, ref: c{i - 1}.key}}]\n" if tied and i else "")
        for i in range(n)
    )
    return _rule("[]").replace("      - fact: enterprise\n        as: e\n        where: []\n", pats)


def test_a_16_pattern_join_with_no_key_is_refused_at_rules_check(tmp_path: Path) -> None:
    p = write(tmp_path, "join.yaml", _join_rule(16, tied=False))
    assert_refused(run("rules", "check", p), str(p), "rules[0](id=r1).when", "15 fact patterns", "max_unbounded_joins=2")
    ok = write(tmp_path, "tied.yaml", _join_rule(16, tied=True))
    assert run("rules", "check", ok).exit_code == 0
    edge = write(tmp_path, "edge.yaml", _join_rule(3, tied=False))  # two unbounded joins: at the limit
    assert run("rules", "check", edge).exit_code == 0
    over = write(tmp_path, "over.yaml", _join_rule(4, tied=False))
    assert_refused(run("rules", "check", over), "max_unbounded_joins=2")


def test_a_step_over_its_tuple_budget_stops_with_the_rule_named(tmp_path: Path) -> None:
    from dualprev_core.limits import limits_override
    from dualprev_core.rules import RuleEngineError, load_ruleset, make_engine

    rs = load_ruleset(write(tmp_path, "edge.yaml", _join_rule(3, tied=False)))
    with limits_override(max_tuples_per_step=2000), make_engine("reference") as eng:
        eng.load(rs)
        eng.assert_facts({"type": "control", "key": f"k{i}"} for i in range(10))  # each step well within the budget
        with pytest.raises(RuleEngineError, match=r"rule 'hostile/r1' examined more than max_tuples_per_step=2000"):
            eng.assert_facts({"type": "control", "key": f"m{i}"} for i in range(60))  # 60 × 60 pairs for one new fact


def test_rule_count_and_in_list_limits_at_their_edge(tmp_path: Path) -> None:
    from dualprev_core.limits import limits_override

    ok = write(tmp_path, "in.yaml", _rule("[{field: region, op: in, value: [" + ", ".join(str(i) for i in range(1000)) + "]}]"))
    assert run("rules", "check", ok).exit_code == 0
    with limits_override(max_rules=1):
        two = write(tmp_path, "two.yaml", _rule("[]") + _rule("[]").split("rules:\n", 1)[1].replace("id: r1", "id: r2"))
        assert_refused(run("rules", "check", two), "2 rules is over the limit max_rules=1")


@pytest.mark.parametrize("kind", ["codes", "rules", "regions", "submission"])
def test_hostile_regulator_files(tmp_path: Path, kind: str) -> None:
    """Code maps, regional rules, region files and submissions go through the same limits."""
    cases = (("laughs.yaml", LAUGHS, "max_nodes"), ("bad.yaml", b"a: [\xff]\n", "not UTF-8"),
             ("deep.json", "[" * 5000 + "]" * 5000, "max_depth"))
    if kind == "submission":  # JSON: the bombs are depth and non-finite numbers
        cases = (("deep.json", "[" * 5000 + "]" * 5000, "max_depth"), ("bad.json", b'{"a": "\xff"}', "not UTF-8"),
                 ("nan.json", '{"format": NaN}', "finite"))
    db = f"sqlite:///{tmp_path / 'region.db'}"
    for name, text, fragment in cases:
        f = write(tmp_path, f"{kind}-{name}", text)
        args: tuple[Any, ...] = {
            "codes": ("exchange", "codes", "--codes", f),
            "rules": ("region", "assess", "--db", db, "--rules", f),
            "regions": ("region", "regions", f, "--db", db),
            "submission": ("exchange", "validate", f),
        }[kind]
        assert_refused(run(*args), str(f), fragment)
