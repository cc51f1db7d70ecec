"""The pack system: manifests, registries, duplicates, broken packs, disabling."""

from __future__ import annotations

import types

import pytest

from dualprev_core import hookimpl
from dualprev_core.errors import InvalidInput
from dualprev_core.grading import LEC, load_variants
from dualprev_core.packs import PackManifest, api_compatible, load_packs
from dualprev_core.provenance import Citation


def make_pack(name, core_api=">=1.0,<2", **hooks):
    mod = types.ModuleType(f"pack_{name}")

    @hookimpl
    def dualprev_pack_manifest():
        return PackManifest(name=name, version="9.9", core_api=core_api, standards=(Citation("GB 0000", "2020"),))

    mod.dualprev_pack_manifest = dualprev_pack_manifest
    for hook_name, fn in hooks.items():
        setattr(mod, hook_name, hookimpl(fn))
    return mod


class RenamedLEC(LEC):
    pass


def lec_method(name="lec"):
    variants, default = load_variants()["lec"]
    m = RenamedLEC(variants, default)
    m.name = name
    return m


def test_core_only_manager_has_the_core_methods_and_no_entry_points():
    packs = load_packs(load_entrypoints=False)
    assert set(packs.registry.methods) == {"lec", "ls", "mes", "matrix"}
    assert list(packs.manifests) == ["core"]
    assert packs.registry.method_providers["lec"] == "core"


def test_each_call_builds_a_new_manager():
    assert load_packs(load_entrypoints=False).pm is not load_packs(load_entrypoints=False).pm


def test_installed_packs_load_through_entry_points():
    packs = load_packs()
    assert {"core", "chemical", "mining", "construction"} <= set(packs.manifests)
    assert not packs.errors
    assert packs.registry.contributions("mining")["accident_categories"]


def test_duplicate_method_is_refused_naming_both_packs_and_the_rest_keeps_working():
    dup = make_pack("dup", dualprev_register_grading_methods=lambda registrar: registrar.grading_method(lec_method("lec")))
    ok = make_pack("ok", dualprev_register_grading_methods=lambda registrar: registrar.grading_method(lec_method("lec2")))
    packs = load_packs(load_entrypoints=False, strict=False, extra=[dup, ok])
    assert "dup" in packs.errors
    msg = str(packs.errors["dup"])
    assert "'lec'" in msg and "'core'" in msg and "'dup'" in msg
    assert "ok" in packs.manifests and packs.registry.method_providers["lec2"] == "ok"
    assert "dup" not in packs.manifests and packs.registry.method_providers["lec"] == "core"


def test_a_failing_pack_is_rolled_back_entirely():
    def register(registrar):
        registrar.grading_method(lec_method("half"))
        raise RuntimeError("boom")

    packs = load_packs(load_entrypoints=False, strict=False, extra=[make_pack("broken", dualprev_register_grading_methods=register)])
    assert "half" not in packs.registry.methods
    assert str(packs.errors["broken"]) == "pack 'broken': dualprev_register_grading_methods failed: RuntimeError: boom"
    assert packs.pm.get_plugin("broken") is None


def test_incompatible_core_api_is_one_clear_error():
    packs = load_packs(load_entrypoints=False, strict=False, extra=[make_pack("future", core_api=">=2.0")])
    assert str(packs.errors["future"]) == "pack 'future': supports core API >=2.0, this core is 1.0"


def test_pack_without_manifest():
    packs = load_packs(load_entrypoints=False, strict=False, extra=[types.ModuleType("nomanifest")])
    assert "has no dualprev_pack_manifest hook" in str(packs.errors["nomanifest"])


def test_unknown_category_in_a_pack_names_it():
    packs = load_packs(load_entrypoints=False, strict=False, extra=[make_pack(
        "cats", dualprev_register_accident_categories=lambda registrar: registrar.accident_category("火 灾", edition="2025"))])
    assert "did you mean '火灾'" in str(packs.errors["cats"])


def test_disable_by_argument_and_environment(monkeypatch):
    assert "mining" not in load_packs(disabled=["mining"]).manifests
    monkeypatch.setenv("DUALPREV_DISABLE_PACKS", "chemical, construction")
    packs = load_packs()
    assert "chemical" not in packs.manifests and "construction" not in packs.manifests and "mining" in packs.manifests


def test_band_variant_contribution_and_duplicate():
    from dualprev_core.grading import BandVariant, Cut
    from dualprev_core.model.levels import RiskLevel

    v = BandVariant("MINE", "lec", "mining", Citation("X", clause="1"), cuts=(Cut(RiskLevel.MAJOR, 300),))
    a = make_pack("a", dualprev_register_grading_methods=lambda registrar: registrar.band_variant("lec", v))
    b = make_pack("b", dualprev_register_grading_methods=lambda registrar: registrar.band_variant("lec", v))
    packs = load_packs(load_entrypoints=False, strict=False, extra=[a, b])
    assert "MINE" in packs.registry.methods["lec"].variants
    assert "already contributed by pack 'a'" in str(packs.errors["b"])


def test_enterprise_level_method_from_a_pack_replaces_the_default():
    from test_io import GOOD

    from dualprev_core.assessment.assessment import Assessment, EnterpriseLevel
    from dualprev_core.loading.enterprise import parse_enterprise
    from dualprev_core.model.levels import RiskLevel

    def always_low(assessment):
        return EnterpriseLevel(RiskLevel.LOW, "always-low", Citation("X"), "test")

    pack = make_pack("lvl", dualprev_register_policies=lambda registrar: (
        registrar.enterprise_level_method("always-low", always_low, Citation("X")),
        registrar.default_enterprise_level_method("testing", "always-low")))
    packs = load_packs(load_entrypoints=False, extra=[pack])
    e = parse_enterprise({**GOOD, "enterprise": {"id": "E", "name": "n", "industry": "testing"}})
    assert Assessment(e, packs=packs).enterprise_level().method == "always-low"


