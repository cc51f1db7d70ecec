"""The store's errors: each a one-line message naming the store, the stream or the event."""

from __future__ import annotations

from dualprev_core.errors import DualprevError, UnknownReference

__all__ = [
    "StoreError",
    "StoreURLError",
    "StoreUnavailable",
    "NotAStore",
    "SchemaTooNew",
    "ConcurrencyConflict",
    "UnknownEnterprise",
    "StoreCorrupted",
]


class StoreError(DualprevError, RuntimeError):
    """Something about the store itself (not the user's data) is wrong."""


class StoreURLError(StoreError, ValueError):
    """The URL is neither a SQLite path nor a PostgreSQL URL."""


class StoreUnavailable(StoreError):
    """The store cannot be opened: server unreachable, file unreadable or read-only, a directory."""


class NotAStore(StoreError):
    """The file or database exists but is not a dualprev store."""


class SchemaTooNew(StoreError):
    """The store was written by a newer dualprev (a schema version this one does not know)."""


class ConcurrencyConflict(StoreError):
    """Another writer appended to the stream since it was read (optimistic concurrency)."""

    def __init__(self, stream: str, expected: int | None, actual: int) -> None:
        self.stream, self.expected, self.actual = stream, expected, actual
        super().__init__(
            f"enterprise {stream!r} changed while this command ran: expected version {expected}, "
            f"the store is at version {actual}; nothing was written — run the command again"
        )


class UnknownEnterprise(StoreError, UnknownReference):
    """No stream in the store for that enterprise id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class StoreCorrupted(StoreError):
    """What the store holds fails its own checks (hash chain, sequence, head)."""
