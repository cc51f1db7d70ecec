"""Construction phases: which sub-projects (and so which risks) count now.

A project declares its current phase in ``enterprise.facts["construction:phase"]``; a
sub-project (a risk point with ``construction:kind``) or a risk lists the phases it is carried out
in, ``facts["construction:phases"]``.  The vocabulary is ``data/phases.yaml`` (a dualprev
convention; keys or Chinese labels are accepted).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import attrs
import yaml

from dualprev_core.errors import InvalidInput, suggest
from dualprev_core.provenance import Citation

__all__ = ["PHASE_FACT", "PHASES_FACT", "Phase", "phases", "phase_citation", "parse_phase", "parse_phases", "is_active"]

#: The enterprise (project) fact naming the current phase.
PHASE_FACT = "construction:phase"
#: The sub-project / risk fact listing the phases it is carried out in.
PHASES_FACT = "construction:phases"


@attrs.frozen
class Phase:
    """One construction phase."""

    key: str
    zh: str
    order: int


@functools.cache
def _data() -> Mapping[str, Any]:
    text = resources.files("dualprev_construction").joinpath("data/phases.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@functools.cache
def phases() -> Mapping[str, Phase]:
    """The phases, by key, in their usual order."""
    raw = _data()["phases"]
    return {k: Phase(k, str(v["zh"]), int(v["order"])) for k, v in sorted(raw.items(), key=lambda kv: kv[1]["order"])}


def phase_citation() -> Citation:
    """Where the phase vocabulary comes from (a labelled dualprev convention)."""
    return Citation.from_mapping(_data()["citation"])


def parse_phase(value: Any, *, where: str = PHASE_FACT) -> str:
    """A phase key from a key or a Chinese label.

    :raises InvalidInput: not a known phase (the message names the nearest ones).
    """
    known = phases()
    if isinstance(value, str):
        v = value.strip()
        if v in known:
            return v
        for p in known.values():
            if v == p.zh:
                return p.key
    choices = [*known, *(p.zh for p in known.values())]
    raise InvalidInput(f"{where}: {value!r} is not a construction phase; known: {', '.join(f'{p.key} ({p.zh})' for p in known.values())}{suggest(str(value), choices)}")


def parse_phases(value: Any, *, where: str = PHASES_FACT) -> tuple[str, ...]:
    """A list of phases (a single phase is accepted as a one-item list).

    :raises InvalidInput: not a list of known phases.
    """
    items: Sequence[Any] = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise InvalidInput(f"{where}: must be a non-empty list of phases (got {value!r})")
    return tuple(parse_phase(v, where=where) for v in items)


def is_active(current: str | None, declared: tuple[str, ...] | None) -> bool | None:
    """Whether something declared for ``declared`` phases counts in ``current``.

    ``None`` (no decision) when the project declares no phase or the thing lists no phases:
    then it always counts.
    """
    if current is None or declared is None:
        return None
    return current in declared
