"""dualprev: China's dual prevention mechanism (双重预防机制) as a library.

Safety-risk classified control (安全风险分级管控) and hidden-danger investigation and
rectification (隐患排查治理): the domain model, the risk graph, grading methods, dynamic
levels, the hidden-danger closed loop and the pack system.

Importing the package is cheap: each public name is imported from its module on first use
(PEP 562), so ``import dualprev_core`` — and the command line — does not pay for networkx,
jsonschema or the rules layer until something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dualprev_core._version import CORE_API_VERSION, __version__

#: public name -> the module that defines it
_LAZY: dict[str, str] = {
    "Assessment": "dualprev_core.assessment.assessment",
    "EnterpriseLevel": "dualprev_core.packs.registry",
    "LevelExplanation": "dualprev_core.assessment.assessment",
    "DualprevError": "dualprev_core.errors",
    "DuplicateContribution": "dualprev_core.errors",
    "InvalidInput": "dualprev_core.errors",
    "PackError": "dualprev_core.errors",
    "PackLoadError": "dualprev_core.errors",
    "Problem": "dualprev_core.errors",
    "TransitionRejected": "dualprev_core.errors",
    "UnknownReference": "dualprev_core.errors",
    "ValidationError": "dualprev_core.errors",
    "RiskGraph": "dualprev_core.graph",
    "build_graph": "dualprev_core.graph",
    "HiddenDanger": "dualprev_core.hidden_dangers.ledger",
    "Ledger": "dualprev_core.hidden_dangers.ledger",
    "load_enterprise": "dualprev_core.loading.enterprise",
    "parse_enterprise": "dualprev_core.loading.enterprise",
    "RiskLevel": "dualprev_core.model.levels",
    **dict.fromkeys(("Area", "Control", "Enterprise", "Hazard", "Inspection", "InspectionItem", "MajorHazardInstallation",
                     "MonitoringPoint", "Post", "Risk", "RiskPoint"), "dualprev_core.model.records"),
    **dict.fromkeys(("ControlKind", "HiddenDangerGrade", "InspectionResult", "OwnerLevel"), "dualprev_core.model.vocabulary"),
    "hookimpl": "dualprev_core.packs.hookspecs",
    "PackManifest": "dualprev_core.packs.registry",
    "Packs": "dualprev_core.packs.calls",
    "load_packs": "dualprev_core.packs.loader",
    "define_pack": "dualprev_core.packs.define",
    "Citation": "dualprev_core.provenance",
}

if TYPE_CHECKING:  # the names as type checkers and IDEs see them
    from dualprev_core.assessment.assessment import Assessment, LevelExplanation
    from dualprev_core.errors import (
        DualprevError,
        DuplicateContribution,
        InvalidInput,
        PackError,
        PackLoadError,
        Problem,
        TransitionRejected,
        UnknownReference,
        ValidationError,
    )
    from dualprev_core.graph import RiskGraph, build_graph
    from dualprev_core.hidden_dangers.ledger import HiddenDanger, Ledger
    from dualprev_core.loading.enterprise import load_enterprise, parse_enterprise
    from dualprev_core.model.levels import RiskLevel
    from dualprev_core.model.records import (
        Area,
        Control,
        Enterprise,
        Hazard,
        Inspection,
        InspectionItem,
        MajorHazardInstallation,
        MonitoringPoint,
        Post,
        Risk,
        RiskPoint,
    )
    from dualprev_core.model.vocabulary import ControlKind, HiddenDangerGrade, InspectionResult, OwnerLevel
    from dualprev_core.packs.calls import Packs
    from dualprev_core.packs.define import define_pack
    from dualprev_core.packs.hookspecs import hookimpl
    from dualprev_core.packs.loader import load_packs
    from dualprev_core.packs.registry import EnterpriseLevel, PackManifest
    from dualprev_core.provenance import Citation


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dualprev_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

__all__ = [
    "__version__",
    "CORE_API_VERSION",
    # model
    "Enterprise",
    "Area",
    "Post",
    "RiskPoint",
    "Hazard",
    "Risk",
    "Control",
    "InspectionItem",
    "Inspection",
    "MajorHazardInstallation",
    "MonitoringPoint",
    "RiskLevel",
    "OwnerLevel",
    "ControlKind",
    "InspectionResult",
    "HiddenDangerGrade",
    "Citation",
    # loading
    "load_enterprise",
    "parse_enterprise",
    # graph and assessment
    "RiskGraph",
    "build_graph",
    "Assessment",
    "LevelExplanation",
    "EnterpriseLevel",
    # hidden dangers
    "Ledger",
    "HiddenDanger",
    # packs
    "hookimpl",
    "load_packs",
    "define_pack",
    "Packs",
    "PackManifest",
    # errors
    "DualprevError",
    "ValidationError",
    "Problem",
    "InvalidInput",
    "UnknownReference",
    "PackError",
    "PackLoadError",
    "DuplicateContribution",
    "TransitionRejected",
]
