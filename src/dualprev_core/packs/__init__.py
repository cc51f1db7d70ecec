"""Packs: manifests, the registry of contributions, loading from entry points, hook specifications."""

from dualprev_core.packs.registry import *  # noqa: F403
from dualprev_core.packs.registry import __all__ as __all__  # noqa: PLC0414
