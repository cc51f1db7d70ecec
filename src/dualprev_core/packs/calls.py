"""The one way the core calls packs: :class:`Packs`, a typed method per hook.

Every hook call goes through :meth:`Packs._call`, which calls one pack through pluggy's own hook
caller for it and names the pack when its implementation fails.  The order is pluggy's call order
(the pack registered last first); see :mod:`dualprev_core.packs.hookspecs`, "Call order".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from dualprev_core.errors import DualprevError, DuplicateContribution, PackError, PackLoadError, Problem, UnknownReference, suggest
from dualprev_core.packs.registry import EnterpriseLevel, PackManifest, Registrar, Registry

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.hidden_dangers.ledger import CriterionRef
    from dualprev_core.model.records import Enterprise, Risk

__all__ = ["Packs"]


@attrs.define
class Packs:
    """The loaded packs: the pluggy manager, the registry, and the packs that failed to load.

    Build it with :func:`~dualprev_core.packs.load_packs`.  The core calls packs only through
    these methods, never ``pm.hook`` directly.

    :ivar errors: pack name → why it could not be loaded (empty unless loaded with ``strict=False``).
    :ivar disabled: the packs the caller disabled explicitly (``disabled=``, ``DUALPREV_DISABLE_PACKS``).
    """

    pm: pluggy.PluginManager
    registry: Registry
    errors: dict[str, PackError] = attrs.field(factory=dict)
    disabled: tuple[str, ...] = ()
    _callers: dict[str, tuple[tuple[tuple[str, object], ...], list[tuple[str, Any]]]] = attrs.field(factory=dict, init=False, repr=False)
    _gate_cache: tuple[object, dict[str, bool]] | None = attrs.field(default=None, init=False, repr=False)

    @property
    def manifests(self) -> dict[str, PackManifest]:
        return self.registry.manifests

    # -- the call layer ------------------------------------------------------------------------
    def callers(self, hook: str) -> list[tuple[str, Any]]:
        """``(pack, hook caller)`` for each pack implementing ``hook``, in pluggy's call order.

        A caller is pluggy's hook caller restricted to that pack (plus plugins that only wrap),
        so pluggy's call loop, wrappers and tracing apply to every call.
        """
        hook_caller = getattr(self.pm.hook, hook)
        impls = hook_caller.get_hookimpls()
        key = tuple((i.plugin_name, i.function) for i in impls)
        cached = self._callers.get(hook)
        if cached is not None and cached[0] == key:
            return cached[1]
        plain = [i for i in impls if not (i.wrapper or i.hookwrapper)]
        order = list(dict.fromkeys(i.plugin_name for i in reversed(plain)))  # pluggy runs the list from its end
        plugins = {i.plugin_name: i.plugin for i in plain}
        callers = [(name, self.pm.subset_hook_caller(hook, [p for n, p in plugins.items() if n != name])) for name in order]
        self._callers[hook] = (key, callers)
        return callers

    @staticmethod
    def _run(pack: str, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run pack code — the one place a pack's failure is attributed to it.

        A :class:`DualprevError` passes through (the pack's own, deliberate message, often a
        user's input mistake it found); any other exception becomes a :class:`PackError` naming
        the pack and ``what`` failed.
        """
        try:
            return fn(*args, **kwargs)
        except DualprevError:
            raise
        except Exception as exc:
            raise PackError(pack, f"{what} failed: {type(exc).__name__}: {exc}") from exc

    def _call(self, hook: str, pack: str, caller: Any, kwargs: Mapping[str, Any]) -> list[Any]:
        """Call one pack's implementation of ``hook`` through its pluggy hook caller.

        :returns: the pack's results that are not ``None`` (pluggy's list; for a ``firstresult``
            hook, the one result or nothing).
        """
        result = self._run(pack, hook, caller, **kwargs)
        if caller.spec is not None and caller.spec.opts.get("firstresult"):
            return [] if result is None else [result]
        return list(result)

    def _call_each(self, hook: str, kwargs: Mapping[str, Any], *, enterprise: Enterprise | None = None, first: bool = False) -> list[tuple[str, Any]]:
        """Call ``hook`` pack by pack (only the packs that judge ``enterprise``, when given);
        ``first``: stop at the first result that is not ``None`` (``firstresult`` hooks)."""
        judges = self._judges(enterprise) if enterprise is not None else None
        out = []
        for pack, caller in self.callers(hook):
            if judges is not None and not judges.get(pack, True):
                continue
            for result in self._call(hook, pack, caller, kwargs):
                out.append((pack, result))
                if first:
                    return out
        return out

    def _judges(self, enterprise: Enterprise) -> dict[str, bool]:
        cached = self._gate_cache
        if cached is not None and cached[0] is enterprise:
            return cached[1]
        judges = {pack: bool(self._run(pack, "its gate (applies_to)", self.registry.judges, pack, enterprise)) for pack in self.registry.gates}
        self._gate_cache = (enterprise, judges)
        return judges

    def judges(self, pack: str, enterprise: Enterprise) -> bool:
        """Whether ``pack`` judges ``enterprise`` (its rule files apply and its decision hooks run)."""
        return self._judges(enterprise).get(pack, True)

    def require_complete(self) -> None:
        """Refuse to take decisions while an installed pack failed to load.

        :raises PackLoadError: naming each such pack, why, and how to run without it.
        """
        if self.errors:
            raise PackLoadError(dict(self.errors))

    # -- loading -------------------------------------------------------------------------------
    def pack_manifest(self, pack: str) -> PackManifest:
        """The manifest ``pack`` declares (``dualprev_pack_manifest``)."""
        for name, caller in self.callers("dualprev_pack_manifest"):
            if name == pack:
                results = self._call("dualprev_pack_manifest", pack, caller, {})
                manifest = results[0] if len(results) == 1 else results
                if not isinstance(manifest, PackManifest):
                    raise PackError(pack, f"dualprev_pack_manifest returned {type(manifest).__name__}, not one PackManifest")
                return manifest
        raise PackError(pack, "has no dualprev_pack_manifest hook (or define_pack definition)")

    def register_contributions(self, pack: str, hook: str, registrar: Registrar) -> None:
        """Call one registration hook of one pack with its registrar."""
        for name, caller in self.callers(hook):
            if name == pack:
                self._call(hook, pack, caller, {"registrar": registrar})

    # -- one method per run-time hook ----------------------------------------------------------
    def validate_enterprise(self, enterprise: Enterprise) -> list[Problem]:
        """Every problem the packs find in ``enterprise`` (``dualprev_validate_enterprise``)."""
        out: list[Problem] = []
        for pack, result in self._call_each("dualprev_validate_enterprise", {"enterprise": enterprise}):
            for p in _listed(pack, "dualprev_validate_enterprise", result):
                if not isinstance(p, Problem):
                    raise PackError(pack, f"dualprev_validate_enterprise returned {p!r}, not a Problem")
                out.append(p)
        return out

    def grade_hidden_danger(self, hidden_danger: Mapping[str, Any], enterprise: Enterprise) -> list[CriterionRef]:
        """The packs' criteria (``dualprev_grade_hidden_danger``) that make a hidden danger major."""
        from dualprev_core.hidden_dangers.ledger import CriterionRef  # the ledger is not needed to load packs

        out: list[CriterionRef] = []
        kwargs = {"hidden_danger": hidden_danger, "enterprise": enterprise}
        for pack, result in self._call_each("dualprev_grade_hidden_danger", kwargs, enterprise=enterprise):
            for c in _listed(pack, "dualprev_grade_hidden_danger", result):
                if not isinstance(c, CriterionRef):
                    raise PackError(pack, f"dualprev_grade_hidden_danger returned {c!r}, not a CriterionRef")
                out.append(c)
        return out

    def active_risks(self, risks: Iterable[Risk], enterprise: Enterprise) -> frozenset[str]:
        """The ids of the risks that count now (``dualprev_risk_is_active``; default: all)."""
        risks = list(risks)
        if not self.callers("dualprev_risk_is_active"):
            return frozenset(r.id for r in risks)
        # the packs that judge this enterprise, found once (not per risk: this runs for every risk)
        judges = self._judges(enterprise)
        callers = [(pack, c) for pack, c in self.callers("dualprev_risk_is_active") if judges.get(pack, True)]
        if not callers:
            return frozenset(r.id for r in risks)
        active = set()
        for r in risks:
            kwargs = {"risk": r, "enterprise": enterprise}
            decided = None
            for pack, caller in callers:
                results = self._call("dualprev_risk_is_active", pack, caller, kwargs)
                if results:
                    decided = [(pack, results[0])]
                    break
            if decided:
                pack, value = decided[0]
                if not isinstance(value, bool):
                    raise PackError(pack, f"dualprev_risk_is_active returned {value!r}, not True/False/None")
                if not value:
                    continue
            active.add(r.id)
        return frozenset(active)

    def control_tags(self, enterprise: Enterprise) -> dict[str, set[str]]:
        """Extra tags by control id from the packs (``dualprev_control_tags``), united."""
        out: dict[str, set[str]] = {}
        for pack, result in self._call_each("dualprev_control_tags", {"enterprise": enterprise}, enterprise=enterprise):
            if not isinstance(result, Mapping):
                raise PackError(pack, f"dualprev_control_tags returned {result!r}, not a mapping of control id to tags")
            for control_id, tags in result.items():
                if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
                    raise PackError(pack, f"dualprev_control_tags gave {tags!r} for {control_id!r}, not a list of strings")
                out.setdefault(control_id, set()).update(tags)
        return out

    def enterprise_facts(self, assessment: Assessment) -> list[dict[str, Any]]:
        """The packs' derived facts (``dualprev_enterprise_facts``), one mapping per (type, key).

        Fields of one fact given by several packs are merged; the same field with different
        values from two packs is refused, naming both.
        """
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        owners: dict[tuple[str, str, str], str] = {}
        for pack, result in self._call_each("dualprev_enterprise_facts", {"assessment": assessment}, enterprise=assessment.enterprise):
            for fact in _listed(pack, "dualprev_enterprise_facts", result):
                if not isinstance(fact, Mapping) or not isinstance(fact.get("type"), str) or not isinstance(fact.get("key"), str):
                    raise PackError(pack, f"dualprev_enterprise_facts returned {fact!r}, not a mapping with string 'type' and 'key'")
                tk = (fact["type"], fact["key"])
                into = merged.setdefault(tk, {})
                for field, value in fact.items():
                    if field in ("type", "key"):
                        into[field] = value
                        continue
                    first = owners.setdefault((*tk, field), pack)
                    if first != pack and into.get(field) != value:
                        raise DuplicateContribution("derived fact field", f"{tk[0]}:{tk[1]}.{field}", first, pack)
                    into[field] = value
        return list(merged.values())

    def assess_enterprise(self, assessment: Assessment) -> dict[str, Any]:
        """The packs' report sections (``dualprev_assess_enterprise``); a section name is one pack's."""
        sections: dict[str, Any] = {}
        owners: dict[str, str] = {}
        for pack, result in self._call_each("dualprev_assess_enterprise", {"assessment": assessment}, enterprise=assessment.enterprise):
            if not isinstance(result, Mapping):
                raise PackError(pack, f"dualprev_assess_enterprise returned {type(result).__name__}, not a mapping of sections")
            for key, value in result.items():
                if key in owners:
                    raise DuplicateContribution("report section", key, owners[key], pack)
                owners[key] = pack
                sections[key] = value
        return sections

    def enterprise_level(self, assessment: Assessment, name: str) -> EnterpriseLevel:
        """Run the enterprise-level method ``name`` (registered with ``registrar.enterprise_level_method``)."""
        methods = self.registry.enterprise_level_methods
        method = methods.get(name)
        if method is None:
            raise UnknownReference(f"enterprise level method {name!r} is not installed; installed: {', '.join(sorted(methods))}{suggest(name, methods)}")
        result = self._run(method.provider, f"enterprise level method {name!r}", method.function, assessment)
        if not isinstance(result, EnterpriseLevel):
            raise PackError(method.provider, f"enterprise level method {name!r} returned {type(result).__name__}, not EnterpriseLevel")
        return result


def _listed(pack: str, hook: str, result: Any) -> list[Any]:
    if isinstance(result, list | tuple):
        return list(result)
    raise PackError(pack, f"{hook} returned {type(result).__name__}, not a list")
