"""Loading packs: entry points, manifests, the core API range, disabling, and failing closed.

Loading is explicit — :func:`load_packs` builds a new plugin manager and registry on each call;
nothing is loaded at import time.  Packs are registered one by one: the core's built-in pack,
then installed packs by entry-point name, then ``extra`` packs.  A pack that cannot be loaded
(import error, no or invalid manifest, incompatible core API, an unknown hook name, a hook with
parameter defaults, an invalid or duplicate contribution, an exception in a hook) is rolled back
and recorded with one message naming it.  Then, by default, :func:`load_packs` raises
:class:`~dualprev_core.errors.PackLoadError`: no decision is taken while an installed pack is
missing, unless the caller disabled it explicitly (``disabled=``, ``DUALPREV_DISABLE_PACKS``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

import pluggy

from dualprev_core._version import CORE_API_VERSION
from dualprev_core.errors import DISABLE_ENV, DualprevError, DuplicateContribution, PackError, suggest
from dualprev_core.packs import hookspecs
from dualprev_core.packs.calls import Packs
from dualprev_core.packs.define import PackDefinition, default_gate, parsed_ruleset
from dualprev_core.packs.registry import PackManifest, Registrar, RegistrarServices, Registry, api_compatible

__all__ = ["ENTRY_POINT_GROUP", "DISABLE_ENV", "load_packs", "local_rules_pack", "disabled_from_env", "registrar_services"]

ENTRY_POINT_GROUP = "dualprev"


def disabled_from_env() -> set[str]:
    """The pack names in ``DUALPREV_DISABLE_PACKS`` (comma-separated)."""
    return {d.strip() for d in os.environ.get(DISABLE_ENV, "").split(",") if d.strip()}


def _category_id(ref: str, edition: str) -> str:
    from dualprev_core.taxonomy import accident_taxonomy

    return accident_taxonomy(edition).get(ref).id


def _check_frequency(text: str) -> object:
    from dualprev_core.model.values import parse_frequency

    return parse_frequency(text)


def registrar_services() -> RegistrarServices:
    """What registrars validate with: the GB 6441 taxonomies, the rules loader (each file parsed
    once while unchanged), the frequency parser of enterprise files."""
    return RegistrarServices(category_id=_category_id, load_ruleset=parsed_ruleset, check_frequency=_check_frequency)


def load_packs(
    *,
    load_entrypoints: bool = True,
    disabled: Iterable[str] = (),
    extra: Iterable[ModuleType | object] = (),
    strict: bool = True,
) -> Packs:
    """Build a new plugin manager and registry: the core's built-in pack, then installed packs.

    :param load_entrypoints: load packs from the ``dualprev`` entry-point group.
    :param disabled: pack names not to load (plus those in ``DUALPREV_DISABLE_PACKS``), by
        entry-point or manifest name; a disabled pack is not even imported.
    :param extra: pack modules or objects to register directly (tests, embedding), after the others.
    :param strict: raise when a pack fails to load (the default); ``False`` returns the packs with
        the failures in :attr:`Packs.errors` (to list them, as ``dualprev packs`` does).
    :raises PackLoadError: (``strict``) naming every pack that failed, why, and how to disable it.
    """
    from dualprev_core.packs import builtin

    blocked = {d.strip() for d in disabled if d.strip()} | disabled_from_env()
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    packs = Packs(pm, Registry(), disabled=tuple(sorted(blocked)))
    candidates: list[tuple[str, Callable[[], object]]] = [("core", lambda: builtin)]
    if load_entrypoints:
        for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            candidates.append((ep.name, ep.load))
    for module in extra:
        candidates.append((getattr(module, "__name__", repr(module)), _constant(module)))
    services = registrar_services()
    for label, load in candidates:
        if label in blocked:
            continue
        _register_one(packs, label, load, services)
    if strict:
        packs.require_complete()
    return packs


def _constant(value: object) -> Callable[[], object]:
    return lambda: value


def _definition(plugin: object, label: str) -> tuple[object, PackDefinition | None]:
    """The object to register and the pack's :class:`PackDefinition`, if it uses one."""
    if isinstance(plugin, PackDefinition):
        return importlib.import_module(plugin.module), plugin
    found = [v for v in vars(plugin).values() if isinstance(v, PackDefinition)] if isinstance(plugin, ModuleType) else []
    if len(found) > 1:
        raise PackError(label, f"defines {len(found)} packs with define_pack; one module holds one pack")
    return plugin, (found[0] if found else None)


