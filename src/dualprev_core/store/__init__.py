"""The system of record: a durable, tamper-evident, append-only event store.

Per enterprise, one stream of hash-chained events: versions of the register, inspection records,
hidden-danger events, monitoring alarms — each with who and when.  SQLite (one file, the
default) or PostgreSQL (psycopg 3), one behaviour.  See ``docs/store.md``.

Example::

    from dualprev_core.store import open_store

    store = open_store("sqlite:///plant.db")          # creates the schema if needed
    store.import_register("examples/enterprise.yaml")  # a new register version
    state = store.load()                               # the only enterprise; or load("E-1")
    a = state.assessment()                             # current levels, from what was recorded
    state.ledger.close("HD-C-1-1", by="赵")            # any transition; guards apply
    state.save()                                       # one append, expected version = version read
"""

from dualprev_core.store._backends import BUSY_TIMEOUT_S, parse_url
from dualprev_core.store._canonical import GENESIS, canonical_json, event_hash
from dualprev_core.store._schema import SCHEMA_VERSION, STORE_FORMAT
from dualprev_core.store.errors import (
    ConcurrencyConflict,
    NotAStore,
    SchemaTooNew,
    StoreCorrupted,
    StoreError,
    StoreUnavailable,
    StoreURLError,
    UnknownEnterprise,
)
from dualprev_core.store.jsonl import atomic_write_text, ledger_lock, read_ledger, write_ledger
from dualprev_core.store.records import (
    HIDDEN_DANGER_PREFIX,
    INSPECTION_RECORDED,
    INVESTIGATION_PREFIX,
    LEDGER_IMPORTED,
    LEDGER_PREFIXES,
    MONITORING_ALARM,
    REGISTER_IMPORTED,
    NewEvent,
    StoredEvent,
)
from dualprev_core.store.register import Change, register_diff
from dualprev_core.store.state import EnterpriseState
from dualprev_core.store.store import AppendResult, RegisterImport, RegisterVersion, Store, default_actor, open_store

__all__ = [
    "open_store",
    "Store",
    "EnterpriseState",
    "AppendResult",
    "RegisterImport",
    "RegisterVersion",
    "NewEvent",
    "StoredEvent",
    "Change",
    "register_diff",
    "default_actor",
    "read_ledger",
    "write_ledger",
    "ledger_lock",
    "atomic_write_text",
    "canonical_json",
    "event_hash",
    "parse_url",
    "GENESIS",
    "SCHEMA_VERSION",
    "STORE_FORMAT",
    "BUSY_TIMEOUT_S",
    "REGISTER_IMPORTED",
    "INSPECTION_RECORDED",
    "MONITORING_ALARM",
    "LEDGER_IMPORTED",
    "HIDDEN_DANGER_PREFIX",
    "INVESTIGATION_PREFIX",
    "LEDGER_PREFIXES",
    "StoreError",
    "StoreURLError",
    "StoreUnavailable",
    "NotAStore",
    "SchemaTooNew",
    "ConcurrencyConflict",
    "UnknownEnterprise",
    "StoreCorrupted",
]
