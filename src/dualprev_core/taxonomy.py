"""Accident and hazard-factor taxonomies as versioned data with provenance.

Three national standards are encoded as YAML files under ``dualprev_core/data``, read lazily
through :mod:`importlib.resources` and cached:

* **GB 6441-1986** 《企业职工伤亡事故分类》 — the 20 accident categories (``01``–``20``).
* **GB 6441-2025** 《生产安全事故分类与编码》 — the 27 accident types that replace it.  Their
  order and printed numeric codes are **unverified**, so every type has a stable key
  (``GB6441-2025:fire``) and ``code`` is only dualprev's sequence number.
* **GB/T 13861** 《生产过程危险和有害因素分类与代码》 — the top two levels of the hazard-factor
  code table, editions 2009 (verified names) and 2022 (2009 names carried over, unverified).

A dualprev **editorial** mapping (not published in either standard, unverified) links every
1986 category to one or more 2025 types; :func:`map_category` walks it both ways.

Default edition
---------------
:data:`DEFAULT_EDITION` is ``"2025"``.  Today is 2026-11-30: GB 6441-2025 was issued on
2025-12-31 as a *mandatory* national standard and has been in force since 2026-07-01 according
to most sources (unverified: one source says 2027-01-01), so new risk assessments should classify
accidents by it.  The 1986 edition stays fully supported — existing records, enterprise files
that declare ``category_edition: "1986"`` and the mapping to 2025 all work with it.

Every category and class carries a :class:`~dualprev_core.provenance.Citation`; its
``verified`` flag is ``False`` wherever the public sources mark the content unverified.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any, Final

import attrs

from dualprev_core.errors import DataFileError, DualprevError, InvalidInput, UnknownReference, suggest
from dualprev_core.model.vocabulary import HazardClass
from dualprev_core.provenance import Citation
from dualprev_core.yaml_lines import safe_load_fast

__all__ = [
    "EDITIONS",
    "DEFAULT_EDITION",
    "HAZARD_EDITIONS",
    "DEFAULT_HAZARD_EDITION",
    "AccidentCategory",
    "AccidentTaxonomy",
    "accident_taxonomy",
    "map_category",
    "mapping_note",
    "mapping_citation",
    "types_new_in_2025",
    "HazardFactorClass",
    "HazardFactorClasses",
    "hazard_factor_classes",
]

EDITIONS: Final = ("1986", "2025")
"""The GB 6441 editions dualprev encodes, oldest first."""

DEFAULT_EDITION: Final = "2025"
"""The GB 6441 edition used when none is given (see the module docstring for why)."""

HAZARD_EDITIONS: Final = ("2009", "2022")
"""The GB/T 13861 editions dualprev encodes, oldest first."""

DEFAULT_HAZARD_EDITION: Final = "2022"
"""The GB/T 13861 edition in force (its class names are unverified; codes assumed as in 2009)."""

_DATA_FILES: Final = {"1986": "gb6441-1986.yaml", "2025": "gb6441-2025.yaml"}
_MAPPING_FILE: Final = "gb6441-mapping-1986-2025.yaml"
_HAZARD_FILE: Final = "gbt13861.yaml"
_ID_RE: Final = re.compile(r"^gb\s*6441\s*-\s*(\d{4})\s*:\s*(.+)$")
_EDITION_RE: Final = re.compile(r"^(?:gb(?:/t)?\s*6441\s*-\s*)?(\d{4})$")
_HAZARD_EDITION_RE: Final = re.compile(r"^(?:gb/t\s*13861\s*-\s*)?(\d{4})$")


def _read_data(name: str) -> dict[str, Any]:
    """Parse one YAML file of ``dualprev_core/data``."""
    text = resources.files("dualprev_core").joinpath("data", name).read_text(encoding="utf-8")
    data = safe_load_fast(text)
    if not isinstance(data, dict):
        raise DataFileError(f"data file {name}: expected a mapping at top level")
    return data


def _norm(value: str) -> str:
    """Normalise a reference for lookup: NFKC (full-width brackets → ASCII), trimmed, casefolded."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _norm_key(value: str) -> str:
    """Normalise a slug: like :func:`_norm`, with ``-`` and spaces read as ``_``."""
    return re.sub(r"[\s\-]+", "_", _norm(value))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------------------------
