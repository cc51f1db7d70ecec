"""Store test support: a fresh store URL per test on each backend, and raw access for tampering."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from services import require_postgres

BACKENDS = ("sqlite", "postgresql")


def _with_schema(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def empty_store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store: a SQLite file, or a fresh schema on the test PostgreSQL server.

    Test modules make it a fixture parametrised over :data:`BACKENDS`::

        @pytest.fixture(params=BACKENDS)
        def store_url(request, tmp_path):
            with empty_store_url(request.param, tmp_path) as url:
                yield url
    """
    if backend == "sqlite":
        yield str(tmp_path / "store.db")
        return
    base = require_postgres()
    import psycopg

    schema = f"dualprev_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield _with_schema(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def raw_execute(url: str, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
    """Run SQL on the store behind dualprev's back (triggers bypassed), as a hand editor would."""
    out: list[list[Any]] = []
    if url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(url, autocommit=False) as conn:
            conn.execute("SET session_replication_role = replica")  # the editor disables the append-only trigger
            for sql, params in statements:
                if params:
                    cur = conn.execute(sql.replace("?", "%s"), tuple(params))  # type: ignore[arg-type]
                else:  # literal SQL: no placeholders to translate, and % or ? in its strings stay as they are
                    cur = conn.execute(sql)  # type: ignore[arg-type]
                out.append(cur.fetchall() if cur.description else [])
            conn.commit()
        return out
    conn = sqlite3.connect(url)
    try:
        conn.execute("DROP TRIGGER IF EXISTS dualprev_events_no_update")
        conn.execute("DROP TRIGGER IF EXISTS dualprev_events_no_delete")
        for sql, params in statements:
            cur = conn.execute(sql, tuple(params))
            out.append(cur.fetchall())
        conn.commit()
    finally:
        conn.close()
    return out
