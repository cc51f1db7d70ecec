"""The regulator's side: regional database, region tree, regional assessment, supervision, map, scale-out.

* :mod:`~dualprev_core.region.tree` — regions (province → city → county → park/town) from a region file;
* :mod:`~dualprev_core.region.database` — ingesting submissions (validated, idempotent, newer supersedes);
* :mod:`~dualprev_core.region.evaluate` — one enterprise's level and early warnings, a pure function of its submission;
* :mod:`~dualprev_core.region.assess` — regional levels, the major-risk database, overdue major hidden dangers;
* :mod:`~dualprev_core.region.supervision` — supervision classes (rules as data) and the inspection plan;
* :mod:`~dualprev_core.region.regional_map` — the regional four-colour map;
* :mod:`~dualprev_core.region.scale` — process pool and Dask, Arrow/Parquet.

See ``docs/regulator.md``.
"""

from dualprev_core.region.assess import assess_region, region_levels
from dualprev_core.region.database import IngestResult, RegionDB, RegionDBError, open_region_db
from dualprev_core.region.evaluate import EvaluationConfig, evaluate_submission, evaluate_text
from dualprev_core.region.rules import RegionalRules, load_rules, regional_rules
from dualprev_core.region.supervision import classify, plan
from dualprev_core.region.tree import Region, RegionTree, load_region_file, parse_region_document

__all__ = [
    "Region",
    "RegionTree",
    "load_region_file",
    "parse_region_document",
    "RegionDB",
    "RegionDBError",
    "IngestResult",
    "open_region_db",
    "EvaluationConfig",
    "evaluate_submission",
    "evaluate_text",
    "RegionalRules",
    "regional_rules",
    "load_rules",
    "assess_region",
    "region_levels",
    "classify",
    "plan",
]
