"""The 危大工程 thresholds of 建办质〔2018〕31号 (附件1 / 附件2) as data, with provincial variants and
the superseded national text (建质〔2009〕87号) as an edition.

The numbers live in ``data/dangerous-works.yaml``; this module reads and validates that file
into :class:`Catalogue` (sub-project kinds with their parameters, and threshold items) and
applies a variant (a province's replacements and additions).  Every item carries its clause and
its edge (≥ or >) as the source states it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import attrs

from dualprev_core.errors import InvalidInput, Problem, UnknownReference, ValidationError, suggest
from dualprev_core.provenance import Citation
from dualprev_core.rules.versions import CriteriaDocument
from dualprev_core.yaml_lines import safe_load_fast

__all__ = [
    "DANGEROUS",
    "BEYOND_SCALE",
    "NONE",
    "CLASSES",
    "Param",
    "Kind",
    "Condition",
    "Item",
    "Variant",
    "Edition",
    "Catalogue",
    "catalogue",
    "parse_catalogue",
    "check_params",
]

#: 危大工程: a special construction plan is required (37号令, 31号文 附件1).
DANGEROUS = "dangerous"
#: 超过一定规模的危大工程: the plan also needs expert review (31号文 附件2).
BEYOND_SCALE = "beyond_scale"
#: Neither.
NONE = "none"
#: Classes, lowest first, with their Chinese labels.
CLASSES: Mapping[str, str] = {NONE: "非危大工程", DANGEROUS: "危大工程", BEYOND_SCALE: "超过一定规模的危大工程"}

_FORMAT = "dualprev-construction-dangerous-works/1"
_OPS = ("ge", "gt", "le", "lt", "eq", "in")
_TYPES = ("number", "bool", "choice")


@attrs.frozen
class Param:
    """One parameter of a sub-project kind, recorded as the fact ``construction:<name>``."""

    name: str
    type: str
    zh: str
    unit: str = ""
    choices: tuple[str, ...] = ()


@attrs.frozen
class Kind:
    """A kind of sub-project (分部分项工程) and the parameters its thresholds read."""

    name: str
    zh: str
    params: Mapping[str, Param]


@attrs.frozen
class Condition:
    """``param op value`` (or ``param op <param_ref>`` of the same sub-project)."""

    param: str
    op: str
    value: Any = None
    param_ref: str | None = None

    def holds(self, values: Mapping[str, Any]) -> bool | None:
        """Whether it holds for ``values``; ``None`` when a parameter it reads is not recorded."""
        if self.param not in values:
            return None
        left = values[self.param]
        if self.param_ref is not None:
            if self.param_ref not in values:
                return None
            right = values[self.param_ref]
        else:
            right = self.value
        if self.op == "in":
            return left in right
        if self.op == "eq":
            return bool(left == right)
        return {"ge": left >= right, "gt": left > right, "le": left <= right, "lt": left < right}[self.op]

    def describe(self) -> str:
        sym = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "=", "in": "∈"}[self.op]
        rhs = self.param_ref if self.param_ref is not None else ("/".join(map(str, self.value)) if self.op == "in" else _fmt(self.value))
        return f"{self.param} {sym} {rhs}"


@attrs.frozen
class Item:
    """One alternative of a 31号文 clause: the sub-project is in ``cls`` when all conditions hold."""

    id: str
    kind: str
    cls: str
    clause: str
    text: str
    conditions: tuple[Condition, ...]
    citation: Citation
    edge: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.id, "class": self.cls, "clause": self.clause, "text": self.text,
                "conditions": [c.describe() for c in self.conditions], **({"edge": self.edge} if self.edge else {}),
                "citation": self.citation.to_dict()}


@attrs.frozen
class Variant:
    """A provincial (local) deviation: replaced values, added and removed items."""

    id: str
    title: str
    citation: Citation
    replace: Mapping[str, Mapping[str, Any]]
    add: tuple[Item, ...]
    remove: tuple[str, ...]


@attrs.frozen
class Edition:
    """A superseded version of the national text: its document (dates, what replaced it) and its
    differences from the current items, applied like a variant's."""

    changes: Variant
    document: CriteriaDocument

    @property
    def id(self) -> str:
        return self.changes.id


