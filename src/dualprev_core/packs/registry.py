"""What packs contribute, as data: the manifest, the contribution records, the registry and the
per-pack registrar that validates and stages contributions.

This module loads nothing and calls no hook.  What validation needs from other layers (the
accident taxonomy, the rules loader, the frequency parser) is handed to the :class:`Registrar`
by the loader (:mod:`dualprev_core.packs.loader`) as :class:`RegistrarServices`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from dualprev_core._version import CORE_API_VERSION
from dualprev_core.errors import DuplicateContribution, InvalidInput, UnknownReference, suggest
from dualprev_core.grading import BandVariant, GradingMethod
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.vocabulary import OwnerLevel
from dualprev_core.provenance import Citation

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.model.records import Enterprise
    from dualprev_core.rules import RuleSet

__all__ = [
    "PackManifest",
    "InspectionTemplate",
    "Criterion",
    "EnterpriseLevel",
    "EnterpriseLevelMethod",
    "Gate",
    "RegistrarServices",
    "ReportLabels",
    "Registrar",
    "Registry",
    "api_compatible",
    "find_rule_files",
    "RULE_FILE_SUFFIXES",
]

#: Decides whether a pack judges an enterprise (see :func:`dualprev_core.packs.define.default_gate`).
Gate = Callable[["Enterprise"], bool]


def _citations(values: Iterable[Citation]) -> tuple[Citation, ...]:
    return tuple(values)


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
    standards: tuple[Citation, ...] = attrs.field(default=(), converter=_citations)
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
class EnterpriseLevel:
    """An enterprise's overall level with the method that produced it and why."""

    level: RiskLevel | None
    method: str
    citation: Citation
    reason: str
    details: Mapping[str, Any] = attrs.field(factory=dict)
    #: The reason in Chinese and in English, where the method gives both (``reason`` is either).
    reason_zh: str = ""
    reason_en: str = ""

    def reason_in(self, lang: str = "zh") -> str:
        """The reason for people in ``lang`` (falls back to :attr:`reason`)."""
        return (self.reason_zh if lang == "zh" else self.reason_en) or self.reason

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level.key if self.level else None, "level_zh": self.level.zh if self.level else None,
                "method": self.method, "reason": self.reason, "citation": self.citation.to_dict(), **({"details": dict(self.details)} if self.details else {})}


@attrs.frozen
class EnterpriseLevelMethod:
    """A way to combine an enterprise's risks and hidden dangers into one level."""

    name: str
    function: Callable[[Assessment], EnterpriseLevel]
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


#: The file names a rule folder's rule files have (``*.examples.*`` beside them are their examples).
RULE_FILE_SUFFIXES = (".yaml", ".yml", ".json")


