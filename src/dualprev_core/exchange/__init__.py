"""The national data-exchange model: what an enterprise's 双重预防 system sends to the regulator.

* :mod:`~dualprev_core.exchange.codes` — explicit, versioned code maps (RISK_CLASS, DANGER_LEVEL, ...);
* :mod:`~dualprev_core.exchange.credit_code` — 统一社会信用代码 with its GB 32100 check character;
* :mod:`~dualprev_core.exchange.identity` — stable UUIDs (uuid5 over a namespace and natural keys);
* :mod:`~dualprev_core.exchange.fields` — entities and fields; :mod:`~dualprev_core.exchange.schema` — the JSON Schema;
* :mod:`~dualprev_core.exchange.submission` — building a submission from an assessment;
* :mod:`~dualprev_core.exchange.validate` — every problem of a submission, with its path.

See ``docs/exchange.md``.
"""

from dualprev_core.exchange.codes import CodeMap, CodeMaps, code_maps, load_code_maps
from dualprev_core.exchange.credit_code import check_character, credit_code_problem, validate_credit_code
from dualprev_core.exchange.fields import ENTITIES, FORMAT
from dualprev_core.exchange.identity import NAMESPACE, record_id
from dualprev_core.exchange.schema import submission_schema
from dualprev_core.exchange.submission import CREDIT_CODE_FACT, build_submission, content_hash, events_head_hash
from dualprev_core.exchange.validate import check_submission, read_submission, submission_problems

__all__ = [
    "FORMAT",
    "ENTITIES",
    "CodeMap",
    "CodeMaps",
    "code_maps",
    "load_code_maps",
    "check_character",
    "credit_code_problem",
    "validate_credit_code",
    "NAMESPACE",
    "record_id",
    "submission_schema",
    "CREDIT_CODE_FACT",
    "build_submission",
    "content_hash",
    "events_head_hash",
    "check_submission",
    "read_submission",
    "submission_problems",
]
