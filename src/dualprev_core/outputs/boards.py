"""安全风险公告栏 — the risk bulletin board of an area or workshop (总局令第70号 and practice).

A board shows the area's main risks with their levels and controls, who is responsible (the
posts of the area and the owners of its risks' controls, with their people), the emergency
contacts, the open hidden dangers and the four-colour map of that area.

Default boards: one per area directly below the site's root areas (the workshops and zones);
when the site has a single level, one per area.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from dualprev_core.errors import UnknownReference, suggest
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Area
from dualprev_core.outputs.cards import CardRisk, phones
from dualprev_core.outputs.map import render_map_svg
from dualprev_core.outputs.source import OutputSource
from dualprev_core.outputs.tables import category_name, local_time

__all__ = ["Board", "Responsible", "area_boards", "default_board_areas", "MAIN_RISKS"]

#: How many risks a board lists by name (the highest first); the rest are counted.
MAIN_RISKS = 12


@attrs.frozen
class Responsible:
    post: str
    level: str
    people: str


@attrs.frozen
class Board:
    """Everything one area's board shows."""

    area: Area
    path: str
    level: RiskLevel | None
    risks: tuple[CardRisk, ...]
    more: int
    counts: tuple[tuple[RiskLevel, int], ...]
    responsible: tuple[Responsible, ...]
    phones: tuple[tuple[str, str], ...]
    hidden_dangers: tuple[tuple[str, str, str, str], ...]  # id, description, grade, deadline
    major_hazards: tuple[str, ...]
    map_svg: str
    missing: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"board-{self.area.id}"


def default_board_areas(src: OutputSource) -> list[str]:
    roots = src.children(None)
    below = [a.id for r in roots for a in src.children(r.id)]
    return below or [a.id for a in src.enterprise.areas]


def area_boards(src: OutputSource, areas: Sequence[str] | None = None, *, with_map: bool = True,
                progress: Callable[[int, int], object] | None = None) -> list[Board]:
    """The boards of ``areas`` (ids; default :func:`default_board_areas`).

    ``progress(done, total)`` is called after each board.

    :raises UnknownReference: an area id that does not exist.
    """
    known = {a.id: a for a in src.enterprise.areas}
    for aid in areas or ():
        if aid not in known:
            raise UnknownReference(f"{aid!r} is not an area of {src.enterprise.id}{suggest(aid, known)}")
    a = src.assessment
    order = {r.id: i for i, r in enumerate(src.enterprise.risks)}
    boards = []
    chosen = list(areas or default_board_areas(src))
    for done, aid in enumerate(chosen, start=1):
        area = known[aid]
        here = src.descendants(aid)
        risks = sorted((r for r in src.enterprise.risks if r.area in here and r.id in a.active),
                       key=lambda r: (-int(a.current_level(r.id)), order[r.id]))
        counts = {lv: 0 for lv in sorted(RiskLevel, reverse=True)}
        for r in risks:
            counts[a.current_level(r.id)] += 1
        posts = [p for p in src.enterprise.posts if p.area in here]
        owner_posts = {c.post for r in risks for c in src.controls_of(r.id) if c.post}
        posts += [p for p in src.enterprise.posts if p.id in owner_posts and p not in posts]
        posts.sort(key=lambda p: -p.owner_level.rank)
        controls = {c.id for r in risks for c in src.controls_of(r.id)}
        hds = [(h.id, h.description, h.grade.zh if h.grade else "未定级", local_time(h.deadline)) for h in a.ledger.open() if h.control_id in controls]
        numbers, missing = phones(src, area.facts)
        boards.append(Board(
            area=area, path=src.area_path(aid), level=a.area_level(aid),
            risks=tuple(CardRisk(r.id, r.name, a.current_level(r.id), category_name(r), r.consequences,
                                 tuple(c.name for c in src.controls_of(r.id))) for r in risks[:MAIN_RISKS]),
            more=max(0, len(risks) - MAIN_RISKS), counts=tuple(counts.items()),
            responsible=tuple(Responsible(p.name, p.owner_level.zh, "、".join(p.people)) for p in posts),
            phones=numbers, hidden_dangers=tuple(hds),
            major_hazards=tuple(f"{m.name}（{m.id}）" + ("" if src.major_hazards.get(m.id) else "，待辨识")
                                for m in src.enterprise.major_hazard_installations if m.area in here and src.major_hazards.get(m.id) is not False),
            map_svg=render_map_svg(src, root=aid, width=760) if with_map else "",
            missing=missing,
        ))
        if progress is not None:
            progress(done, len(chosen))
    return boards
