"""The conformance kit pack authors run."""

from __future__ import annotations

import shutil
import types
from pathlib import Path

import pytest

from dualprev_core import hookimpl
from dualprev_core.packs.conformance import assert_pack_conforms, check_pack, run_rule_examples
from dualprev_core.packs.registry import PackManifest
from dualprev_core.provenance import Citation

DATA = Path(__file__).parent / "data"


def pack_with(rule_files, **extra):
    mod = types.ModuleType("kitpack")
    mod.dualprev_pack_manifest = hookimpl(lambda: PackManifest(name="kitpack", version="1", core_api=">=1.0",
                                                               standards=(Citation("TEST", "2026"),)))
    mod.dualprev_register_criteria = hookimpl(lambda registrar: [registrar.rule_file(f) for f in rule_files])
    for k, v in extra.items():
        setattr(mod, k, v)
    return mod


def test_a_conforming_pack():
    report = assert_pack_conforms(pack_with([DATA / "test-criteria.yaml", DATA / "test-monitoring.yaml"]))
    assert report.ok and any("examples" == f.check and f.status == "ok" for f in report.findings)


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_examples_run_on_each_engine(engine):
    if engine == "durable":
        pytest.importorskip("durable.engine")
    assert all(f.status == "ok" for f in run_rule_examples(DATA / "test-monitoring.yaml", engines=[engine]))


def test_missing_and_wrong_examples_are_errors(tmp_path):
    rules = tmp_path / "r.yaml"
    shutil.copy(DATA / "test-criteria.yaml", rules)
    assert "no examples file" in str(check_pack(pack_with([rules])).errors[0])
    text = (DATA / "test-criteria.examples.yaml").read_text(encoding="utf-8")
    (tmp_path / "r.examples.yaml").write_text(text.replace('"test:level": 4}', '"test:level": 1}'), encoding="utf-8")
    errors = [str(f) for f in check_pack(pack_with([rules]), engines=["reference"]).errors]
    assert any("expected does_not_fire, but it fired — 四级重大危险源" in e for e in errors)
    one_way = text.split("  - rule: T-01\n    expect: does_not_fire")[0]
    (tmp_path / "r.examples.yaml").write_text(one_way, encoding="utf-8")
    assert any("has no 'does_not_fire' example" in str(f) for f in check_pack(pack_with([rules])).errors)


def test_hook_problems_are_reported():
    def bad(registrar=None):
        return None

    report = check_pack(pack_with([DATA / "test-criteria.yaml"], dualprev_register_templates=hookimpl(bad)))
    assert any("parameters with defaults" in str(f) for f in report.errors)


def test_cli_packs_check():
    from click.testing import CliRunner

    from dualprev_core.cli.app import cli

    r = CliRunner().invoke(cli, ["packs", "check", "mining", "--json"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["packs", "check", "nosuchpack"])
    assert r.exit_code == 2 and "no installed pack named 'nosuchpack'" in r.output
