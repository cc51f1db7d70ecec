"""When an inspection is due: the enterprise's work calendar and the windows a frequency makes.

A frequency (:class:`~dualprev_core.model.records.Frequency`) becomes a :class:`Schedule` of one
of three kinds, chosen so that each reads the way the frequency is written:

``interval``
    "every N" — hourly rounds (``2h``: 应急〔2019〕78号 says the *interval* between rounds must not
    exceed 2 h) and multiples (``2w``, ``6mo``, ``3y``): the next check is due one interval after
    the last one.
``calendar``
    "once (or k times) in each" — ``shift``, ``daily``, ``twice-daily``, ``weekly``, ``monthly``,
    ``quarterly``/``seasonal``, ``half-yearly``, ``yearly``: each calendar window (the shift, the
    day, the week from Monday, the month, the quarter …) needs its count of checks.
``holiday``
    "before holidays" — a window of :attr:`WorkCalendar.holiday_lead_days` before each holiday of
    the enterprise's calendar.

Windows are computed in the calendar's time zone (China Standard Time unless configured).  Shift
times, the holiday list and the lead time are the enterprise's (``settings.investigation``); the
defaults (three 8-hour shifts from 08:00, seven days before a holiday) are dualprev's, not a
standard's.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Final

import attrs

from dualprev_core.errors import InvalidInput
from dualprev_core.model.records import Frequency

__all__ = [
    "Holiday",
    "WorkCalendar",
    "Schedule",
    "schedule_of",
    "add_months",
    "DEFAULT_SHIFT_START",
    "DEFAULT_SHIFT_HOURS",
    "DEFAULT_HOLIDAY_LEAD_DAYS",
]

#: Default first shift start: our convention, not a standard's number.
DEFAULT_SHIFT_START: Final = time(8, 0)
#: Default shift length (three shifts a day): our convention, not a standard's number.
DEFAULT_SHIFT_HOURS: Final = 8
#: Default window before a holiday in which the pre-holiday inspection must happen: our own default
#: (the 78号 guideline says "before major holidays", without a number of days).
DEFAULT_HOLIDAY_LEAD_DAYS: Final = 7

_CST: Final = timezone(timedelta(hours=8), "CST")
_MONTHS_PER: Final = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


def add_months(dt: datetime, months: int) -> datetime:
    """``dt`` moved by whole calendar months (the day clipped to the month's length)."""
    y, m = divmod(dt.month - 1 + months, 12)
    year, month = dt.year + y, m + 1
    day = min(dt.day, _calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)


@attrs.frozen
class Holiday:
    """A public holiday (or a major event) before which an inspection is due: its name and first day."""

    name: str
    start: date

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "date": self.start.isoformat()}


@attrs.frozen(kw_only=True)
class WorkCalendar:
    """The enterprise's calendar for inspection windows.

    :param tz: the time zone calendar windows are cut in (China Standard Time by default).
    :param shift_start: when the first shift of a day starts.
    :param shift_hours: shift length in hours; must divide 24.
    :param holidays: the holidays (and major events) before which an inspection is due.  No list
        is built in: the dates are set each year by a State Council notice.
    :param holiday_lead_days: how many days before a holiday its window opens.
    """

    tz: tzinfo = _CST
    shift_start: time = DEFAULT_SHIFT_START
    shift_hours: int = DEFAULT_SHIFT_HOURS
    holidays: tuple[Holiday, ...] = ()
    holiday_lead_days: int = DEFAULT_HOLIDAY_LEAD_DAYS

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.shift_hours, int) or isinstance(self.shift_hours, bool) or self.shift_hours <= 0 or 24 % self.shift_hours:
            raise InvalidInput(f"'shift_hours' must be a whole number of hours dividing 24 (got {self.shift_hours!r})")
        if not isinstance(self.holiday_lead_days, int) or isinstance(self.holiday_lead_days, bool) or self.holiday_lead_days <= 0:
            raise InvalidInput(f"'holiday_lead_days' must be a positive whole number of days (got {self.holiday_lead_days!r})")

    @classmethod
    def from_settings(cls, data: Mapping[str, Any] | None, *, path: str = "settings.investigation") -> WorkCalendar:
        """Build from an enterprise file's ``settings.investigation`` mapping; errors name the field."""
        data = dict(data or {})
        kwargs: dict[str, Any] = {}
        if "utc_offset_hours" in data:
            off = data["utc_offset_hours"]
            if not isinstance(off, int | float) or isinstance(off, bool) or not -14 <= off <= 14:
                raise InvalidInput(f"'{path}.utc_offset_hours' must be a number of hours between -14 and 14 (got {off!r})")
            kwargs["tz"] = timezone(timedelta(hours=off))
        if "shift_start" in data:
            try:
                kwargs["shift_start"] = time.fromisoformat(str(data["shift_start"]))
            except ValueError:
                raise InvalidInput(f"'{path}.shift_start' must be a time such as 08:00 (got {data['shift_start']!r})") from None
        for key in ("shift_hours", "holiday_lead_days"):
            if key in data:
                kwargs[key] = data[key]
        holidays = []
        for i, h in enumerate(data.get("holidays", ())):
            where = f"{path}.holidays[{i}]"
            if not isinstance(h, Mapping) or "date" not in h:
                raise InvalidInput(f"'{where}' must be a mapping with 'date' (and 'name') (got {h!r})")
            raw = h["date"]
            try:
                day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
            except ValueError:
                raise InvalidInput(f"'{where}.date' must be a date such as 2027-02-06 (got {raw!r})") from None
            holidays.append(Holiday(str(h.get("name", day.isoformat())), day))
        kwargs["holidays"] = tuple(sorted(holidays, key=lambda x: x.start))
        try:
            return cls(**kwargs)
        except InvalidInput as exc:
            raise InvalidInput(f"'{path}': {exc}") from None

    def local(self, t: datetime) -> datetime:
        return t.astimezone(self.tz)

    def to_dict(self) -> dict[str, Any]:
        offset = self.tz.utcoffset(None)
        return {
            "utc_offset_hours": offset.total_seconds() / 3600 if offset is not None else None,
            "shift_start": self.shift_start.isoformat(timespec="minutes"),
            "shift_hours": self.shift_hours,
            "holidays": [h.to_dict() for h in self.holidays],
            "holiday_lead_days": self.holiday_lead_days,
        }


