"""What a stream holds: event kinds, the event to append and the stored event.

Kinds (the ``kind`` column):

* ``register.imported`` — a version of the enterprise register (the whole validated document,
  its source file name and SHA-256, and a summary of what changed from the previous version);
* ``inspection.recorded`` — one inspection record (排查记录), passed ones included;
* ``hidden_danger.<kind>`` — one hidden-danger event (``reported``, ``assessed``, … ``closed``),
  its payload the event's JSON form (see ``docs/hidden-dangers.md``);
* ``investigation.<kind>`` — an investigation event the ledger keeps about a task
  (``check_missed``: 未排查, a task's window passed without its check);
* ``monitoring.alarm`` — an alarm a monitoring rule raised;
* ``ledger.imported`` — marks the import of a JSON-lines ledger file (name, SHA-256, event count);
  the file's events follow as ``hidden_danger.*`` events.

Every event carries who (``actor``) and when it happened (``at``) and when it was stored
(``recorded_at``, UTC).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from dualprev_core.clock import ensure_aware
from dualprev_core.errors import InvalidInput
from dualprev_core.hidden_dangers.ledger import HiddenDangerEvent, LedgerEvent, event_from_dict
from dualprev_core.model.records import Inspection
from dualprev_core.model.vocabulary import InspectionResult

__all__ = [
    "REGISTER_IMPORTED",
    "INSPECTION_RECORDED",
    "MONITORING_ALARM",
    "LEDGER_IMPORTED",
    "HIDDEN_DANGER_PREFIX",
    "INVESTIGATION_PREFIX",
    "LEDGER_PREFIXES",
    "ledger_event",
    "NewEvent",
    "StoredEvent",
    "hidden_danger_event",
    "inspection_event",
    "inspection_to_dict",
    "inspection_from_dict",
]

REGISTER_IMPORTED: Final = "register.imported"
INSPECTION_RECORDED: Final = "inspection.recorded"
MONITORING_ALARM: Final = "monitoring.alarm"
LEDGER_IMPORTED: Final = "ledger.imported"
HIDDEN_DANGER_PREFIX: Final = "hidden_danger."
INVESTIGATION_PREFIX: Final = "investigation."
#: The prefixes of the kinds that hold ledger events (replayed into the ledger, in order).
LEDGER_PREFIXES: Final = (HIDDEN_DANGER_PREFIX, INVESTIGATION_PREFIX)


def _v_text(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{a.name}' must be a non-empty string (got {value!r})")


def _v_at(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    ensure_aware(value, a.name)


@attrs.frozen(kw_only=True)
class NewEvent:
    """An event to append: its kind, payload (JSON-ready), who did it and when it happened."""

    kind: str = attrs.field(validator=_v_text)
    data: Mapping[str, Any] = attrs.field()
    actor: str = attrs.field(validator=_v_text)
    at: datetime = attrs.field(validator=_v_at)


@attrs.frozen(kw_only=True)
class StoredEvent:
    """An event as stored: position in its stream, the hash chain and the payload text."""

    stream: str
    seq: int
    kind: str
    actor: str
    at: str
    recorded_at: str
    data_text: str
    prev_hash: str
    hash: str

    @property
    def data(self) -> Any:
        """The payload, decoded."""
        return json.loads(self.data_text)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines export form: every column, the payload decoded."""
        return {"stream": self.stream, "seq": self.seq, "kind": self.kind, "actor": self.actor, "at": self.at,
                "recorded_at": self.recorded_at, "data": self.data, "prev_hash": self.prev_hash, "hash": self.hash}

    def ledger_event(self) -> LedgerEvent:
        """The ledger event this stores (for ``hidden_danger.*`` and ``investigation.*`` kinds)."""
        return event_from_dict(self.data, source=f"{self.stream} event {self.seq}")


def ledger_event(event: LedgerEvent) -> NewEvent:
    """The store event of a ledger event (actor = its ``by``)."""
    prefix = HIDDEN_DANGER_PREFIX if isinstance(event, HiddenDangerEvent) else INVESTIGATION_PREFIX
    return NewEvent(kind=prefix + event.kind, data=event.to_dict(), actor=event.by, at=event.at)


#: The former name, for hidden-danger events.
hidden_danger_event = ledger_event


def inspection_to_dict(i: Inspection) -> dict[str, Any]:
    """An inspection record in the enterprise file's form."""
    d: dict[str, Any] = {"id": i.id, "control": i.control, "result": i.result.key, "by": i.by, "at": i.at.isoformat()}
    if i.item is not None:
        d["item"] = i.item
    if i.task is not None:
        d["task"] = i.task
    if i.note:
        d["note"] = i.note
    if i.facts:
        d["facts"] = dict(i.facts)
    return d


def inspection_from_dict(d: Mapping[str, Any]) -> Inspection:
    """The inverse of :func:`inspection_to_dict`."""
    return Inspection(id=d["id"], control=d["control"], result=InspectionResult.parse(d["result"]), by=d["by"],
                      at=datetime.fromisoformat(d["at"]), item=d.get("item"), note=d.get("note", ""), facts=d.get("facts") or {},
                      task=d.get("task"))


def inspection_event(i: Inspection) -> NewEvent:
    """The store event recording one inspection (actor = the inspector)."""
    return NewEvent(kind=INSPECTION_RECORDED, data=inspection_to_dict(i), actor=i.by, at=i.at)
