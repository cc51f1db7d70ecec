"""The state of one enterprise, rebuilt from its stream (or from files): register, ledger, records.

Commands and embedders work on an :class:`EnterpriseState` whichever way it was opened:

* from a store (:meth:`dualprev_core.store.Store.load`): the register is the latest imported
  version, the ledger holds every recorded hidden-danger event, ``inspections`` every recorded
  inspection (passed ones too);
* from files (:meth:`EnterpriseState.from_files`): the enterprise file and an optional
  JSON-lines ledger, as the commands always did.

Whatever the state records (:meth:`record_inspection`, :meth:`record_alarm`, any transition on
:attr:`ledger`) is collected in :attr:`pending` until :meth:`save` writes it: to the store in one
append with the version it was read at (optimistic concurrency), or to the ledger file
atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from dualprev_core.errors import InvalidInput
from dualprev_core.hidden_dangers.ledger import Ledger, LedgerEvent
from dualprev_core.model.records import Enterprise, Inspection
from dualprev_core.store.records import MONITORING_ALARM, NewEvent, inspection_event, inspection_to_dict, ledger_event

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment, InspectionOutcome
    from dualprev_core.packs.calls import Packs
    from dualprev_core.store.store import AppendResult, Store

__all__ = ["EnterpriseState"]


class EnterpriseState:
    """One enterprise's register, hidden-danger ledger and records, and what is pending to write.

    :ivar enterprise: the register (``enterprise.inspections``: the recorded inspections when
        opened from a store, the file's own when opened from a file).
    :ivar ledger: the hidden-danger ledger (:class:`~dualprev_core.hidden_dangers.ledger.Ledger`).
    :ivar inspections: the recorded inspection records, oldest first.
    :ivar alarms: the recorded monitoring alarms (their JSON form), oldest first.
    :ivar version: the stream's version this state was read at (``None`` for files).
    :ivar head_hash: the hash of the stream's last event (``None`` for files).
    :ivar register_version: which register version the enterprise is (1 = first import; ``None`` for files).
    :ivar register_inspections: the inspection records written in the register file itself.
    :ivar origin: where it came from (store URL with ``#enterprise`` or the file path).
    """

    def __init__(
        self,
        *,
        enterprise: Enterprise,
        ledger: Ledger,
        packs: Packs,
        inspections: Iterable[Inspection] = (),
        alarms: Iterable[Mapping[str, Any]] = (),
        version: int | None = None,
        head_hash: str | None = None,
        register_version: int | None = None,
        register_seq: int | None = None,
        register_inspections: Iterable[Inspection] = (),
        origin: str = "",
        store: Store | None = None,
        ledger_path: Path | None = None,
        stored_payloads: Mapping[str, list[Any]] | None = None,
        replay_inspections: bool = False,
    ) -> None:
        self.enterprise = enterprise
        self.ledger = ledger
        self.packs = packs
        self.inspections: list[Inspection] = list(inspections)
        self.alarms: list[dict[str, Any]] = [dict(a) for a in alarms]
        self.version = version
        self.head_hash = head_hash
        self.register_version = register_version
        self.register_seq = register_seq
        self.register_inspections = tuple(register_inspections)
        self.origin = origin
        self.store = store
        self.ledger_path = ledger_path
        self._replay = replay_inspections
        self._recorded = {i.id: i for i in self.inspections}
        self._pending: list[NewEvent] = []
        # The payloads as stored (ledger events, inspections), which a snapshot copies verbatim:
        # re-serialising them with a newer dualprev could differ from what the chain holds.
        self._stored: dict[str, list[Any]] = {k: list(v) for k, v in (stored_payloads or {}).items()}
        self._assessment: Assessment | None = None
        ledger.subscribe(self._on_event)

    # ------------------------------------------------------------ construction from files

    @classmethod
    def from_files(
        cls,
        enterprise_file: str | Path,
        *,
        ledger_file: str | Path | None = None,
        packs: Packs | None = None,
        replay_inspections: bool = True,
    ) -> EnterpriseState:
        """The state of an enterprise file and (optionally) a JSON-lines ledger file.

        The file's own inspections are recorded into the assessment when it is built (unless
        ``replay_inspections`` is false).  A ledger file that does not exist yet starts empty.
        """
        from dualprev_core.loading.enterprise import load_enterprise
        from dualprev_core.packs.loader import load_packs
        from dualprev_core.store.jsonl import read_ledger

        packs = packs if packs is not None else load_packs()
        enterprise = load_enterprise(enterprise_file, packs=packs)
        lpath = Path(ledger_file) if ledger_file is not None else None
        ledger = read_ledger(lpath) if lpath is not None and lpath.exists() else Ledger()
        return cls(enterprise=enterprise, ledger=ledger, packs=packs, inspections=enterprise.inspections,
                   register_inspections=enterprise.inspections, origin=str(enterprise_file), ledger_path=lpath,
                   replay_inspections=replay_inspections)

    # ------------------------------------------------------------ reading

    @property
    def enterprise_id(self) -> str:
        return self.enterprise.id

    @property
    def pending(self) -> tuple[NewEvent, ...]:
        """What was recorded since the state was read, not yet written."""
        return tuple(self._pending)

    def assessment(self, at: datetime | None = None) -> Assessment:
        """The live :class:`~dualprev_core.assessment.assessment.Assessment` on this state's ledger.

        :param at: the assessment as it stood at that time: only hidden-danger events up to ``at``
            count (a separate, read-only assessment; the register is the current version).
        """
        from dualprev_core.assessment.assessment import Assessment

        if at is not None:
            past = Ledger.from_events([e for e in self.ledger.events if e.at <= at])
            return Assessment(self.enterprise, packs=self.packs, ledger=past, replay_inspections=False)
        if self._assessment is None:
            self._assessment = Assessment(self.enterprise, packs=self.packs, ledger=self.ledger, replay_inspections=self._replay)
        return self._assessment

    # ------------------------------------------------------------ recording

    def _on_event(self, event: LedgerEvent) -> None:
        self._pending.append(ledger_event(event))

    def record_inspection(self, inspection: Inspection) -> InspectionOutcome:
        """Record one inspection (passed ones too) and whatever hidden danger it opens.

        An inspection whose id is already recorded is not recorded again (``already_recorded``);
        the same id with different content is refused.
        """
        from dualprev_core.assessment.assessment import InspectionOutcome

        known = self._recorded.get(inspection.id)
        if known is not None and self.store is not None:
            if inspection_to_dict(known) != inspection_to_dict(inspection):
                raise InvalidInput(f"inspection {inspection.id!r} is already recorded with different content "
                                   f"(at {known.at.isoformat()} by {known.by}); give a new id")
            return InspectionOutcome(inspection.id, None, False, (), already_recorded=True)
        a = self.assessment()
        if self.store is not None:
            self._pending.append(inspection_event(inspection))
        outcome = a.record_inspection(inspection)
        if known is None:
            self._recorded[inspection.id] = inspection
            self.inspections.append(inspection)
        return outcome

    def record_alarm(self, alarm: Mapping[str, Any] | Any) -> None:
        """Record a monitoring alarm (an :class:`~dualprev_core.monitoring.Alarm` or its dict form)."""
        data = dict(alarm.to_dict() if hasattr(alarm, "to_dict") else alarm)
        at = datetime.fromisoformat(str(data["at"])) if data.get("at") else datetime.now(UTC)
        self.alarms.append(data)
        self._pending.append(NewEvent(kind=MONITORING_ALARM, data=data, actor=str(data.get("rule") or "monitoring"), at=at))

    def save(self) -> AppendResult | None:
        """Write what is pending: one append to the store (expected version = the version read),
        or the ledger file rewritten atomically.  Returns the append's result (``None`` for files).

        :raises ConcurrencyConflict: another writer appended in between; nothing was written.
        """
        if self.store is not None:
            return self.store.commit(self)
        if self.ledger_path is not None:
            from dualprev_core.store.jsonl import write_ledger

            write_ledger(self.ledger, self.ledger_path)
        self._pending.clear()
        return None

    def _committed(self, version: int, head_hash: str) -> None:
        from dualprev_core.store.records import INSPECTION_RECORDED, LEDGER_PREFIXES

        for e in self._pending:
            if e.kind.startswith(LEDGER_PREFIXES):
                self._stored.setdefault("ledger", []).append(dict(e.data))
            elif e.kind == INSPECTION_RECORDED:
                self._stored.setdefault("inspections", []).append(dict(e.data))
        self.version, self.head_hash = version, head_hash
        self._pending.clear()

    def stored_payloads(self, key: str) -> list[Any]:
        """The payloads of the committed ledger events (``ledger``) or inspections (``inspections``), as stored."""
        return list(self._stored.get(key, []))

    def __repr__(self) -> str:
        return f"<EnterpriseState {self.enterprise.id} v{self.version} {len(self.ledger.events)} hidden-danger events>"


def _evolve_inspections(enterprise: Enterprise, inspections: Iterable[Inspection]) -> Enterprise:
    return attrs.evolve(enterprise, inspections=tuple(inspections))
