"""Explicit, versioned code maps between dualprev's vocabulary and the national exchange model.

Each national code list (RISK_CLASS, DANGER_LEVEL, DANGER_SRC, CHECK_STATUS, ...) is a
:class:`CodeMap`: its codes with their meanings, and ``from`` — dualprev's mapping of its own keys
onto those codes.  The lists live in ``data/exchange-codes.yaml`` with their version and citation;
:func:`load_code_maps` reads another file of the same shape (a province's variant, the official
text once available).  Nothing in a submission is an internal enum value: every coded field goes
through :meth:`CodeMap.code`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import yaml

from dualprev_core.errors import InvalidInput, Problem, ValidationError, suggest
from dualprev_core.provenance import Citation

__all__ = ["CodeMap", "CodeMaps", "code_maps", "load_code_maps"]


@attrs.frozen
class CodeMap:
    """One national code list and dualprev's mapping onto it.

    :ivar name: the field's name in the exchange model (``RISK_CLASS``).
    :ivar title: what the code means, in Chinese.
    :ivar codes: code → meaning, in the list's order.
    :ivar mapping: dualprev key → code (``major`` → ``"1"``).
    """

    name: str
    title: str
    codes: Mapping[str, str]
    mapping: Mapping[str, str]

    def code(self, key: str) -> str:
        """The national code for dualprev's ``key``.

        :raises InvalidInput: when ``key`` has no mapping (naming the list and the keys it maps).
        """
        try:
            return self.mapping[key]
        except KeyError:
            raise InvalidInput(f"{self.name}: dualprev key {key!r} has no code; mapped: {', '.join(self.mapping)}{suggest(key, self.mapping)}") from None

    def meaning(self, code: str) -> str:
        """The meaning of a national code (``"1"`` → ``重大风险``)."""
        return self.codes[code]

    def keys_for(self, code: str) -> tuple[str, ...]:
        """dualprev keys that map to ``code`` (several keys may share one code)."""
        return tuple(k for k, c in self.mapping.items() if c == code)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "codes": dict(self.codes), "from": dict(self.mapping)}


@attrs.frozen
class CodeMaps:
    """Every code list of one version of the exchange model."""

    version: str
    citation: Citation
    maps: Mapping[str, CodeMap]

    def __getitem__(self, name: str) -> CodeMap:
        try:
            return self.maps[name]
        except KeyError:
            raise InvalidInput(f"no code list {name!r} in exchange codes {self.version}{suggest(name, self.maps)}") from None

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "citation": self.citation.to_dict(), "maps": {k: m.to_dict() for k, m in self.maps.items()}}


def _parse(data: Any, source: str) -> CodeMaps:
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ValidationError([Problem("", f"must be a mapping with version, citation and maps (got {type(data).__name__})", source)], source=source)
    for key in ("version", "citation", "maps"):
        if key not in data:
            problems.append(Problem(key, "is required", source))
    if problems:
        raise ValidationError(problems, source=source)
    maps: dict[str, CodeMap] = {}
    for name, raw in (data["maps"] or {}).items():
        codes = {str(k): str(v) for k, v in (raw.get("codes") or {}).items()} if isinstance(raw, Mapping) else {}
        mapping = {str(k): str(v) for k, v in (raw.get("from") or {}).items()} if isinstance(raw, Mapping) else {}
        if not codes:
            problems.append(Problem(f"maps.{name}.codes", "must list at least one code", source))
        for k, c in mapping.items():
            if c not in codes:
                problems.append(Problem(f"maps.{name}.from.{k}", f"maps to {c!r}, which is not one of the codes {list(codes)}", source))
        maps[str(name)] = CodeMap(str(name), str(raw.get("title", "")) if isinstance(raw, Mapping) else "", codes, mapping)
    try:
        citation = Citation.from_mapping(data["citation"])
    except (TypeError, ValueError) as exc:
        problems.append(Problem("citation", str(exc), source))
        citation = Citation(standard="?")
    if problems:
        raise ValidationError(problems, source=source)
    return CodeMaps(str(data["version"]), citation, maps)


def load_code_maps(path: str | Path) -> CodeMaps:
    """Read a code-map file of the shape of the bundled ``exchange-codes.yaml``.

    :raises ValidationError: naming every code a mapping points to that the list lacks.
    """
    from dualprev_core.yaml_lines import read_document

    return _parse(read_document(path, what="code maps"), str(path))


@functools.cache
def code_maps() -> CodeMaps:
    """The bundled code maps (cached)."""
    text = resources.files("dualprev_core").joinpath("data", "exchange-codes.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text), "exchange-codes.yaml")