def find_rule_files(folder: str | Path) -> list[Path]:
    """The rule files in ``folder``: ``*.yaml``/``*.yml``/``*.json``, not ``*.examples.*``, sorted by name.

    The one way rule files are found, for the registrar, the pack-definition helper and the
    conformance kit.

    :raises InvalidInput: ``folder`` is not a directory.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InvalidInput(f"rule directory {str(root)!r} does not exist")
    return sorted(p for p in root.iterdir() if p.suffix in RULE_FILE_SUFFIXES and ".examples." not in p.name)


@attrs.frozen
class RegistrarServices:
    """What a :class:`Registrar` needs from other layers to validate contributions.

    :param category_id: ``(reference, edition) -> category id``; raises for an unknown category.
    :param load_ruleset: ``path -> RuleSet``, validating the file (raises naming file, rule and line).
    :param check_frequency: raises :class:`~dualprev_core.errors.InvalidInput` for a malformed frequency.
    """

    category_id: Callable[[str, str], str]
    load_ruleset: Callable[[Path], RuleSet]
    check_frequency: Callable[[str], object]


class Registry:
    """Everything the installed packs contribute, each item with the pack that gave it."""

    def __init__(self) -> None:
        self.manifests: dict[str, PackManifest] = {}
        self.methods: dict[str, GradingMethod] = {}
        self.method_providers: dict[str, str] = {}
        self.variant_providers: dict[tuple[str, str], str] = {}
        self.categories: dict[str, list[str]] = {}  # category id -> packs using it
        self.rule_files: dict[str, tuple[str, Path]] = {}  # ruleset id -> (pack, path)
        self.rulesets: dict[str, RuleSet] = {}  # ruleset id -> the validated RuleSet (parsed once)
        self.criteria: dict[str, tuple[str, Criterion]] = {}
        self.templates: dict[str, tuple[str, InspectionTemplate]] = {}
        self.enterprise_level_methods: dict[str, EnterpriseLevelMethod] = {}
        self.industry_defaults: dict[str, str] = {}
        self.escalation_policies: dict[str, tuple[str, Any]] = {}
        #: per pack: whether it judges an enterprise (its rule files and decision hooks)
        self.gates: dict[str, Gate] = {}
        #: Report section key -> its labels for people (see ``dualprev_register_labels``).
        self.report_labels: dict[str, ReportLabels] = {}

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

    def judges(self, pack: str, enterprise: Enterprise) -> bool:
        """Whether ``pack``'s rule files and decision hooks apply to ``enterprise`` (its gate)."""
        gate = self.gates.get(pack)
        return True if gate is None else bool(gate(enterprise))