@attrs.frozen
class Schedule:
    """How a frequency is scheduled (see the module docs).

    :ivar kind: ``interval``, ``calendar`` or ``holiday``.
    :ivar unit: the frequency's unit (``hour``, ``shift``, ``day`` …).
    :ivar every: for ``interval``, how many units between checks.
    :ivar count: for ``calendar``/``holiday``, how many checks each window needs.
    """

    kind: str
    unit: str
    every: float = 1
    count: int = 1

    # ------------------------------------------------------------------ interval

    def next_due(self, after: datetime, cal: WorkCalendar) -> datetime:
        """For ``interval``: when the check after one at ``after`` is due."""
        months = _MONTHS_PER.get(self.unit)
        if months is not None and float(self.every * months).is_integer():
            return add_months(cal.local(after), int(self.every * months))
        hours = self.every * (cal.shift_hours if self.unit == "shift" else Frequency(1, self.unit).hours)
        return after + timedelta(hours=hours)

    # ------------------------------------------------------------------ windows

    def window(self, t: datetime, cal: WorkCalendar) -> tuple[datetime, datetime] | None:
        """For ``calendar``: the window containing ``t``; for ``holiday``: the holiday window
        containing ``t`` or ``None``."""
        if self.kind == "holiday":
            for start, end in self.holiday_windows(cal):
                if start <= t < end:
                    return start, end
            return None
        lt = cal.local(t)
        if self.unit == "shift":
            first = datetime.combine(lt.date(), cal.shift_start, cal.tz)
            if lt < first:
                first -= timedelta(days=1)
            n = int((lt - first) // timedelta(hours=cal.shift_hours))
            start = first + timedelta(hours=cal.shift_hours * n)
            return start, start + timedelta(hours=cal.shift_hours)
        midnight = datetime.combine(lt.date(), time(0), cal.tz)
        if self.unit == "day":
            return midnight, midnight + timedelta(days=1)
        if self.unit == "week":
            start = midnight - timedelta(days=lt.weekday())
            return start, start + timedelta(days=7)
        months = _MONTHS_PER[self.unit]
        first_month = (lt.month - 1) // months * months + 1
        start = datetime(lt.year, first_month, 1, tzinfo=cal.tz)
        return start, add_months(start, months)

    def windows(self, since: datetime, until: datetime, cal: WorkCalendar) -> Iterator[tuple[datetime, datetime]]:
        """The whole windows that start at or after ``since`` and end at or before ``until``, in order."""
        if self.kind == "holiday":
            for start, end in self.holiday_windows(cal):
                if start >= since and end <= until:
                    yield start, end
            return
        w = self.window(since, cal)
        assert w is not None
        start, end = w
        if start < since:
            start, end = self._following(end, cal)
        while end <= until:
            yield start, end
            start, end = self._following(end, cal)

    def _following(self, end: datetime, cal: WorkCalendar) -> tuple[datetime, datetime]:
        w = self.window(end, cal)
        assert w is not None
        return w

    def holiday_windows(self, cal: WorkCalendar) -> list[tuple[datetime, datetime]]:
        out = []
        for h in cal.holidays:
            end = datetime.combine(h.start, time(0), cal.tz)
            out.append((end - timedelta(days=cal.holiday_lead_days), end))
        return out

    def nominal(self, cal: WorkCalendar) -> timedelta:
        """A nominal period (for escalation periods and comparisons)."""
        if self.kind == "interval":
            return timedelta(hours=self.every * (cal.shift_hours if self.unit == "shift" else Frequency(1, self.unit).hours))
        if self.unit == "shift":
            return timedelta(hours=cal.shift_hours)
        return timedelta(hours=Frequency(1, self.unit).hours)

    def describe(self) -> str:
        if self.kind == "interval":
            every = int(self.every) if float(self.every).is_integer() else self.every
            return f"every {every} {self.unit}(s), counted from the last check"
        if self.kind == "holiday":
            return f"{self.count} check(s) in the window before each holiday"
        return f"{self.count} check(s) in each calendar {self.unit}"


def schedule_of(freq: Frequency) -> Schedule:
    """The schedule a frequency makes (see the module docs)."""
    if freq.unit == "holiday":
        return Schedule("holiday", "holiday", 1, 1)
    if freq.unit == "hour":
        return Schedule("interval", "hour", freq.every)
    if freq.every == 1:
        return Schedule("calendar", freq.unit)
    if freq.every < 1:
        per = 1 / freq.every
        if abs(per - round(per)) < 1e-9:
            return Schedule("calendar", freq.unit, 1, round(per))
    return Schedule("interval", freq.unit, freq.every)