# GB 6441 accident categories


def _categories(values: Iterable[AccidentCategory]) -> tuple[AccidentCategory, ...]:
    return tuple(values)


def _classes(values: Iterable[HazardFactorClass]) -> tuple[HazardFactorClass, ...]:
    return tuple(values)


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class AccidentCategory:
    """One accident category (1986) or accident type (2025) of GB 6441.

    :param id: ``"GB6441-<edition>:<code or key>"``: the code for 1986 (``"GB6441-1986:08"``),
        the key for 2025 (``"GB6441-2025:fire"``) since the 2025 codes are unverified.
    :param edition: ``"1986"`` or ``"2025"``.
    :param code: the two-digit code (for 2025: dualprev's sequence number, see ``note``).
    :param name_zh: the Chinese name as in the standard.
    :param name_en: an English gloss (dualprev's, not from the standard).
    :param citation: where the category is from.
    :param note: what is uncertain about this entry.
    :param key: a stable ASCII slug, e.g. ``"struck_by_object"``.
    :param mapping_note: set only on results of :func:`map_category`: why the source category
        maps to this one.  Not part of equality.
    """

    id: str
    edition: str
    code: str
    name_zh: str
    name_en: str
    citation: Citation = attrs.field(repr=False)
    note: str = attrs.field(default="", repr=False)
    key: str = ""
    mapping_note: str = attrs.field(default="", eq=False, repr=False)

    @property
    def verified(self) -> bool:
        """Whether the source of this entry is verified (from its citation)."""
        return self.citation.verified

    @property
    def standard(self) -> str:
        """The edition's label, e.g. ``"GB 6441-1986"``."""
        return f"GB 6441-{self.edition}"

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.id})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the category with its citation."""
        d: dict[str, Any] = {
            "id": self.id,
            "edition": self.edition,
            "code": self.code,
            "key": self.key,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "verified": self.verified,
            "citation": self.citation.to_dict(),
        }
        if self.note:
            d["note"] = self.note
        if self.mapping_note:
            d["mapping_note"] = self.mapping_note
        return d


@attrs.frozen
class AccidentTaxonomy:
    """The accident categories of one GB 6441 edition, with lookup by any reference.

    :param edition: ``"1986"`` or ``"2025"``.
    :param categories: the categories in the standard's order.
    :param citation: the document-level citation.
    :param issued: issue date (ISO), as given by the sources.
    :param in_force: date in force (ISO), as given by the sources.
    """

    edition: str
    categories: tuple[AccidentCategory, ...] = attrs.field(converter=_categories)
    citation: Citation = attrs.field(repr=False)
    issued: str = attrs.field(default="", repr=False)
    in_force: str = attrs.field(default="", repr=False)
    _index: dict[str, AccidentCategory] = attrs.field(init=False, repr=False, eq=False)
    _by_number: dict[int, AccidentCategory] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index: dict[str, AccidentCategory] = {}
        by_number: dict[int, AccidentCategory] = {}
        for c in self.categories:
            if c.edition != self.edition:
                raise DataFileError(f"category {c.id} is not of edition {self.edition}")
            n = int(c.code)
            if n in by_number:
                raise DataFileError(f"GB 6441-{self.edition}: duplicate code {c.code}")
            by_number[n] = c
            aliases = {_norm(c.id), _norm(c.name_zh), _norm(c.name_en), _norm_key(c.key)}
            if c.citation.clause:
                aliases.add(_norm(c.citation.clause))
            for alias in aliases:
                other = index.setdefault(alias, c)
                if other is not c:
                    raise DataFileError(f"GB 6441-{self.edition}: {alias!r} names both {other.id} and {c.id}")
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_by_number", by_number)

    @property
    def standard(self) -> str:
        """The edition's label, e.g. ``"GB 6441-2025"``."""
        return f"GB 6441-{self.edition}"

    @property
    def title(self) -> str:
        """The standard's Chinese title."""
        return self.citation.title

    @property
    def verified(self) -> bool:
        """Whether the document-level facts are verified."""
        return self.citation.verified

    def get(self, ref: AccidentCategory | str | int) -> AccidentCategory:
        """Resolve a reference to a category of this edition.

        Accepted: a code (``"08"``, ``"8"``, ``8``, or the printed ``"010"`` form), an id
        (``"GB6441-1986:08"``), a key (``"fire"``), the Chinese name (full-width or ASCII
        brackets) or the English name (case-insensitive), for 1986 also the clause (``"2.8"``).

        :raises UnknownReference: naming the edition and the value, with the nearest names.
        :raises InvalidInput: when ``ref`` is not a string, an integer or a category.
        """
        if isinstance(ref, AccidentCategory):
            if ref.edition != self.edition:
                raise UnknownReference(
                    f"{ref.id!r} is a GB 6441-{ref.edition} category, not a {self.standard} one; "
                    f"use map_category({ref.id!r}, to={self.edition!r})"
                )
            return self._by_number[int(ref.code)]
        if isinstance(ref, bool) or not isinstance(ref, (str, int)):
            raise InvalidInput(
                f"a {self.standard} category reference must be a code, id, key or name "
                f"(got {type(ref).__name__} {ref!r})"
            )
        if isinstance(ref, int):
            found = self._by_number.get(ref)
            if found is None:
                raise UnknownReference(f"{ref!r} is not a {self.standard} category code ({self._code_range()})")
            return found
        value = _norm(ref)
        m = _ID_RE.match(value)
        if m and m.group(1) != self.edition:
            raise UnknownReference(
                f"{ref!r} is a GB 6441-{m.group(1)} id, not a {self.standard} one; "
                f"use map_category({ref!r}, to={self.edition!r})"
            )
        if m:
            value = _norm(m.group(2))
        if value.isdigit():
            found = self._by_number.get(int(value))
            if found is None:
                raise UnknownReference(f"{ref!r} is not a {self.standard} category code ({self._code_range()})")
            return found
        found = self._index.get(value) or self._index.get(_norm_key(value))
        if found is None:
            other = self._other_edition(value)
            if other is not None:
                raise UnknownReference(other)
            hint = suggest(ref, self._names())
            if not hint:
                hint = (
                    f" (expected a code {self._code_range()}, an id like {self.categories[0].id!r}, "
                    "a key, or the Chinese or English name)"
                )
            raise UnknownReference(f"{ref!r} is not a {self.standard} category{hint}")
        return found

    def _other_edition(self, value: str) -> str | None:
        """If ``value`` names a category of the other edition, say so and how to choose it."""
        other_edition = "1986" if self.edition == "2025" else "2025"
        other = accident_taxonomy(other_edition)
        found = other._index.get(value) or other._index.get(_norm_key(value))
        if found is None:
            return None
        try:
            counterparts = "、".join(c.name_zh for c in map_category(found, to=self.edition))
        except DualprevError:
            counterparts = ""
        return (f"{found.name_zh!r} is a GB 6441-{other_edition} category ({found.code} {found.name_zh}), not a {self.standard} one; "
                f"to use the {other_edition} edition set settings.gb6441_edition: \"{other_edition}\" (or category_edition: "
                f"\"{other_edition}\" on the risk)" + (f"; its {self.standard} counterpart(s): {counterparts}" if counterparts else ""))

    def _code_range(self) -> str:
        return f"{self.categories[0].code}–{self.categories[-1].code}"

    def _names(self) -> list[str]:
        return _unique(
            [c.name_zh for c in self.categories] + [c.name_en for c in self.categories] + [c.key for c in self.categories]
        )

    def __iter__(self) -> Iterator[AccidentCategory]:
        return iter(self.categories)

    def __len__(self) -> int:
        return len(self.categories)

    def __contains__(self, ref: object) -> bool:
        if isinstance(ref, AccidentCategory):
            return ref in self.categories
        if not isinstance(ref, (str, int)) or isinstance(ref, bool):
            return False
        try:
            self.get(ref)
        except UnknownReference:
            return False
        return True


