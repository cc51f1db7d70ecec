"""Packs: the manifest, the registry of contributions and the plugin-manager factory.

Loading is explicit — :func:`load_packs` builds a new manager and registry each call; nothing
is loaded at import time.  Each pack's hooks are called pack by pack through a per-pack
:class:`Registrar`; a pack that fails (import error, incompatible core API, invalid or duplicate
contribution, an exception in a hook) is rolled back and reported in :attr:`Packs.errors`
with one message naming it, while the other packs keep working.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pluggy

from dualprev_core._version import CORE_API_VERSION
from dualprev_core.errors import DualprevError, DuplicateContribution, InvalidInput, PackError, UnknownReference, suggest
from dualprev_core.grading import BandVariant, GradingMethod
from dualprev_core.model.vocabulary import OwnerLevel
from dualprev_core.packs import hookspecs
from dualprev_core.provenance import Citation

__all__ = [
    "ENTRY_POINT_GROUP",
    "DISABLE_ENV",
    "PackManifest",
    "InspectionTemplate",
    "Criterion",
    "EnterpriseLevelMethod",
    "Registrar",
    "Registry",
    "Packs",
    "load_packs",
    "local_rules_pack",
    "api_compatible",
]

ENTRY_POINT_GROUP = "dualprev"
#: Comma-separated pack names to disable (as ``disabled=`` does).
DISABLE_ENV = "DUALPREV_DISABLE_PACKS"


@attrs.frozen
class PackManifest:
    """What a pack is and what it encodes.

    :param name: the pack's name (``chemical``); unique among installed packs.
    :param version: the pack's version.
    :param core_api: the range of core API versions supported, e.g. ``">=1.0,<2"``.
    :param title: a human title (Chinese welcome).
    :param standards: the standards and editions it encodes, as citations.
    :param industry: the industry key enterprises name in ``enterprise.industry``.
    """

    name: str
    version: str
    core_api: str
    title: str = ""
    standards: tuple[Citation, ...] = attrs.field(default=(), converter=tuple)
    industry: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "core_api": self.core_api, "title": self.title,
            "industry": self.industry, "standards": [c.to_dict() for c in self.standards],
        }


@attrs.frozen
class InspectionTemplate:
    """An inspection item template for controls of given kinds/tags.

    The core applies it (:mod:`dualprev_core.investigation`) to every control carrying any tag
    of ``applies_to``, all tags of ``requires`` and none of ``unless``.
    """

    id: str
    title: str
    applies_to: tuple[str, ...]
    content: str
    frequency: str
    owner_level: OwnerLevel
    citation: Citation
    requires: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


@attrs.frozen
class Criterion:
    """A criterion stated as a record (for criteria that are not rule files)."""

    id: str
    title: str
    kind: str
    citation: Citation
    facts_needed: tuple[str, ...] = ()


@attrs.frozen
class EnterpriseLevelMethod:
    """A way to combine an enterprise's risks and hidden dangers into one level."""

    name: str
    function: Callable[[Any], Any]
    citation: Citation
    provider: str = "core"


_VERSION_RE = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+)*)\s*$")


def _vtuple(v: str) -> tuple[int, ...]:
    parts = tuple(int(x) for x in v.split("."))
    return parts + (0,) * (3 - len(parts))


def api_compatible(spec: str, version: str = CORE_API_VERSION) -> bool:
    """Whether ``version`` satisfies ``spec`` (comma-separated ``>=``, ``<``, ``==`` … clauses).

    :raises InvalidInput: the spec is malformed.
    """
    v = _vtuple(version)
    for clause in spec.split(","):
        m = _VERSION_RE.match(clause)
        if not m:
            raise InvalidInput(f"core_api {spec!r} is not a version range such as '>=1.0,<2'")
        op, other = m.group(1), _vtuple(m.group(2))
        ok = {">=": v >= other, "<=": v <= other, "==": v == other, "!=": v != other, ">": v > other, "<": v < other}[op]
        if not ok:
            return False
    return True