def test_api_ranges():
    assert api_compatible(">=1.0,<2", "1.0") and not api_compatible(">=1.1", "1.0") and api_compatible("==1.0", "1.0")
    with pytest.raises(InvalidInput):
        api_compatible("~1.0")


def test_hookspecs_are_documented_to_the_standard():
    import inspect

    from dualprev_core.packs import hookspecs

    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("dualprev_"):
            doc = fn.__doc__ or ""
            assert ":returns:" in doc and ".. versionadded::" in doc and "Scope:" in doc, name
            for param in inspect.signature(fn).parameters:
                assert f":param {param}:" in doc, (name, param)


def test_a_misspelled_hook_fails_only_its_pack():
    bad = make_pack("typo")
    bad.dualprev_register_templatez = hookimpl(lambda registrar: None)
    packs = load_packs(load_entrypoints=False, strict=False, extra=[bad, make_pack("fine")])
    assert "'dualprev_register_templatez', which is not a dualprev hook (did you mean 'dualprev_register_templates'" in str(packs.errors["typo"])
    assert "fine" in packs.manifests and packs.pm.get_plugin("typo") is None


def test_a_matrix_variant_from_a_pack_is_checked_like_the_core_ones():
    from dualprev_core.grading import BandVariant
    from dualprev_core.model.levels import RiskLevel

    grid = ((RiskLevel.MAJOR, RiskLevel.LOW), (RiskLevel.LOW, RiskLevel.LOW))
    v = BandVariant("BAD", "matrix", "not monotone", Citation("X", clause="1"), grid=grid)
    packs = load_packs(load_entrypoints=False, strict=False, extra=[make_pack("grid", dualprev_register_grading_methods=lambda registrar: registrar.band_variant("matrix", v))])
    assert "lower than a cell of lower L or S" in str(packs.errors["grid"])


def test_a_run_time_hook_failure_names_the_pack():
    from test_io import GOOD

    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.errors import PackError
    from dualprev_core.loading.enterprise import parse_enterprise

    def boom(assessment):
        raise KeyError("x")

    packs = load_packs(load_entrypoints=False, extra=[make_pack("facty", dualprev_enterprise_facts=boom)])
    with pytest.raises(PackError, match="pack 'facty': dualprev_enterprise_facts failed: KeyError"):
        packs.enterprise_facts(Assessment(parse_enterprise(GOOD), packs=packs))


def test_a_pack_can_set_risks_aside_from_the_aggregates():
    from test_graph import DOC

    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.loading.enterprise import parse_enterprise

    def only_r0(risk, enterprise):
        return risk.id == "R0"

    packs = load_packs(load_entrypoints=False, extra=[make_pack("phase", dualprev_risk_is_active=only_r0)])
    a = Assessment(parse_enterprise(DOC), packs=packs)
    assert a.active == {"R0"}
    assert a.area_level("W1") is None and a.area_level("W2") is not None
    assert sum(a.level_counts().values()) == 1
    assert a.current_level("R1") is not None  # still graded and reported


def test_pack_validation_problems_come_with_the_core_ones_and_lines(tmp_path):
    from dualprev_core.errors import Problem, ValidationError
    from dualprev_core.loading.enterprise import load_enterprise

    def validate(enterprise):
        return [Problem(f"risks[{i}].facts.test:depth", f"must be a number (got {r.facts['test:depth']!r})")
                for i, r in enumerate(enterprise.risks) if not isinstance(r.facts.get("test:depth", 0), (int, float))]

    packs = load_packs(load_entrypoints=False, extra=[make_pack("val", dualprev_validate_enterprise=validate)])
    p = tmp_path / "e.yaml"
    p.write_text("format: dualprev-enterprise/1\nenterprise: {id: E, name: 企业}\nareas: [{id: A, name: a}]\nrisks:\n"
                 "  - id: R1\n    name: r\n    area: A\n    category: 火灾\n    method: lec\n    inputs: {L: 3, E: 6, C: 15}\n"
                 "    facts:\n      test:depth: deep\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_enterprise(p, packs=packs)
    (problem,) = exc.value.problems
    assert problem.path == "risks[0].facts.test:depth" and problem.line == 12 and "got 'deep'" in problem.message


def test_bulk_registrar_helpers(tmp_path):
    import shutil
    from pathlib import Path

    data = Path(__file__).parent / "data"
    for name in ("test-criteria.yaml", "test-criteria.examples.yaml", "test-monitoring.yaml"):
        shutil.copy(data / name, tmp_path / name)

    def register(registrar):
        registrar.rule_directory(tmp_path)

    packs = load_packs(load_entrypoints=False, extra=[make_pack(
        "bulk", dualprev_register_criteria=register,
        dualprev_register_accident_categories=lambda registrar: registrar.accident_categories({"1986": ["火灾"], "2025": ["窒息"]}))])
    assert not packs.errors
    assert sorted(packs.registry.contributions("bulk")["rule_files"]) == ["test-major-criteria", "test-monitoring"]
    assert packs.registry.contributions("bulk")["accident_categories"] == ["GB6441-1986:08", "GB6441-2025:asphyxiation"]
