"""The store's tables, its schema version and forward migrations.

``dualprev_meta`` holds ``format = dualprev-store`` and ``schema_version``.  Opening a store
creates the tables when the database is empty, migrates an older schema forward (each step in
one transaction, so a crash leaves the old version or the new one) and refuses a newer one.

Versions:

1. ``dualprev_meta``, ``dualprev_streams`` (one row per enterprise: version and head hash),
   ``dualprev_events`` (the hash-chained events).
2. ``dualprev_snapshots`` (folded state at a version, so opening does not replay everything),
   an index on event kinds, and triggers refusing ``UPDATE``/``DELETE`` of events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from dualprev_core.store._backends import Backend
from dualprev_core.store.errors import NotAStore, SchemaTooNew

__all__ = ["SCHEMA_VERSION", "STORE_FORMAT", "ensure_schema", "schema_version"]

STORE_FORMAT: Final = "dualprev-store"
#: The schema version this dualprev writes.
SCHEMA_VERSION: Final = 2

_V1 = [
    "CREATE TABLE dualprev_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE dualprev_streams (
        stream TEXT PRIMARY KEY,
        version BIGINT NOT NULL,
        head_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    """CREATE TABLE dualprev_events (
        stream TEXT NOT NULL,
        seq BIGINT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (stream, seq))""",
]

_V2_COMMON = [
    """CREATE TABLE dualprev_snapshots (
        stream TEXT NOT NULL,
        seq BIGINT NOT NULL,
        format INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        head_hash TEXT NOT NULL,
        data_hash TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (stream, seq))""",
    "CREATE INDEX dualprev_events_kind ON dualprev_events (stream, kind, seq)",
]

_V2_SQLITE = [
    """CREATE TRIGGER dualprev_events_no_update BEFORE UPDATE ON dualprev_events
       BEGIN SELECT RAISE(ABORT, 'dualprev_events is append-only'); END""",
    """CREATE TRIGGER dualprev_events_no_delete BEFORE DELETE ON dualprev_events
       BEGIN SELECT RAISE(ABORT, 'dualprev_events is append-only'); END""",
]

_V2_POSTGRES = [
    """CREATE FUNCTION dualprev_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'dualprev_events is append-only'; END $$""",
    """CREATE TRIGGER dualprev_events_append_only BEFORE UPDATE OR DELETE ON dualprev_events
       FOR EACH ROW EXECUTE FUNCTION dualprev_append_only()""",
]


def _steps(backend: Backend) -> dict[int, list[str]]:
    """The statements that take a store from version ``n - 1`` to ``n``."""
    return {
        1: list(_V1),
        2: _V2_COMMON + (_V2_POSTGRES if backend.name == "postgresql" else _V2_SQLITE),
    }


def schema_version(backend: Backend) -> int | None:
    """The store's schema version; ``None`` for an empty database.

    :raises NotAStore: a SQLite file holding other tables, or a ``dualprev_meta`` of another format.
    """
    tables = backend.table_names()
    if "dualprev_meta" not in tables:
        theirs = sorted(t for t in tables if not t.startswith("sqlite_"))
        # A SQLite file is the store; a PostgreSQL schema may hold a platform's own tables beside ours
        # (all ours are named dualprev_*), so only a file holding other tables is refused.
        if theirs and backend.name == "sqlite":
            shown = ", ".join(theirs[:5]) + (" …" if len(theirs) > 5 else "")
            raise NotAStore(f"{backend.display}: not a dualprev store (it holds other tables: {shown})")
        return None
    rows = dict(backend.execute("SELECT key, value FROM dualprev_meta").fetchall())
    if rows.get("format") != STORE_FORMAT or not str(rows.get("schema_version", "")).isdigit():
        raise NotAStore(f"{backend.display}: not a dualprev store (dualprev_meta has format {rows.get('format')!r})")
    return int(rows["schema_version"])


def ensure_schema(backend: Backend, *, create: bool = True) -> int:
    """Create or migrate the schema to :data:`SCHEMA_VERSION`; returns the version found before.

    :raises SchemaTooNew: the store is of a newer version (nothing is changed).
    :raises NotAStore: the database is not a dualprev store, or is empty and ``create`` is false.
    """
    with backend.read():
        found = schema_version(backend)
    if found is not None and found > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{backend.display}: the store's schema version is {found}, newer than this dualprev supports "
            f"({SCHEMA_VERSION}); upgrade dualprev to open it"
        )
    if found == SCHEMA_VERSION:
        return found
    if found is None and not create:
        raise NotAStore(f"{backend.display}: empty database, not a dualprev store yet (run: dualprev db init --db URL)")
    steps = _steps(backend)
    with backend.write():
        backend.lock_schema()
        current = schema_version(backend)  # another process may have migrated meanwhile
        if current is not None and current > SCHEMA_VERSION:
            raise SchemaTooNew(f"{backend.display}: the store's schema version is {current}, newer than {SCHEMA_VERSION}")
        start = current or 0
        for version in range(start + 1, SCHEMA_VERSION + 1):
            for sql in steps[version]:
                backend.execute(sql)
        now = datetime.now(UTC).isoformat()
        if start == 0:
            backend.execute("INSERT INTO dualprev_meta (key, value) VALUES ('format', ?)", (STORE_FORMAT,))
            backend.execute("INSERT INTO dualprev_meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            backend.execute("INSERT INTO dualprev_meta (key, value) VALUES ('created_at', ?)", (now,))
        else:
            backend.execute("UPDATE dualprev_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            backend.execute("INSERT INTO dualprev_meta (key, value) VALUES (?, ?)", (f"migrated_{start}_to_{SCHEMA_VERSION}_at", now))
    return found or 0
