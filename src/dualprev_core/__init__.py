"""dualprev: China's dual prevention mechanism (双重预防机制) as a library.

Safety-risk classified control (安全风险分级管控) and hidden-danger investigation and
rectification (隐患排查治理): the domain model, the risk graph, grading methods, dynamic
levels, the hidden-danger closed loop and the pack system.
"""

from dualprev_core._version import CORE_API_VERSION, __version__
from dualprev_core.assessment.assessment import Assessment, EnterpriseLevel, LevelExplanation
from dualprev_core.errors import (
    DualprevError,
    DuplicateContribution,
    InvalidInput,
    PackError,
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
from dualprev_core.packs.hookspecs import hookimpl
from dualprev_core.packs.registry import PackManifest, Packs, load_packs
from dualprev_core.provenance import Citation

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
    "Packs",
    "PackManifest",
    # errors
    "DualprevError",
    "ValidationError",
    "Problem",
    "InvalidInput",
    "UnknownReference",
    "PackError",
    "DuplicateContribution",
    "TransitionRejected",
]