def _normalize_edition(edition: object) -> str:
    """``"2025"``, ``2025``, ``"GB 6441-2025"``, ``"GB/T 6441-1986"`` → the edition string."""
    if isinstance(edition, int) and not isinstance(edition, bool):
        edition = str(edition)
    if isinstance(edition, str):
        m = _EDITION_RE.match(_norm(edition))
        if m and m.group(1) in EDITIONS:
            return m.group(1)
    raise InvalidInput(
        f"GB 6441 edition must be one of {', '.join(repr(e) for e in EDITIONS)} (got {edition!r})"
    )


def _category_citation(doc: Citation, clause: str, verified: bool, note: str) -> Citation:
    return attrs.evolve(doc, clause=clause, verified=verified, note=note)


@functools.cache
def _load_taxonomy(edition: str) -> AccidentTaxonomy:
    data = _read_data(_DATA_FILES[edition])
    if str(data.get("edition")) != edition:
        raise DataFileError(f"{_DATA_FILES[edition]}: edition is {data.get('edition')!r}, expected {edition!r}")
    doc = Citation.from_mapping(data["citation"])
    note = str(data.get("category_note", ""))
    cats = []
    for row in data["categories"]:
        code, key = str(row["code"]), str(row["key"])
        ident = f"GB6441-{edition}:{code if edition == '1986' else key}"
        cats.append(
            AccidentCategory(
                id=ident,
                edition=edition,
                code=code,
                name_zh=str(row["name_zh"]),
                name_en=str(row["name_en"]),
                citation=_category_citation(doc, str(row.get("clause", "")), doc.verified, note),
                note=note,
                key=key,
            )
        )
    return AccidentTaxonomy(
        edition=edition,
        categories=tuple(cats),
        citation=doc,
        issued=str(data.get("issued", "")),
        in_force=str(data.get("in_force", "")),
    )


