"""Packs: how industry packs plug into the core.

* :mod:`~dualprev_core.packs.hookspecs` — the hooks, the ``hookimpl`` marker and the call order;
* :mod:`~dualprev_core.packs.registry` — what packs contribute, as data (manifest, registry, registrar);
* :mod:`~dualprev_core.packs.define` — :func:`define_pack`, a pack's common declarations in one call;
* :mod:`~dualprev_core.packs.loader` — :func:`load_packs`: entry points, API range, disabling, failing closed;
* :mod:`~dualprev_core.packs.calls` — :class:`Packs`, the one typed way the core calls packs;
* :mod:`~dualprev_core.packs.builtin` — the core's own contributions, as the pack ``core``;
* :mod:`~dualprev_core.packs.conformance` — the conformance kit for pack authors.
"""

from dualprev_core.errors import DISABLE_ENV, PackError, PackLoadError
from dualprev_core.packs.calls import Packs
from dualprev_core.packs.define import PackDefinition, default_gate, define_pack
from dualprev_core.packs.hookspecs import hookimpl
from dualprev_core.packs.loader import ENTRY_POINT_GROUP, load_packs, local_rules_pack
from dualprev_core.packs.registry import (
    Criterion,
    EnterpriseLevel,
    EnterpriseLevelMethod,
    InspectionTemplate,
    PackManifest,
    Registrar,
    Registry,
    api_compatible,
    find_rule_files,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "DISABLE_ENV",
    "hookimpl",
    "define_pack",
    "default_gate",
    "PackDefinition",
    "PackManifest",
    "InspectionTemplate",
    "Criterion",
    "EnterpriseLevel",
    "EnterpriseLevelMethod",
    "Registrar",
    "Registry",
    "Packs",
    "PackError",
    "PackLoadError",
    "load_packs",
    "local_rules_pack",
    "api_compatible",
    "find_rule_files",
]
