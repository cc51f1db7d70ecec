"""A cache of decoded YAML documents (rule files, bundled data files), keyed by the SHA-256 of their text.

Every command loads the installed packs, and the packs register a few dozen rule files; decoding
their YAML is most of a command's start-up.  A rule file that decoded *and validated* once is
stored as JSON (data only — nothing in the cache is ever executed) under its content hash, so
the next start reads JSON instead of YAML.  The decoded document is validated again on every
load: the cache saves parsing, never checking.  A changed file has a new hash; an unreadable or
corrupt cache entry is ignored.

Location: ``$DUALPREV_CACHE_DIR``, else ``$XDG_CACHE_HOME/dualprev``, else ``~/.cache/dualprev``
(sub-directory ``rules``).  ``DUALPREV_CACHE_DIR=off`` disables it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "cached_document", "store_document", "CACHE_ENV"]

CACHE_ENV = "DUALPREV_CACHE_DIR"
#: bump when the meaning of a cached document changes (e.g. the YAML scalar rules)
_VERSION = b"dualprev-rules-cache/1\0"


def cache_dir() -> Path | None:
    """Where rule documents are cached, or ``None`` when caching is off."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "no", "false") else Path(env) / "rules"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dualprev" / "rules"


def _entry(text: str, kind: str) -> Path | None:
    root = cache_dir()
    if root is None:
        return None
    digest = hashlib.sha256(_VERSION + kind.encode() + b"\0" + text.encode("utf-8")).hexdigest()
    return root / digest[:2] / f"{digest}.json"


def cached_document(text: str, kind: str) -> Any | None:
    """The decoded document of ``text`` (``kind``: ``yaml`` or ``json``) if cached, else ``None``."""
    entry = _entry(text, kind)
    if entry is None:
        return None
    try:
        data = json.loads(entry.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store_document(text: str, kind: str, doc: Any) -> None:
    """Remember ``doc`` as the decoding of ``text`` — only if JSON holds it exactly (string keys,
    no NaN), so a cached document is always the one the parser gave.  Failures are ignored."""
    entry = _entry(text, kind)
    if entry is None or not isinstance(doc, dict):
        return
    try:
        payload = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        if not _same(json.loads(payload), doc):
            return
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload.encode("utf-8"))
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError, TypeError):
        return


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types throughout (``1`` is not ``1.0`` nor ``True``; lists not tuples)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
