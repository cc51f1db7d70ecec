"""Start-up: lazy command loading, lazy package imports, the fast YAML path and the rule-file cache.

No timings are asserted here (bench/bench_cli.py measures them); these tests pin what makes
start-up cheap — which modules a command imports — and that the fast paths give the same
results as the slow ones.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import dualprev_core
from dualprev_core import doc_cache
from dualprev_core.cli.app import COMMANDS, cli, load_command
from dualprev_core.errors import ValidationError
from dualprev_core.rules import load_ruleset
from dualprev_core.yaml_lines import FastPathRefused, load_yaml_fast, load_yaml_with_lines, safe_load_fast

HEAVY = ("networkx", "jsonschema", "fastjsonschema", "dualprev_core.assessment.assessment", "dualprev_core.rules.engine", "durable")


def _imported_after(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def _heavy(mods: set[str]) -> list[str]:
    return sorted(m for m in mods if any(m == h or m.startswith(h + ".") for h in HEAVY))


# -- the command table -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_in_the_table_loads_under_its_name(name):
    command = load_command(COMMANDS[name])
    assert isinstance(command, click.Command)
    assert command.name == name


def test_help_lists_every_command_in_the_table():
    out = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMANDS:
        assert f"  {name} " in out, name


def test_an_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_package_import_is_lazy_and_complete():
    assert _heavy(_imported_after("import dualprev_core")) == []
    # every public name still resolves, and to the object of its module
    for name in dualprev_core.__all__:
        assert getattr(dualprev_core, name) is not None
    assert dualprev_core.Assessment.__module__ == "dualprev_core.assessment.assessment"
    with pytest.raises(AttributeError):
        _ = dualprev_core.NoSuchName  # type: ignore[attr-defined]


def test_cli_help_and_grade_import_nothing_heavy():
    assert _heavy(_imported_after("import sys; from dualprev_core.cli.app import cli\n"
                                  "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass")) == []
    assert _heavy(_imported_after("import sys; from dualprev_core.cli.app import cli\n"
                                  "try:\n    cli(['grade', 'lec', 'L=3', 'E=6', 'C=15', '--json'])\nexcept SystemExit:\n    pass")) == []


# -- YAML: the libyaml path reads what the line-keeping path reads ----------------------------
_SCALAR_TEXTS = ["yes", "no", "on", "off", "y", "n", "true", "True", "FALSE", "null", "~", "1e-5", "1E5", "1.", ".5", "012",
                 "0o12", "0x1F", "1_000", ".inf", "-.Inf", ".nan", "2026-01-01", "2026-01-01T08:00:00+08:00", "12:30",
                 "+1", "-0", "0.0", "3.14", "1e3", "电", "a b", "'quoted'", "\"x\""]
_keys = st.one_of(st.sampled_from(_SCALAR_TEXTS), st.text(alphabet="abcxyz_", min_size=1, max_size=4))
_leaf = st.sampled_from(_SCALAR_TEXTS)


def _render(node: object, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(node, dict):
        if not node:
            return pad + "{}\n"
        out = ""
        for k, v in node.items():
            if isinstance(v, (dict, list)) and v:
                out += f"{pad}{k}:\n{_render(v, indent + 2)}"
            else:
                out += f"{pad}{k}: {_render(v).strip()}\n"
        return out
    if isinstance(node, list):
        if not node:
            return pad + "[]\n"
        out = ""
        for v in node:
            if isinstance(v, (dict, list)) and v:
                out += f"{pad}-\n{_render(v, indent + 2)}"
            else:
                out += f"{pad}- {_render(v).strip()}\n"
        return out
    return pad + str(node) + "\n"


_docs = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)), max_leaves=12)


def _same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[call-overload]
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    return a == b


@given(_docs.filter(lambda d: isinstance(d, (dict, list))))
def test_fast_yaml_reads_what_the_line_keeping_loader_reads(doc):
    text = _render(doc)
    try:
        slow, _, _, dups = load_yaml_with_lines(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            load_yaml_fast(text)
        return
    if dups:
        with pytest.raises(FastPathRefused):
            load_yaml_fast(text)
    else:
        assert _same(load_yaml_fast(text), slow)


def test_fast_yaml_keeps_yaml_1_2_scalars_and_refuses_duplicate_keys():
    assert load_yaml_fast("a: yes\nb: on\nc: 1e-5\nd: 2026-01-01\ne: true\n") == {"a": "yes", "b": "on", "c": 1e-5, "d": "2026-01-01", "e": True}
    with pytest.raises(FastPathRefused):
        load_yaml_fast("a: 1\nb: 2\na: 3\n")


@given(_docs)
def test_safe_load_fast_is_safe_load(doc):
    text = _render(doc)
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            safe_load_fast(text)
        return
    assert _same(safe_load_fast(text), expected)


# -- the cache of decoded rule files ---------------------------------------------------------
RULES = """format: dualprev-rules/1
ruleset: cache-test
rules:
  - id: r1
    title: a failed critical control
    citation: {standard: GB 0, edition: "2000", clause: "1"}
    when:
      - fact: control
        as: c
        where: [{field: state, op: eq, value: failed}, {field: critical, op: eq, value: true}]
    then: [{grade_hidden_danger: major}]
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(doc_cache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "rules"


def test_a_rule_file_is_cached_after_it_validated_and_reads_the_same(tmp_path, cache):
    f = tmp_path / "r.yaml"
    f.write_text(RULES, encoding="utf-8")
    first = load_ruleset(f)
    entries = list(cache.rglob("*.json"))
    assert len(entries) == 1
    assert doc_cache.cached_document(RULES, "yaml") == yaml.safe_load(RULES)
    assert load_ruleset(f) == first


def test_an_invalid_rule_file_is_never_cached_and_keeps_its_lines(tmp_path, cache):
    f = tmp_path / "bad.yaml"
    f.write_text(RULES.replace("op: eq, value: failed", "op: equals, value: failed"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ValidationError) as info:
            load_ruleset(f)
        assert "equals" in str(info.value)
        assert any(str(p.source).endswith(":10") or p.line == 10 for p in info.value.problems)
    assert not list(cache.rglob("*.json")) if cache.exists() else True


def test_duplicate_keys_in_a_rule_file_are_reported_not_cached(tmp_path, cache):
    f = tmp_path / "dup.yaml"
    f.write_text(RULES.replace("ruleset: cache-test\n", "ruleset: cache-test\nruleset: again\n"), encoding="utf-8")
    with pytest.raises(ValidationError, match="duplicate key"):
        load_ruleset(f)
    assert not cache.exists() or not list(cache.rglob("*.json"))


def test_a_corrupt_cache_entry_is_ignored(tmp_path, cache):
    f = tmp_path / "r.yaml"
    f.write_text(RULES, encoding="utf-8")
    expected = load_ruleset(f)
    (entry,) = cache.rglob("*.json")
    entry.write_text("{not json", encoding="utf-8")
    assert load_ruleset(f) == expected
    entry.write_text("[1, 2]", encoding="utf-8")
    assert load_ruleset(f) == expected


def test_the_cache_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv(doc_cache.CACHE_ENV, "off")
    assert doc_cache.cache_dir() is None
    f = tmp_path / "r.yaml"
    f.write_text(RULES, encoding="utf-8")
    assert load_ruleset(f).id == "cache-test"
    assert doc_cache.cached_document(RULES, "yaml") is None


def test_only_documents_json_holds_exactly_are_cached(cache):
    doc_cache.store_document("a", "yaml", {1: "int key"})
    doc_cache.store_document("b", "yaml", {"x": float("nan")})
    doc_cache.store_document("c", "yaml", {"x": (1, 2)})
    assert doc_cache.cached_document("a", "yaml") is None
    assert doc_cache.cached_document("b", "yaml") is None
    assert doc_cache.cached_document("c", "yaml") is None
    doc_cache.store_document("d", "yaml", {"x": [1, 1.0, True, None, "电"]})
    got = doc_cache.cached_document("d", "yaml")
    assert got == {"x": [1, 1.0, True, None, "电"]}
    assert [type(v) for v in got["x"]] == [int, float, bool, type(None), str]


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(doc_cache.CACHE_ENV, str(blocker))
    f = tmp_path / "r.yaml"
    f.write_text(RULES, encoding="utf-8")
    assert load_ruleset(f).id == "cache-test"


def test_json_rule_files_with_duplicate_keys_are_still_reported(tmp_path):
    doc = yaml.safe_load(RULES)
    text = json.dumps(doc, indent=1).replace('"ruleset": "cache-test",', '"ruleset": "cache-test", "ruleset": "x",')
    f = tmp_path / "r.json"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="duplicate key"):
        load_ruleset(f)
    g = Path(tmp_path / "ok.json")
    g.write_text(json.dumps(doc), encoding="utf-8")
    assert load_ruleset(g).id == "cache-test"
