"""The regulator's side: region tree, regional database, assessment, warnings, supervision, map, scale-out."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from store_support import BACKENDS, empty_store_url

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.cli.app import cli
from dualprev_core.errors import ValidationError
from dualprev_core.exchange import build_submission, check_character, content_hash, events_head_hash
from dualprev_core.loading.enterprise import load_enterprise
from dualprev_core.packs.loader import load_packs
from dualprev_core.region import (
    EvaluationConfig,
    assess_region,
    classify,
    evaluate_submission,
    load_region_file,
    open_region_db,
    parse_region_document,
    plan,
    regional_rules,
)
from dualprev_core.region.regional_map import render_region_map_svg
from dualprev_core.region.scale import evaluate_texts, write_parquet

ROOT = Path(__file__).resolve().parents[1]
PLANT = ROOT / "examples" / "chemical-plant.yaml"
REGIONS = ROOT / "examples" / "region" / "regions.yaml"
AS_OF = datetime(2026, 12, 2, tzinfo=UTC)
METHODS = {"chemical": "chem-19"}


def credit(i: int) -> str:
    body = f"9132050{i % 10}MA{i:07d}".replace("I", "1")[:17]
    return body + check_character(body)


@pytest.fixture(scope="module")
def packs():
    return load_packs()


@pytest.fixture(scope="module")
def plant(packs):
    return load_enterprise(PLANT, packs=packs)


def make_submission(packs, plant, i: int, *, region: str | None = None, generated_at: datetime | None = None, lon: float | None = None, **facts):
    """The example plant as enterprise number ``i`` (own id, name, credit code, location)."""
    f = {**plant.facts, "exchange:credit_code": credit(i), **facts}
    if lon is not None:
        f["exchange:location"] = {"lon": lon, "lat": 31.3}
    e = attrs.evolve(plant, id=f"E-{i}", name=f"企业{i}", region=region or plant.region, facts=f)
    a = Assessment(e, packs=packs)
    a.evaluate_criteria(at=max(x.at for x in e.inspections))
    return build_submission(a, head_hash=events_head_hash(a.ledger.events, seed=f"{i:064d}"),
                            generated_at=generated_at or datetime(2026, 11, 20, tzinfo=UTC))


@pytest.fixture(scope="module")
def subs(packs, plant):
    return [make_submission(packs, plant, i, region="PARK-1" if i % 2 else "T-WEST", lon=120.6 if i % 2 else 120.4) for i in range(4)]


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """A regional database with the example regions, on SQLite and on PostgreSQL (a fresh schema)."""
    with empty_store_url(request.param, tmp_path) as url:
        d = open_region_db(url)
        d.load_regions(load_region_file(REGIONS))
        yield d
        d.close()


@pytest.fixture()
def sqlite_db(tmp_path):
    d = open_region_db(str(tmp_path / "region.db"))
    d.load_regions(load_region_file(REGIONS))
    yield d
    d.close()


# ------------------------------------------------------------------ the region tree


def test_region_file_loads_with_boundaries():
    tree = load_region_file(REGIONS)
    assert tree.ancestors("PARK-1") == ["PARK-1", "X-EAST", "C-DEMO", "P-DEMO"]
    assert set(tree.descendants("C-DEMO")) == {"C-DEMO", "X-EAST", "X-WEST", "PARK-1", "T-WEST"}
    assert tree.get("PARK-1").boundary["type"] == "Polygon"
    assert tree.resolve("示例省示例市化工园区") == "PARK-1"


def test_bad_region_file_lists_every_problem():
    doc = {"format": "dualprev-regions/1", "regions": [
        {"id": "A", "name": "省", "level": "province"},
        {"id": "B", "name": "市", "level": "cityy", "parent": "A"},
        {"id": "C", "name": "县", "level": "county", "parent": "Z"},
        {"id": "D", "name": "省2", "level": "province", "parent": "C"},
        {"id": "A", "name": "重复", "level": "city"},
        {"id": "E", "name": "园", "level": "park", "parent": "A", "boundary": {"type": "Polygon", "coordinates": [[[500, 1], [1, 1]]]}},
    ], "enterprises": [{"credit_code": "91320500MA1XTEQ40R", "region": "A"}, {"credit_code": credit(1), "region": "Q"}]}
    with pytest.raises(ValidationError) as exc:
        parse_region_document(doc, source="r.yaml")
    paths = [p.path for p in exc.value.problems]
    for expected in ("regions[1].level", "regions[2].parent", "regions[3].parent", "regions[4].id", "regions[5].boundary",
                     "enterprises[0].credit_code", "enterprises[1].region"):
        assert expected in paths, (expected, paths)


# ------------------------------------------------------------------ ingest


def test_ingest_twice_lists_the_enterprise_once_with_its_level(db, subs):
    assert db.ingest(subs[1], source="a.json").outcome == "ingested"
    before = db.counts()
    again = db.ingest(copy.deepcopy(subs[1]), source="a.json")
    assert again.outcome == "unchanged" and db.counts() == before
    report = assess_region(db, as_of=AS_OF, industry_methods=METHODS)
    assert [e["id"] for e in report["enterprises"]] == [subs[1]["enterprise"]["CREDIT_CODE"]]
    e = report["enterprises"][0]
    assert e["level"] == "general" and e["method"] == "chem-19" and e["region"] == "PARK-1" and e["name"] == "企业1"


def test_newer_supersedes_and_dropped_records_are_marked_deleted(db, subs):
    old = subs[1]
    assert db.ingest(old, source="old").outcome == "ingested"
    new = copy.deepcopy(old)
    new["generated_at"] = "2026-11-25T00:00:00+00:00"
    new["head_hash"] = "f" * 64
    dropped = new["major_risks"].pop()
    new["content_hash"] = content_hash(new)
    r = db.ingest(new, source="new")
    assert r.outcome == "superseded", r
    live = {m["ID"] for m in db.records("major_risks")}
    assert dropped["ID"] not in live and len(live) == len(new["major_risks"])
    assert dropped["ID"] in {m["ID"] for m in db.records("major_risks", include_deleted=True)}
    assert db.counts()["enterprises"] == 1


@pytest.mark.parametrize("case", ["older", "same_head", "credit_code_changed", "invalid"])
def test_rejected_submissions_change_nothing_and_say_why(db, subs, case):
    assert db.ingest(subs[1], source="first").outcome == "ingested"
    before = (db.counts(), db.records("risk_events"))
    bad = copy.deepcopy(subs[1])
    if case == "older":
        bad["generated_at"], bad["head_hash"] = "2026-01-01T00:00:00+00:00", "e" * 64
        words = "not newer"
    elif case == "same_head":
        bad["risk_events"][0]["EVENT_NAME"] = "改过的名称"
        bad["generated_at"] = "2026-11-30T00:00:00+00:00"
        words = "head of the held submission"
    elif case == "credit_code_changed":
        bad = copy.deepcopy(subs[3])
        bad["enterprise"]["COMPANY_CODE"] = "E-1"
        for key in ("risk_objects", "risk_units", "risk_events", "control_measures", "check_tasks", "check_records", "hidden_dangers",
                    "risk_zones", "major_hazards", "major_risks"):
            for rec in bad[key]:
                rec["COMPANY_CODE"] = "E-1"
        words = "changed credit code"
    else:
        bad["hidden_dangers"][0]["DANGER_SRC"] = "99"
        words = "DANGER_SRC"
    if case != "invalid":
        bad["content_hash"] = content_hash(bad)
    r = db.ingest(bad, source="bad")
    assert r.outcome == "rejected"
    assert words in " ".join(p.path + " " + p.message for p in r.problems) + r.message
    assert (db.counts(), db.records("risk_events")) == before


def test_cli_ingest_reports_each_file(tmp_path, subs):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(subs[0]), encoding="utf-8")
    bad.write_text("{", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'r.db'}"
    r = CliRunner().invoke(cli, ["region", "ingest", str(good), str(good), str(bad), "--db", url, "--json"])
    assert r.exit_code == 2
    out = json.loads(r.output)
    assert [x["outcome"] for x in out["results"]] == ["ingested", "unchanged", "rejected"]
    assert "not valid JSON" in out["results"][2]["problems"][0]["message"]
    assert out["database"]["enterprises"] == 1


# ------------------------------------------------------------------ assessment and warnings


def test_assess_json_has_enterprises_and_regions(db, subs):
    for s in subs:
        db.ingest(s, source="x")
    report = assess_region(db, as_of=AS_OF, industry_methods=METHODS)
    assert {e["region"] for e in report["enterprises"]} == {"PARK-1", "T-WEST"}
    regions = {r["id"]: r for r in report["regions"]}
    assert regions["P-DEMO"]["counts"]["enterprises"] == 4 and regions["X-EAST"]["counts"]["enterprises"] == 2
    assert regions["P-DEMO"]["level"] == max((e["level"] for e in report["enterprises"]), key=["low", "general", "large", "major"].index)
    assert "dualprev" in regions["P-DEMO"]["citation"]["note"]
    assert len(report["major_risks"]) == sum(len(s["major_risks"]) for s in subs)
    only = assess_region(db, as_of=AS_OF, industry_methods=METHODS, region="X-WEST")
    assert {e["region"] for e in only["enterprises"]} == {"T-WEST"} and {r["id"] for r in only["regions"]} == {"X-WEST", "T-WEST"}


def test_default_level_without_the_industry_method(subs):
    row = evaluate_submission(subs[0], EvaluationConfig(as_of=AS_OF))
    assert row["level_method"] == "highest-current" and row["level"] == "major"
    assert "highest-current" in row["level_reason"]


def _kinds(sub, **cfg):
    return evaluate_submission(sub, EvaluationConfig(as_of=cfg.pop("as_of", AS_OF), industry_methods=METHODS))["warning_kinds"]


def test_overdue_major_hidden_danger_warns_with_its_reason(subs):
    sub = subs[0]
    majors = [h for h in sub["hidden_dangers"] if h["DANGER_LEVEL"] == "1" and h["DANGER_STATE"] == "0"]
    assert majors
    deadline = datetime.fromisoformat(majors[0]["DEADLINE"])
    assert "overdue_major_hidden_danger" not in _kinds(sub, as_of=deadline - timedelta(days=1))
    row = evaluate_submission(sub, EvaluationConfig(as_of=deadline + timedelta(days=3), industry_methods=METHODS))
    w = next(x for x in json.loads(row["warning_details"]) if x["kind"] == "overdue_major_hidden_danger")
    assert majors[0]["ID"] in w["evidence"] and "超过治理期限" in w["reason"] and row["overdue_major_hidden_dangers"] >= 1


def test_repeated_failures_of_a_critical_control_warn(subs):
    sub = copy.deepcopy(subs[0])
    crit = next(m for m in sub["control_measures"] if m["DP_CRITICAL"])
    task = next(t for t in sub["check_tasks"] if t["MEASURE_ID"] == crit["ID"])
    assert "repeated_control_failure" not in _kinds(sub)
    for n in range(2):
        rec = dict(sub["check_records"][0], ID=f"00000000-0000-5000-8000-00000000000{n}", TASK_ID=task["ID"], CHECK_STATUS="1",
                   CHECK_TIME=f"2026-11-2{n}T08:00:00+08:00", DP_INSPECTION=f"X-{n}")
        sub["check_records"].append(rec)
    kinds = _kinds(sub)
    assert "repeated_control_failure" in kinds


def test_monitoring_alarms_and_stale_submissions_warn(subs):
    sub = copy.deepcopy(subs[0])
    sub["hidden_dangers"][0]["DP_SOURCE"] = "monitoring:ch4-over-limit"
    assert "monitoring_alarms" in _kinds(sub)
    assert "stale_submission" in _kinds(sub, as_of=AS_OF + timedelta(days=60))


# ------------------------------------------------------------------ supervision


def test_supervision_classes_follow_the_rules(subs):
    rules = regional_rules()
    row = {"id": "x", "name": "x", "level": "major", "level_zh": "重大", "warnings": 0, "overdue_major_hidden_dangers": 0, "standardization": 2}
    c, why = classify(row, rules)
    assert c.id == "A" and "重大" in why
    c, _ = classify({**row, "level": "low", "standardization": 1}, rules)
    assert c.id == "D"
    c, why = classify({**row, "level": "low"}, rules, "shanxi-2025-hazchem")
    assert c.id == "S2" and c.per_year == 4 and "标准化 2" in why
    assert rules.supervision["shanxi-2025-hazchem"].citation.verified is False


def test_plan_lists_who_is_due(sqlite_db, subs):
    db = sqlite_db
    for s in subs:
        db.ingest(s, source="x")
    rep = assess_region(db, as_of=AS_OF, industry_methods=METHODS)
    rows = [{**e, "warnings": len(e["warnings"]), "overdue_major_hidden_dangers": e["counts"]["overdue_major_hidden_dangers"]} for e in rep["enterprises"]]
    visited = rows[0]["id"]
    db.record_visit(visited, AS_OF - timedelta(days=5), "监管员")
    p = plan(rows, regional_rules(), start=AS_OF, end=AS_OF + timedelta(days=30), last_visits=db.last_visits())
    due = {e["id"] for e in p["due"]}
    assert visited not in due and len(due) == len(rows) - 1
    assert p["not_due"][0]["last_visit"].startswith((AS_OF - timedelta(days=5)).date().isoformat())


# ------------------------------------------------------------------ the map


def test_map_renders_regions_and_enterprises(sqlite_db, subs, tmp_path):
    db = sqlite_db
    for s in subs:
        db.ingest(s, source="x")
    rep = assess_region(db, as_of=AS_OF, industry_methods=METHODS)
    svg = render_region_map_svg(rep, db.region_tree())
    assert svg.count("<path") == 4 and svg.count("<circle") == 4 and "东区县" in svg
    out = tmp_path / "map.svg"
    r = CliRunner().invoke(cli, ["region", "map", "--db", db.url, "-o", str(out), "--at", "2026-12-02"])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").startswith("<svg")


# ------------------------------------------------------------------ scale-out


def test_pool_and_dask_give_the_serial_results_and_parquet_is_readable(subs, tmp_path):
    import pyarrow.parquet as pq

    texts = [json.dumps(s) for s in subs] * 3
    cfg = EvaluationConfig(as_of=AS_OF, industry_methods=METHODS)
    key = lambda r: (r["credit_code"], r["warning_details"])  # noqa: E731
    serial = sorted(evaluate_texts(texts, cfg, batch=2), key=key)
    pool = sorted(evaluate_texts(texts, cfg, batch=2, workers=2), key=key)
    dask = sorted(evaluate_texts(texts, cfg, batch=2, local_workers=2), key=key)
    assert serial == pool == dask and len(serial) == 12
    n = write_parquet(dask, tmp_path / "rows.parquet", batch=5)
    table = pq.read_table(tmp_path / "rows.parquet")
    assert n == table.num_rows == 12
    assert table.column("credit_code").to_pylist() == [r["credit_code"] for r in dask]
    assert table.column("warning_kinds").to_pylist()[0] == dask[0]["warning_kinds"]


def test_cli_assess_on_a_dask_local_cluster_writes_parquet(sqlite_db, subs, tmp_path):
    db = sqlite_db
    import pyarrow.parquet as pq

    for s in subs:
        db.ingest(s, source="x")
    out = tmp_path / "e.parquet"
    r = CliRunner().invoke(cli, ["region", "assess", "--db", db.url, "--local-cluster", "2", "--parquet", str(out), "--json", "--at", "2026-12-02"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert len(data["enterprises"]) == 4 and pq.read_table(out).num_rows == 4
    assert set(pq.read_table(out).column("region").to_pylist()) == {"PARK-1", "T-WEST"}


def test_map_png_and_html_through_the_outputs_layer(sqlite_db, subs, tmp_path):
    from services import require_chromium

    for s in subs:
        sqlite_db.ingest(s, source="x")
    html_out = tmp_path / "map.html"
    assert CliRunner().invoke(cli, ["region", "map", "--db", sqlite_db.url, "-o", str(html_out)]).exit_code == 0
    assert "<svg" in html_out.read_text(encoding="utf-8")
    require_chromium()
    png = tmp_path / "map.png"
    r = CliRunner().invoke(cli, ["region", "map", "--db", sqlite_db.url, "-o", str(png), "--at", "2026-12-02"])
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = CliRunner().invoke(cli, ["region", "map", "--db", sqlite_db.url, "-o", str(tmp_path / "map.pdf"), "--lang", "en"])
    assert r.exit_code == 2 and ".svg, .html or .png" in r.output
    r = CliRunner().invoke(cli, ["region", "map", "--db", sqlite_db.url, "-o", str(tmp_path / "map.pdf")])
    assert r.exit_code == 2 and ".svg、.html 或 .png" in r.output
    r = CliRunner().invoke(cli, ["region", "assess", "--db", sqlite_db.url, "--at", "yesterday"])
    assert r.exit_code == 2 and "'yesterday' 不是 ISO 日期或时间" in r.output and "错误" in r.output
    r = CliRunner().invoke(cli, ["region", "assess", "--db", sqlite_db.url, "--at", "yesterday", "--lang", "en"])
    assert r.exit_code == 2 and "'yesterday' is not an ISO date or time" in r.output


def test_done_when_store_export_validates_and_a_region_store_lists_it_once(tmp_path):
    """The issue's end-to-end: enterprise store → submission (valid against the printed schema) →
    a region store ingests it twice → the enterprise is listed once with its level."""
    from jsonschema import Draft202012Validator

    run = CliRunner().invoke
    store, region_db = f"sqlite:///{tmp_path / 'plant.db'}", f"sqlite:///{tmp_path / 'region.db'}"
    assert run(cli, ["db", "import", str(PLANT), "--db", store]).exit_code == 0
    sub = tmp_path / "sub.json"
    assert run(cli, ["export", "submission", "--db", store, "-o", str(sub)]).exit_code == 0
    schema = json.loads(run(cli, ["exchange", "schema"]).output)
    assert list(Draft202012Validator(schema).iter_errors(json.loads(sub.read_text(encoding="utf-8")))) == []
    assert run(cli, ["region", "regions", str(REGIONS), "--db", region_db]).exit_code == 0
    r = run(cli, ["region", "ingest", str(sub), str(sub), "--db", region_db, "--json"])
    assert r.exit_code == 0, r.output
    assert [x["outcome"] for x in json.loads(r.output)["results"]] == ["ingested", "unchanged"]
    r = run(cli, ["region", "assess", "--db", region_db, "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert [(e["id"], e["region"], e["level"]) for e in report["enterprises"]] == [("91320500MA1XTEQ40Q", "PARK-1", "general")]
    assert next(x for x in report["regions"] if x["id"] == "P-DEMO")["counts"]["enterprises"] == 1
    r = run(cli, ["region", "plan", "--db", region_db, "--from", "2026-12-01", "--to", "2026-12-31", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["due"][0]["id"] == "91320500MA1XTEQ40Q"


def _version(sub, n: int):
    v = copy.deepcopy(sub)
    v["generated_at"] = (datetime(2026, 11, 20, tzinfo=UTC) + timedelta(days=n)).isoformat()
    v["head_hash"] = f"{n + 1:064x}"
    v["risk_events"][0]["EVENT_NAME"] = f"第{n}版"
    v["content_hash"] = content_hash(v)
    return v


@settings(max_examples=max(8, settings.default.max_examples // 6))
@given(st.permutations(range(4)))
def test_ingest_is_order_free_the_newest_wins(subs, tmp_path_factory, order):
    """Whatever order the submissions arrive in (re-sent ones included), the database ends with each
    enterprise's newest submission and the same records."""
    versions = [_version(subs[0], n) for n in range(3)] + [subs[2]]
    db = open_region_db(str(tmp_path_factory.mktemp("order") / "r.db"))
    try:
        for i in [*order, order[0]]:
            db.ingest(versions[i], source=str(i))
        held = {e["credit_code"]: e["content_hash"] for e in db.enterprises()}
        assert held == {subs[0]["enterprise"]["CREDIT_CODE"]: versions[2]["content_hash"], subs[2]["enterprise"]["CREDIT_CODE"]: subs[2]["content_hash"]}
        names = {ev["EVENT_NAME"] for ev in db.records("risk_events", credit_code=subs[0]["enterprise"]["CREDIT_CODE"])}
        assert "第2版" in names and "第0版" not in names and "第1版" not in names
    finally:
        db.close()


