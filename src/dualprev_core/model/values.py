"""Values written as text in enterprise files: frequencies (``"2h"``, ``"每周"``) and times (ISO 8601,
China Standard Time when no offset is given).  Parsers of the model's own values, so every layer
(loading, investigation, packs' templates, monitoring) reads them the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from dualprev_core.errors import InvalidInput, excerpt, suggest
from dualprev_core.model.records import Frequency

__all__ = ["CHINA_STANDARD_TIME", "parse_frequency", "parse_time"]

#: Times without an offset in enterprise files are read as China Standard Time.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

_FREQ_WORDS: dict[str, tuple[float, str]] = {
    "hourly": (1, "hour"), "每小时": (1, "hour"),
    "shift": (1, "shift"), "每班": (1, "shift"), "per-shift": (1, "shift"),
    "daily": (1, "day"), "每天": (1, "day"), "每日": (1, "day"),
    "twice-daily": (0.5, "day"), "每天两次": (0.5, "day"), "每日两次": (0.5, "day"),
    "weekly": (1, "week"), "每周": (1, "week"),
    "monthly": (1, "month"), "每月": (1, "month"),
    "quarterly": (1, "quarter"), "每季度": (1, "quarter"), "每季": (1, "quarter"),
    "half-yearly": (1, "half_year"), "每半年": (1, "half_year"),
    "seasonal": (1, "quarter"), "季节性": (1, "quarter"),
    "before-holidays": (1, "holiday"), "holidays": (1, "holiday"), "节假日前": (1, "holiday"), "节前": (1, "holiday"),
    "yearly": (1, "year"), "annual": (1, "year"), "每年": (1, "year"),
}
_FREQ_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(h|d|w|mo|q|y)$")
_FREQ_UNITS = {"h": "hour", "d": "day", "w": "week", "mo": "month", "q": "quarter", "y": "year"}


def parse_frequency(text: str) -> Frequency:
    """``"2h"``, ``"shift"``, ``"每周"``, ``"3y"`` … → :class:`Frequency`; :class:`~dualprev_core.errors.InvalidInput` otherwise."""
    t = str(text).strip().lower()
    if t in _FREQ_WORDS:
        every, unit = _FREQ_WORDS[t]
        return Frequency(every, unit, str(text))
    m = _FREQ_RE.match(t)
    if m and float(m.group(1)) > 0:
        return Frequency(float(m.group(1)), _FREQ_UNITS[m.group(2)], str(text))
    words = sorted(k for k in _FREQ_WORDS if k.isascii())
    raise InvalidInput(
        f"{excerpt(text)} is not a frequency; use a number with h/d/w/mo/q/y (e.g. 2h, 3y) or one of "
        f"{', '.join(words)} (or 每班/每天/每周/每月/每季度/季节性/节假日前/每半年/每年){suggest(t, words)}"
    )


def parse_time(text: str) -> datetime:
    """ISO 8601 → aware datetime (no offset ⇒ +08:00); :class:`~dualprev_core.errors.InvalidInput` otherwise."""
    try:
        dt = datetime.fromisoformat(str(text))
        dt = dt if dt.tzinfo else dt.replace(tzinfo=CHINA_STANDARD_TIME)
        dt.astimezone(UTC)  # 9999-12-31T23:59:59-23:59 parses but lies past the year 9999 in UTC
    except (ValueError, OverflowError):
        raise InvalidInput(f"{excerpt(text)} is not an ISO 8601 time such as 2026-11-30T08:00:00+08:00 (years 1–9999, in UTC too)") from None
    return dt