def accident_taxonomy(edition: str | int = DEFAULT_EDITION) -> AccidentTaxonomy:
    """The accident taxonomy of a GB 6441 edition (``"1986"`` or ``"2025"``, the default).

    :raises InvalidInput: for an edition dualprev does not encode, listing the allowed ones.
    """
    return _load_taxonomy(_normalize_edition(edition))


# --------------------------------------------------------------------------------------------
# 1986 → 2025 mapping (dualprev editorial)


@attrs.frozen
class _Mapping:
    citation: Citation
    forward: Mapping[str, tuple[tuple[str, str], ...]]  # 1986 code -> ((2025 key, note), ...)
    reverse: Mapping[str, tuple[tuple[str, str], ...]]  # 2025 key -> ((1986 code, note), ...)
    new: Mapping[str, tuple[tuple[str, ...], str]]  # 2025 key -> (nearest 1986 codes, note)


@functools.cache
def _load_mapping() -> _Mapping:
    data = _read_data(_MAPPING_FILE)
    old, new = _load_taxonomy("1986"), _load_taxonomy("2025")
    new_keys = {c.key for c in new}
    forward: dict[str, tuple[tuple[str, str], ...]] = {}
    reverse: dict[str, list[tuple[str, str]]] = {}
    for row in data["mappings"]:
        code = old.get(str(row["from"])).code
        if code in forward:
            raise DataFileError(f"{_MAPPING_FILE}: 1986 category {code} mapped twice")
        targets = [str(t) for t in row["to"]]
        unknown = [t for t in targets if t not in new_keys]
        if not targets or unknown:
            raise DataFileError(f"{_MAPPING_FILE}: 1986 category {code}: unknown or no 2025 types {unknown}")
        note = str(row["note"])
        forward[code] = tuple((t, note) for t in targets)
        for t in targets:
            reverse.setdefault(t, []).append((code, note))
    missing = [c.code for c in old if c.code not in forward]
    if missing:
        raise DataFileError(f"{_MAPPING_FILE}: 1986 categories {missing} are not mapped")
    fresh: dict[str, tuple[tuple[str, ...], str]] = {}
    for row in data.get("new_in_2025", ()):
        key = str(row["type"])
        if key not in new_keys or key in reverse:
            raise DataFileError(f"{_MAPPING_FILE}: new_in_2025 {key!r} is unknown or already mapped")
        nearest = tuple(old.get(str(n)).code for n in row.get("nearest_1986", ()))
        fresh[key] = (nearest, str(row["note"]))
    orphans = [c.key for c in new if c.key not in reverse and c.key not in fresh]
    if orphans:
        raise DataFileError(f"{_MAPPING_FILE}: 2025 types {orphans} are neither mapped nor new_in_2025")
    return _Mapping(
        citation=Citation.from_mapping(data["citation"]),
        forward=forward,
        reverse={k: tuple(sorted(v)) for k, v in reverse.items()},
        new=fresh,
    )


