"""The command line speaks the user's language.

With ``--lang zh`` (the default) no English word and no raw key reaches the screen: every
command is run on the examples at 80 columns and its output scanned for ASCII words that are not
ids, codes, units, abbreviations or the installed packs' and methods' names.  At 80 columns every
id is printed whole on one line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dualprev_core.cli.app import cli
from dualprev_core.loading.enterprise import load_enterprise
from dualprev_core.packs import load_packs

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
ENV = {"COLUMNS": "80", "LINES": "50"}

#: Units and abbreviations people write in Chinese text too.
UNITS = {"kPa", "MPa", "mm", "km", "kV", "ppm", "t", "h", "m", "s", "min", "kg", "Ω", "km/h"}
#: A valid 统一社会信用代码 for the example's submission (the example records none).
CREDIT_CODE = "91320500MA1XTEQ40Q"
#: Products named by their names in Chinese text too.
PRODUCTS = {"SQLite", "PostgreSQL", "sha256"}


def _names() -> set[str]:
    packs = load_packs()
    return {*packs.manifests, *packs.registry.methods, "dualprev"}


def run(*args: object, ok: bool = True) -> str:
    r = CliRunner().invoke(cli, [str(a) for a in args], env=ENV)
    if ok:
        assert r.exit_code == 0, (args, r.output)
    return r.output


def english_words(output: str, allowed: set[str]) -> list[str]:
    """ASCII words in ``output`` that are neither ids/codes/paths nor allowed names."""
    bad = []
    output = re.sub(r"`[^`]*`", " ", output)  # what the user typed, quoted back (commands, file fields)
    for tok in re.findall(r"-{0,2}[A-Za-z][A-Za-z0-9_.:/\\-]*", output):
        word = tok.rstrip(".:-")
        if tok.startswith("--") or not word:
            continue  # an option name, as typed
        if any(ch.isdigit() for ch in word) or "/" in word or "\\" in word:
            continue  # ids with numbers, paths, codes (R101, INS-2611-05, GB/T, 4t/h)
        if "-" in word and "_" not in word and ":" not in word:
            continue  # ids (R-TK-FIRE, P-REACT, test-major-criteria)
        if word.isupper() or word in allowed or word in UNITS or word in PRODUCTS:
            continue  # abbreviations and formula letters (LEC, SIS, D, V), pack and method names
        bad.append(word)
    return bad


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    led = tmp_path_factory.mktemp("zh") / "ledger.jsonl"
    run("inspect", EX / "enterprise.yaml", "--ledger", led)
    return led


def _store_and_region(tmp: Path) -> tuple[str, Path, str]:
    """A store made from the example (two register versions, inspections recorded), its submission,
    and a regional database (URL) to ingest it into."""
    store = str(tmp / "store.db")
    run("db", "import", EX / "enterprise.yaml", "--db", store, "--by", "张三")
    run("inspect", "--db", store)
    changed = tmp / "enterprise-v2.yaml"
    text_ = (EX / "enterprise.yaml").read_text(encoding="utf-8")
    first = load_enterprise(EX / "enterprise.yaml").risks[0]
    changed.write_text(text_.replace(first.name, first.name + "（复核）", 1), encoding="utf-8")
    run("db", "import", changed, "--db", store, "--by", "李四")
    sub = tmp / "submission.json"
    run("export", "submission", EX / "enterprise.yaml", "--credit-code", CREDIT_CODE, "-o", sub)
    return store, sub, str(tmp / "region.db")


def _commands(ledger: Path, tmp: Path) -> list[tuple[tuple[object, ...], bool]]:
    hd = json.loads(run("hidden-dangers", "list", "--ledger", ledger, "--json"))[0]["id"]
    reg = tmp / "register.xlsx"
    store, sub, region = _store_and_region(tmp)
    return [
        (("demo",), True),
        *((("assess", EX / f), True) for f in ("enterprise.yaml", "chemical-plant.yaml", "mine.yaml", "construction-project.yaml")),
        (("grade", "lec", "L=3", "E=6", "C=15"), True),
        (("grade", "matrix", "L=2", "S=5"), True),
        (("grade", "lec", "L=1", "E=6", "C=7"), True),
        (("methods",), True),
        (("packs",), True),
        (("inspect", EX / "enterprise.yaml", "--ledger", tmp / "again.jsonl"), True),
        (("hidden-dangers", "list", "--ledger", ledger), True),
        (("hidden-dangers", "transition", "--ledger", ledger, hd, "verify", "--by", "李四", "--passed"), False),
        (("hidden-dangers", "transition", "--ledger", ledger, hd, "close", "--by", "李四"), False),
        (("hidden-dangers", "check-overdue", "--ledger", ledger, "--now", "2027-01-31T00:00:00"), True),
        (("hidden-dangers", "list", "--ledger", ledger), True),
        (("monitor", EX / "mine-gas.csv", "-e", EX / "mine.yaml"), True),
        (("rules", "check", ROOT / "tests" / "data" / "test-criteria.yaml"), True),
        (("tasks", "list", EX / "enterprise.yaml", "--at", "2026-12-01T08:00:00"), True),
        (("render", "map", EX / "enterprise.yaml", "-o", tmp / "map.svg"), True),
        (("render", "cards", EX / "enterprise.yaml", "-o", tmp / "cards.html"), True),
        (("export", "register", EX / "enterprise.yaml", "-o", reg), True),
        (("import", "register", reg, "-o", tmp / "e.yaml"), True),
        (("db", "init", "--db", tmp / "fresh.db"), True),
        (("db", "import", EX / "enterprise.yaml", "--db", tmp / "fresh.db", "--by", "张三"), True),
        (("db", "import", EX / "enterprise.yaml", "--db", tmp / "fresh.db", "--by", "张三"), True),
        (("db", "info", "--db", store), True),
        (("db", "log", "--db", store), True),
        (("db", "log", "--db", store, "--diff"), True),
        (("db", "verify", "--db", store), True),
        (("db", "versions", "--db", store), True),
        (("db", "diff", "--db", store), True),
        (("db", "snapshot", "--db", store), True),
        (("db", "export", "--db", store, "-o", tmp / "events.jsonl"), True),
        (("db", "import-ledger", ledger, "--db", tmp / "fresh.db"), True),
        (("export", "submission", EX / "enterprise.yaml", "--credit-code", CREDIT_CODE, "-o", tmp / "again.json"), True),
        (("exchange", "validate", sub), True),
        (("region", "ingest", sub, "--db", region), True),
        (("region", "ingest", sub, "--db", region), True),
        (("region", "regions", "--db", region), True),
        (("region", "assess", "--db", region, "--at", "2026-12-02"), True),
        (("region", "plan", "--db", region, "--from", "2026-12-01", "--to", "2027-03-01"), True),
        (("region", "visit", json.loads(sub.read_text(encoding="utf-8"))["enterprise"]["CREDIT_CODE"], "--db", region,
          "--at", "2026-12-02", "--by", "王五"), True),
        (("region", "map", "--db", region, "-o", tmp / "region.svg", "--at", "2026-12-02"), True),
    ]


def test_zh_output_of_every_command_has_no_english_or_raw_keys(ledger, tmp_path):
    allowed = _names()
    found = {}
    for args, ok in _commands(ledger, tmp_path):
        out = run(*args, ok=ok)
        words = english_words(out, allowed)
        if words:
            found[" ".join(str(a) for a in args[:3])] = sorted(set(words))
    assert not found, found


def test_en_output_is_english(ledger, tmp_path):
    store, sub, region = _store_and_region(tmp_path)
    for args in (("demo", "--lang", "en"), ("hidden-dangers", "list", "--ledger", ledger, "--lang", "en"),
                 ("grade", "matrix", "L=2", "S=5", "--lang", "en"), ("packs", "--lang", "en"),
                 ("db", "info", "--db", store, "--lang", "en"), ("db", "log", "--db", store, "--diff", "--lang", "en"),
                 ("db", "verify", "--db", store, "--lang", "en"), ("db", "versions", "--db", store, "--lang", "en"),
                 ("db", "diff", "--db", store, "--lang", "en"), ("exchange", "validate", sub, "--lang", "en"),
                 ("region", "ingest", sub, "--db", region, "--lang", "en"), ("region", "regions", "--db", region, "--lang", "en"),
                 ("region", "assess", "--db", region, "--at", "2026-12-02", "--lang", "en"),
                 ("region", "plan", "--db", region, "--from", "2026-12-01", "--to", "2027-03-01", "--lang", "en")):
        out = run(*args)
        cjk = [ch for ch in out if "\u4e00" <= ch <= "\u9fff"]
        # data (names, standards' titles) stays as recorded; labels and values are English
        assert not re.search(r"(风险分级|区域四色|隐患等级|评估等级|当前等级|一般事故隐患|已评估定级|整改期限|重大风险清单"
                             r"|登记册|链头|通过|事件|有效|已接收|区域数据库|企业整体风险|应检查|统一社会信用代码)", out), (args, out)
        assert cjk or args[0] != "demo"


def test_ids_are_never_cut_at_80_columns(ledger):
    e = load_enterprise(EX / "enterprise.yaml")
    out = run("demo")
    for r in e.risks:
        assert re.search(rf"(^|[\s│]){re.escape(r.id)}([\s│]|$)", out, re.M), r.id
    out = run("hidden-dangers", "list", "--ledger", ledger)
    for h in json.loads(run("hidden-dangers", "list", "--ledger", ledger, "--json")):
        assert h["id"] in out and h["control"] in out
    assert "…" not in run("demo").split("事故隐患")[0]  # no name or id is cut with an ellipsis
