"""Stable record ids: UUID version 5 over a fixed namespace and the record's natural key.

A record's id is ``uuid5(NAMESPACE, "<credit code>/<entity>/<natural key>")``: the same
enterprise (by 统一社会信用代码), the same kind of record and the same dualprev ids give the same
UUID on every export, on every machine, so a regional platform's upsert-by-id is idempotent and a
re-sent submission changes nothing.  The key is written into each record (``DP_KEY``) so anyone can
recompute the id; :func:`check_id` does.
"""

from __future__ import annotations

import uuid
from typing import Final

__all__ = ["NAMESPACE", "natural_key", "record_id", "check_id"]

#: ``uuid5(NAMESPACE_URL, "dualprev:exchange/1")``, fixed for ever: changing it changes every id.
NAMESPACE: Final = uuid.UUID("78cbd32f-1e50-50fe-9c84-ef8caafe272c")


def natural_key(credit_code: str, entity: str, *parts: str) -> str:
    """``<credit code>/<entity>/<part>/<part>…`` (parts are dualprev ids; ``/`` inside them is escaped)."""
    return "/".join([credit_code, entity, *(p.replace("%", "%25").replace("/", "%2F") for p in parts)])


def record_id(credit_code: str, entity: str, *parts: str) -> str:
    """The record's UUID (lower-case text form) for its natural key."""
    return str(uuid.uuid5(NAMESPACE, natural_key(credit_code, entity, *parts)))


def check_id(record_uuid: str, key: str) -> bool:
    """Whether ``record_uuid`` is the id dualprev derives from ``key``."""
    return str(uuid.uuid5(NAMESPACE, key)) == record_uuid
