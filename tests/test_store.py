"""The event store, on SQLite and on PostgreSQL: one behaviour, one suite."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from store_support import BACKENDS, empty_store_url, raw_execute

from dualprev_core.cli.app import cli
from dualprev_core.packs.loader import load_packs
from dualprev_core.store import (
    GENESIS,
    INSPECTION_RECORDED,
    ConcurrencyConflict,
    NewEvent,
    NotAStore,
    SchemaTooNew,
    StoreUnavailable,
    StoreURLError,
    open_store,
)
from dualprev_core.store.verify import verify_store

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "enterprise.yaml"
CST = timezone(timedelta(hours=8))


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """Every store test runs on SQLite and on PostgreSQL."""
    with empty_store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module")
def packs():
    return load_packs()


_OPEN: list = []


def open_(url: str, **kwargs):
    """open_store, closed at the end of the test."""
    store = open_store(url, **kwargs)
    _OPEN.append(store)
    return store


@pytest.fixture(autouse=True)
def _close_stores():
    yield
    while _OPEN:
        _OPEN.pop().close()


def recorded_store(url: str, packs) -> tuple[object, object]:
    """A store holding the example register and its own inspections (hidden dangers opened)."""
    store = open_(url)
    store.import_register(EXAMPLE, actor="张三", packs=packs)
    state = store.load(packs=packs)
    for i in state.register_inspections:
        state.record_inspection(i)
    state.save()
    return store, state


def close_one(state, hd_id: str) -> None:
    hd = state.ledger.get(hd_id)
    at = hd.last_at + timedelta(hours=1)
    if hd.is_major:
        state.ledger.approve_plan(hd_id, plan={"responsible_person": "厂长", "measures": ["更换"], "funds_amount": 1000,
                                               "funds_source": "安全费用", "deadline": at + timedelta(days=3),
                                               "contingency_plan": "停用并设警戒",
                                               # a major hidden danger's plan also has the six contents of 16号令 第十五条
                                               "objectives": ["联锁恢复投用"], "tasks": ["解除旁路", "回路测试"], "materials": "备件在库",
                                               "organisation": "设备动力部", "requirements": "测试合格后验收",
                                               "safety_measures": "停止氯化进料，现场监护"}, by="安全总监", at=at)
    state.ledger.start_rectifying(hd_id, by="维修工", at=at)
    state.ledger.rectify(hd_id, measures=["已修复"], by="维修工", at=at + timedelta(hours=1))
    state.ledger.verify(hd_id, passed=True, by="安全员", at=at + timedelta(hours=2))
    state.ledger.close(hd_id, by="安全员", at=at + timedelta(hours=3))


# ---------------------------------------------------------------- round trip


def test_state_round_trips_through_the_store(store_url, packs):
    store, state = recorded_store(store_url, packs)
    again = store.load(packs=packs)
    assert again.version == state.version and again.head_hash == state.head_hash
    assert [e.to_dict() for e in again.ledger.events] == [e.to_dict() for e in state.ledger.events]
    # passed inspections are records too (排查记录)
    assert len(again.inspections) == len(state.register_inspections)
    assert any(i.result.key == "effective" for i in again.inspections)
    assert again.assessment().current_levels() == state.assessment().current_levels()
    kinds = [e.kind for e in store.events(state.enterprise_id)]
    assert kinds[0] == "register.imported" and kinds.count(INSPECTION_RECORDED) == len(state.register_inspections)
    assert all(e.actor for e in store.events()) and all(e.at and e.recorded_at for e in store.events())


def test_recording_the_same_inspections_again_adds_nothing(store_url, packs):
    store, state = recorded_store(store_url, packs)
    again = store.load(packs=packs)
    outcomes = [again.record_inspection(i) for i in again.register_inspections]
    assert all(o.already_recorded for o in outcomes)
    assert again.save().appended == 0
    assert store.head(state.enterprise_id) == (state.version, state.head_hash)


def test_assessment_reflects_closed_hidden_dangers(store_url, packs):
    store, state = recorded_store(store_url, packs)
    before = state.assessment().current_levels()
    for hd in list(state.ledger.open()):
        close_one(state, hd.id)
    state.save()
    after = store.load(packs=packs).assessment()
    assert after.current_levels() != before
    assert all(after.current_level(r) == after.assessed_level(r) for r in after.current_levels())


def test_assessment_at_a_past_time(store_url, packs):
    store, state = recorded_store(store_url, packs)
    first = min(e.at for e in state.ledger.events)
    past = state.assessment(at=first - timedelta(seconds=1))
    assert all(past.current_level(r) == past.assessed_level(r) for r in past.current_levels())


# ---------------------------------------------------------------- concurrency


def test_a_stale_writer_is_refused_and_writes_nothing(store_url, packs):
    store, _ = recorded_store(store_url, packs)
    a, b = store.load(packs=packs), store.load(packs=packs)
    hd = a.ledger.open()[0].id
    a.ledger.start_rectifying(hd, by="甲")
    a.save()
    b.ledger.start_rectifying(hd, by="乙")
    with pytest.raises(ConcurrencyConflict, match="nothing was written"):
        b.save()
    final = store.load(packs=packs)
    assert final.version == a.version
    assert [e.by for e in final.ledger.get(hd).history][-1] == "甲"


def test_update_retries_on_a_conflict(store_url, packs):
    store, _ = recorded_store(store_url, packs)
    other = open_(store_url)
    calls = []

    def change(state):
        calls.append(state.version)
        if len(calls) == 1:  # another writer gets in between this read and its commit
            other.append(state.enterprise_id, [NewEvent(kind="monitoring.alarm", data={"rule": "r", "at": "x"}, actor="m",
                                                        at=datetime.now(CST))], expected_version=state.version)
        state.record_alarm({"rule": "test", "level": "warning", "message": "m", "at": datetime.now(CST).isoformat()})

    store.update(None, change, packs=packs)
    assert len(calls) == 2 and calls[1] == calls[0] + 1
    other.close()


def test_expected_version_zero_creates_a_stream_once(store_url):
    store = open_(store_url)
    ev = NewEvent(kind="monitoring.alarm", data={"n": 1}, actor="a", at=datetime.now(CST))
    assert store.append("E", [ev], expected_version=0).version == 1
    with pytest.raises(ConcurrencyConflict):
        store.append("E", [ev], expected_version=0)
    assert store.head("E")[0] == 1


# ---------------------------------------------------------------- register versions


def test_register_versions_and_readable_diff(store_url, packs, tmp_path):
    store = open_(store_url)
    store.import_register(EXAMPLE, actor="a", packs=packs)
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["risks"][0]["inputs"]["L"] = 3
    removed = doc["inspections"].pop(0)["id"]
    changed = tmp_path / "v2.json"
    changed.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    r = store.import_register(changed, actor="b", packs=packs)
    assert not r.unchanged and r.version.number == 2
    lines = [c.line() for c in r.changes]
    assert f"~ risks[{doc['risks'][0]['id']}].inputs.L: 1 → 3" in lines
    assert f"- inspections[{removed}]" in lines
    assert store.import_register(changed, actor="c", packs=packs).unchanged
    assert [v.actor for v in store.register_versions(r.enterprise_id)] == ["a", "b"]
    assert store.load(packs=packs).register_version == 2


# ---------------------------------------------------------------- tamper evidence

TAMPERS = {
    "changed field (verifier)": lambda seq: [("UPDATE dualprev_events SET data = replace(data, '安全员', '厂长') WHERE stream = ? AND seq = ?", seq)],
    "grade changed": lambda seq: [("UPDATE dualprev_events SET data = replace(replace(replace(data, '\"grade\":\"major\"', '\"grade\":\"x\"'), '\"grade\":\"general\"', '\"grade\":\"major\"'), '\"grade\":\"x\"', '\"grade\":\"general\"') WHERE stream = ? AND seq = ?", seq)],
    "deleted line": lambda seq: [("DELETE FROM dualprev_events WHERE stream = ? AND seq = ?", seq)],
    "rewritten text": lambda seq: [("UPDATE dualprev_events SET data = replace(data, '已修复', '无问题') WHERE stream = ? AND seq = ?", seq)],
    "actor changed": lambda seq: [("UPDATE dualprev_events SET actor = 'someone' WHERE stream = ? AND seq = ?", seq)],
}


def _closed_store(store_url, packs):
    store, state = recorded_store(store_url, packs)
    major = next(h for h in state.ledger.open() if h.is_major) if any(h.is_major for h in state.ledger.open()) else state.ledger.open()[0]
    close_one(state, major.id)
    state.save()
    return store, state


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_verify_names_the_edited_event(store_url, packs, name):
    store, state = _closed_store(store_url, packs)
    assert verify_store(store).ok
    events = list(store.events(state.enterprise_id))
    target = {"changed field (verifier)": "hidden_danger.verified", "grade changed": "hidden_danger.assessed",
              "deleted line": "hidden_danger.verified", "rewritten text": "hidden_danger.rectified", "actor changed": "hidden_danger.closed"}[name]
    seq = [e.seq for e in events if e.kind == target][-1]
    raw_execute(store_url, [(sql, (state.enterprise_id, s)) for sql, s in TAMPERS[name](seq)])
    report = verify_store(store)
    assert not report.ok
    check = report.streams[0]
    assert check.seq == seq, check.problem
    assert str(seq) in check.problem


def test_verify_detects_a_deleted_tail_and_a_deleted_stream(store_url, packs):
    store, state = _closed_store(store_url, packs)
    last = state.version
    raw_execute(store_url, [("DELETE FROM dualprev_events WHERE stream = ? AND seq > ?", (state.enterprise_id, last - 2))])
    check = verify_store(store).streams[0]
    assert not check.ok and "tail missing" in check.problem and check.seq == last - 1
    raw_execute(store_url, [("DELETE FROM dualprev_events WHERE stream = ?", (state.enterprise_id,))])
    check = verify_store(store).streams[0]
    assert not check.ok and "tail missing" in check.problem and check.seq == 1


def test_verify_detects_reordered_events(store_url, packs):
    store, state = _closed_store(store_url, packs)
    a, b = state.version - 1, state.version
    raw_execute(store_url, [
        ("UPDATE dualprev_events SET seq = -1 WHERE stream = ? AND seq = ?", (state.enterprise_id, a)),
        ("UPDATE dualprev_events SET seq = ? WHERE stream = ? AND seq = ?", (a, state.enterprise_id, b)),
        ("UPDATE dualprev_events SET seq = ? WHERE stream = ? AND seq = -1", (b, state.enterprise_id)),
    ])
    check = verify_store(store).streams[0]
    assert not check.ok and check.seq == a


def test_a_tail_cut_with_its_head_rewritten_is_caught_by_an_outside_head(store_url, packs):
    store, state = _closed_store(store_url, packs)
    outside = state.head_hash
    events = list(store.events(state.enterprise_id))
    keep = events[-3]
    raw_execute(store_url, [
        ("DELETE FROM dualprev_events WHERE stream = ? AND seq > ?", (state.enterprise_id, keep.seq)),
        ("UPDATE dualprev_streams SET version = ?, head_hash = ? WHERE stream = ?", (keep.seq, keep.hash, state.enterprise_id)),
    ])
    assert verify_store(store).ok  # undetectable from inside, as documented
    report = verify_store(store, head=outside)
    assert not report.ok and report.head is not None and not report.head.found
    assert verify_store(store, head=keep.hash).ok


def test_opening_a_tampered_stream_fails_clearly(store_url, packs):
    store, state = _closed_store(store_url, packs)
    seq = state.version
    raw_execute(store_url, [("UPDATE dualprev_events SET actor = 'x' WHERE stream = ? AND seq = ?", (state.enterprise_id, seq))])
    from dualprev_core.store import StoreCorrupted

    with pytest.raises(StoreCorrupted, match=f"event {seq}"):
        store.load(packs=packs)


def test_events_are_append_only_through_sql(store_url, packs):
    store, state = recorded_store(store_url, packs)
    from dualprev_core.store import StoreError

    with pytest.raises((StoreError, Exception), match="append-only"):
        store._b.execute("UPDATE dualprev_events SET actor = 'x' WHERE seq = 1")


# ---------------------------------------------------------------- snapshots


def test_snapshots_give_the_same_state_and_are_verified(store_url, packs):
    store, state = _closed_store(store_url, packs)
    without = store.load(packs=packs)
    v = store.snapshot()
    assert v == state.version
    with_snap = store.load(packs=packs)
    assert [e.to_dict() for e in with_snap.ledger.events] == [e.to_dict() for e in without.ledger.events]
    assert with_snap.inspections == without.inspections and with_snap.register_version == without.register_version
    assert with_snap.assessment().current_levels() == without.assessment().current_levels()
    # appending after a snapshot: the tail is read on top of it
    with_snap.record_alarm({"rule": "r", "level": "warning", "message": "after", "at": datetime.now(CST).isoformat()})
    with_snap.save()
    assert store.load(packs=packs).alarms[-1]["message"] == "after"
    assert verify_store(store).ok
    raw_execute(store_url, [("UPDATE dualprev_snapshots SET data = replace(data, '安全员', '厂长')", ())])
    check = verify_store(store).streams[0]
    assert not check.ok and "snapshot" in check.problem


# ---------------------------------------------------------------- schema versions


def test_a_newer_schema_is_refused(store_url):
    open_(store_url).close()
    raw_execute(store_url, [("UPDATE dualprev_meta SET value = '99' WHERE key = 'schema_version'", ())])
    with pytest.raises(SchemaTooNew, match="99"):
        open_store(store_url)


FIXTURES = Path(__file__).resolve().parent / "data" / "store"


def test_migration_from_version_1(store_url, packs):
    """A store written by schema version 1 (a fixture of its tables and rows) opens, migrates and verifies."""
    from dualprev_core.store._schema import SCHEMA_VERSION, schema_version

    lines = (FIXTURES / "schema-v1.sql").read_text(encoding="utf-8").splitlines()
    raw_execute(store_url, [(line.rstrip(";"), ()) for line in lines if line and not line.startswith("--")])
    store = open_(store_url)
    assert schema_version(store._b) == SCHEMA_VERSION
    assert verify_store(store).ok
    state = store.load(packs=packs)
    assert state.version == 12 and state.register_version == 1
    assert len(state.inspections) == 6 and any(h.state.key == "rectifying" for h in state.ledger.all())
    state.record_alarm({"rule": "r", "level": "warning", "message": "after the migration", "at": datetime.now(CST).isoformat()})
    state.save()
    assert store.snapshot() == 13
    assert verify_store(store).ok
    with pytest.raises(Exception, match="append-only"):
        store._b.execute("DELETE FROM dualprev_events WHERE seq = 1")


# ---------------------------------------------------------------- bad stores


def test_bad_urls_and_files(tmp_path):
    with pytest.raises(StoreURLError, match="unknown scheme 'mysql'"):
        open_store("mysql://x/y")
    with pytest.raises(StoreUnavailable, match="is a directory"):
        open_store(str(tmp_path))
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(NotAStore):
        open_store(str(text))
    assert text.read_text(encoding="utf-8") == "hello"
    with pytest.raises(StoreUnavailable, match="no store here"):
        open_store(str(tmp_path / "missing.db"), create=False)
    assert not (tmp_path / "missing.db").exists()


def test_a_sqlite_database_of_another_program_is_not_a_store(tmp_path):
    import sqlite3

    p = tmp_path / "other.db"
    with sqlite3.connect(p) as c:
        c.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(NotAStore, match="customers"):
        open_store(str(p))


def test_a_read_only_store_is_refused(tmp_path, monkeypatch):
    p = tmp_path / "ro.db"
    open_(str(p)).close()
    p.chmod(0o444)
    if os.geteuid() == 0:  # root may write anyway; the store must still refuse what the mode says
        real = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: False if mode == os.W_OK and str(path) == str(p) else real(path, mode))
    with pytest.raises(StoreUnavailable, match="read-only"):
        open_store(str(p))


def test_unreachable_server_is_one_line():
    with pytest.raises(StoreUnavailable, match="cannot connect"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


# ---------------------------------------------------------------- the command line


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_cli_closes_hidden_dangers_and_assess_shows_the_levels(store_url):
    r = run("db", "import", str(EXAMPLE), "--db", store_url, "--by", "张三")
    assert r.exit_code == 0, r.output
    r = run("inspect", "--db", store_url, "--json")
    assert r.exit_code == 0, r.output
    opened = [i["hidden_danger"]["id"] for i in json.loads(r.output)["inspections"] if i["hidden_danger"]]
    before = json.loads(run("assess", "--db", store_url, "--json").output)
    hd = opened[0]
    at = datetime(2026, 12, 1, 9, tzinfo=CST)
    listing = json.loads(run("hidden-dangers", "list", "--db", store_url, "--json").output)
    grade = next(h for h in listing if h["id"] == hd)["grade"]
    steps = []
    if grade == "major":
        plan = {"responsible_person": "厂长", "measures": ["更换"], "funds_amount": 1000, "funds_source": "安全费用",
                "deadline": (at + timedelta(days=3)).isoformat(), "contingency_plan": "停用"}
        pf = Path(store_url).parent / "plan.yaml" if "://" not in store_url else Path(os.environ.get("TMPDIR", "/tmp")) / f"plan-{os.getpid()}.yaml"
        pf.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
        steps.append(("approve-plan", "安全总监", ["--plan", str(pf)]))
    steps += [("start", "维修工", []), ("rectify", "维修工", ["--measures", "已修复"]), ("verify", "安全员", ["--passed"]),
              ("close", "安全员", [])]
    for i, (action, by, extra) in enumerate(steps):
        r = run("hidden-dangers", "transition", "--db", store_url, hd, action, "--by", by, "--at", (at + timedelta(hours=i)).isoformat(), *extra)
        assert r.exit_code == 0, r.output
    after = json.loads(run("assess", "--db", store_url, "--json").output)
    assert after["store"]["head_hash"] != before["store"]["head_hash"]
    state_of = {h["id"]: h["state"] for h in after["hidden_dangers"]}
    assert state_of[hd] == "closed"
    assert before["risks"] != after["risks"]
    r = run("db", "verify", "--db", store_url, "--lang", "en")
    assert r.exit_code == 0 and "ok" in r.output
    r = run("db", "verify", "--db", store_url, "--head", before["store"]["head_hash"], "--lang", "en")
    assert r.exit_code == 0 and "appended since" in r.output
    r = run("db", "verify", "--db", store_url, "--head", before["store"]["head_hash"])
    assert r.exit_code == 0 and "其后又追加了" in r.output
    r = run("db", "log", "--db", store_url, "--lang", "en")
    assert "inspection INS-" in r.output and f"{hd} closed" in r.output
    r = run("db", "log", "--db", store_url)
    assert "排查记录 INS-" in r.output and f"{hd} 销号" in r.output


def test_cli_verify_fails_on_an_edit(store_url):
    run("db", "import", str(EXAMPLE), "--db", store_url)
    run("inspect", "--db", store_url)
    raw_execute(store_url, [("UPDATE dualprev_events SET data = replace(data, '周杰', '某人') WHERE kind = 'inspection.recorded'", ())])
    r = run("db", "verify", "--db", store_url, "--lang", "en")
    assert r.exit_code == 1 and "FAILED" in r.output
    r = run("db", "verify", "--db", store_url)
    assert r.exit_code == 1 and "未通过" in r.output


@pytest.mark.parametrize("url,message", [
    ("mysql://x/y", "unknown scheme"),
    ("postgresql://nobody@127.0.0.1:1/none", "cannot connect"),
])
def test_cli_bad_store_urls_exit_2_with_one_line(url, message):
    r = CliRunner().invoke(cli, ["assess", "--db", url])
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_cli_not_a_store_and_missing_store(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("not a store", encoding="utf-8")
    r = CliRunner().invoke(cli, ["hidden-dangers", "list", "--db", str(f)])
    assert r.exit_code == 2 and "not a dualprev store" in r.output
    r = CliRunner().invoke(cli, ["assess", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 2 and "no store here" in r.output and not (tmp_path / "none.db").exists()
    r = CliRunner().invoke(cli, ["db", "verify", "--db", str(tmp_path)])
    assert r.exit_code == 2 and "directory" in r.output


def test_cli_export_carries_the_head(store_url, tmp_path):
    run("db", "import", str(EXAMPLE), "--db", store_url)
    run("inspect", "--db", store_url)
    out = tmp_path / "e.jsonl"
    r = CliRunner().invoke(cli, ["db", "export", "--db", store_url, "--format", "jsonl", "-o", str(out), "--lang", "en"])
    assert r.exit_code == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["prev_hash"] == GENESIS and f"head {lines[-1]['hash']}" in r.output
    led = tmp_path / "l.jsonl"
    assert CliRunner().invoke(cli, ["db", "export", "--db", store_url, "--format", "ledger", "-o", str(led)]).exit_code == 0
    r = CliRunner().invoke(cli, ["hidden-dangers", "list", "--ledger", str(led), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)


def test_cli_import_ledger(store_url, tmp_path):
    led = tmp_path / "l.jsonl"
    assert run("inspect", str(EXAMPLE), "--ledger", str(led)).exit_code == 0
    run("db", "import", str(EXAMPLE), "--db", store_url)
    r = run("db", "import-ledger", str(led), "--db", store_url)
    assert r.exit_code == 0, r.output
    listing = json.loads(run("hidden-dangers", "list", "--db", store_url, "--json").output)
    assert {h["id"] for h in listing} == {h["id"] for h in json.loads(run("hidden-dangers", "list", "--ledger", str(led), "--json").output)}
    r = CliRunner().invoke(cli, ["db", "import-ledger", str(led), "--db", store_url])
    assert r.exit_code == 2 and "already has" in r.output


MINE = EXAMPLE.parent / "mine.yaml"
GAS = EXAMPLE.parent / "mine-gas.csv"


def test_cli_monitor_records_alarms_and_their_hidden_dangers(store_url):
    assert run("db", "import", str(MINE), "--db", store_url).exit_code == 0
    r = run("monitor", str(GAS), "--db", store_url, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["alarms"], "the example readings raise alarms"
    with open_(store_url) as store:
        kinds = [e.kind for e in store.events()]
        state = store.load()
    assert kinds.count("monitoring.alarm") == len(out["alarms"])
    assert {h["id"] for h in out["hidden_dangers"]} <= {h.id for h in state.ledger.all()}
    assert [a["rule"] for a in state.alarms] == [a["rule"] for a in out["alarms"]]


def test_cli_check_overdue_and_db_from_the_environment(store_url):
    env = {"DUALPREV_DB": store_url}
    assert run("db", "import", str(EXAMPLE), env=env).exit_code == 0
    assert run("inspect", env=env).exit_code == 0
    r = run("hidden-dangers", "check-overdue", "--now", "2027-06-01T08:00:00+08:00", "--json", env=env)
    assert r.exit_code == 0, r.output
    marked = json.loads(r.output)
    assert marked and all(e["kind"] == "marked_overdue" for e in marked)
    listing = json.loads(run("hidden-dangers", "list", "--json", env=env).output)
    assert all(h["overdue"] for h in listing if h["id"] in {e["hd_id"] for e in marked})
    # an explicit FILE wins over DUALPREV_DB
    r = run("assess", str(EXAMPLE), "--json", env=env)
    assert r.exit_code == 0 and "store" not in json.loads(r.output)


def test_cli_several_enterprises_need_an_id(store_url, tmp_path):
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["enterprise"]["id"] = "ENT-OTHER"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run("db", "import", str(EXAMPLE), "--db", store_url).exit_code == 0
    assert run("db", "import", str(other), "--db", store_url).exit_code == 0
    r = CliRunner().invoke(cli, ["assess", "--db", store_url])
    assert r.exit_code == 2 and "2 enterprises" in r.output and "-e ID" in r.output
    r = run("assess", "--db", store_url, "-e", "ENT-OTHER", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["store"]["enterprise"] == "ENT-OTHER"
    r = CliRunner().invoke(cli, ["assess", "--db", store_url, "-e", "ENT-OTHR"])
    assert r.exit_code == 2 and "did you mean 'ENT-OTHER'" in r.output


@pytest.mark.parametrize("content,message", [
    ('{"kind": "reported", "hd_id": "H"\n', "line 1"),
    ("not json at all\n", "line 1"),
])
def test_a_ledger_file_that_does_not_parse_is_refused_not_emptied(tmp_path, content, message):
    led = tmp_path / "l.jsonl"
    led.write_text(content, encoding="utf-8")
    r = CliRunner().invoke(cli, ["inspect", str(EXAMPLE), "--ledger", str(led)])
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert led.read_text(encoding="utf-8") == content
    r = CliRunner().invoke(cli, ["hidden-dangers", "list", "--ledger", str(tmp_path)])
    assert r.exit_code == 2 and "directory" in r.output


def test_register_import_refuses_an_invalid_file_and_writes_nothing(store_url, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("inputs: {L: 1, E: 10, C: 40}", "inputs: {L: 4, E: 10, C: 40}", 1), encoding="utf-8")
    r = CliRunner().invoke(cli, ["db", "import", str(bad), "--db", store_url])
    assert r.exit_code == 2 and "bad.yaml" in r.output
    with open_(store_url) as store:
        assert store.enterprise_ids() == []


def test_commits_write_snapshots_that_verify(store_url, packs, monkeypatch):
    from dualprev_core.store import store as store_module

    monkeypatch.setattr(store_module, "SNAPSHOT_EVERY", 5)
    store, state = recorded_store(store_url, packs)  # > 5 events: the first commit snapshots
    for i in range(4):
        st = store.load(packs=packs)
        for j in range(3):
            st.record_alarm({"rule": "r", "level": "warning", "message": f"{i}.{j}", "at": datetime.now(CST).isoformat()})
        close_one(st, st.ledger.open()[0].id) if i == 0 else None
        st.save()
    snaps = [s[0] for s in store.snapshots(state.enterprise_id)]
    assert len(snaps) >= 3 and snaps[0] == state.version
    assert verify_store(store).ok
    assert [a["message"] for a in store.load(packs=packs).alarms][-3:] == ["3.0", "3.1", "3.2"]


def test_a_postgresql_schema_may_hold_a_platforms_tables(tmp_path):
    with empty_store_url("postgresql", tmp_path) as url:
        raw_execute(url, [("CREATE TABLE platform_users (id INTEGER)", ())])
        with open_(url) as store:
            store.import_register(EXAMPLE, actor="a")
            assert store.enterprise_ids() == ["ENT-HX-CHEM"]


def test_monitor_with_an_enterprise_file_ignores_a_store_from_the_environment(tmp_path):
    env = {"DUALPREV_DB": str(tmp_path / "store.db")}
    r = run("monitor", str(GAS), "-e", str(MINE), "--json", env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["alarms"] and not (tmp_path / "store.db").exists()