class Registrar:
    """A pack's view of the registry: contributions are staged, validated, committed together."""

    def __init__(self, registry: Registry, pack: str, services: RegistrarServices) -> None:
        self._registry = registry
        self.pack = pack
        self._services = services
        self._staged: list[Callable[[], None]] = []
        self._rulesets: list[tuple[Path, RuleSet]] = []

    def _dup(self, kind: str, key: str, first: str) -> None:
        raise DuplicateContribution(kind, key, first, self.pack)

    def accident_category(self, ref: str, *, edition: str = "2025") -> None:
        cid = self._services.category_id(ref, edition)
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

        def commit() -> None:
            self._registry.methods[method.name] = method
            self._registry.method_providers[method.name] = self.pack

        self._staged.append(commit)

    def band_variant(self, method_name: str, variant: BandVariant) -> None:
        key = (method_name, variant.id)
        existing = self._registry.methods.get(method_name)
        if key in self._registry.variant_providers or (existing is not None and variant.id in existing.variants):
            self._dup("band variant", f"{method_name}:{variant.id}", self._registry.variant_providers.get(key, self._registry.method_providers.get(method_name, "core")))
        method = self._registry.method(method_name)
        method.validate_variant(variant)

        def commit() -> None:
            method.variants[variant.id] = variant
            self._registry.variant_providers[key] = self.pack

        self._staged.append(commit)

    def rule_file(self, path: str | Path) -> RuleSet:
        """Register one rule file (validated now, parsed once); returns its rule set."""
        p = Path(path)
        if not p.is_file():
            raise InvalidInput(f"rule file {str(p)!r} does not exist")
        ruleset = self._services.load_ruleset(p)  # raises ValidationError naming the file, rule and line
        rid = ruleset.id
        if rid in self._registry.rule_files:
            self._dup("ruleset", rid, self._registry.rule_files[rid][0])
        if any(rs.id == rid for _, rs in self._rulesets):
            self._dup("ruleset", rid, self.pack)
        ruleset = attrs.evolve(ruleset, pack=self.pack)  # the registering pack is the provider
        self._rulesets.append((p, ruleset))

        def commit() -> None:
            self._registry.rule_files[rid] = (self.pack, p)
            self._registry.rulesets[rid] = ruleset

        self._staged.append(commit)
        return ruleset

    def rule_directory(self, folder: str | Path) -> list[Path]:
        """Register every rule file in ``folder`` (see :func:`find_rule_files`).

        :returns: the files registered.
        """
        files = find_rule_files(folder)
        for f in files:
            self.rule_file(f)
        return files

    def rulesets(self) -> list[tuple[Path, RuleSet]]:
        """The rule files this pack registered so far, with their parsed rule sets (no re-parsing)."""
        return list(self._rulesets)

    def criterion(self, criterion: Criterion) -> None:
        if criterion.id in self._registry.criteria:
            self._dup("criterion", criterion.id, self._registry.criteria[criterion.id][0])
        self._staged.append(lambda: self._registry.criteria.__setitem__(criterion.id, (self.pack, criterion)))

    def inspection_template(self, template: InspectionTemplate) -> None:
        try:
            self._services.check_frequency(template.frequency)
        except InvalidInput as exc:
            raise InvalidInput(f"inspection template {template.id!r}: {exc}") from None
        if template.id in self._registry.templates:
            self._dup("inspection template", template.id, self._registry.templates[template.id][0])
        self._staged.append(lambda: self._registry.templates.__setitem__(template.id, (self.pack, template)))

    def enterprise_level_method(self, name: str, function: Callable[[Assessment], EnterpriseLevel], citation: Citation) -> None:
        if name in self._registry.enterprise_level_methods:
            self._dup("enterprise level method", name, self._registry.enterprise_level_methods[name].provider)
        m = EnterpriseLevelMethod(name, function, citation, self.pack)
        self._staged.append(lambda: self._registry.enterprise_level_methods.__setitem__(name, m))

    def default_enterprise_level_method(self, industry: str, name: str) -> None:
        if industry in self._registry.industry_defaults:
            self._dup("default enterprise level method for industry", industry, self._registry.industry_defaults[industry].split(":")[0])
        self._staged.append(lambda: self._registry.industry_defaults.__setitem__(industry, name))

    def report_labels(self, section: str, title: Mapping[str, str], *, fields: Mapping[str, Mapping[str, str]] | None = None) -> None:
        """Name a report section and its fields for people: ``{"zh": "重大危险源", "en": "major hazard installations"}``.

        The title needs both languages; a field may be labelled in one only (e.g. ``level_zh`` shown
        in Chinese, ``level`` in English).  Fields without a label in the user's language are not shown.

        :raises InvalidInput: the title lacks ``zh`` or ``en``, or a field has no label at all.
        """
        missing = [lang for lang in ("zh", "en") if not str(title.get(lang, "")).strip()]
        if missing:
            raise InvalidInput(f"report_labels({section!r}): the title has no {' or '.join(missing)} label")
        for k, v in (fields or {}).items():
            if not any(str(v.get(lang, "")).strip() for lang in ("zh", "en")):
                raise InvalidInput(f"report_labels({section!r}): field {k!r} has no zh or en label")
        if section in self._registry.report_labels:
            self._dup("report section labels", section, self._registry.report_labels[section].pack)
        labels = ReportLabels(section, dict(title), {k: dict(v) for k, v in (fields or {}).items()}, self.pack)
        self._staged.append(lambda: self._registry.report_labels.__setitem__(section, labels))

    def escalation_policy(self, name: str, policy: Any) -> None:
        if name in self._registry.escalation_policies:
            self._dup("escalation policy", name, self._registry.escalation_policies[name][0])
        self._staged.append(lambda: self._registry.escalation_policies.__setitem__(name, (self.pack, policy)))

    def gate(self, gate: Gate) -> None:
        """Set whether this pack judges an enterprise (the pack-definition helper calls it)."""
        self._staged.append(lambda: self._registry.gates.__setitem__(self.pack, gate))

    def commit(self) -> None:
        """Apply every staged contribution (the loader calls it once all hooks succeeded)."""
        for step in self._staged:
            step()
        self._staged.clear()


@attrs.frozen
class ReportLabels:
    """People's names of one report section and its fields, by language (``zh``, ``en``)."""

    section: str
    title: Mapping[str, str]
    fields: Mapping[str, Mapping[str, str]]
    pack: str

    def field(self, key: str, lang: str) -> str | None:
        """The field's label in ``lang``, or ``None`` when the pack gives none."""
        return self.fields.get(key, {}).get(lang)
