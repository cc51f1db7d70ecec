"""Silent monitoring points: no reading from a point for longer than it should be quiet.

The pack's rule ``mine-point-silent`` (criteria/monitoring.yaml) reports a point that reported
and then fell silent, through ``dualprev monitor``.  The rules engine watches only the points it
has heard from, with one duration for all of them; :func:`silent_points` also covers the points
never heard from and uses each point's ``expected_interval_s``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dualprev_core.monitoring import Monitor

__all__ = ["silent_points", "DEFAULT_SILENCE_S", "DEFAULT_MISSED_INTERVALS"]

#: dualprev default (no source): quiet time of a point without ``expected_interval_s``; equal to the rule's 600 s.
DEFAULT_SILENCE_S = 600.0
#: dualprev default (no source): how many expected intervals may pass without a reading.
DEFAULT_MISSED_INTERVALS = 3


def silent_points(monitor: Monitor, until: datetime, *, missed_intervals: float = DEFAULT_MISSED_INTERVALS,
                  default_silence_s: float = DEFAULT_SILENCE_S, since: datetime | None = None) -> list[dict[str, Any]]:
    """The monitoring points of mining locations that are silent at ``until``.

    A point is silent when its last reading (or ``since``, the start of the feed, for a point never
    heard from) is longer ago than ``expected_interval_s × missed_intervals`` (or
    ``default_silence_s`` when the point gives no interval).  Only points whose facts name a
    ``mining:location`` are considered.

    :returns: one mapping per silent point: ``point``, ``name``, ``area``, ``control``,
        ``last_at`` (ISO text or ``None``), ``silent_for_s`` (``None`` when never heard from and
        no ``since``), ``allowed_s``.
    """
    t = until.timestamp()
    out = []
    for p in monitor.points.values():
        if "mining:location" not in p.facts:
            continue
        allowed = p.expected_interval_s * missed_intervals if p.expected_interval_s else default_silence_s
        last = monitor.last_at.get(p.id)
        ref = last if last is not None else (since.timestamp() if since is not None else None)
        if ref is not None and t - ref <= allowed:
            continue
        out.append({"point": p.id, "name": p.name, "area": p.area, "control": p.control,
                    "last_at": datetime.fromtimestamp(last, until.tzinfo).isoformat() if last is not None else None,
                    "silent_for_s": (t - ref) if ref is not None else None, "allowed_s": allowed})
    return out
