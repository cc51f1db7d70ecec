"""CLI of the loop: inspect, hidden-dangers (with guards), rules check."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dualprev_core.cli.app import cli
from dualprev_core.cli.assess import example_path

EXAMPLE = str(example_path())


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_inspect_writes_a_ledger_and_is_idempotent(tmp_path):
    ledger = tmp_path / "l.jsonl"
    r = run("inspect", EXAMPLE, "--ledger", ledger, "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    opened = [i for i in d["inspections"] if i["opened"]]
    assert opened and all(i["hidden_danger"]["grade"] in ("general", "major") for i in opened)
    moved = [c for i in d["inspections"] for c in i["changes"] if c["kind"] == "risk"]
    assert moved and all(c["after"] > c["before"] or c["after"] == "major" for c in moved)
    lines = ledger.read_text(encoding="utf-8").splitlines()
    assert len(lines) == d["events"] and all(json.loads(x)["kind"] for x in lines)
    again = json.loads(run("inspect", EXAMPLE, "--ledger", ledger, "--json").output)
    assert all(i["already_recorded"] for i in again["inspections"] if i["inspection"] in {o["inspection"] for o in opened})
    assert ledger.read_text(encoding="utf-8").splitlines() == lines


def test_inspect_a_separate_inspections_file_with_errors(tmp_path):
    f = tmp_path / "i.yaml"
    f.write_text("format: dualprev-inspections/1\ninspections:\n  - {id: X1, control: C-NOPE, result: failed, by: 张三, at: '2026-11-30T08:00:00'}\n"
                 "  - {id: X2, control: C-TK-GDS, result: broken, by: 张三, at: '2026-11-30T08:00:00'}\n", encoding="utf-8")
    r = run("inspect", EXAMPLE, "--inspections", f)
    assert r.exit_code == 2 and "inspections[1].result: 'broken' is not one of effective, weakened, failed, missing (line 4)" in r.output
    f.write_text("- {id: X1, control: C-TK-GDSS, result: failed, by: 张三, at: '2026-11-30T08:00:00'}\n", encoding="utf-8")
    r = run("inspect", EXAMPLE, "--inspections", f)
    assert r.exit_code == 2 and "did you mean 'C-TK-GDS'" in r.output


def test_hidden_danger_transitions_apply_guards(tmp_path):
    ledger = tmp_path / "l.jsonl"
    d = json.loads(run("inspect", EXAMPLE, "--ledger", ledger, "--json").output)
    hd = next(i["hidden_danger"]["id"] for i in d["inspections"] if i["opened"])
    before = ledger.read_text(encoding="utf-8")
    r = run("hidden-dangers", "transition", "--ledger", ledger, hd, "verify", "--by", "李四", "--passed", "--lang", "en")
    assert r.exit_code == 2 and "allowed only when rectified" in r.output
    r = run("hidden-dangers", "transition", "--ledger", ledger, hd, "verify", "--by", "李四", "--passed")  # zh: what was typed, why, in Chinese
    assert r.exit_code == 2 and f"transition {hd} verify --by 李四" in r.output and "只有在「已整改」状态下才可以" in r.output
    assert ledger.read_text(encoding="utf-8") == before  # a rejected transition changes nothing
    assert run("hidden-dangers", "transition", "--ledger", ledger, hd, "start", "--by", "张三", "--at", "2026-11-29T10:00:00").exit_code == 0
    assert run("hidden-dangers", "transition", "--ledger", ledger, hd, "rectify", "--by", "张三", "--measures", "更换探头", "--at", "2026-11-29T11:00:00").exit_code == 0
    r = run("hidden-dangers", "transition", "--ledger", ledger, hd, "verify", "--by", "张三", "--passed", "--at", "2026-11-29T12:00:00")
    assert r.exit_code == 2 and "验收须由整改人以外的人进行" in r.output
    assert run("hidden-dangers", "transition", "--ledger", ledger, hd, "verify", "--by", "李四", "--passed", "--at", "2026-11-29T12:00:00").exit_code == 0
    assert run("hidden-dangers", "transition", "--ledger", ledger, hd, "close", "--by", "李四", "--at", "2026-11-29T13:00:00").exit_code == 0
    listing = json.loads(run("hidden-dangers", "list", "--ledger", ledger, "--json").output)
    assert next(h for h in listing if h["id"] == hd)["state"] == "closed"
    assert hd not in {h["id"] for h in json.loads(run("hidden-dangers", "list", "--ledger", ledger, "--open", "--json").output)}


def test_check_overdue_escalates(tmp_path):
    ledger = tmp_path / "l.jsonl"
    run("inspect", EXAMPLE, "--ledger", ledger)
    events = json.loads(run("hidden-dangers", "check-overdue", "--ledger", ledger, "--now", "2027-01-31T00:00:00", "--json").output)
    assert events and all(e["kind"] == "marked_overdue" for e in events)


def test_rules_check(tmp_path):
    from pathlib import Path

    good = Path(__file__).parent / "data" / "test-criteria.yaml"
    r = run("rules", "check", good, "--lang", "en")
    assert r.exit_code == 0 and "ok" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("op: le", "op: lesser"), encoding="utf-8")
    r = run("rules", "check", bad, "--json")
    assert r.exit_code == 2
    (res,) = json.loads(r.output)
    assert not res["ok"] and "lesser" in res["problems"][0]["message"] and res["problems"][0]["line"] == 22