class Registry:
    """Everything the installed packs contribute, each item with the pack that gave it."""

    def __init__(self) -> None:
        self.manifests: dict[str, PackManifest] = {}
        self.methods: dict[str, GradingMethod] = {}
        self.method_providers: dict[str, str] = {}
        self.variant_providers: dict[tuple[str, str], str] = {}
        self.categories: dict[str, list[str]] = {}  # category id -> packs using it
        self.rule_files: dict[str, tuple[str, Path]] = {}  # ruleset id -> (pack, path)
        self.rulesets: dict[str, Any] = {}  # ruleset id -> the validated RuleSet (parsed once)
        self.criteria: dict[str, tuple[str, Criterion]] = {}
        self.templates: dict[str, tuple[str, InspectionTemplate]] = {}
        self.enterprise_level_methods: dict[str, EnterpriseLevelMethod] = {}
        self.industry_defaults: dict[str, str] = {}
        self.escalation_policies: dict[str, tuple[str, Any]] = {}

    def contributions(self, pack: str) -> dict[str, list[str]]:
        """What ``pack`` contributed, by kind (for ``dualprev packs``)."""
        return {
            "grading_methods": [m for m, p in self.method_providers.items() if p == pack],
            "band_variants": [f"{m}:{v}" for (m, v), p in self.variant_providers.items() if p == pack],
            "accident_categories": [c for c, ps in self.categories.items() if pack in ps],
            "rule_files": [r for r, (p, _) in self.rule_files.items() if p == pack],
            "criteria": [c for c, (p, _) in self.criteria.items() if p == pack],
            "inspection_templates": [t for t, (p, _) in self.templates.items() if p == pack],
            "enterprise_level_methods": [n for n, m in self.enterprise_level_methods.items() if m.provider == pack],
            "escalation_policies": [n for n, (p, _) in self.escalation_policies.items() if p == pack],
        }

    def method(self, name: str) -> GradingMethod:
        try:
            return self.methods[name]
        except KeyError:
            raise UnknownReference(f"{name!r} is not an installed grading method; installed: {', '.join(sorted(self.methods))}{suggest(name, self.methods)}") from None