def _resolve_any(ref: AccidentCategory | str | int, default_edition: str) -> AccidentCategory:
    """Resolve in the edition named by ``ref`` itself (a category or an id), else ``default_edition``."""
    if isinstance(ref, AccidentCategory):
        return accident_taxonomy(ref.edition).get(ref)
    if isinstance(ref, str):
        m = _ID_RE.match(_norm(ref))
        if m and m.group(1) in EDITIONS:
            return accident_taxonomy(m.group(1)).get(ref)
    return accident_taxonomy(default_edition).get(ref)


def map_category(category_or_ref: AccidentCategory | str | int, *, to: str | int) -> tuple[AccidentCategory, ...]:
    """The categories of edition ``to`` that correspond to a category of the other edition.

    ``category_or_ref`` is a category, an id (whose edition is used), or any other reference,
    resolved in the edition *other* than ``to``.  1986 → 2025 follows the editorial mapping
    (one-to-many where the 2025 edition split a category); 2025 → 1986 is its reverse, and for
    types new in 2025 gives the 1986 categories such an accident would most likely have been
    filed under.  Each result carries the reasoning in ``mapping_note``; the mapping is
    dualprev's, not the standard's (see :func:`mapping_citation`), and unverified.  A category
    already of edition ``to`` maps to itself.

    :raises InvalidInput: for an unknown edition.
    :raises UnknownReference: when the reference does not resolve.
    """
    target = _normalize_edition(to)
    source = "1986" if target == "2025" else "2025"
    cat = _resolve_any(category_or_ref, source)
    if cat.edition == target:
        return (cat,)
    mapping = _load_mapping()
    if target == "2025":
        tax = accident_taxonomy("2025")
        return tuple(attrs.evolve(tax.get(key), mapping_note=note) for key, note in mapping.forward[cat.code])
    tax = accident_taxonomy("1986")
    if cat.key in mapping.reverse:
        return tuple(attrs.evolve(tax.get(code), mapping_note=note) for code, note in mapping.reverse[cat.key])
    nearest, note = mapping.new[cat.key]
    return tuple(attrs.evolve(tax.get(code), mapping_note=note) for code in nearest)


def mapping_note(c1986: AccidentCategory | str | int, c2025: AccidentCategory | str | int) -> str:
    """Why a 1986 category corresponds to a 2025 type (the editorial mapping's reasoning).

    :raises UnknownReference: when either reference does not resolve, or the pair is not mapped
        (the message names what the 1986 category does map to).
    """
    old = accident_taxonomy("1986").get(c1986)
    new = accident_taxonomy("2025").get(c2025)
    mapping = _load_mapping()
    for key, note in mapping.forward[old.code]:
        if key == new.key:
            return note
    if new.key in mapping.new and old.code in mapping.new[new.key][0]:
        return mapping.new[new.key][1]
    targets = ", ".join(repr(accident_taxonomy("2025").get(k).name_zh) for k, _ in mapping.forward[old.code])
    raise UnknownReference(f"{old} does not map to {new}; it maps to {targets}")


