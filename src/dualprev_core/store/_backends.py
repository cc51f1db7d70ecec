"""The two backends behind one interface: SQLite (embedded default) and PostgreSQL (psycopg 3).

Everything above this module is written once; here are the only differences: how to
connect, the parameter style, how a write transaction takes its lock, and how a driver's
errors become :mod:`dualprev_core.store.errors`.

Durability:

* **SQLite**: WAL journal with ``synchronous=FULL``: every commit fsyncs the write-ahead log
  before it returns, so a committed append survives a killed process *and* a power cut (as far
  as the disk honours fsync).  ``NORMAL`` would be faster but may lose the last commits on
  power loss, which a legal record cannot afford.  Writers take the write lock at the start
  (``BEGIN IMMEDIATE``) and wait up to :data:`BUSY_TIMEOUT_S` for another writer.
* **PostgreSQL**: every session runs with ``synchronous_commit = on``: a commit returns after
  its WAL record is flushed to disk by the server.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from dualprev_core.store.errors import NotAStore, StoreError, StoreUnavailable, StoreURLError

__all__ = ["Backend", "SQLiteBackend", "PostgresBackend", "parse_url", "connect", "BUSY_TIMEOUT_S"]

#: How long a SQLite writer waits for another writer's lock before giving up (seconds).
BUSY_TIMEOUT_S: Final = 60.0
_SQLITE_MAGIC = b"SQLite format 3\x00"


class Backend:
    """One open connection to a store.  Not thread-safe: one per thread or process."""

    name: str = ""
    url: str = ""
    #: A description safe to print (no password).
    display: str = ""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise StoreError("abstract backend")

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise StoreError("abstract backend")

    def write(self) -> contextlib.AbstractContextManager[None]:
        """A write transaction holding the store's write lock (SQLite) or row locks (PostgreSQL)."""
        raise StoreError("abstract backend")

    def read(self) -> contextlib.AbstractContextManager[None]:
        """A read transaction: one consistent view of the store."""
        raise StoreError("abstract backend")

    def lock_stream(self, stream: str) -> None:
        """Inside :meth:`write`: serialise writers of ``stream`` (no-op where the write lock is global)."""

    def lock_schema(self) -> None:
        """Inside :meth:`write`: serialise schema creation and migration."""

    def table_names(self) -> set[str]:
        raise StoreError("abstract backend")

    def is_unique_violation(self, exc: BaseException) -> bool:
        return False

    def close(self) -> None:
        raise StoreError("abstract backend")


# ---------------------------------------------------------------- URLs


def parse_url(url: str) -> tuple[str, str]:
    """``(backend, target)``: ``("sqlite", path)`` or ``("postgresql", conninfo)``.

    Accepted: ``sqlite:///absolute/path.db``, ``sqlite:relative.db``, a plain file path
    (SQLite), ``postgresql://…`` or ``postgres://…`` (PostgreSQL).
    """
    if not isinstance(url, str) or not url.strip():
        raise StoreURLError(f"store URL must be a file path, sqlite:///PATH or postgresql://… (got {url!r})")
    text = url.strip()
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql", text
    if text.startswith("sqlite:"):
        path = text[len("sqlite:"):]
        if path.startswith("//"):
            path = path[2:]  # sqlite:///abs → /abs
        if not path or path == ":memory:":
            raise StoreURLError(f"store URL {url!r} names no file; a store is a file: sqlite:///PATH")
        return "sqlite", path
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if m:
        raise StoreURLError(
            f"store URL {url!r}: unknown scheme {m.group(1)!r}; use a file path, sqlite:///PATH or postgresql://HOST/DB"
        )
    return "sqlite", text