@attrs.frozen
class Catalogue:
    """The kinds, the base items, the variants and the superseded editions of the thresholds file.

    :ivar document: the version the base items encode (number, version, dates, supersedes).
    """

    kinds: Mapping[str, Kind]
    items: tuple[Item, ...]
    variants: Mapping[str, Variant]
    standard: Citation
    document: CriteriaDocument | None = None
    editions: Mapping[str, Edition] = attrs.field(factory=dict)

    def edition(self, name: str) -> Edition:
        """The edition named by its id, ``standard`` or ``standard@version``.

        :raises UnknownReference: no such edition (the message lists the known ones).
        """
        for e in self.editions.values():
            if name in (e.id, e.document.standard, e.document.key):
                return e
        known = [*(f"{e.id} ({e.document.key})" for e in self.editions.values())]
        raise UnknownReference(f"{name!r} is not a superseded edition of the construction thresholds; known: {', '.join(known) or 'none'}")

    def version_named(self, name: str) -> Edition | None:
        """``None`` when ``name`` names the current document, else the named edition."""
        if self.document is not None and name in (self.document.standard, self.document.key):
            return None
        return self.edition(name)

    def version_at(self, day: Any) -> Edition | None:
        """The edition in force on ``day`` (``None``: the current text, also when no edition was in force)."""
        if self.document is None or self.document.in_force_at(day):
            return None
        return next((e for e in self.editions.values() if e.document.in_force_at(day)), None)

    def kind(self, name: str) -> Kind:
        try:
            return self.kinds[name]
        except KeyError:
            raise UnknownReference(f"{name!r} is not a construction sub-project kind; known: {', '.join(self.kinds)}{suggest(name, self.kinds)}") from None

    def items_for(self, variant: str | None = None, edition: str | None = None) -> tuple[Item, ...]:
        """The items in force under ``variant`` (``None``: the national text) of ``edition`` (``None``: the current one)."""
        base = self.items if edition is None else _apply(self.items, self.edition(edition).changes)
        if variant is None:
            return base
        try:
            v = self.variants[variant]
        except KeyError:
            raise UnknownReference(f"{variant!r} is not a construction threshold variant; known: {', '.join(self.variants) or 'none'}{suggest(variant, self.variants)}") from None
        return _apply(base, v)


def _apply(items: tuple[Item, ...], v: Variant) -> tuple[Item, ...]:
    out = []
    for item in items:
        if item.id in v.remove:
            continue
        change = v.replace.get(item.id)
        if change:
            item = _replaced(item, v, change)
        out.append(item)
    return (*out, *v.add)


def _replaced(item: Item, v: Variant, change: Mapping[str, Any]) -> Item:
    """``item`` with the variant's new value/op on its numeric condition, citing the variant."""
    numeric = ("ge", "gt", "le", "lt")
    conds = tuple(attrs.evolve(c, **{k: change[k] for k in ("op", "value") if k in change}) if c.param_ref is None and c.op in numeric else c
                  for c in item.conditions)
    changed = [c for c in conds if c.param_ref is None and c.op in numeric]
    note = f"value replaced by variant {v.id!r}: {', '.join(f'{k}={_fmt(x)}' for k, x in change.items())}"
    cit = attrs.evolve(v.citation, clause=f"{v.title} (replaces {item.clause})", note=f"{note}; {v.citation.note}".strip("; "))
    edge = ", ".join(f"{c.describe()} (variant {v.id})" for c in changed)
    return attrs.evolve(item, conditions=conds, citation=cit, edge=edge)


def _fmt(x: Any) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def _citation(base: Citation, raw: Mapping[str, Any], clause: str, note_default: str = "") -> Citation:
    note = "; ".join(x for x in (str(raw.get("note", "")), note_default) if x)
    return attrs.evolve(base, clause=clause, verified=bool(raw.get("verified", True)) and base.verified, note=note)


def _parse_item(raw: Any, path: str, kinds: Mapping[str, Kind], base: Citation, clause_note: str, problems: list[Problem]) -> Item | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, "must be a mapping"))
        return None
    missing = [k for k in ("id", "kind", "class", "clause", "text", "all") if k not in raw]
    if missing:
        problems.append(Problem(path, f"missing {', '.join(missing)}"))
        return None
    kind = kinds.get(raw["kind"])
    if kind is None:
        problems.append(Problem(f"{path}.kind", f"unknown kind {raw['kind']!r}{suggest(raw['kind'], kinds)}"))
        return None
    if raw["class"] not in (DANGEROUS, BEYOND_SCALE):
        problems.append(Problem(f"{path}.class", f"must be {DANGEROUS} or {BEYOND_SCALE} (got {raw['class']!r})"))
    conds = []
    for j, c in enumerate(raw["all"] or ()):
        cp = f"{path}.all[{j}]"
        if not isinstance(c, Mapping) or c.get("param") not in kind.params or c.get("op") not in _OPS:
            problems.append(Problem(cp, f"needs a param of {kind.name} ({', '.join(kind.params)}) and an op ({', '.join(_OPS)}); got {c!r}"))
            continue
        if ("value" in c) == ("param_ref" in c) or ("param_ref" in c and c["param_ref"] not in kind.params):
            problems.append(Problem(cp, "needs exactly one of value or param_ref (a param of the same kind)"))
            continue
        conds.append(Condition(c["param"], c["op"], c.get("value"), c.get("param_ref")))
    return Item(str(raw["id"]), kind.name, str(raw["class"]), str(raw["clause"]), str(raw["text"]), tuple(conds),
                _citation(base, raw, str(raw["clause"]), clause_note), str(raw.get("edge", "")))


