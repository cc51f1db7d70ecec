"""Criteria by version: which document (and which version of it) a rule set encodes, when it is in force,
and which rule sets judge a finding made at a given time.

A rule file's ``document`` block says what it encodes::

    document:
      standard: 应急管理部令第4号
      version: '2020'
      title: 煤矿重大事故隐患判定标准
      in_force_from: '2021-01-01'
      in_force_until: null            # still in force
      dates_verified: true
      supersedes:
      - {standard: 原国家安全监管总局令第85号, version: '2015', in_force_until: '2021-01-01', encoded: false}

A judgement of a hidden danger uses the rule sets whose document was in force when the hidden danger
was found (:func:`in_force`), unless the caller names a version (:class:`VersionChoice`): then, of that
document's chain (the documents linked by ``supersedes``), only the named one judges, whatever its dates.
An unknown ``in_force_from`` reads "in force since before any finding", an unknown ``in_force_until``
reads "still in force"; dates the sources do not confirm are used but marked (``dates_verified: false``),
and every judgement names the document and version it used.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from dualprev_core.errors import InvalidInput

if TYPE_CHECKING:
    from dualprev_core.rules.format import RuleSet

__all__ = ["CriteriaDocument", "DocumentRef", "VersionChoice", "in_force", "parse_date", "select_rulesets", "check_choice", "chain_of", "documents_of"]


def parse_date(value: Any, what: str) -> _dt.date | None:
    """``YYYY-MM-DD`` (or a date) → date; ``None``/empty → ``None``.

    :raises InvalidInput: anything else (names ``what`` and the value).
    """
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(f"{what}: {value!r} is not a date (YYYY-MM-DD)")


def _iso(d: _dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


@attrs.frozen
class DocumentRef:
    """A document a rule set's document supersedes (or is superseded by): its number and version, its
    dates where known, and whether any installed rule set encodes it (``encoded``)."""

    standard: str
    version: str = ""
    title: str = ""
    in_force_from: _dt.date | None = None
    in_force_until: _dt.date | None = None
    encoded: bool = False
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.standard}@{self.version}" if self.version else self.standard

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"standard": self.standard, "version": self.version, "in_force_from": _iso(self.in_force_from),
                             "in_force_until": _iso(self.in_force_until), "encoded": self.encoded}
        if self.title:
            d["title"] = self.title
        if self.note:
            d["note"] = self.note
        return d


@attrs.frozen
class CriteriaDocument:
    """What a rule set encodes: document number, version, dates in force and what it supersedes.

    :param standard: the document's number (``安监总管三〔2017〕121号``).
    :param version: its version or edition (``2017``); two rule sets of one document differ here.
    :param title: its title.
    :param in_force_from: first day in force (``None``: not known — treated as in force from the start).
    :param in_force_until: the day it stopped being in force (``None``: still in force).
    :param dates_verified: ``False`` when the public sources do not confirm the dates.
    :param supersedes: the documents this one replaced.
    :param superseded_by: the document that replaced this one (``None``: current).
    :param note: what is uncertain about the dates or the succession.
    """

    standard: str
    version: str = ""
    title: str = ""
    in_force_from: _dt.date | None = None
    in_force_until: _dt.date | None = None
    dates_verified: bool = True
    supersedes: tuple[DocumentRef, ...] = ()
    superseded_by: DocumentRef | None = None
    note: str = ""

    @property
    def key(self) -> str:
        """``standard@version`` — how a caller names this version."""
        return f"{self.standard}@{self.version}" if self.version else self.standard

    @property
    def status(self) -> str:
        """``current`` or ``superseded`` (today's calendar plays no part: a document is superseded when it says so)."""
        return "superseded" if self.in_force_until is not None or self.superseded_by is not None else "current"

    def in_force_at(self, day: _dt.date) -> bool:
        """Whether the document was in force on ``day`` (unknown dates read as open-ended)."""
        if self.in_force_from is not None and day < self.in_force_from:
            return False
        return not (self.in_force_until is not None and day >= self.in_force_until)

    def label(self) -> str:
        """``安监总管三〔2017〕121号 (2017, in force 2017-11-13 – , dates unverified)``."""
        span = f"in force {_iso(self.in_force_from) or '?'} – {_iso(self.in_force_until) or ''}".rstrip()
        parts = [p for p in (self.version, span, "" if self.dates_verified else "dates unverified", self.status if self.status != "current" else "") if p]
        return f"{self.standard} ({', '.join(parts)})"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "standard": self.standard, "version": self.version, "title": self.title,
            "in_force_from": _iso(self.in_force_from), "in_force_until": _iso(self.in_force_until),
            "dates_verified": self.dates_verified, "status": self.status,
            "supersedes": [s.to_dict() for s in self.supersedes],
            "superseded_by": self.superseded_by.to_dict() if self.superseded_by else None,
        }
        if self.note:
            d["note"] = self.note
        return d

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], what: str = "document") -> CriteriaDocument:
        """Build from a rule file's ``document`` block (or a pack's data).

        :raises InvalidInput: a missing standard, an unknown key, a bad date (named with ``what``).
        """
        if not isinstance(data, Mapping):
            raise InvalidInput(f"{what} must be a mapping (got {data!r})")
        allowed = {"standard", "version", "title", "in_force_from", "in_force_until", "dates_verified", "supersedes", "superseded_by", "note"}
        extra = sorted(str(k) for k in set(data) - allowed)
        if extra:
            raise InvalidInput(f"{what}: unknown key(s) {extra}; allowed: {', '.join(sorted(allowed))}")
        std = data.get("standard")
        if not isinstance(std, str) or not std.strip():
            raise InvalidInput(f"{what}.standard must be a non-empty string (got {std!r})")
        verified = data.get("dates_verified", True)
        if not isinstance(verified, bool):
            raise InvalidInput(f"{what}.dates_verified must be true or false (got {verified!r})")
        sup = data.get("supersedes") or []
        if not isinstance(sup, list):
            raise InvalidInput(f"{what}.supersedes must be a list (got {sup!r})")
        by = data.get("superseded_by")
        doc = cls(
            standard=std.strip(), version=_text(data, "version", what), title=_text(data, "title", what),
            in_force_from=parse_date(data.get("in_force_from"), f"{what}.in_force_from"),
            in_force_until=parse_date(data.get("in_force_until"), f"{what}.in_force_until"),
            dates_verified=verified,
            supersedes=tuple(_ref(s, f"{what}.supersedes[{i}]") for i, s in enumerate(sup)),
            superseded_by=_ref(by, f"{what}.superseded_by") if by is not None else None,
            note=_text(data, "note", what),
        )
        if doc.in_force_from and doc.in_force_until and doc.in_force_until <= doc.in_force_from:
            raise InvalidInput(f"{what}.in_force_until {doc.in_force_until} is not after in_force_from {doc.in_force_from}")
        return doc


