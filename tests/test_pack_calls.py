"""How the core calls packs: one documented order (pluggy's), wrappers and tracing that work,
results that do not depend on the order, gates, the pack-definition helper, and failing closed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
from test_io import GOOD

from dualprev_core import hookimpl
from dualprev_core.assessment.assessment import Assessment
from dualprev_core.errors import DuplicateContribution, PackLoadError, Problem
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.packs import PackManifest, define_pack, load_packs
from dualprev_core.provenance import Citation

ROOT = Path(__file__).resolve().parents[1]


def make_pack(name, *, industry="", **hooks):
    mod = types.ModuleType(f"pack_{name}")

    @hookimpl
    def dualprev_pack_manifest():
        return PackManifest(name=name, version="1.0", core_api=">=1.0,<2", industry=industry, standards=(Citation("GB 0000", "2020"),))

    mod.dualprev_pack_manifest = dualprev_pack_manifest
    for hook_name, fn in hooks.items():
        setattr(mod, hook_name, fn if hasattr(fn, "dualprev_impl") else hookimpl(fn))
    return mod


def enterprise(**over):
    doc = {**GOOD, "enterprise": {**GOOD["enterprise"], **over}}
    return parse_enterprise(doc)


def recording(calls, name, result=None):
    def validate(enterprise):
        calls.append(name)
        return result

    return validate


# ------------------------------------------------------------------------------- the order


def test_the_call_order_is_pluggys_own():
    """Our dispatcher calls packs in exactly the order pluggy's own call loop does: last registered first."""
    calls: list[str] = []
    packs = load_packs(load_entrypoints=False, extra=[make_pack(n, dualprev_validate_enterprise=recording(calls, n)) for n in "abc"])
    e = enterprise()
    packs.validate_enterprise(e)
    ours, calls[:] = list(calls), []
    packs.pm.hook.dualprev_validate_enterprise(enterprise=e)
    assert ours == calls == ["c", "b", "a"]
    assert [name for name, _ in packs.callers("dualprev_validate_enterprise")] == ["c", "b", "a"]


def test_tryfirst_moves_a_pack_as_pluggy_does():
    calls: list[str] = []
    first = hookimpl(tryfirst=True)(recording(calls, "a"))
    packs = load_packs(load_entrypoints=False, extra=[make_pack("a", dualprev_validate_enterprise=first),
                                                      make_pack("b", dualprev_validate_enterprise=recording(calls, "b"))])
    e = enterprise()
    packs.validate_enterprise(e)
    ours, calls[:] = list(calls), []
    packs.pm.hook.dualprev_validate_enterprise(enterprise=e)
    assert ours == calls == ["a", "b"]


def test_hook_wrappers_wrap_each_packs_call():
    """A plugin that only wraps (wrapper=True) sees and may change each pack's result."""
    seen: list[object] = []

    @hookimpl(wrapper=True)
    def dualprev_validate_enterprise(enterprise):
        result = yield
        seen.append(result)
        return [*result, [Problem("enterprise", "added by the wrapper")]]

    wrapper = make_pack("wrap", dualprev_validate_enterprise=dualprev_validate_enterprise)
    inner = make_pack("inner", dualprev_validate_enterprise=lambda enterprise: [Problem("areas", "from the pack")])
    packs = load_packs(load_entrypoints=False, extra=[inner, wrapper])
    problems = packs.validate_enterprise(enterprise())
    assert [p.message for p in problems] == ["from the pack", "added by the wrapper"]
    assert seen == [[[Problem("areas", "from the pack")]]]


def test_tracing_sees_every_hook_call():
    calls: list[str] = []
    packs = load_packs(load_entrypoints=False, extra=[make_pack(n, dualprev_validate_enterprise=recording(calls, n)) for n in "ab"])
    traced: list[tuple[str, list[str]]] = []
    undo = packs.pm.add_hookcall_monitoring(lambda hook, impls, kwargs: traced.append((hook, [i.plugin_name for i in impls])),
                                            lambda outcome, hook, impls, kwargs: None)
    try:
        packs.validate_enterprise(enterprise())
    finally:
        undo()
    assert traced == [("dualprev_validate_enterprise", ["b"]), ("dualprev_validate_enterprise", ["a"])]


# ------------------------------------------------------------------------------- order-free results


def test_two_packs_giving_one_fact_field_different_values_is_refused_naming_both():
    def fact(value):
        return lambda assessment: [{"type": "enterprise", "key": "E1", "x:size": value}]

    same = load_packs(load_entrypoints=False, extra=[make_pack("p", dualprev_enterprise_facts=fact(1)), make_pack("q", dualprev_enterprise_facts=fact(1))])
    a = Assessment(enterprise(), packs=same)
    assert same.enterprise_facts(a) == [{"type": "enterprise", "key": "E1", "x:size": 1}]
    clash = load_packs(load_entrypoints=False, extra=[make_pack("p", dualprev_enterprise_facts=fact(1)), make_pack("q", dualprev_enterprise_facts=fact(2))])
    with pytest.raises(DuplicateContribution, match=r"derived fact field 'enterprise:E1.x:size' is already contributed by pack 'q'") as info:
        clash.enterprise_facts(Assessment(enterprise(), packs=clash))
    assert info.value.pack == "p"


def test_a_hook_returning_the_wrong_type_is_named():
    from dualprev_core.errors import PackError

    packs = load_packs(load_entrypoints=False, extra=[make_pack("odd", dualprev_validate_enterprise=lambda enterprise: "oops")])
    with pytest.raises(PackError, match="pack 'odd': dualprev_validate_enterprise returned str, not a list"):
        packs.validate_enterprise(enterprise())


