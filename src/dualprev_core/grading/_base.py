"""Grading methods: a score from discrete inputs, a band variant from score to level."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import attrs

from dualprev_core.errors import InvalidInput, UnknownReference, excerpt, suggest
from dualprev_core.model.levels import RiskLevel
from dualprev_core.provenance import Citation

__all__ = ["Parameter", "Cut", "DangerGrade", "BandVariant", "Grading", "GradingMethod", "Edge"]

Edge = Literal["inclusive", "exclusive"]


@attrs.frozen
class Parameter:
    """One input of a method, with the values its published scale allows."""

    name: str
    label_zh: str
    label_en: str
    allowed: tuple[float, ...]
    meanings: Mapping[float, str] = attrs.field(factory=dict)

    def check(self, value: object, *, method: str) -> float:
        """Return the value as a number, or raise naming the allowed values."""
        if isinstance(value, bool) or value is None:
            raise InvalidInput(self._msg(value, method))
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            raise InvalidInput(self._msg(value, method)) from None
        if math.isnan(number) or number not in self.allowed:
            raise InvalidInput(self._msg(value, method))
        return number

    def _msg(self, value: object, method: str) -> str:
        allowed = ", ".join(_fmt(v) for v in self.allowed)
        return f"{method} {self.name} ({self.label_zh}) must be one of {allowed} (got {excerpt(value)})"


@attrs.frozen
class Cut:
    """A score at (inclusive) or above (exclusive) ``at`` gets ``level``."""

    level: RiskLevel
    at: float


@attrs.frozen
class DangerGrade:
    """A finer danger degree some sources print (e.g. LEC's 极其危险 … 稍有危险)."""

    grade: int
    label_zh: str
    label_en: str
    at: float | None
    action: str = ""


@attrs.frozen
class BandVariant:
    """How one published source maps scores to levels (or a lookup grid, for matrices)."""

    id: str
    method: str
    title: str
    citation: Citation
    edge: Edge = "exclusive"
    cuts: tuple[Cut, ...] = ()
    otherwise: RiskLevel = RiskLevel.LOW
    grades: tuple[DangerGrade, ...] = ()
    grid: tuple[tuple[RiskLevel, ...], ...] = ()
    #: The title in English where the data gives one (``title`` is the data's first-language title).
    title_en: str = ""
    #: Where the bands are from, in Chinese, for ``--lang zh`` (the citation itself is kept as published).
    source_zh: str = ""

    def title_in(self, lang: str = "zh") -> str:
        return self.title_en if lang != "zh" and self.title_en else self.title

    def level_for(self, score: float, *, edge: Edge | None = None) -> tuple[RiskLevel, Cut | None]:
        """The level of ``score`` and the cut that decided it (``None`` for ``otherwise``)."""
        e = edge or self.edge
        for cut in self.cuts:
            if score > cut.at or (e == "inclusive" and score == cut.at):
                return cut.level, cut
        return self.otherwise, None

    def grade_for(self, score: float, *, edge: Edge | None = None) -> DangerGrade | None:
        e = edge or self.edge
        for g in self.grades:
            if g.at is None or score > g.at or (e == "inclusive" and score == g.at):
                return g
        return None


_GRID_RE = re.compile(r"grid\[L=(\d+)\]\[S=(\d+)\] = (\w+)")


@attrs.frozen
class Grading:
    """The result of grading one set of inputs, with everything needed to explain it."""

    method: str
    variant: str
    inputs: Mapping[str, float]
    score: float
    level: RiskLevel
    edge: str
    decided_by: str
    citation: Citation
    danger_grade: DangerGrade | None = None

    def decided_text(self, lang: str = "zh") -> str:
        """:attr:`decided_by` for people in ``lang``: ``D = 42，低于全部分界值``, ``矩阵 L=2、S=5 → 较大``."""
        if lang != "zh":
            return self.decided_by
        m = _GRID_RE.fullmatch(self.decided_by)
        if m:
            return f"矩阵 L={m.group(1)}、S={m.group(2)} → {self.level.zh}"
        return self.decided_by.replace(" below every cut", "，低于全部分界值")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "method": self.method,
            "variant": self.variant,
            "inputs": {k: _num(v) for k, v in self.inputs.items()},
            "score": _num(self.score),
            "level": self.level.key,
            "level_zh": self.level.zh,
            "colour": self.level.colour,
            "edge": self.edge,
            "decided_by": self.decided_by,
            "citation": self.citation.to_dict(),
        }
        if self.danger_grade is not None:
            d["danger_grade"] = attrs.asdict(self.danger_grade)
        return d