def _text(data: Mapping[str, Any], key: str, what: str) -> str:
    v = data.get(key, "")
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str):
        raise InvalidInput(f"{what}.{key} must be a string (got {v!r})")
    return v.strip()


def _ref(data: Any, what: str) -> DocumentRef:
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{what} must be a mapping (got {data!r})")
    allowed = {"standard", "version", "title", "in_force_from", "in_force_until", "encoded", "note"}
    extra = sorted(str(k) for k in set(data) - allowed)
    if extra:
        raise InvalidInput(f"{what}: unknown key(s) {extra}; allowed: {', '.join(sorted(allowed))}")
    std = data.get("standard")
    if not isinstance(std, str) or not std.strip():
        raise InvalidInput(f"{what}.standard must be a non-empty string (got {std!r})")
    encoded = data.get("encoded", False)
    if not isinstance(encoded, bool):
        raise InvalidInput(f"{what}.encoded must be true or false (got {encoded!r})")
    return DocumentRef(
        standard=std.strip(), version=_text(data, "version", what), title=_text(data, "title", what),
        in_force_from=parse_date(data.get("in_force_from"), f"{what}.in_force_from"),
        in_force_until=parse_date(data.get("in_force_until"), f"{what}.in_force_until"),
        encoded=encoded, note=_text(data, "note", what),
    )


@attrs.frozen
class VersionChoice:
    """Versions a caller names: each ``standard@version`` (or a bare ``standard``) picks that version
    of its chain, overriding the in-force dates.

    >>> VersionChoice.parse(["建质〔2009〕87号@2009"]).names
    ('建质〔2009〕87号@2009',)
    """

    names: tuple[str, ...] = ()

    @classmethod
    def parse(cls, values: Iterable[str] | str | None) -> VersionChoice:
        if values is None:
            return cls()
        if isinstance(values, str):
            values = [values]
        out = []
        for v in values:
            if not isinstance(v, str) or not v.strip():
                raise InvalidInput(f"criteria version must be 'STANDARD@VERSION' or 'STANDARD' (got {v!r})")
            out.append(v.strip())
        return cls(tuple(out))

    def __bool__(self) -> bool:
        return bool(self.names)

    def picks(self, doc: CriteriaDocument) -> bool:
        return doc.key in self.names or doc.standard in self.names