def parse_catalogue(data: Mapping[str, Any], *, source: str | None = None) -> Catalogue:
    """Validate a thresholds document; every problem is reported at once.

    :raises ValidationError: the document is not a valid ``dualprev-construction-dangerous-works/1``.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping) or data.get("format") != _FORMAT:
        raise ValidationError([Problem("format", f"must be {_FORMAT}")], source=source)
    clause_note = " ".join(str(data.get("clause_note", "")).split())
    base = attrs.evolve(Citation.from_mapping(data["standard"]), note=clause_note)
    kinds: dict[str, Kind] = {}
    for name, k in (data.get("kinds") or {}).items():
        params = {}
        for pname, p in (k.get("params") or {}).items():
            if p.get("type") not in _TYPES:
                problems.append(Problem(f"kinds.{name}.params.{pname}.type", f"must be one of {', '.join(_TYPES)}"))
                continue
            params[pname] = Param(pname, p["type"], str(p.get("zh", "")), str(p.get("unit", "")), tuple(p.get("choices") or ()))
        kinds[name] = Kind(name, str(k.get("zh", "")), params)
    items = [_parse_item(raw, f"items[{i}]", kinds, attrs.evolve(base, note="", sources=()), "", problems) for i, raw in enumerate(data.get("items") or ())]
    ids = [i.id for i in items if i is not None]
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        problems.append(Problem("items", f"duplicate item id {dup!r}"))
    variants: dict[str, Variant] = {}
    for vid, v in (data.get("variants") or {}).items():
        vpath = f"variants.{vid}"
        vcit = Citation(str(v.get("title", vid)), "", clause=str(v.get("clause", "")), title=str(v.get("title", "")),
                        verified=bool(v.get("verified", False)), note=" ".join(str(v.get("note", "")).split()), sources=tuple(v.get("sources") or ()))
        for target in (*(v.get("replace") or {}), *(v.get("remove") or ())):
            if target not in ids:
                problems.append(Problem(vpath, f"names unknown item {target!r}{suggest(target, ids)}"))
        added = [_parse_item(raw, f"{vpath}.add[{i}]", kinds, vcit, "", problems) for i, raw in enumerate(v.get("add") or ())]
        variants[vid] = Variant(vid, str(v.get("title", vid)), vcit, dict(v.get("replace") or {}), tuple(a for a in added if a is not None), tuple(v.get("remove") or ()))
    document = _document(data.get("document"), "document", problems)
    editions: dict[str, Edition] = {}
    for eid, e in (data.get("editions") or {}).items():
        epath = f"editions.{eid}"
        edoc = _document(e.get("document"), f"{epath}.document", problems) if isinstance(e, Mapping) else None
        if edoc is None:
            problems.append(Problem(epath, "an edition needs a document (standard, version, dates)"))
            continue
        ecit = Citation(edoc.standard, edoc.version, title=edoc.title, verified=bool(e.get("verified", False)),
                        note=" ".join(str(edoc.note).split()), sources=tuple(e.get("sources") or ()))
        for target in (*(e.get("replace") or {}), *(e.get("remove") or ())):
            if target not in ids:
                problems.append(Problem(epath, f"names unknown item {target!r}{suggest(target, ids)}"))
        added = [_parse_item(raw, f"{epath}.add[{i}]", kinds, ecit, "", problems) for i, raw in enumerate(e.get("add") or ())]
        changes = Variant(eid, edoc.title or edoc.standard, ecit, dict(e.get("replace") or {}), tuple(a for a in added if a is not None), tuple(e.get("remove") or ()))
        editions[eid] = Edition(changes, edoc)
    if problems:
        raise ValidationError(problems, source=source)
    return Catalogue(kinds, tuple(i for i in items if i is not None), variants, base, document, editions)


def _document(raw: Any, path: str, problems: list[Problem]) -> CriteriaDocument | None:
    if raw is None:
        return None
    try:
        return CriteriaDocument.from_mapping(raw, path)
    except InvalidInput as e:
        problems.append(Problem(path, str(e)))
        return None


@functools.cache
def catalogue() -> Catalogue:
    """The pack's thresholds file, parsed once."""
    path = resources.files("dualprev_construction").joinpath("data/dangerous-works.yaml")
    return parse_catalogue(safe_load_fast(path.read_text(encoding="utf-8")), source=str(path))


def _check_value(param: Param, value: Any) -> str | None:
    """Why ``value`` is not acceptable for ``param`` (``None`` when it is)."""
    if param.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value in (float("inf"), float("-inf")) or value < 0:
            return f"must be a non-negative number in {param.unit or 'its unit'} (got {value!r})"
    elif param.type == "bool":
        if not isinstance(value, bool):
            return f"must be true or false (got {value!r})"
    elif value not in param.choices:
        return f"must be one of {', '.join(param.choices)} (got {value!r}){suggest(str(value), param.choices)}"
    return None


def check_params(kind: Kind, values: Mapping[str, Any]) -> Sequence[tuple[str, str]]:
    """``(param, message)`` for each recorded value that is not acceptable for ``kind``."""
    out = []
    for name, value in values.items():
        param = kind.params.get(name)
        if param is None:
            out.append((name, f"is not a parameter of {kind.name} ({kind.zh}); known: {', '.join(kind.params) or 'none'}{suggest(name, kind.params)}"))
            continue
        why = _check_value(param, value)
        if why:
            out.append((name, why))
    return out
