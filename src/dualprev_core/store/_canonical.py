"""Canonical JSON and the event hash that chains each stream.

Canonical JSON: UTF-8, keys sorted, no insignificant whitespace, non-ASCII unescaped,
floats in Python's shortest round-trip form, NaN and infinities refused.  The same value
always encodes to the same bytes, so a hash over it is a hash over the meaning.

The hash of event *n* of a stream is ``SHA-256(header + "\\n" + data)`` where ``header`` is
the canonical JSON array ``["dualprev-event/1", stream, seq, kind, actor, at, recorded_at,
prev_hash]``, ``data`` is the event's canonical JSON payload and ``prev_hash`` is the hash of
event *n − 1* (64 zeros for the first).  Every stored column takes part, so changing any of
them, removing an event or swapping two breaks the chain from that event on.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

__all__ = ["GENESIS", "HASH_FORMAT", "canonical_json", "event_hash", "sha256_hex"]

#: The ``prev_hash`` of a stream's first event.
GENESIS: Final = "0" * 64
#: Tag of the hashed header; a new hashing scheme would get a new tag.
HASH_FORMAT: Final = "dualprev-event/1"


#: One encoder for every call (``json.dumps`` with options builds a new one each time).
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


#: JSON string quoting without ASCII escaping (the C implementation where available).
_quote: Final = json.encoder.encode_basestring


def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value`` (see the module docstring).

    :raises ValueError: for values JSON cannot hold (NaN, non-string keys, objects).
    """
    return _ENCODER.encode(value)


def sha256_hex(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of ``text``, as 64 lower-case hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(stream: str, seq: int, kind: str, actor: str, at: str, recorded_at: str, prev_hash: str, data: str) -> str:
    """The chained hash of one event; ``data`` is its canonical JSON text."""
    # exactly canonical_json([HASH_FORMAT, stream, seq, kind, actor, at, recorded_at, prev_hash]), built directly
    q = _quote
    header = f'["{HASH_FORMAT}",{q(stream)},{int(seq)},{q(kind)},{q(actor)},{q(at)},{q(recorded_at)},{q(prev_hash)}]'
    return hashlib.sha256(f"{header}\n{data}".encode()).hexdigest()
