"""The event store: per-enterprise, append-only, hash-chained streams on SQLite or PostgreSQL.

Open one with :func:`open_store`.  See ``docs/store.md`` for the guarantees and the API.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from dualprev_core.errors import InvalidInput, TransitionRejected
from dualprev_core.hidden_dangers.ledger import Ledger, event_from_dict
from dualprev_core.store._backends import Backend, connect
from dualprev_core.store._canonical import GENESIS, canonical_json, event_hash, sha256_hex
from dualprev_core.store._schema import SCHEMA_VERSION, ensure_schema
from dualprev_core.store.errors import ConcurrencyConflict, StoreCorrupted, UnknownEnterprise
from dualprev_core.store.records import (
    INSPECTION_RECORDED,
    LEDGER_IMPORTED,
    LEDGER_PREFIXES,
    MONITORING_ALARM,
    REGISTER_IMPORTED,
    NewEvent,
    StoredEvent,
    inspection_from_dict,
)
from dualprev_core.store.register import Change, diff_summary, register_diff
from dualprev_core.store.state import EnterpriseState

if TYPE_CHECKING:
    from dualprev_core.packs.calls import Packs

__all__ = ["Store", "open_store", "AppendResult", "RegisterImport", "RegisterVersion", "default_actor", "SNAPSHOT_EVERY", "SNAPSHOT_FORMAT", "DEFAULT_RETRIES"]

_T = TypeVar("_T")

#: A snapshot is written with a commit once this many events were appended since the last one.
SNAPSHOT_EVERY: Final = 500
#: Format of the snapshot payload.
SNAPSHOT_FORMAT: Final = 1
#: How often :meth:`Store.update` re-reads and re-applies after a conflicting writer.
DEFAULT_RETRIES: Final = 8

_COLUMNS = "stream, seq, kind, actor, at, recorded_at, data, prev_hash, hash"


def default_actor() -> str:
    """Who is writing, when the caller does not say: ``DUALPREV_ACTOR`` or the OS user."""
    name = os.environ.get("DUALPREV_ACTOR", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _now() -> datetime:
    return datetime.now(UTC)


@attrs.frozen
class AppendResult:
    """Where an append left the stream."""

    stream: str
    version: int
    head_hash: str
    appended: int


@attrs.frozen
class RegisterVersion:
    """One imported version of an enterprise register."""

    number: int
    seq: int
    at: str
    actor: str
    source: str
    sha256: str
    summary: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.number, "seq": self.seq, "at": self.at, "actor": self.actor, "source": self.source,
                "sha256": self.sha256, "summary": dict(self.summary)}


@attrs.frozen
class RegisterImport:
    """What importing a register file did."""

    enterprise_id: str
    version: RegisterVersion
    changes: tuple[Change, ...]
    unchanged: bool
    result: AppendResult


def _row(r: Sequence[Any]) -> StoredEvent:
    return StoredEvent(stream=r[0], seq=int(r[1]), kind=r[2], actor=r[3], at=r[4], recorded_at=r[5], data_text=r[6],
                       prev_hash=r[7], hash=r[8])


class Store:
    """An open store.  Use :func:`open_store`; close it (or use ``with``) when done.

    One ``Store`` is one connection: use one per thread or process.
    """

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    # ------------------------------------------------------------ basics

    @property
    def url(self) -> str:
        """The URL it was opened with."""
        return self._b.url

    @property
    def display(self) -> str:
        """The URL without a password, for messages."""
        return self._b.display

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._b.name

    @property
    def schema_version(self) -> int:
        return SCHEMA_VERSION

    def close(self) -> None:
        self._b.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.display}>"

    # ------------------------------------------------------------ streams

    def enterprise_ids(self) -> list[str]:
        """The enterprises (streams) in the store, sorted."""
        with self._b.read():
            return [r[0] for r in self._b.execute("SELECT stream FROM dualprev_streams ORDER BY stream").fetchall()]

    def resolve(self, enterprise_id: str | None) -> str:
        """``enterprise_id`` checked to exist; ``None`` means the only enterprise of the store."""
        ids = self.enterprise_ids()
        if enterprise_id is None:
            if len(ids) == 1:
                return ids[0]
            if not ids:
                raise UnknownEnterprise(f"{self.display}: the store holds no enterprise yet; import one with: dualprev db import FILE --db URL")
            shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
            raise InvalidInput(f"{self.display}: the store holds {len(ids)} enterprises ({shown}); choose one with -e ID")
        if enterprise_id not in ids:
            from dualprev_core.errors import suggest

            raise UnknownEnterprise(f"{self.display}: no enterprise {enterprise_id!r} in the store{suggest(enterprise_id, ids)}")
        return enterprise_id

    def head(self, enterprise_id: str) -> tuple[int, str]:
        """``(version, head_hash)`` of a stream; ``(0, GENESIS)`` when it has no events."""
        with self._b.read():
            return self._head(enterprise_id)

    def _head(self, stream: str) -> tuple[int, str]:
        row = self._b.execute("SELECT version, head_hash FROM dualprev_streams WHERE stream = ?", (stream,)).fetchone()
        return (int(row[0]), row[1]) if row else (0, GENESIS)

    def events(self, enterprise_id: str | None = None, *, after: int = 0, kinds: Iterable[str] | None = None) -> Iterator[StoredEvent]:
        """The stored events (of one enterprise, or all, stream by stream), in order."""
        sql = f"SELECT {_COLUMNS} FROM dualprev_events"
        where: list[str] = []
        params: list[Any] = []
        if enterprise_id is not None:
            where.append("stream = ?")
            params.append(enterprise_id)
        if after:
            where.append("seq > ?")
            params.append(after)
        wanted = set(kinds) if kinds is not None else None
        if wanted is not None and wanted and not any(w.endswith(".") for w in wanted):
            where.append("kind IN (" + ", ".join("?" for _ in wanted) + ")")  # exact kinds: let the index choose
            params.extend(sorted(wanted))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY stream, seq"
        with self._b.read():
            rows = self._b.execute(sql, params).fetchall()
        for r in rows:
            if wanted is None or r[2] in wanted or any(r[2].startswith(w) for w in wanted if w.endswith(".")):
                yield _row(r)

    # ------------------------------------------------------------ appending

    def append(self, enterprise_id: str, events: Iterable[NewEvent], *, expected_version: int | None,
               snapshot: Callable[[int, str], Mapping[str, Any] | None] | None = None) -> AppendResult:
        """Append ``events`` to the enterprise's stream in one transaction, chaining their hashes.

        :param expected_version: the version the caller read (0 for a new stream); another writer
            having appended since raises :class:`ConcurrencyConflict` and nothing is written.
            ``None`` appends at the head whatever it is (for events that depend on no state).
        :returns: the new version and head hash.  When this returns, the events are durably committed.
        """
        new = list(events)
        if not isinstance(enterprise_id, str) or not enterprise_id.strip():
            raise InvalidInput(f"'enterprise_id' must be a non-empty string (got {enterprise_id!r})")
        for e in new:
            if not isinstance(e, NewEvent):
                raise InvalidInput(f"events must be NewEvent (got {e!r})")
        payloads = []
        for e in new:
            try:
                payloads.append(canonical_json(e.data))
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"event {e.kind!r}: its data cannot be stored as JSON: {exc}") from None
        recorded_at = _now().isoformat()
        try:
            with self._b.write():
                self._b.lock_stream(enterprise_id)
                row = self._b.execute("SELECT version, head_hash FROM dualprev_streams WHERE stream = ?", (enterprise_id,)).fetchone()
                version, head = (int(row[0]), row[1]) if row else (0, GENESIS)
                if expected_version is not None and version != expected_version:
                    raise ConcurrencyConflict(enterprise_id, expected_version, version)
                if not new:
                    return AppendResult(enterprise_id, version, head, 0)
                rows = []
                prev = head
                for i, (e, data) in enumerate(zip(new, payloads, strict=True), start=version + 1):
                    at = e.at.isoformat()
                    h = event_hash(enterprise_id, i, e.kind, e.actor, at, recorded_at, prev, data)
                    rows.append((enterprise_id, i, e.kind, e.actor, at, recorded_at, data, prev, h))
                    prev = h
                self._b.executemany(f"INSERT INTO dualprev_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                top = version + len(new)
                if row is None:
                    self._b.execute("INSERT INTO dualprev_streams (stream, version, head_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                                    (enterprise_id, top, prev, recorded_at, recorded_at))
                else:
                    cur = self._b.execute("UPDATE dualprev_streams SET version = ?, head_hash = ?, updated_at = ? WHERE stream = ? AND version = ?",
                                          (top, prev, recorded_at, enterprise_id, version))
                    if cur.rowcount != 1:
                        raise ConcurrencyConflict(enterprise_id, expected_version, -1)
                if snapshot is not None:
                    data_obj = snapshot(top, prev)
                    if data_obj is not None:
                        self._write_snapshot(enterprise_id, top, prev, data_obj)
        except Exception as exc:
            if self._b.is_unique_violation(exc):
                raise ConcurrencyConflict(enterprise_id, expected_version, self.head(enterprise_id)[0]) from None
            raise
        return AppendResult(enterprise_id, top, prev, len(new))

    def commit(self, state: EnterpriseState) -> AppendResult:
        """Append what ``state`` recorded, expecting the version it was read at; snapshot when due."""
        if state.store is not self:
            raise InvalidInput("this state was not loaded from this store")
        pending = state.pending
        if not pending:
            return AppendResult(state.enterprise_id, state.version or 0, state.head_hash or GENESIS, 0)
        last = self._last_snapshot_seq(state.enterprise_id)
        due = (state.version or 0) + len(pending) - last >= SNAPSHOT_EVERY

        def snap(version: int, head: str) -> Mapping[str, Any] | None:
            return _snapshot_data(state) if due else None

        result = self.append(state.enterprise_id, pending, expected_version=state.version, snapshot=snap)
        state._committed(result.version, result.head_hash)
        return result

    def update(self, enterprise_id: str | None, change: Callable[[EnterpriseState], _T], *, packs: Packs | None = None,
               retries: int = DEFAULT_RETRIES) -> tuple[_T, AppendResult]:
        """Load, apply ``change(state)``, commit; on a conflicting writer, re-load and re-apply.

        ``change`` must only depend on the state it is given (it may run more than once).
        :raises ConcurrencyConflict: still conflicting after ``retries`` attempts.
        """
        last: ConcurrencyConflict | None = None
        for _ in range(max(1, retries)):
            state = self.load(enterprise_id, packs=packs)
            value = change(state)
            try:
                return value, self.commit(state)
            except ConcurrencyConflict as exc:
                last = exc
        assert last is not None
        raise last

    # ------------------------------------------------------------ loading

    def load(self, enterprise_id: str | None = None, *, packs: Packs | None = None, verify_tail: bool = True) -> EnterpriseState:
        """The current state of an enterprise: register, ledger, inspections, alarms.

        Reads the latest snapshot and the events after it (never the whole history when a
        snapshot exists); checks the hash chain of what it reads against the stream's head.
        """
        from dualprev_core.loading.enterprise import parse_enterprise
        from dualprev_core.packs.loader import load_packs

        stream = self.resolve(enterprise_id)
        packs = packs if packs is not None else load_packs()
        with self._b.read():
            version, head = self._head(stream)
            snap = self._b.execute("SELECT seq, head_hash, data_hash, data FROM dualprev_snapshots WHERE stream = ? AND seq <= ? "
                                   "ORDER BY seq DESC LIMIT 1", (stream, version)).fetchone()
            base_seq, base_hash = (int(snap[0]), snap[1]) if snap else (0, GENESIS)
            tail = [_row(r) for r in self._b.execute(f"SELECT {_COLUMNS} FROM dualprev_events WHERE stream = ? AND seq > ? ORDER BY seq",
                                                     (stream, base_seq)).fetchall()]
            base: dict[str, Any] = {}
            if snap:
                if sha256_hex(snap[3]) != snap[2]:
                    raise StoreCorrupted(f"{self.display}: enterprise {stream!r}: the snapshot at version {base_seq} does not match its hash; "
                                         "run dualprev db verify")
                base = json.loads(snap[3])
            reg_seq = next((e.seq for e in reversed(tail) if e.kind == REGISTER_IMPORTED), None)
            reg_event: StoredEvent | None = None
            if reg_seq is None and base.get("register_seq"):
                r = self._b.execute(f"SELECT {_COLUMNS} FROM dualprev_events WHERE stream = ? AND seq = ?", (stream, base["register_seq"])).fetchone()
                if r is None:
                    raise StoreCorrupted(f"{self.display}: enterprise {stream!r}: register event {base['register_seq']} is missing; run dualprev db verify")
                reg_event = _row(r)
                _check_hash(reg_event, self.display)
        if verify_tail:
            _check_chain(stream, tail, base_seq, base_hash, version, head, self.display)
        if reg_seq is not None:
            reg_event = next(e for e in tail if e.seq == reg_seq)
        if reg_event is None:
            raise UnknownEnterprise(f"{self.display}: enterprise {stream!r} has no register version; import one with dualprev db import FILE")
        reg = reg_event.data
        hd_dicts: list[Any] = list(base.get("hd_events", []))
        insp_dicts: list[Any] = list(base.get("inspections", []))
        alarms: list[Any] = list(base.get("alarms", []))
        register_count = int(base.get("register_count", 0))
        for e in tail:
            if e.kind.startswith(LEDGER_PREFIXES):
                hd_dicts.append(e.data)
            elif e.kind == INSPECTION_RECORDED:
                insp_dicts.append(e.data)
            elif e.kind == MONITORING_ALARM:
                alarms.append(e.data)
            elif e.kind == REGISTER_IMPORTED:
                register_count += 1
        origin = f"{self.display}#{stream}"
        events = [event_from_dict(d, source=origin) for d in hd_dicts]
        try:
            ledger = Ledger.from_events(events)
        except TransitionRejected as exc:
            raise StoreCorrupted(f"{origin}: the stored hidden-danger events do not replay: {exc}") from None
        inspections = [inspection_from_dict(d) for d in insp_dicts]
        enterprise = parse_enterprise(reg["document"], source=f"{origin} register v{register_count}", packs=packs)
        register_inspections = enterprise.inspections
        enterprise = attrs.evolve(enterprise, inspections=tuple(inspections))
        return EnterpriseState(enterprise=enterprise, ledger=ledger, packs=packs, inspections=inspections, alarms=alarms,
                               stored_payloads={"ledger": hd_dicts, "inspections": insp_dicts},
                               version=version, head_hash=head, register_version=register_count, register_seq=reg_event.seq,
                               register_inspections=register_inspections, origin=origin, store=self)

    # ------------------------------------------------------------ register

    def register_versions(self, enterprise_id: str) -> list[RegisterVersion]:
        """Every imported version of the enterprise's register, oldest first."""
        out = []
        for n, e in enumerate(self.events(enterprise_id, kinds=[REGISTER_IMPORTED]), start=1):
            d = e.data
            out.append(RegisterVersion(n, e.seq, e.at, e.actor, d.get("source", ""), d.get("sha256", ""), d.get("summary", {})))
        return out

    def register_document(self, enterprise_id: str, version: int | None = None) -> dict[str, Any]:
        """The register document of ``version`` (1-based; default: the latest)."""
        regs = [e for e in self.events(enterprise_id, kinds=[REGISTER_IMPORTED])]
        if not regs:
            raise UnknownEnterprise(f"{self.display}: enterprise {enterprise_id!r} has no register version")
        n = len(regs) if version is None else version
        if not 1 <= n <= len(regs):
            raise InvalidInput(f"register version must be 1..{len(regs)} (got {version})")
        return dict(regs[n - 1].data["document"])

    def register_changes(self, enterprise_id: str, version: int, since: int | None = None) -> list[Change]:
        """What changed in the register from version ``since`` (default: the one before) to ``version``."""
        after = self.register_document(enterprise_id, version)
        before_n = version - 1 if since is None else since
        before = self.register_document(enterprise_id, before_n) if before_n >= 1 else None
        return register_diff(before, after)

    def import_register(self, source: str | Path, *, actor: str | None = None, packs: Packs | None = None,
                        retries: int = DEFAULT_RETRIES) -> RegisterImport:
        """Validate an enterprise file and append it as a new version of its register.

        The enterprise id comes from the file.  A file identical to the latest version adds nothing
        (``unchanged``).  The file is validated as ``dualprev assess`` would (with ``packs``).
        """
        from dualprev_core.loading.enterprise import _read_document, parse_enterprise
        from dualprev_core.packs.loader import load_packs

        packs = packs if packs is not None else load_packs()
        data, lines, src = _read_document(source)
        enterprise = parse_enterprise(data, source=src, lines=lines, packs=packs)
        try:
            text = canonical_json(data)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"{src}: cannot be stored as JSON: {exc}") from None
        document = data  # decoded JSON/YAML: JSON-ready, as canonical_json just proved
        digest = sha256_hex(text)
        who = actor or default_actor()
        stream = enterprise.id
        for _ in range(max(1, retries)):
            version, head = self.head(stream)
            regs = self.register_versions(stream) if version else []
            if regs and regs[-1].sha256 == digest:
                return RegisterImport(stream, regs[-1], (), True, AppendResult(stream, version, head, 0))
            previous = self.register_document(stream) if regs else None
            changes = register_diff(previous, document)
            summary = diff_summary(changes)
            payload = {"document": document, "source": Path(src).name, "sha256": digest, "register_version": len(regs) + 1,
                       "enterprise": {"id": enterprise.id, "name": enterprise.name}, "summary": summary}
            event = NewEvent(kind=REGISTER_IMPORTED, data=payload, actor=who, at=_now())
            try:
                result = self.append(stream, [event], expected_version=version)
            except ConcurrencyConflict:
                continue
            rv = RegisterVersion(len(regs) + 1, result.version, event.at.isoformat(), who, payload["source"], digest, summary)
            return RegisterImport(stream, rv, tuple(changes), False, result)
        raise ConcurrencyConflict(stream, None, self.head(stream)[0])

    def import_ledger(self, path: str | Path, *, enterprise_id: str | None = None, actor: str | None = None) -> AppendResult:
        """Append the events of a JSON-lines ledger file to an enterprise that has none yet.

        The file is validated (every line parsed, every guard replayed) before anything is written.
        """
        from dualprev_core.store.jsonl import read_ledger

        stream = self.resolve(enterprise_id)
        p = Path(path)
        ledger = read_ledger(p)
        text = p.read_text(encoding="utf-8")
        state = self.load(stream)
        if state.ledger.events:
            raise InvalidInput(f"{self.display}: enterprise {stream!r} already has {len(state.ledger.events)} hidden-danger events; "
                               "a ledger file can only be imported into an enterprise without any")
        unknown = sorted({hd.control_id for hd in ledger.all() if hd.control_id is not None} - {c.id for c in state.enterprise.controls})
        if unknown:
            raise InvalidInput(f"{p}: hidden dangers on controls that are not in the register of {stream!r}: {', '.join(unknown[:10])}")
        who = actor or default_actor()
        marker = NewEvent(kind=LEDGER_IMPORTED, actor=who, at=_now(),
                          data={"source": p.name, "sha256": sha256_hex(text), "events": len(ledger.events)})
        from dualprev_core.store.records import ledger_event

        return self.append(stream, [marker, *(ledger_event(e) for e in ledger.events)], expected_version=state.version)

    # ------------------------------------------------------------ snapshots

    def _last_snapshot_seq(self, stream: str) -> int:
        with self._b.read():
            row = self._b.execute("SELECT MAX(seq) FROM dualprev_snapshots WHERE stream = ?", (stream,)).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _write_snapshot(self, stream: str, seq: int, head: str, data: Mapping[str, Any]) -> None:
        text = canonical_json(data)
        self._b.execute("INSERT INTO dualprev_snapshots (stream, seq, format, created_at, head_hash, data_hash, data) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream, seq) DO NOTHING",
                        (stream, seq, SNAPSHOT_FORMAT, _now().isoformat(), head, sha256_hex(text), text))

    def snapshot(self, enterprise_id: str | None = None) -> int:
        """Write a snapshot of the enterprise's state at its current version; returns that version."""
        state = self.load(enterprise_id)
        with self._b.write():
            self._b.lock_stream(state.enterprise_id)
            version, head = self._head(state.enterprise_id)
            if version != state.version:
                raise ConcurrencyConflict(state.enterprise_id, state.version, version)
            self._write_snapshot(state.enterprise_id, version, head, _snapshot_data(state))
        return version

    def snapshots(self, enterprise_id: str) -> list[tuple[int, str, str, str]]:
        """``(seq, head_hash, data_hash, data)`` of every snapshot of a stream, oldest first."""
        with self._b.read():
            rows = self._b.execute("SELECT seq, head_hash, data_hash, data FROM dualprev_snapshots WHERE stream = ? ORDER BY seq",
                                   (enterprise_id,)).fetchall()
        return [(int(r[0]), r[1], r[2], r[3]) for r in rows]

    def streams_table(self) -> dict[str, tuple[int, str]]:
        """``{stream: (version, head_hash)}`` as the streams table records them."""
        with self._b.read():
            return {r[0]: (int(r[1]), r[2]) for r in self._b.execute("SELECT stream, version, head_hash FROM dualprev_streams").fetchall()}

    def event_streams(self) -> list[str]:
        """Every stream that has events (a stream missing from the streams table shows here)."""
        with self._b.read():
            return [r[0] for r in self._b.execute("SELECT DISTINCT stream FROM dualprev_events ORDER BY stream").fetchall()]


