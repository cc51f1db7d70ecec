"""The domain model: records (attrs), the four risk levels and the closed vocabularies."""

from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import *  # noqa: F403 - records.__all__ is the model's public surface
from dualprev_core.model.records import __all__ as _records_all
from dualprev_core.model.vocabulary import ControlKind, HazardClass, HiddenDangerGrade, InspectionResult, OwnerLevel, RiskPointKind

__all__ = [*_records_all, "RiskLevel", "ControlKind", "HazardClass", "HiddenDangerGrade", "InspectionResult", "OwnerLevel", "RiskPointKind"]