# ------------------------------------------------------------------------------- gates


def test_a_pack_judges_only_the_enterprises_its_gate_admits():
    calls: list[str] = []

    def section(assessment):
        calls.append(assessment.enterprise.industry)
        return {"x:section": 1}

    packs = load_packs(load_entrypoints=False, extra=[make_pack("x", industry="x", dualprev_assess_enterprise=section)])
    assert packs.assess_enterprise(Assessment(enterprise(industry="y"), packs=packs)) == {}
    assert packs.assess_enterprise(Assessment(enterprise(industry="x"), packs=packs)) == {"x:section": 1}
    assert packs.assess_enterprise(Assessment(enterprise(industry="y", facts={"x:depth": 1}), packs=packs)) == {"x:section": 1}
    assert calls == ["x", "y"]


# ------------------------------------------------------------------------------- define_pack


def defined_pack(**extra):
    mod = types.ModuleType("dualprev_testdefined")
    mod.pack = define_pack("dualprev_testdefined", name="defined", version="2.0", industry="z", standards=[Citation("GB 0000", "2020")],
                           categories={"2025": ["火灾"]}, **extra)
    return mod


def test_define_pack_declares_manifest_categories_and_gate():
    packs = load_packs(load_entrypoints=False, extra=[defined_pack()])
    assert packs.manifests["defined"].version == "2.0" and packs.manifests["defined"].core_api == ">=1.0,<2"
    assert packs.registry.contributions("defined")["accident_categories"] == ["GB6441-2025:fire"]
    assert packs.judges("defined", enterprise(industry="z")) and not packs.judges("defined", enterprise(industry="q"))


def test_define_pack_with_a_custom_gate_and_a_duplicate_manifest():
    packs = load_packs(load_entrypoints=False, extra=[defined_pack(applies_to=lambda e: e.id == "E1")])
    assert packs.judges("defined", enterprise(industry="q"))
    twice = defined_pack()
    twice.dualprev_pack_manifest = hookimpl(lambda: PackManifest("defined", "2.0", ">=1.0"))
    with pytest.raises(PackLoadError, match="declares its manifest twice"):
        load_packs(load_entrypoints=False, extra=[twice])


# ------------------------------------------------------------------------------- failing closed


def test_a_broken_pack_stops_decisions_until_disabled():
    typo = make_pack("typo", dualprev_register_templatez=lambda registrar: None)
    with pytest.raises(PackLoadError) as info:
        load_packs(load_entrypoints=False, extra=[typo])
    msg = str(info.value)
    assert "pack 'typo'" in msg and "did you mean 'dualprev_register_templates'" in msg and "DUALPREV_DISABLE_PACKS=typo" in msg
    assert "typo" not in load_packs(load_entrypoints=False, extra=[typo], disabled=["typo"]).manifests
    broken = load_packs(load_entrypoints=False, extra=[typo], strict=False)
    with pytest.raises(PackLoadError):
        Assessment(enterprise(), packs=broken)


def test_functions_that_would_silently_never_run_are_refused():
    unmarked = make_pack("unmarked")
    unmarked.dualprev_enterprise_facts = lambda assessment: None  # no @hookimpl
    defaults = make_pack("defaults", dualprev_validate_enterprise=lambda enterprise, strict=True: None)
    packs = load_packs(load_entrypoints=False, extra=[unmarked, defaults], strict=False)
    assert "defines dualprev_enterprise_facts() but does not mark it @hookimpl" in str(packs.errors["unmarked"])
    assert "parameters with defaults receive nothing from pluggy: strict" in str(packs.errors["defaults"])


def _installed_typo_pack(tmp_path: Path) -> dict[str, str]:
    """A pack installed the ordinary way (an entry point of a distribution on sys.path) with a misspelled hook."""
    (tmp_path / "typo_pack.py").write_text(textwrap.dedent('''
        from dualprev_core.packs import define_pack, hookimpl
        from dualprev_core.provenance import Citation

        pack = define_pack(__name__, name="typo", version="0.1", standards=[Citation("GB 0000", "2020")])

        @hookimpl
        def dualprev_register_templatez(registrar):
            pass
    '''), encoding="utf-8")
    info = tmp_path / "typo_pack-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: typo-pack\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[dualprev]\ntypo = typo_pack\n", encoding="utf-8")
    return {"PYTHONPATH": str(tmp_path)}


def _dualprev(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-c", "from dualprev_core.cli.app import main; main()", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "DUALPREV_RULES_ENGINE": "reference", **env}, timeout=300)


def test_an_installed_pack_with_a_misspelled_hook_stops_assess_naming_pack_and_hook(tmp_path):
    env = _installed_typo_pack(tmp_path)
    res = _dualprev(["assess", "examples/enterprise.yaml", "--json"], env)
    assert res.returncode == 2, res.stderr
    assert "pack 'typo'" in res.stderr and "did you mean 'dualprev_register_templates'" in res.stderr
    assert "DUALPREV_DISABLE_PACKS=typo" in res.stderr and "Traceback" not in res.stderr
    listed = _dualprev(["packs", "--json"], env)
    assert listed.returncode == 0 and "typo" in json.loads(listed.stdout)["errors"]
    assert _dualprev(["--disable-pack", "typo", "assess", "examples/enterprise.yaml", "--json"], env).returncode == 0
    assert _dualprev(["assess", "examples/enterprise.yaml", "--json"], {**env, "DUALPREV_DISABLE_PACKS": "typo"}).returncode == 0
