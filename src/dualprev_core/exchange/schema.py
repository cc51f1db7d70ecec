"""The JSON Schema (draft 2020-12) of a submission, built from the field table and the code maps.

``dualprev exchange schema`` prints :func:`submission_schema`.  Coded fields are enums of the code
list's national codes (strings), so a value from dualprev's internal vocabulary cannot pass.
"""

from __future__ import annotations

from typing import Any

from dualprev_core.exchange.codes import CodeMaps, code_maps
from dualprev_core.exchange.fields import COMMON, ENTERPRISE, ENTITIES, FORMAT, Field

__all__ = ["submission_schema", "HASH_PATTERN", "UUID_PATTERN"]

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
HASH_PATTERN = r"^[0-9a-f]{64}$"
_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"


def _field_schema(f: Field, maps: CodeMaps) -> dict[str, Any]:
    """A field's schema; an optional field also admits ``null`` (in ``type``/``enum``, not ``anyOf``:
    one check per value keeps validation of large submissions fast)."""
    out: dict[str, Any]
    if f.kind == "uuid":
        out = {"type": "string", "pattern": UUID_PATTERN}
    elif f.kind == "time":
        out = {"type": "string", "pattern": _TIME}
    elif f.kind == "code":
        assert f.codes is not None
        out = {"type": "string", "enum": list(maps[f.codes].codes)}
    elif f.kind == "text":
        out = {"type": "string"}
    else:
        out = {"type": f.kind}
    if not f.required:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    out["description"] = f.zh + (f" ({f.codes}: " + ", ".join(f"{k} {v}" for k, v in maps[f.codes].codes.items()) + ")" if f.codes else "")
    return out


def _object(fields: tuple[Field, ...], maps: CodeMaps, title: str) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
        "properties": {f.name: _field_schema(f, maps) for f in fields},
    }


def submission_schema(maps: CodeMaps | None = None) -> dict[str, Any]:
    """The submission's JSON Schema for ``maps`` (default: the bundled code maps)."""
    maps = maps or code_maps()
    credit = next(f for f in COMMON if f.name == "CREDIT_CODE")
    assert credit.kind == "text"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://dualprev.invalid/schema/exchange-1.json",
        "title": "dualprev submission in the national 双重预防 data-exchange model",
        "description": f"code lists version {maps.version}; DP_* fields are dualprev extensions",
        "type": "object",
        "required": ["format", "code_version", "generated_at", "head_hash", "content_hash", "enterprise", *[e.key for e in ENTITIES]],
        "additionalProperties": False,
        "properties": {
            "format": {"const": FORMAT},
            "code_version": {"type": "string", "description": "version of the code lists the codes follow"},
            "generated_at": {"type": "string", "pattern": _TIME},
            "head_hash": {"type": "string", "pattern": HASH_PATTERN, "description": "the enterprise store's head hash when exported"},
            "content_hash": {"type": "string", "pattern": HASH_PATTERN,
                             "description": "sha256 of the canonical JSON of head_hash, code_version, enterprise and every record list"},
            "source": {"type": "object", "description": "what the submission was exported from (informative)"},
            "enterprise": _object(ENTERPRISE.fields, maps, ENTERPRISE.zh),
            **{e.key: {"type": "array", "title": e.zh, "items": _object(COMMON + e.fields, maps, e.zh)} for e in ENTITIES},
        },
    }