def _snapshot_data(state: EnterpriseState) -> dict[str, Any]:
    """The folded state once ``state.pending`` is appended: the payloads as stored, verbatim (never re-serialised)."""
    pending = state.pending
    return {
        "format": SNAPSHOT_FORMAT,
        "register_seq": state.register_seq,
        "register_count": state.register_version,
        "hd_events": state.stored_payloads("ledger") + [dict(e.data) for e in pending if e.kind.startswith(LEDGER_PREFIXES)],
        "inspections": state.stored_payloads("inspections") + [dict(e.data) for e in pending if e.kind == INSPECTION_RECORDED],
        "alarms": list(state.alarms),
    }


def _check_hash(e: StoredEvent, display: str) -> None:
    if event_hash(e.stream, e.seq, e.kind, e.actor, e.at, e.recorded_at, e.prev_hash, e.data_text) != e.hash:
        raise StoreCorrupted(f"{display}: enterprise {e.stream!r}: event {e.seq} ({e.kind}) does not match its hash; run dualprev db verify")


def _check_chain(stream: str, tail: list[StoredEvent], base_seq: int, base_hash: str, version: int, head: str, display: str) -> None:
    """The events read on opening link to the snapshot (or the start) and end at the recorded head."""
    prev_seq, prev_hash = base_seq, base_hash
    for e in tail:
        if e.seq != prev_seq + 1 or e.prev_hash != prev_hash:
            raise StoreCorrupted(f"{display}: enterprise {stream!r}: the chain breaks at event {e.seq} ({e.kind}); run dualprev db verify")
        _check_hash(e, display)
        prev_seq, prev_hash = e.seq, e.hash
    if prev_seq != version or prev_hash != head:
        raise StoreCorrupted(f"{display}: enterprise {stream!r}: the stream records version {version} but its events end at {prev_seq}; "
                             "run dualprev db verify")


def open_store(url: str, *, create: bool = True) -> Store:
    """Open (and, if needed, create or migrate) the store at ``url``.

    :param url: a file path or ``sqlite:///PATH`` (SQLite), or ``postgresql://…`` (PostgreSQL).
    :param create: create the store if the file does not exist or the database is empty;
        ``False`` makes a missing store an error (for commands that only read).
    :raises StoreURLError, StoreUnavailable, NotAStore, SchemaTooNew: one-line reasons.
    """
    backend = connect(url, create=create)
    try:
        ensure_schema(backend, create=create)
    except BaseException:
        backend.close()
        raise
    return Store(backend)