def mapping_citation() -> Citation:
    """The citation of the 1986 → 2025 mapping: a dualprev editorial mapping, unverified."""
    return _load_mapping().citation


def types_new_in_2025() -> tuple[AccidentCategory, ...]:
    """The 2025 types no 1986 category maps to (e.g. 滑坡, 泄漏), in the 2025 order."""
    new = _load_mapping().new
    return tuple(c for c in accident_taxonomy("2025") if c.key in new)


# --------------------------------------------------------------------------------------------
# GB/T 13861 hazard-factor classes


@attrs.frozen
class HazardFactorClass:
    """A class of GB/T 13861 hazardous and harmful factors (top two levels of 表1).

    :param code: ``"1"``–``"4"`` (level 1) or two digits such as ``"21"`` (level 2).
    :param name_zh: the Chinese name (2009 wording; carried over for 2022, see ``citation``).
    :param name_en: an English gloss (dualprev's).
    :param level: 1 or 2.
    :param parent_code: the level-1 code for a level-2 class, ``None`` for a level-1 class.
    :param citation: where the class is from.
    :param alternative_names_zh: other wordings accepted by lookup (the unverified 2022 renames).
    """

    code: str
    name_zh: str
    name_en: str
    level: int
    parent_code: str | None
    citation: Citation = attrs.field(repr=False)
    alternative_names_zh: tuple[str, ...] = attrs.field(default=(), converter=_names, repr=False)

    @property
    def verified(self) -> bool:
        """Whether the source of this entry is verified (from its citation)."""
        return self.citation.verified

    @property
    def top_class(self) -> HazardClass:
        """The level-1 class as the :class:`~dualprev_core.model.vocabulary.HazardClass` vocabulary member."""
        return list(HazardClass)[int(self.code[0]) - 1]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


@attrs.frozen
class HazardFactorClasses:
    """The top two levels of the GB/T 13861 code table for one edition.

    :param edition: ``"2009"`` or ``"2022"``.
    :param classes: level-1 and level-2 classes, in code-table order.
    :param citation: the document-level citation.
    """

    edition: str
    classes: tuple[HazardFactorClass, ...] = attrs.field(converter=_classes)
    citation: Citation = attrs.field(repr=False)
    _by_code: dict[str, HazardFactorClass] = attrs.field(init=False, repr=False, eq=False)
    _by_name: dict[str, HazardFactorClass] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_code = {c.code: c for c in self.classes}
        by_name: dict[str, HazardFactorClass] = {}
        for c in self.classes:
            for name in (c.name_zh, c.name_en, *c.alternative_names_zh):
                by_name[_norm(name)] = c
        for member in HazardClass:
            by_name.setdefault(_norm(member.key), by_code[member.code])
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_name", by_name)

    @property
    def standard(self) -> str:
        """The edition's label, e.g. ``"GB/T 13861-2022"``."""
        return f"GB/T 13861-{self.edition}"

    @property
    def top_level(self) -> tuple[HazardFactorClass, ...]:
        """The four level-1 classes (人, 物, 环境, 管理)."""
        return tuple(c for c in self.classes if c.level == 1)

    def children(self, code: str | int) -> tuple[HazardFactorClass, ...]:
        """The level-2 classes under a level-1 class."""
        parent = self.get(code)
        return tuple(c for c in self.classes if c.parent_code == parent.code)

    def get(self, code: HazardFactorClass | HazardClass | str | int) -> HazardFactorClass:
        """Resolve a code to its class.

        A 1- or 2-digit code gives that class; a deeper code (4 digits such as ``"2101"``, or 6
        such as ``"110101"``) gives its level-2 class.  Chinese and English class names and the
        :class:`~dualprev_core.model.vocabulary.HazardClass` keys (``"human"``…) are accepted too.

        :raises UnknownReference: naming the allowed top codes and the nearest names.
        """
        if isinstance(code, HazardFactorClass):
            found = self._by_code.get(code.code)
            if found is None:
                raise UnknownReference(f"{code.code!r} is not a {self.standard} hazard-factor code")
            return found
        if isinstance(code, HazardClass):
            return self._by_code[code.code]
        if isinstance(code, bool) or not isinstance(code, (str, int)):
            raise InvalidInput(f"a {self.standard} hazard-factor code must be a string or integer (got {code!r})")
        value = _norm(str(code))
        if value.isdigit():
            if len(value) in (1, 2) and value in self._by_code:
                return self._by_code[value]
            if len(value) in (4, 6) and value[:2] in self._by_code:
                return self._by_code[value[:2]]
            raise UnknownReference(f"{code!r} is not a {self.standard} hazard-factor code; {self._allowed()}")
        found = self._by_name.get(value)
        if found is None:
            names = _unique([c.name_zh for c in self.classes] + [c.name_en for c in self.classes])
            raise UnknownReference(
                f"{code!r} is not a {self.standard} hazard-factor class{suggest(str(code), names)}; {self._allowed()}"
            )
        return found

    def _allowed(self) -> str:
        tops = ", ".join(f"{c.code} ({c.name_zh})" for c in self.top_level)
        seconds = ", ".join(c.code for c in self.classes if c.level == 2)
        return (
            f"top classes are {tops}; second-level codes are {seconds}; "
            "deeper codes have 4 or 6 digits starting with a second-level code"
        )

    def __iter__(self) -> Iterator[HazardFactorClass]:
        return iter(self.classes)

    def __len__(self) -> int:
        return len(self.classes)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, (str, int, HazardFactorClass, HazardClass)) or isinstance(code, bool):
            return False
        try:
            self.get(code)
        except UnknownReference:
            return False
        return True