def mask(url: str) -> str:
    """The URL with any password replaced by ``***``."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def connect(url: str, *, create: bool) -> Backend:
    """Open a connection to the store at ``url``.

    :param create: create an empty SQLite file if there is none (``False``: a missing file is an error).
    :raises StoreURLError, StoreUnavailable, NotAStore: one-line reasons.
    """
    kind, target = parse_url(url)
    if kind == "sqlite":
        return SQLiteBackend(target, url, create=create)
    return PostgresBackend(target, url)


# ---------------------------------------------------------------- SQLite


class SQLiteBackend(Backend):
    """A single-file store: WAL, ``synchronous=FULL``, ``BEGIN IMMEDIATE`` for writers."""

    name = "sqlite"

    def __init__(self, path: str, url: str, *, create: bool) -> None:
        self.path = Path(path)
        self.url = url
        self.display = f"sqlite:///{self.path.resolve()}" if not self.path.is_absolute() else f"sqlite://{self.path}"
        self._check_file(create)
        try:
            self._conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreUnavailable(f"{self.path}: cannot switch the store to WAL mode (journal_mode is {mode})")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None

    def _check_file(self, create: bool) -> None:
        p = self.path
        if p.is_dir():
            raise StoreUnavailable(f"{p}: is a directory, not a store file")
        if not p.exists():
            if not create:
                raise StoreUnavailable(f"{p}: no store here (create one with: dualprev db init --db {p})")
            if not p.parent.is_dir():
                raise StoreUnavailable(f"{p}: directory {p.parent} does not exist")
            if not os.access(p.parent, os.W_OK):
                raise StoreUnavailable(f"{p}: cannot create the store: directory {p.parent} is not writable")
            return
        try:
            with open(p, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise StoreUnavailable(f"{p}: cannot read: {exc.strerror}") from None
        if head and head != _SQLITE_MAGIC:
            raise NotAStore(f"{p}: not a dualprev store (not a SQLite database)")
        if not os.access(p, os.W_OK) or not os.access(p.parent, os.W_OK):
            mode = stat.filemode(p.stat().st_mode)
            raise StoreUnavailable(f"{p}: the store is read-only ({mode}, or its directory is); a WAL store needs write access")

    def _translate(self, exc: BaseException) -> StoreError:
        msg = str(exc)
        if "file is not a database" in msg:
            return NotAStore(f"{self.path}: not a dualprev store (not a SQLite database)")
        if "readonly" in msg or "read-only" in msg:
            return StoreUnavailable(f"{self.path}: the store is read-only: {msg}")
        if "locked" in msg or "busy" in msg:
            return StoreUnavailable(f"{self.path}: the store stayed locked by another writer for {BUSY_TIMEOUT_S:.0f} s: {msg}")
        return StoreError(f"{self.path}: {msg}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(sql, tuple(params))
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None

    @contextlib.contextmanager
    def _transaction(self, begin: str) -> Iterator[None]:
        self.execute(begin)
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def write(self) -> contextlib.AbstractContextManager[None]:
        return self._transaction("BEGIN IMMEDIATE")

    def read(self) -> contextlib.AbstractContextManager[None]:
        return self._transaction("BEGIN DEFERRED")

    def table_names(self) -> set[str]:
        return {r[0] for r in self.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}

    def is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.IntegrityError)

    def close(self) -> None:
        self._conn.close()


# ---------------------------------------------------------------- PostgreSQL


class PostgresBackend(Backend):
    """A PostgreSQL store through psycopg 3; ``synchronous_commit = on`` in every session."""

    name = "postgresql"

    def __init__(self, conninfo: str, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreUnavailable("PostgreSQL stores need psycopg 3: pip install 'psycopg[binary]>=3.1'") from None
        self._psycopg = psycopg
        self.url = url
        self.display = mask(url)
        try:
            self._conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
            self._conn.execute("SET synchronous_commit TO on")
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or ["connection failed"])[0]
            raise StoreUnavailable(f"{self.display}: cannot connect to PostgreSQL: {first}") from None

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def _translate(self, exc: BaseException) -> StoreError:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if isinstance(exc, self._psycopg.OperationalError):
            return StoreUnavailable(f"{self.display}: {first}")
        return StoreError(f"{self.display}: {first}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(self._sql(sql), tuple(params))
        except self._psycopg.errors.UniqueViolation:
            raise
        except self._psycopg.Error as exc:
            raise self._translate(exc) from None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self._conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)
        except self._psycopg.errors.UniqueViolation:
            raise
        except self._psycopg.Error as exc:
            raise self._translate(exc) from None

    @contextlib.contextmanager
    def _transaction(self, read_only: bool) -> Iterator[None]:
        try:
            with self._conn.transaction():
                if read_only:
                    self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield
        except self._psycopg.errors.UniqueViolation:
            raise
        except self._psycopg.OperationalError as exc:
            raise self._translate(exc) from None

    def write(self) -> contextlib.AbstractContextManager[None]:
        return self._transaction(False)

    def read(self) -> contextlib.AbstractContextManager[None]:
        return self._transaction(True)

    def lock_stream(self, stream: str) -> None:
        self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"dualprev:{stream}",))

    def lock_schema(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock(hashtext('dualprev:schema'))")

    def table_names(self) -> set[str]:
        rows = self.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()
        return {r[0] for r in rows}

    def is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, self._psycopg.errors.UniqueViolation)

    def close(self) -> None:
        self._conn.close()