def _check_hooks(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    """Fail closed on hooks that would silently do nothing: unknown (misspelled) hook names,
    ``dualprev_*`` functions not marked ``@hookimpl``, parameters with defaults."""
    known = hookspecs.HOOKS
    callers = pm.get_hookcallers(plugin) or []
    for hc in callers:
        if hc.spec is None:
            raise PackError(name, f"implements {hc.name!r}, which is not a dualprev hook{suggest(hc.name, known) or ' (known: ' + ', '.join(known) + ')'}")
        for impl in hc.get_hookimpls():
            if impl.plugin is plugin and impl.kwargnames:
                raise PackError(name, f"{hc.name}: parameters with defaults receive nothing from pluggy: {', '.join(impl.kwargnames)}")
    implemented = {hc.name for hc in callers}
    for attr in dir(plugin):
        if not attr.startswith("dualprev_") or attr in implemented:
            continue
        value = getattr(plugin, attr, None)
        if inspect.isfunction(value) or inspect.ismethod(value):
            hint = "" if attr in known else suggest(attr, known)
            raise PackError(name, f"defines {attr}() but does not mark it @hookimpl, so it would never be called{hint}")


def _register_one(packs: Packs, label: str, load: Callable[[], object], services: RegistrarServices) -> None:
    pm, registry = packs.pm, packs.registry
    try:
        loaded = load()
    except Exception as exc:  # a broken pack is reported by name, never a traceback
        packs.errors[label] = PackError(label, f"cannot be imported: {type(exc).__name__}: {exc}")
        return
    name = label
    registered = False
    try:
        plugin, definition = _definition(loaded, label)
        if definition is not None:
            name = definition.name
            if name in packs.disabled:
                return
        if name in registry.manifests:
            raise DuplicateContribution("pack name", name, name, label)
        try:
            pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PackError(name, f"invalid hook implementation: {exc}") from None
        except ValueError as exc:  # already registered under another name, or the name is taken
            raise PackError(name, f"cannot be registered: {exc}") from None
        registered = True
        if definition is not None:
            if any(n == name for n, _ in packs.callers("dualprev_pack_manifest")):
                raise PackError(name, "declares its manifest twice: with define_pack and with a dualprev_pack_manifest hook")
            manifest = definition.manifest
        else:
            manifest = packs.pack_manifest(name)
            if manifest.name != name:  # register under the manifest's name
                if manifest.name in packs.disabled:
                    pm.unregister(name=name)
                    registered = False
                    return
                if manifest.name in registry.manifests:
                    raise DuplicateContribution("pack name", manifest.name, manifest.name, label)
                pm.unregister(name=name)
                registered = False
                name = manifest.name
                pm.register(plugin, name=name)
                registered = True
        _check_hooks(pm, plugin, name)
        if not api_compatible(manifest.core_api):
            raise PackError(name, f"supports core API {manifest.core_api}, this core is {CORE_API_VERSION}")
        registrar = Registrar(registry, name, services)
        if definition is not None:
            registrar.accident_categories(definition.categories)
            for f in definition.rule_files():
                registrar.rule_file(f)
            registrar.gate(definition.judges)
        elif manifest.industry:
            industry = manifest.industry
            registrar.gate(lambda e: default_gate(e, industry=industry, namespace=name))
        for hook in hookspecs.REGISTRATION_HOOKS:
            packs.register_contributions(name, hook, registrar)
        registrar.commit()
        registry.manifests[name] = manifest
    except Exception as exc:
        if registered:
            pm.unregister(name=name)
        if isinstance(exc, PackError):
            packs.errors[name] = exc
        elif isinstance(exc, DualprevError):
            packs.errors[name] = PackError(name, str(exc))
        else:
            packs.errors[name] = PackError(name, f"invalid pack: {type(exc).__name__}: {exc}")


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
