"""Provenance of standards content: every category, threshold and criterion says where it is from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from dualprev_core.errors import InvalidInput

__all__ = ["Citation"]


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class Citation:
    """Where a piece of standards content comes from.

    :param standard: the document's number, e.g. ``"GB 6441"`` or ``"安监总管三〔2017〕121号"``.
    :param edition: the edition or year, e.g. ``"1986"``; empty when the document has one edition.
    :param clause: the clause, table or item, e.g. ``"Table 1"`` or ``"item 3"``.
    :param title: the document's title, if useful.
    :param verified: ``False`` when the public sources mark the content unverified
        (one weak source, sources disagree, or from memory).
    :param note: what is uncertain, or which variant was chosen and why.
    :param sources: where the content was read (web pages, public data files).
    """

    standard: str
    edition: str = ""
    clause: str = ""
    title: str = ""
    verified: bool = True
    note: str = ""
    sources: tuple[str, ...] = attrs.field(default=(), converter=_strings)

    def __str__(self) -> str:
        # GB numbers read "GB 6441-1986"; documents with a year in their number need no edition.
        if self.edition and self.edition not in self.standard:
            sep = "-" if self.standard.startswith("GB") and self.edition.isdigit() else " "
            s = f"{self.standard}{sep}{self.edition}"
        else:
            s = self.standard
        if self.clause:
            s += f" {self.clause}"
        if not self.verified:
            s += " [unverified]"
        return s

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (only non-empty fields, ``verified`` always)."""
        d = attrs.asdict(self)
        d["sources"] = list(self.sources)
        return {k: v for k, v in d.items() if v not in ("", [], ()) or k == "verified"}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Citation:
        """Build from a data file's ``citation`` mapping (unknown keys are refused)."""
        fields = {a.name for a in attrs.fields(cls)}
        extra = set(data) - fields
        if extra:
            raise InvalidInput(f"unknown citation field(s) {sorted(extra)}; allowed: {sorted(fields)}")
        return cls(**dict(data))
