"""Inspection templates of the construction pack (``data/templates.yaml``).

Each template serves a control a 建质规〔2022〕2号 criterion grades (``applies_to`` names the
control tag ``construction:check:<check>``).  Frequencies and owner levels are dualprev defaults,
labelled as such in each citation's note: the public sources have no construction-specific numbers.
"""

from __future__ import annotations

from importlib import resources

import attrs

from dualprev_core.model.values import parse_frequency
from dualprev_core.model.vocabulary import OwnerLevel
from dualprev_core.packs.registry import InspectionTemplate
from dualprev_core.provenance import Citation
from dualprev_core.yaml_lines import safe_load_fast

__all__ = ["templates"]


def templates() -> list[InspectionTemplate]:
    """The templates, validated (frequency and owner level parse; the note labels the defaults).

    :raises ValueError: the data file is broken (a packaging error, reported by pack loading).
    """
    data = safe_load_fast(resources.files("dualprev_construction").joinpath("data/templates.yaml").read_text(encoding="utf-8"))
    default_note = str(data["default_note"])
    out = []
    for raw in data["templates"]:
        parse_frequency(raw["frequency"])
        cit = Citation.from_mapping(raw["citation"])
        cit = attrs.evolve(cit, note="; ".join(x for x in (cit.note, default_note) if x))
        out.append(InspectionTemplate(
            id=raw["id"], title=raw["title"], applies_to=tuple(raw["applies_to"]), content=raw["content"],
            frequency=raw["frequency"], owner_level=OwnerLevel.parse(raw["owner_level"]), citation=cit,
        ))
    return out
