"""``dualprev db verify``: check every stream's hash chain, its head record and its snapshots.

What is detected (each names the first failing event of its stream):

* an event whose content was changed — any column, any field of its payload, its text
  rewritten: its hash no longer matches (``changed``);
* an event deleted from the middle: a gap in the sequence (``missing``);
* events reordered or an event moved: the chain link to the previous event breaks (``broken link``);
* the tail of a stream deleted: the stream's head record names a later version and hash (``tail missing``);
* a stream's events all deleted while its head record stays (``tail missing`` from event 1);
* a head record edited or removed while the events stay (``head``);
* a snapshot whose content differs from what its events fold to (``snapshot``);
* stored hidden-danger events that do not replay through the loop's guards (``replay``).

What is **not** detected from inside the store: deleting a stream's tail *and* rewriting its head
record to match, deleting a whole stream with its head record, or rewriting a chain and recomputing
every hash after the edit.  Against these, keep the head hash somewhere else — every export,
report and submission carries it — and check with ``dualprev db verify --head HASH``: a head that
is no longer in the chain means events up to it were removed or rewritten.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from dualprev_core.store._canonical import GENESIS, canonical_json, event_hash, sha256_hex
from dualprev_core.store.errors import StoreCorrupted
from dualprev_core.store.records import INSPECTION_RECORDED, LEDGER_PREFIXES, MONITORING_ALARM, REGISTER_IMPORTED, StoredEvent
from dualprev_core.store.store import Store

__all__ = ["StreamCheck", "HeadCheck", "VerifyReport", "verify_store"]


@attrs.frozen
class StreamCheck:
    """One stream's verdict: ``problem`` is ``None`` when it verifies."""

    stream: str
    events: int
    version: int | None
    head_hash: str | None
    problem: str | None = None
    seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        return {"enterprise": self.stream, "ok": self.ok, "events": self.events, "version": self.version, "head_hash": self.head_hash,
                "first_failing_event": self.seq, "problem": self.problem}


@attrs.frozen
class HeadCheck:
    """Whether a head hash recorded elsewhere is still in the store's chain."""

    head: str
    found: bool
    stream: str | None = None
    seq: int | None = None
    since: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"head": self.head, "found": self.found, "enterprise": self.stream, "seq": self.seq, "events_since": self.since}


@attrs.frozen
class VerifyReport:
    """The verdict on every stream checked, and on ``--head`` if given."""

    store: str
    streams: tuple[StreamCheck, ...]
    head: HeadCheck | None = None

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.streams) and (self.head is None or self.head.found)

    def to_dict(self) -> dict[str, Any]:
        return {"store": self.store, "ok": self.ok, "streams": [s.to_dict() for s in self.streams],
                "head": self.head.to_dict() if self.head else None}


def _check_events(stream: str, events: list[StoredEvent], recorded: tuple[int, str] | None) -> tuple[str | None, int | None]:
    prev_seq, prev_hash = 0, GENESIS
    for e in events:
        if e.seq != prev_seq + 1:
            return (f"missing: event {prev_seq + 1} is not in the store (deleted); the next stored event is {e.seq}", prev_seq + 1)
        if e.prev_hash != prev_hash:
            return (f"broken link: event {e.seq} ({e.kind}) does not follow event {prev_seq} (events reordered, or one before it "
                    "was replaced)", e.seq)
        try:
            canonical = canonical_json(json.loads(e.data_text)) == e.data_text
        except (ValueError, TypeError):
            canonical = False
        if not canonical or event_hash(e.stream, e.seq, e.kind, e.actor, e.at, e.recorded_at, e.prev_hash, e.data_text) != e.hash:
            return (f"changed: event {e.seq} ({e.kind}, by {e.actor} at {e.at}) does not match its hash: it was edited after it was "
                    "written", e.seq)
        prev_seq, prev_hash = e.seq, e.hash
    if recorded is None:
        return (f"head: the stream has {len(events)} events but no head record (the streams table was edited)", None)
    version, head = recorded
    if version > prev_seq:
        return (f"tail missing: the stream's head record says version {version}, but its events end at {prev_seq}: "
                f"events {prev_seq + 1}..{version} were deleted", prev_seq + 1)
    if version < prev_seq or head != prev_hash:
        return (f"head: the stream's head record (version {version}, {head[:12]}…) does not match its last event "
                f"({prev_seq}, {prev_hash[:12]}…): the head record was edited", None)
    return None, None


def _fold(events: list[StoredEvent], upto: int) -> dict[str, Any]:
    reg_seq, count = None, 0
    hd, insp, alarms = [], [], []
    for e in events:
        if e.seq > upto:
            break
        if e.kind == REGISTER_IMPORTED:
            reg_seq, count = e.seq, count + 1
        elif e.kind.startswith(LEDGER_PREFIXES):
            hd.append(e.data)
        elif e.kind == INSPECTION_RECORDED:
            insp.append(e.data)
        elif e.kind == MONITORING_ALARM:
            alarms.append(e.data)
    return {"register_seq": reg_seq, "register_count": count, "hd_events": hd, "inspections": insp, "alarms": alarms}


def _check_snapshots(store: Store, stream: str, events: list[StoredEvent]) -> tuple[str | None, int | None]:
    by_seq = {e.seq: e for e in events}
    for seq, head, data_hash, text in store.snapshots(stream):
        e = by_seq.get(seq)
        if e is None or e.hash != head:
            return (f"snapshot: the snapshot at version {seq} does not sit on event {seq} of the chain", seq)
        if sha256_hex(text) != data_hash:
            return (f"snapshot: the snapshot at version {seq} does not match its hash (edited)", seq)
        data = json.loads(text)
        fold = _fold(events, seq)
        for key, value in fold.items():
            if canonical_json(data.get(key)) != canonical_json(value):
                return (f"snapshot: the snapshot at version {seq} differs from its events in {key!r} (edited)", seq)
    return None, None


def verify_store(store: Store, enterprise_id: str | None = None, *, head: str | None = None, replay: bool = True) -> VerifyReport:
    """Check every stream (or one); with ``head``, also that this head hash is in the chain."""
    recorded = store.streams_table()
    names = sorted(set(recorded) | set(store.event_streams()))
    if enterprise_id is not None:
        names = [store.resolve(enterprise_id)]
    checks = []
    found: HeadCheck | None = HeadCheck(head=head, found=False) if head else None
    for name in names:
        events = list(store.events(name))
        problem, seq = _check_events(name, events, recorded.get(name))
        if problem is None:
            problem, seq = _check_snapshots(store, name, events)
        if problem is None and replay and any(e.kind == REGISTER_IMPORTED for e in events):
            try:
                store.load(name, verify_tail=True)
            except StoreCorrupted as exc:
                problem = f"replay: {exc}"
        v = recorded.get(name)
        checks.append(StreamCheck(name, len(events), v[0] if v else None, v[1] if v else None, problem, seq))
        if head and found is not None and not found.found:
            for e in events:
                if e.hash == head.lower():
                    found = HeadCheck(head=head, found=True, stream=name, seq=e.seq, since=len(events) - e.seq)
                    break
    return VerifyReport(store.display, tuple(checks), found)