def test_recorded_monitoring_alarms_travel_and_warn(packs, plant, tmp_path):
    from dualprev_core.store import open_store

    url = f"sqlite:///{tmp_path / 'plant.db'}"
    assert CliRunner().invoke(cli, ["db", "import", str(PLANT), "--db", url]).exit_code == 0
    with open_store(url, create=False) as store:
        state = store.load()
        state.record_alarm({"rule": "nh3-over-limit", "pack": "chemical", "level": "alarm", "point": "GT-201", "message": "氨浓度超限",
                            "at": "2026-11-30T09:00:00+08:00"})
        state.save()
    out = tmp_path / "s.json"
    assert CliRunner().invoke(cli, ["export", "submission", "--db", url, "-o", str(out)]).exit_code == 0
    sub = json.loads(out.read_text(encoding="utf-8"))
    assert sub["enterprise"]["DP_ALARMS"][0]["RULE"] == "nh3-over-limit"
    row = evaluate_submission(sub, EvaluationConfig(as_of=AS_OF, industry_methods=METHODS))
    w = next(x for x in json.loads(row["warning_details"]) if x["kind"] == "monitoring_alarms")
    assert "nh3-over-limit" in w["reason"]
    assert "monitoring_alarms" not in evaluate_submission(sub, EvaluationConfig(as_of=AS_OF + timedelta(days=30)))["warning_kinds"]
