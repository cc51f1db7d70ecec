"""The command line: JSON keys, Chinese/English labels, one clear error and no traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dualprev_core.cli.app import cli


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return _run


def test_grade_json(run):
    r = run("grade", "lec", "L=3", "E=6", "C=15", "--json")
    assert r.exit_code == 0
    d = json.loads(r.output)
    assert d["level"] == "large" and d["score"] == 270 and d["variant"] == "V1"


def test_grade_variant_and_labels(run):
    r = run("grade", "ls", "L=3", "S=3", "--variant", "V2")
    assert r.exit_code == 0 and "较大" in r.output
    r = run("grade", "ls", "L=3", "S=3", "--lang", "en")
    assert "general" in r.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("grade", "lec", "L=4", "E=6", "C=15"), "(got '4')"),
        (("grade", "lecc", "L=4"), "did you mean 'lec'"),
        (("grade", "lec", "L"), "is not NAME=VALUE"),
        (("grade", "ls", "L=1", "S=1", "--variant", "V9"), "has no variant 'V9'"),
        (("assess", "/nonexistent.yaml"), "file not found"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(run, args, fragment):
    r = run(*args)
    assert r.exit_code == 2
    assert fragment in r.output
    assert "Traceback" not in r.output


def test_assess_reports_every_problem_of_a_file(run, tmp_path):
    p = tmp_path / "e.yaml"
    p.write_text("format: dualprev-enterprise/1\nenterprise: {id: E}\nrisks: [{id: R, name: r, category: 火灾, method: lec, inputs: {L: 4}, colour: red}]\n", encoding="utf-8")
    r = run("assess", str(p))
    assert r.exit_code == 2
    assert "enterprise.name: is required" in r.output
    assert "risks[0].colour: unknown field 'colour'" in r.output


def test_demo_json_has_the_documented_keys(run):
    r = run("demo", "--json")
    assert r.exit_code == 0
    d = json.loads(r.output)
    assert {"risks", "areas", "enterprise", "major_risks", "hidden_dangers"} <= set(d)
    levels = {x["current_level"] for x in d["risks"]}
    assert levels == {"major", "large", "general", "low"}
    moved = [x for x in d["risks"] if x["current_level"] != x["assessed_level"]]
    assert moved and all(x["explanation"]["moved_by"] for x in moved)
    assert d["enterprise"]["level"] == "major" and d["major_risks"]
    root = [a for a in d["areas"] if a["parent"] is None]
    assert root and all(a["colour"] in {"red", "orange", "yellow", "blue", None} for a in d["areas"])


def test_demo_people_output_in_chinese_and_english(run):
    assert "重大风险清单" in run("demo").output
    assert "major-risk list" in run("demo", "--lang", "en").output


def test_packs_lists_installed_packs(run):
    d = json.loads(run("packs", "--json").output)
    names = {p["name"] for p in d["packs"]}
    assert {"core", "chemical", "mining", "construction"} <= names
    core = next(p for p in d["packs"] if p["name"] == "core")
    assert core["contributes"]["grading_methods"] == ["lec", "ls", "mes", "matrix"]


def test_methods_and_schema(run):
    assert {m["name"] for m in json.loads(run("methods", "--json").output)} >= {"lec", "ls", "mes", "matrix"}
    assert json.loads(run("schema").output)["title"] == "dualprev enterprise file"
