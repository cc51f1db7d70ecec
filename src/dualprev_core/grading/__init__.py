"""Grading methods as plug-ins: LEC, LS matrix, MES and a lookup matrix in core; packs add more."""

from dualprev_core.grading._base import BandVariant, Cut, DangerGrade, Edge, Grading, GradingMethod, Parameter, variant_from_mapping
from dualprev_core.grading.methods import LEC, MES, LookupMatrix, LSMatrix, core_methods, load_variants

__all__ = [
    "BandVariant",
    "Cut",
    "DangerGrade",
    "Edge",
    "Grading",
    "GradingMethod",
    "Parameter",
    "variant_from_mapping",
    "LEC",
    "LSMatrix",
    "MES",
    "LookupMatrix",
    "core_methods",
    "load_variants",
]