class Registrar:
    """A pack's view of the registry: contributions are staged, validated, committed together."""

    def __init__(self, registry: Registry, pack: str) -> None:
        self._registry = registry
        self.pack = pack
        self._staged: list[Callable[[], None]] = []

    def _dup(self, kind: str, key: str, first: str) -> None:
        raise DuplicateContribution(kind, key, first, self.pack)

    def accident_category(self, ref: str, *, edition: str = "2025") -> None:
        from dualprev_core.taxonomy import accident_taxonomy

        cid = accident_taxonomy(edition).get(ref).id
        self._staged.append(lambda: self._registry.categories.setdefault(cid, []).append(self.pack))

    def accident_categories(self, by_edition: Mapping[str, Iterable[str]]) -> None:
        """Declare many categories at once: ``{"1986": ["火灾", ...], "2025": [...]}``."""
        for edition, refs in by_edition.items():
            for ref in refs:
                self.accident_category(ref, edition=edition)

    def grading_method(self, method: GradingMethod) -> None:
        if not isinstance(method, GradingMethod):
            raise InvalidInput(f"grading_method takes a GradingMethod (got {type(method).__name__})")
        if method.name in self._registry.method_providers:
            self._dup("grading method", method.name, self._registry.method_providers[method.name])
        method.provider = self.pack
        self._staged.append(lambda: (self._registry.methods.__setitem__(method.name, method), self._registry.method_providers.__setitem__(method.name, self.pack)))

    def band_variant(self, method_name: str, variant: BandVariant) -> None:
        key = (method_name, variant.id)
        if key in self._registry.variant_providers or variant.id in self._registry.methods.get(method_name, _NoVariants).variants:
            self._dup("band variant", f"{method_name}:{variant.id}", self._registry.variant_providers.get(key, self._registry.method_providers.get(method_name, "core")))
        method = self._registry.method(method_name)
        method.validate_variant(variant)

        def commit() -> None:
            method.variants[variant.id] = variant
            self._registry.variant_providers[key] = self.pack

        self._staged.append(commit)

    def rule_file(self, path: str | Path) -> None:
        p = Path(path)
        if not p.is_file():
            raise InvalidInput(f"rule file {str(p)!r} does not exist")
        from dualprev_core.rules import load_ruleset  # validates the file; raises ValidationError naming it

        ruleset = load_ruleset(p)
        rid = ruleset.id
        if rid in self._registry.rule_files:
            self._dup("ruleset", rid, self._registry.rule_files[rid][0])
        ruleset = attrs.evolve(ruleset, pack=self.pack)  # the registering pack is the provider

        def commit() -> None:
            self._registry.rule_files[rid] = (self.pack, p)
            self._registry.rulesets[rid] = ruleset

        self._staged.append(commit)

    def rule_directory(self, folder: str | Path) -> list[Path]:
        """Register every rule file in ``folder`` (``*.yaml``/``*.json``, not ``*.examples.*``), by name.

        :returns: the files registered.
        """
        root = Path(folder)
        if not root.is_dir():
            raise InvalidInput(f"rule directory {str(root)!r} does not exist")
        files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml", ".json") and ".examples." not in p.name)
        for f in files:
            self.rule_file(f)
        return files

    def criterion(self, criterion: Criterion) -> None:
        if criterion.id in self._registry.criteria:
            self._dup("criterion", criterion.id, self._registry.criteria[criterion.id][0])
        self._staged.append(lambda: self._registry.criteria.__setitem__(criterion.id, (self.pack, criterion)))

    def inspection_template(self, template: InspectionTemplate) -> None:
        from dualprev_core.loading.enterprise import parse_frequency

        try:
            parse_frequency(template.frequency)
        except ValueError as exc:
            raise InvalidInput(f"inspection template {template.id!r}: {exc}") from None
        if template.id in self._registry.templates:
            self._dup("inspection template", template.id, self._registry.templates[template.id][0])
        self._staged.append(lambda: self._registry.templates.__setitem__(template.id, (self.pack, template)))

    def enterprise_level_method(self, name: str, function: Callable[[Any], Any], citation: Citation) -> None:
        if name in self._registry.enterprise_level_methods:
            self._dup("enterprise level method", name, self._registry.enterprise_level_methods[name].provider)
        m = EnterpriseLevelMethod(name, function, citation, self.pack)
        self._staged.append(lambda: self._registry.enterprise_level_methods.__setitem__(name, m))

    def default_enterprise_level_method(self, industry: str, name: str) -> None:
        if industry in self._registry.industry_defaults:
            self._dup("default enterprise level method for industry", industry, self._registry.industry_defaults[industry].split(":")[0])
        self._staged.append(lambda: self._registry.industry_defaults.__setitem__(industry, name))

    def escalation_policy(self, name: str, policy: Any) -> None:
        if name in self._registry.escalation_policies:
            self._dup("escalation policy", name, self._registry.escalation_policies[name][0])
        self._staged.append(lambda: self._registry.escalation_policies.__setitem__(name, (self.pack, policy)))

    def _commit(self) -> None:
        for step in self._staged:
            step()
        self._staged.clear()


class _NoVariants:
    variants: Mapping[str, Any] = {}


_REGISTRATION_HOOKS = (
    "dualprev_register_accident_categories",
    "dualprev_register_grading_methods",
    "dualprev_register_criteria",
    "dualprev_register_templates",
    "dualprev_register_policies",
)