def _normalize_hazard_edition(edition: object) -> str:
    if isinstance(edition, int) and not isinstance(edition, bool):
        edition = str(edition)
    if isinstance(edition, str):
        m = _HAZARD_EDITION_RE.match(_norm(edition))
        if m and m.group(1) in HAZARD_EDITIONS:
            return m.group(1)
    raise InvalidInput(
        f"GB/T 13861 edition must be one of {', '.join(repr(e) for e in HAZARD_EDITIONS)} (got {edition!r})"
    )


@functools.cache
def _load_hazard_classes(edition: str) -> HazardFactorClasses:
    data = _read_data(_HAZARD_FILE)
    meta = data["editions"][edition]
    doc = Citation.from_mapping(meta["citation"])
    alt_note = str(data.get("name_zh_2022_note", ""))
    classes = []
    for row in data["classes"]:
        code = str(row["code"])
        if not (code.isdigit() and len(code) in (1, 2)):
            raise DataFileError(f"{_HAZARD_FILE}: bad class code {code!r}")
        alternatives: tuple[str, ...] = ()
        note = doc.note
        if edition == "2022" and row.get("name_zh_2022"):
            alternatives = (str(row["name_zh_2022"]),)
            note = f"2009 name carried over; 2022 wording may be {row['name_zh_2022']!r}: {alt_note}"
        elif edition == "2022":
            note = "2009 name carried over; 2022 wording not verified"
        classes.append(
            HazardFactorClass(
                code=code,
                name_zh=str(row["name_zh"]),
                name_en=str(row["name_en"]),
                level=len(code),
                parent_code=code[0] if len(code) == 2 else None,
                citation=attrs.evolve(doc, note=note),
                alternative_names_zh=alternatives,
            )
        )
    return HazardFactorClasses(edition=edition, classes=tuple(classes), citation=doc)


def hazard_factor_classes(edition: str | int = DEFAULT_HAZARD_EDITION) -> HazardFactorClasses:
    """The GB/T 13861 hazard-factor classes of an edition (``"2009"`` or ``"2022"``, the default).

    :raises InvalidInput: for an edition dualprev does not encode, listing the allowed ones.
    """
    return _load_hazard_classes(_normalize_hazard_edition(edition))