class GradingMethod:
    """Base of the grading methods.  Subclasses set the class attributes and ``score``.

    All core methods are monotone: raising any input never lowers the score, which the
    current-level computation relies on (a failed control can only raise an input).
    """

    name: ClassVar[str]
    title_zh: ClassVar[str]
    title_en: ClassVar[str]
    formula: ClassVar[str]
    parameters: ClassVar[tuple[Parameter, ...]]
    #: Set to a provider name (pack) when registered; ``core`` for built-ins.
    provider: str = "core"
    #: Whether band edges (inclusive/exclusive) apply; lookup methods say False.
    uses_edges: ClassVar[bool] = True

    def __init__(self, variants: Mapping[str, BandVariant], default_variant: str) -> None:
        if default_variant not in variants:
            raise InvalidInput(f"default variant {default_variant!r} is not one of {sorted(variants)}")
        for v in variants.values():
            self.validate_variant(v)
        self.variants = dict(variants)
        self.default_variant = default_variant

    def validate_variant(self, variant: BandVariant) -> None:
        """Refuse a variant this method cannot use (raises :class:`InvalidInput`)."""
        if not variant.cuts:
            raise InvalidInput(f"{self.name} variant {variant.id!r} has no cuts")

    # -- inputs ---------------------------------------------------------------------------
    def check_inputs(self, inputs: Mapping[str, object]) -> dict[str, float]:
        """Validate every input; report all problems at once as one :class:`InvalidInput`."""
        names = [p.name for p in self.parameters]
        problems: list[str] = []
        checked: dict[str, float] = {}
        lookup = {k.upper() if isinstance(k, str) else k: v for k, v in inputs.items()}
        for key in inputs:
            if not isinstance(key, str) or key.upper() not in {n.upper() for n in names}:
                problems.append(f"{self.name} has no input {excerpt(key)}; its inputs are {', '.join(names)}{suggest(str(key), names)}")
        for p in self.parameters:
            if p.name.upper() not in lookup:
                problems.append(f"{self.name} input {p.name} ({p.label_zh}) is missing; allowed values: {', '.join(_fmt(v) for v in p.allowed)}")
                continue
            try:
                checked[p.name] = p.check(lookup[p.name.upper()], method=self.name)
            except InvalidInput as exc:
                problems.append(str(exc))
        if problems:
            raise InvalidInput("; ".join(problems))
        return checked

    def score(self, inputs: Mapping[str, float]) -> float:
        """The method's score from checked inputs (product for LEC, LS, MES)."""
        result = 1.0
        for p in self.parameters:
            result *= inputs[p.name]
        return round(result, 9)

    # -- variants -------------------------------------------------------------------------
    def variant(self, name: str | None = None) -> BandVariant:
        key = name or self.default_variant
        try:
            return self.variants[key]
        except KeyError:
            raise UnknownReference(
                f"{self.name} has no variant {key!r}; variants: {', '.join(sorted(self.variants))}"
                f"{suggest(key, self.variants)}"
            ) from None

    def grade(self, inputs: Mapping[str, object], *, variant: str | None = None, edge: Edge | None = None) -> Grading:
        """Grade ``inputs`` with ``variant`` (default: the method's) and optional edge override.

        :raises InvalidInput: an input is missing, unknown, NaN or off the method's scale.
        :raises UnknownReference: the variant does not exist.
        """
        if edge not in (None, "inclusive", "exclusive"):
            raise InvalidInput(f"edge must be 'inclusive' or 'exclusive' (got {edge!r})")
        checked = self.check_inputs(inputs)
        v = self.variant(variant)
        s = self.score(checked)
        level, cut = v.level_for(s, edge=edge)
        e = edge or v.edge
        sign = "≥" if e == "inclusive" else ">"
        decided = f"{self.formula.split('=')[0].strip()} = {_fmt(s)} {sign} {_fmt(cut.at)}" if cut else (
            f"{self.formula.split('=')[0].strip()} = {_fmt(s)} below every cut"
        )
        return Grading(
            method=self.name,
            variant=v.id,
            inputs=MappingProxyType(checked),
            score=s,
            level=level,
            edge=e,
            decided_by=decided,
            citation=v.citation,
            danger_grade=v.grade_for(s, edge=edge),
        )

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description of the method (parameters, variants, default)."""
        return {
            "name": self.name,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "formula": self.formula,
            "provider": self.provider,
            "parameters": [
                {"name": p.name, "label_zh": p.label_zh, "label_en": p.label_en, "allowed": [_num(a) for a in p.allowed]}
                for p in self.parameters
            ],
            "default_variant": self.default_variant,
            "variants": {k: {"title": v.title, **({"title_en": v.title_en} if v.title_en else {}), "citation": v.citation.to_dict()}
                         for k, v in self.variants.items()},
        }


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def _fmt(v: float) -> str:
    return str(_num(v))


def variant_from_mapping(method: str, vid: str, data: Mapping[str, Any]) -> BandVariant:
    """Build a :class:`BandVariant` from its data-file form (see ``data/grading-variants.yaml``)."""
    citation = Citation.from_mapping(data["citation"])
    title = data.get("title", vid)
    cuts = tuple(Cut(RiskLevel.parse(c["level"]), float(c["at"])) for c in data.get("cuts", ()))
    ats = [c.at for c in cuts]
    levels = [c.level for c in cuts]
    if ats != sorted(ats, reverse=True) or levels != sorted(levels, reverse=True):
        raise InvalidInput(f"{method} variant {vid!r}: cuts must go from the highest level and score down")
    grid = tuple(tuple(RiskLevel.parse(x) for x in row) for row in data.get("grid", ()))
    grades = tuple(
        DangerGrade(int(g["grade"]), g["label_zh"], g["label_en"], None if g.get("at") is None else float(g["at"]), g.get("action", ""))
        for g in data.get("grades", ())
    )
    edge = data.get("edge", "exclusive")
    if edge not in ("inclusive", "exclusive"):
        raise InvalidInput(f"{method} variant {vid!r}: edge must be inclusive or exclusive (got {edge!r})")
    return BandVariant(
        id=vid,
        method=method,
        title=str(title.get("zh", vid) if isinstance(title, Mapping) else title),
        title_en=str(title.get("en", "")) if isinstance(title, Mapping) else "",
        source_zh=str(data.get("source_zh", "")),
        citation=citation,
        edge=edge,
        cuts=cuts,
        otherwise=RiskLevel.parse(data.get("otherwise", "low")),
        grades=grades,
        grid=grid,
    )
