"""Hook specifications for dualprev packs.

A pack is a module (registered in the entry-point group ``dualprev``) with functions marked
``@dualprev_core.hookimpl``; most packs declare their manifest, categories, rule folder and gate with
:func:`dualprev_core.packs.define_pack` and keep only their domain hooks.  Contribution hooks
receive a *registrar* — a per-pack view of the registry that validates each item and refuses a
duplicate id, naming both packs — rather than returning lists.

Call order
----------
Every hook is called through :class:`dualprev_core.packs.Packs`, pack by pack, in **pluggy's call
order**: the pack registered *last* is called *first* (``tryfirst``/``trylast`` on an
implementation move it as pluggy documents).  Packs are registered in this order: the core's
built-in pack ``core``, then installed packs by entry-point name, then ``extra`` packs given to
:func:`~dualprev_core.packs.load_packs`; so a hook runs in ``extra`` packs first, installed packs in
reverse name order, ``core`` last.  Each pack's call goes through pluggy's own hook caller for that
pack (``PluginManager.subset_hook_caller``), so hook wrappers (``wrapper=True``) wrap each pack's
implementation and ``PluginManager.enable_tracing`` / ``add_hookcall_monitoring`` see every call.
``tests/test_plugins.py`` pins this order against pluggy's own.

Where order could change a result, the result does not depend on it:

* ``dualprev_enterprise_facts``: fields merge into the core's facts field by field; two packs
  giving the same field of the same fact different values is an error naming both.
* ``dualprev_assess_enterprise``: a section name given by two packs is an error naming both.
* ``dualprev_grade_hidden_danger``: the criteria that match are recorded rule files first (by rule
  id), then hook criteria in call order; any match makes the hidden danger major.
* ``dualprev_risk_is_active`` (``firstresult``): the first pack in call order that decides wins.
* ``dualprev_control_tags``: the tags packs give a control are united.

A pack whose implementation raises is named in one place (``Packs``) as a
:class:`~dualprev_core.errors.PackError` with the hook; a
:class:`~dualprev_core.errors.DualprevError` a pack raises on purpose (a user's input mistake it
found) passes through with its own message.

Hook implementation parameters must not have defaults (pluggy passes nothing to them); the loader
refuses such a pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.errors import Problem
    from dualprev_core.hidden_dangers.ledger import CriterionRef
    from dualprev_core.model.records import Enterprise, Risk
    from dualprev_core.packs.registry import PackManifest, Registrar

__all__ = [
    "hookspec",
    "hookimpl",
    "PROJECT",
    "HOOKS",
    "REGISTRATION_HOOKS",
    "dualprev_pack_manifest",
    "dualprev_register_accident_categories",
    "dualprev_register_grading_methods",
    "dualprev_register_criteria",
    "dualprev_register_templates",
    "dualprev_register_labels",
    "dualprev_register_policies",
    "dualprev_validate_enterprise",
    "dualprev_grade_hidden_danger",
    "dualprev_risk_is_active",
    "dualprev_control_tags",
    "dualprev_enterprise_facts",
    "dualprev_assess_enterprise",
]

PROJECT = "dualprev"
hookspec = pluggy.HookspecMarker(PROJECT)
#: The marker packs use on their hook implementations.
hookimpl = pluggy.HookimplMarker(PROJECT)

# --------------------------------------------------------------------------------------
# Identity
# --------------------------------------------------------------------------------------


@hookspec
def dualprev_pack_manifest() -> PackManifest:
    """Describe the pack: name, version, the core API range it supports, the standards it encodes.

    :returns: the pack's :class:`~dualprev_core.packs.registry.PackManifest`.  Required: a pack
        without a manifest, or whose ``core_api`` range excludes this core, is refused with
        one error naming it.

    .. versionadded:: 0.1

    Scope: every pack, each once; the core's built-in pack answers ``name="core"``.
    """


# --------------------------------------------------------------------------------------
# Registration (configuration time)
# --------------------------------------------------------------------------------------


@hookspec
def dualprev_register_accident_categories(registrar: Registrar) -> None:
    """Declare the GB 6441 accident categories the pack's industry uses.

    :param registrar: call ``registrar.accident_category(ref, edition=...)`` for each
        category in use (``"08"``, ``"火灾"``, ``"GB6441-2025:fire"`` ...); unknown references
        are refused with the nearest names.
    :returns: nothing; contributions go through ``registrar``.

    .. versionadded:: 0.1

    Scope: every pack; duplicates between packs are allowed here (several industries use 火灾).
    """


@hookspec
def dualprev_register_grading_methods(registrar: Registrar) -> None:
    """Contribute grading methods (e.g. GB 18218 R for major hazard installations) and band variants.

    :param registrar: ``registrar.grading_method(method)`` for a new
        :class:`~dualprev_core.grading.GradingMethod`; ``registrar.band_variant(method_name, variant)``
        for a new variant of an existing method.  A method name or (method, variant) pair
        already contributed by another pack is refused, naming both packs.
    :returns: nothing.

    .. versionadded:: 0.1

    Scope: every pack, once, at loading.
    """


@hookspec
def dualprev_register_criteria(registrar: Registrar) -> None:
    """Contribute major-hidden-danger criteria and major-hazard criteria as rule files (data).

    :param registrar: ``registrar.rule_file(path)`` for a file in the rules-layer format, each
        rule citing its standard, edition and clause; ``registrar.criterion(criterion)`` for a
        criterion given as a :class:`~dualprev_core.packs.registry.Criterion` record.
    :returns: nothing.

    .. versionadded:: 0.1

    Scope: every pack; criterion ids are global and must be unique across packs.
    """


@hookspec
def dualprev_register_templates(registrar: Registrar) -> None:
    """Contribute control and inspection templates (what to check, how often, by which owner level).

    :param registrar: ``registrar.inspection_template(template)`` with an
        :class:`~dualprev_core.packs.registry.InspectionTemplate`.
    :returns: nothing.

    .. versionadded:: 0.1

    Scope: every pack; template ids are unique across packs.
    """


@hookspec
def dualprev_register_labels(registrar: Registrar) -> None:
    """Give people's names to the pack's report sections and their fields, in Chinese and English.

    :param registrar: ``registrar.report_labels(section, {"zh": …, "en": …}, fields={"field": {"zh": …, "en": …}})``.
    :returns: nothing.

    .. versionadded:: 0.2

    Scope: every pack with ``dualprev_assess_enterprise`` sections.  ``dualprev assess`` titles each
    section and names each column with these labels in the user's language; a section without
    labels is left to ``--json`` (the table would show raw keys).
    """


@hookspec
def dualprev_register_policies(registrar: Registrar) -> None:
    """Contribute enterprise-level methods and escalation policies.

    :param registrar: ``registrar.enterprise_level_method(name, function, citation)`` where
        ``function(assessment) -> EnterpriseLevel``; ``registrar.escalation_policy(name, policy)``.
    :returns: nothing.

    .. versionadded:: 0.1

    Scope: every pack; names are unique across packs.  An enterprise selects one by name in
    ``settings.enterprise_level_method``; a pack may also declare itself the default for its
    industry with ``registrar.default_enterprise_level_method(industry, name)``.
    """


# --------------------------------------------------------------------------------------
# Validation (load time)
# --------------------------------------------------------------------------------------


@hookspec
def dualprev_validate_enterprise(enterprise: Enterprise) -> list[Problem] | None:
    """Check the pack's own facts in an enterprise file when it is loaded.

    :param enterprise: the enterprise, already valid for the core.
    :returns: every problem found, as :class:`~dualprev_core.errors.Problem` records whose
        ``path`` points into the file (``risk_points[3].facts.construction:depth_m``) — the
        loader adds the file name and line; ``None`` or ``[]`` when all is well.  Problems of
        all packs are reported together with the core's, so a user fixes a file in one pass.

    .. versionadded:: 0.1

    Scope: every pack (not gated: a pack's facts must be valid wherever they appear), in call order;
    called by ``load_enterprise(..., packs=...)``.
    """


# --------------------------------------------------------------------------------------
# Decisions (run time)
# --------------------------------------------------------------------------------------


@hookspec
def dualprev_grade_hidden_danger(hidden_danger: Mapping[str, Any], enterprise: Enterprise) -> list[CriterionRef] | None:
    """Judge whether a hidden danger is major by the pack's criteria.

    :param hidden_danger: the facts of the hidden danger, a read-only mapping whose entries are
        built when read (read only what you need: ``risks`` of a company-wide control is every
        risk): ``id``, ``finding``, ``inspection_facts``, ``source``, ``control`` (the control's
        record as a mapping), ``risks`` (a sequence of the mitigated risks' records as mappings,
        with ``current_level``), ``areas`` (their area chains), ``to_dict()`` for plain data.
    :param enterprise: the enterprise being assessed.
    :returns: the matching criteria as :class:`~dualprev_core.hidden_dangers.ledger.CriterionRef`
        records (empty or ``None`` when none match).  Any match from any pack makes it major.

    .. versionadded:: 0.1

    Scope: the packs that judge the enterprise (their gate); results are concatenated in call order.
    """


@hookspec(firstresult=True)
def dualprev_risk_is_active(risk: Risk, enterprise: Enterprise) -> bool | None:
    """Decide whether a risk counts now (e.g. a construction sub-project not in its phase).

    :param risk: the risk.
    :param enterprise: its enterprise (``enterprise.facts`` carries e.g. the current phase).
    :returns: ``False`` to leave the risk out of the area colours, the enterprise level, the
        level counts and the major-risk list (it is still graded and reported, marked
        inactive); ``True`` to count it; ``None`` to leave the decision to other packs.
        Stops at the first non-``None`` result.  With no decision, a risk is active.

    .. versionadded:: 0.1

    Scope: the packs that judge the enterprise, in call order (pluggy's ``firstresult``); the core decides nothing.
    """


@hookspec
def dualprev_control_tags(enterprise: Enterprise) -> dict[str, list[str]] | None:
    """Derive tags for controls, which inspection templates' ``applies_to`` select by.

    The core already tags every control with its kind key, its own ``tags`` and ``key:value``
    for each string fact; a pack adds what only it can judge (e.g. ``two_key_one_major`` for a
    control on a "两重点一重大" unit).

    :param enterprise: the enterprise.
    :returns: extra tags by control id (``None`` or ``{}`` when the pack adds none).

    .. versionadded:: 0.2

    Scope: the packs that judge the enterprise (their gate); tags are united (order-free).
    """


@hookspec
def dualprev_enterprise_facts(assessment: Assessment) -> list[dict[str, Any]] | None:
    """Add derived facts for rule files to test (e.g. a unit's GB 18218 level, 两重点一重大 flags).

    :param assessment: the live assessment (its enterprise, levels, graph and ledger).
    :returns: facts as flat mappings with string ``type`` and ``key`` (see docs/writing-a-pack.md for
        the fields the core puts on each fact type); a fact whose (type, key) the core already
        produces gets the pack's fields merged into it, field by field.  ``None`` when the pack
        adds nothing.  Two packs giving the same field of the same fact different values is an
        error naming both.

    .. versionadded:: 0.1

    Scope: the packs that judge the enterprise (their gate).
    """


@hookspec
def dualprev_assess_enterprise(assessment: Assessment) -> dict[str, Any] | None:
    """Add pack-specific sections to an enterprise assessment (e.g. major hazard installations).

    :param assessment: the live assessment (levels, graph, ledger).
    :returns: a mapping of section name to JSON-ready content, merged into the report;
        ``None`` when the pack has nothing to add.  A section name already produced by
        another pack is refused, naming both.

    .. versionadded:: 0.1

    Scope: the packs that judge the enterprise (their gate).
    """


#: Every hook, in the order of this module.
HOOKS: tuple[str, ...] = tuple(n for n in __all__ if n.startswith("dualprev_"))
#: The hooks called once per pack at loading, in this order, each with the pack's registrar.
REGISTRATION_HOOKS: tuple[str, ...] = (
    "dualprev_register_labels",
    "dualprev_register_accident_categories",
    "dualprev_register_grading_methods",
    "dualprev_register_criteria",
    "dualprev_register_templates",
    "dualprev_register_policies",
)
