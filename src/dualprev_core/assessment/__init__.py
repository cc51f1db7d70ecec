"""Assessed and current levels, aggregates, explanations, and pack criteria at work."""

from dualprev_core.assessment.assessment import *  # noqa: F403
from dualprev_core.assessment.assessment import __all__ as __all__  # noqa: PLC0414
