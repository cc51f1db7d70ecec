"""Hook implementations of the construction pack (registered in the ``dualprev`` entry-point group).

This release is the installable skeleton: it declares its manifest and the GB 6441
categories its industry uses. Criteria, methods and templates arrive with the pack's issue.
"""

from __future__ import annotations

from dualprev_core import hookimpl
from dualprev_core.plugins import PackManifest, Registrar

from . import __version__
from ._categories import CATEGORIES, STANDARDS


@hookimpl
def dualprev_pack_manifest() -> PackManifest:
    return PackManifest(
        name="construction",
        version=__version__,
        core_api=">=1.0,<2",
        title="建筑施工行业包",
        industry="construction",
        standards=STANDARDS,
    )


@hookimpl
def dualprev_register_accident_categories(registrar: Registrar) -> None:
    for edition, refs in CATEGORIES.items():
        for ref in refs:
            registrar.accident_category(ref, edition=edition)
