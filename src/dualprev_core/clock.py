"""Injectable clocks, so that deadlines, overdue checks and escalations are testable.

Every datetime dualprev stores is **timezone-aware**.  Naive datetimes are refused in the
API (:func:`ensure_aware` raises :class:`~dualprev_core.errors.InvalidInput`) rather than
silently assumed to be in some zone; files carry ISO-8601 strings with an offset
(``2024-05-01T08:00:00+08:00``), read by :func:`parse_datetime`.

- :class:`SystemClock` reads the system time (UTC unless another zone is given).
- :class:`FixedClock` always returns the same instant.
- :class:`ManualClock` returns an instant that only moves when told (``advance``/``set``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable

import attrs

from dualprev_core.errors import InvalidInput

__all__ = [
    "Clock",
    "SystemClock",
    "FixedClock",
    "ManualClock",
    "ensure_aware",
    "parse_datetime",
]


@runtime_checkable
class Clock(Protocol):
    """Anything with a ``now()`` returning a timezone-aware datetime."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


def ensure_aware(value: object, name: str = "datetime") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise :class:`InvalidInput`.

    :param value: the value to check.
    :param name: the field name used in the message.
    """
    if not isinstance(value, datetime):
        raise InvalidInput(f"'{name}' must be a timezone-aware datetime (got {value!r})")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidInput(
            f"'{name}' must be timezone-aware; naive datetimes are refused, "
            f"give an offset such as +08:00 (got {value.isoformat()!r})"
        )
    return value


def parse_datetime(value: object, name: str = "datetime") -> datetime:
    """Parse an ISO-8601 string *with an offset* (or pass an aware datetime through).

    :raises InvalidInput: for anything else, naming ``name`` and the value.
    """
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(
                f"'{name}' must be an ISO-8601 datetime with an offset, "
                f"e.g. '2024-05-01T08:00:00+08:00' (got {value!r})"
            ) from None
        return ensure_aware(parsed, name)
    return ensure_aware(value, name)


@attrs.frozen
class SystemClock:
    """The system's clock, returning aware datetimes in ``tz`` (UTC by default)."""

    tz: tzinfo = UTC

    def now(self) -> datetime:
        """The current instant in ``tz``."""
        return datetime.now(self.tz)


def _aware_at(inst: object, attribute: attrs.Attribute[datetime], value: object) -> None:
    ensure_aware(value, attribute.name)


@attrs.frozen
class FixedClock:
    """A clock stuck at one instant (for tests and reproducible runs)."""

    at: datetime = attrs.field(validator=_aware_at)

    def now(self) -> datetime:
        """Always ``at``."""
        return self.at


class ManualClock:
    """A clock that moves only when told; it never goes back.

    :param start: the initial instant (timezone-aware).
    """

    def __init__(self, start: datetime) -> None:
        self._now = ensure_aware(start, "start")

    def now(self) -> datetime:
        """The current (manually set) instant."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (which must not be negative); return the new instant."""
        if not isinstance(delta, timedelta) or delta < timedelta(0):
            raise InvalidInput(f"'delta' must be a non-negative timedelta (got {delta!r})")
        self._now = self._now + delta
        return self._now

    def set(self, when: datetime) -> datetime:
        """Jump to ``when``, which must not be earlier than now; return it."""
        ensure_aware(when, "when")
        if when < self._now:
            raise InvalidInput(
                f"'when' must not be earlier than the clock's current {self._now.isoformat()} "
                f"(got {when.isoformat()!r})"
            )
        self._now = when
        return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()!r})"