@attrs.define
class Packs:
    """The loaded packs: the pluggy manager, the registry, and per-pack errors.

    The core calls packs only through this facade, never ``pm.hook`` directly.
    """

    pm: pluggy.PluginManager
    registry: Registry
    errors: dict[str, PackError] = attrs.field(factory=dict)
    disabled: tuple[str, ...] = ()

    @property
    def manifests(self) -> dict[str, PackManifest]:
        return self.registry.manifests

    def _call_each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook`` pack by pack in registration order; a pack's exception becomes a
        :class:`PackError` naming the pack and the hook (a decision is never taken without it).
        """
        out = []
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            try:
                out.append((impl.plugin_name, impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})))
            except DualprevError:
                raise
            except Exception as exc:
                raise PackError(impl.plugin_name, f"{hook} failed: {type(exc).__name__}: {exc}") from exc
        return out

    def grade_hidden_danger(self, hidden_danger: Mapping[str, Any], enterprise: Any) -> list[Any]:
        out: list[Any] = []
        for _, result in self._call_each("dualprev_grade_hidden_danger", hidden_danger=hidden_danger, enterprise=enterprise):
            out.extend(result or ())
        return out

    def validate_enterprise(self, enterprise: Any) -> list[Any]:
        """Every problem the packs find in ``enterprise`` (see ``dualprev_validate_enterprise``)."""
        out: list[Any] = []
        for name, result in self._call_each("dualprev_validate_enterprise", enterprise=enterprise):
            for p in result or ():
                if not hasattr(p, "path") or not hasattr(p, "message"):
                    raise PackError(name, f"dualprev_validate_enterprise returned {p!r}, not a Problem")
                out.append(p)
        return out

    def active_risks(self, risks: Iterable[Any], enterprise: Any) -> frozenset[str]:
        """The ids of the risks that count now (``dualprev_risk_is_active``; default: all)."""
        risks = list(risks)
        impls = list(reversed(self.pm.hook.dualprev_risk_is_active.get_hookimpls()))
        if not impls:
            return frozenset(r.id for r in risks)
        active = set()
        for r in risks:
            decided = None
            for impl in reversed(impls):  # pluggy's firstresult order: last registered first
                try:
                    decided = impl.function(risk=r, enterprise=enterprise)
                except DualprevError:
                    raise  # a user's input mistake found by the pack: its own message
                except Exception as exc:
                    raise PackError(impl.plugin_name, f"dualprev_risk_is_active failed: {type(exc).__name__}: {exc}") from exc
                if decided is not None:
                    if not isinstance(decided, bool):
                        raise PackError(impl.plugin_name, f"dualprev_risk_is_active returned {decided!r}, not True/False/None")
                    break
            if decided is not False:
                active.add(r.id)
        return frozenset(active)

    def control_tags(self, enterprise: Any) -> dict[str, set[str]]:
        """Extra tags by control id from every pack (see ``dualprev_control_tags``)."""
        out: dict[str, set[str]] = {}
        for name, result in self._call_each("dualprev_control_tags", enterprise=enterprise):
            if result is None:
                continue
            if not isinstance(result, Mapping):
                raise PackError(name, f"dualprev_control_tags returned {result!r}, not a mapping of control id to tags")
            for control_id, tags in result.items():
                if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
                    raise PackError(name, f"dualprev_control_tags gave {tags!r} for {control_id!r}, not a list of strings")
                out.setdefault(control_id, set()).update(tags)
        return out

    def enterprise_facts(self, assessment: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for _, result in self._call_each("dualprev_enterprise_facts", assessment=assessment):
            out.extend(result or ())
        return out

    def assess_enterprise(self, assessment: Any) -> dict[str, Any]:
        sections: dict[str, Any] = {}
        owners: dict[str, str] = {}
        for plugin_name, result in self._call_each("dualprev_assess_enterprise", assessment=assessment):
            for key, value in (result or {}).items():
                if key in owners:
                    raise DuplicateContribution("report section", key, owners[key], plugin_name)
                owners[key] = plugin_name
                sections[key] = value
        return sections


def load_packs(
    *,
    load_entrypoints: bool = True,
    disabled: Iterable[str] = (),
    extra: Iterable[ModuleType | object] = (),
) -> Packs:
    """Build a new plugin manager and registry: the core built-ins, then installed packs.

    :param load_entrypoints: load packs from the ``dualprev`` entry-point group.
    :param disabled: pack names not to load (plus those in ``DUALPREV_DISABLE_PACKS``).
    :param extra: pack modules or objects to register directly (tests, embedding).
    :returns: the :class:`Packs`; per-pack failures are in ``errors``, never raised.
    """
    from dualprev_core.packs import builtin as _builtin

    blocked = {d.strip() for d in disabled if d.strip()}
    blocked |= {d.strip() for d in os.environ.get(DISABLE_ENV, "").split(",") if d.strip()}
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    registry = Registry()
    packs = Packs(pm, registry, disabled=tuple(sorted(blocked)))
    candidates: list[tuple[str, Callable[[], object]]] = [("core", lambda: _builtin)]
    if load_entrypoints:
        for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            candidates.append((ep.name, ep.load))
    for module in extra:
        candidates.append((getattr(module, "__name__", repr(module)), lambda m=module: m))
    for label, loader in candidates:
        if label in blocked:
            continue
        _register_one(packs, label, loader)
    return packs


def _register_one(packs: Packs, label: str, loader: Callable[[], object]) -> None:
    pm, registry = packs.pm, packs.registry
    try:
        plugin = loader()
    except Exception as exc:  # a broken pack must not take the others down
        packs.errors[label] = PackError(label, f"cannot be imported: {type(exc).__name__}: {exc}")
        return
    name = label
    try:
        manifest_fn = getattr(plugin, "dualprev_pack_manifest", None)
        if manifest_fn is None:
            raise PackError(label, "has no dualprev_pack_manifest hook")
        manifest = manifest_fn()
        if not isinstance(manifest, PackManifest):
            raise PackError(label, f"dualprev_pack_manifest returned {type(manifest).__name__}, not PackManifest")
        name = manifest.name
        if name in packs.disabled:
            return
        if name in registry.manifests:
            raise DuplicateContribution("pack name", name, name, label)
        if not api_compatible(manifest.core_api):
            raise PackError(name, f"supports core API {manifest.core_api}, this core is {CORE_API_VERSION}")
        pm.register(plugin, name=name)
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            pm.unregister(name=name)
            raise PackError(name, f"implements a hook that does not exist: {exc}") from None
    except DualprevError as exc:
        packs.errors[name] = exc if isinstance(exc, PackError) else PackError(name, str(exc))
        return
    except Exception as exc:
        packs.errors[name] = PackError(name, f"invalid pack: {type(exc).__name__}: {exc}")
        return
    registrar = Registrar(registry, name)
    try:
        for hook_name in _REGISTRATION_HOOKS:
            for impl in getattr(pm.hook, hook_name).get_hookimpls():
                if impl.plugin_name == name:
                    impl.function(registrar=registrar)
        registrar._commit()
        registry.manifests[name] = manifest
    except Exception as exc:
        pm.unregister(name=name)
        err = exc if isinstance(exc, PackError) else PackError(name, f"{type(exc).__name__}: {exc}")
        packs.errors[name] = err


def local_rules_pack(rule_files: Iterable[str | Path], *, name: str = "local") -> object:
    """A pack object holding ad-hoc rule files (``--rules`` on the command line, tests).

    Lets a pack author run criteria written as data against an enterprise before packaging them.
    """
    from dualprev_core import _version

    files = tuple(Path(f) for f in rule_files)

    class _LocalPack:
        __name__ = name

        @hookspecs.hookimpl
        def dualprev_pack_manifest(self) -> PackManifest:
            return PackManifest(name=name, version=_version.__version__, core_api=f"=={CORE_API_VERSION}",
                                title="ad-hoc rule files: " + ", ".join(str(f) for f in files))

        @hookspecs.hookimpl
        def dualprev_register_criteria(self, registrar: Registrar) -> None:
            for f in files:
                registrar.rule_file(f)

    return _LocalPack()
