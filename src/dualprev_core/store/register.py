"""Readable differences between two versions of an enterprise register.

Lists of records with an ``id`` are matched by id (so a reordered file is not a change and a
changed risk is named by its id, not its position); other values are compared as they are.
Each change is one line::

    + risks[R-NEW]                       added
    - risks[R-OLD]                       removed
    ~ risks[R-1].inputs.L: 3 → 6         changed
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

__all__ = ["Change", "register_diff", "diff_summary"]


@attrs.frozen
class Change:
    """One difference: ``op`` is ``+`` (added), ``-`` (removed) or ``~`` (changed)."""

    op: str
    path: str
    before: Any = None
    after: Any = None

    def line(self, width: int = 80) -> str:
        """The change as one line; long values are shortened to ``width`` characters."""
        if self.op == "~":
            return f"~ {self.path}: {_short(self.before, width)} → {_short(self.after, width)}"
        return f"{self.op} {self.path}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.op != "+":
            d["before"] = self.before
        if self.op != "-":
            d["after"] = self.after
        return d


def _short(value: Any, width: int) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[: width - 1] + "…"


def _by_id(items: list[Any]) -> dict[str, Any] | None:
    if not items or not all(isinstance(x, Mapping) and isinstance(x.get("id"), str) for x in items):
        return None
    out = {x["id"]: x for x in items}
    return out if len(out) == len(items) else None


def _walk(before: Any, after: Any, path: str) -> Iterator[Change]:
    if before == after:
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                yield Change("-", sub, before=before[key])
            elif key not in before:
                yield Change("+", sub, after=after[key])
            else:
                yield from _walk(before[key], after[key], sub)
        return
    if isinstance(before, list) and isinstance(after, list):
        old, new = _by_id(before), _by_id(after)
        if old is not None and new is not None:
            for rid, rec in old.items():
                if rid not in new:
                    yield Change("-", f"{path}[{rid}]", before=rec)
                else:
                    yield from _walk(rec, new[rid], f"{path}[{rid}]")
            for rid, rec in new.items():
                if rid not in old:
                    yield Change("+", f"{path}[{rid}]", after=rec)
            return
    yield Change("~", path, before=before, after=after)


def register_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[Change]:
    """Every difference from ``before`` (``None``: nothing yet) to ``after``, in document order."""
    if before is None:
        return [Change("+", "enterprise", after={"id": after.get("id"), "name": after.get("name")})]
    return list(_walk(before, after, ""))


def diff_summary(changes: list[Change]) -> dict[str, int]:
    """Counts of added, removed and changed paths."""
    return {"added": sum(c.op == "+" for c in changes), "removed": sum(c.op == "-" for c in changes),
            "changed": sum(c.op == "~" for c in changes)}