def in_force(ruleset: RuleSet, day: _dt.date) -> bool:
    """Whether ``ruleset`` judges findings made on ``day`` (rule sets without a document always do)."""
    doc = ruleset.document
    return doc is None or doc.in_force_at(day)


def chain_of(doc: CriteriaDocument, documents: Iterable[CriteriaDocument]) -> frozenset[str]:
    """The standards linked with ``doc`` through ``supersedes``/``superseded_by`` (both ways), itself included."""
    links: dict[str, set[str]] = {}

    def link(a: str, b: str) -> None:
        links.setdefault(a, set()).add(b)
        links.setdefault(b, set()).add(a)

    for d in documents:
        links.setdefault(d.standard, set())
        for s in d.supersedes:
            link(d.standard, s.standard)
        if d.superseded_by is not None:
            link(d.standard, d.superseded_by.standard)
    seen = {doc.standard}
    todo = [doc.standard]
    while todo:
        for n in links.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return frozenset(seen)


def check_choice(choice: VersionChoice, rulesets: Iterable[RuleSet], declared: Iterable[str] = ()) -> None:
    """Refuse a named version that neither a rule set's document nor ``declared`` (``standard`` or
    ``standard@version`` of other standards data the installed packs encode, e.g. threshold tables) knows.

    :raises InvalidInput: naming the unknown version and listing the known ones.
    """
    known: set[str] = set(declared)
    for rs in rulesets:
        if rs.document is not None:
            known |= {rs.document.key, rs.document.standard}
    for name in choice.names:
        if name not in known:
            raise InvalidInput(f"criteria version {name!r}: no installed pack encodes it; encoded: {', '.join(sorted(k for k in known if '@' in k)) or 'none'}")


def select_rulesets(rulesets: Iterable[RuleSet], at: _dt.date | _dt.datetime, choice: VersionChoice | None = None) -> list[RuleSet]:
    """The rule sets that judge a finding made at ``at``.

    Without a choice: those in force at ``at``.  With one: for each chain holding a named version, only
    the named version's rule sets (whatever their dates); other chains by date.  Names no rule set
    encodes pick nothing here (see :func:`check_choice`).
    """
    day = at.date() if isinstance(at, _dt.datetime) else at
    rss = list(rulesets)
    docs = [rs.document for rs in rss if rs.document is not None]
    named: set[str] = set()
    if choice:
        for name in choice.names:
            for d in docs:
                if d.key == name or d.standard == name:
                    named |= chain_of(d, docs)
    out = []
    for rs in rss:
        doc = rs.document
        if doc is not None and doc.standard in named:
            if choice is not None and choice.picks(doc):
                out.append(rs)
        elif in_force(rs, day):
            out.append(rs)
    return out


def documents_of(rulesets: Iterable[RuleSet]) -> list[dict[str, Any]]:
    """The criteria documents of ``rulesets``, one entry per version (with the rule sets encoding
    it), then the superseded documents they name that no rule set encodes (``encoded: false``),
    sorted by standard and version.  What ``dualprev packs`` shows."""
    by_key: dict[str, dict[str, Any]] = {}
    undocumented: list[str] = []
    for rs in rulesets:
        if rs.document is None:
            undocumented.append(rs.id)
            continue
        entry = by_key.setdefault(rs.document.key, {**rs.document.to_dict(), "encoded": True, "rulesets": []})
        entry["rulesets"].append(rs.id)
    for entry in list(by_key.values()):
        for sup in entry["supersedes"]:
            key = f"{sup['standard']}@{sup['version']}" if sup["version"] else sup["standard"]
            if key not in by_key:
                by_key[key] = {**sup, "title": sup.get("title", ""), "dates_verified": False, "status": "superseded",
                               "superseded_by": {"standard": entry["standard"], "version": entry["version"]},
                               "supersedes": [], "encoded": False, "rulesets": []}
    out = [by_key[k] for k in sorted(by_key)]
    if undocumented:
        out.append({"standard": "", "version": "", "status": "undeclared", "encoded": True, "rulesets": sorted(undocumented)})
    return out
