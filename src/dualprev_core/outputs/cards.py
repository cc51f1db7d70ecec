"""岗位安全风险告知卡 — the post risk notification card (总局令第70号 and common practice).

One card per post: the post and its place, its risks with the level's colour, accident
categories and possible consequences, the controls, emergency measures, personal protective
equipment, safe-operation points, and the report and emergency phone numbers.

Which risks a card shows: risks located in the post's area (and below it) for posts at the
``post`` and ``team`` levels, plus — for every post — the risks with a control the post owns.
Safe-operation points come from the post's ``facts`` (``安全操作要点`` or
``safe_operation_points``, a list) and otherwise from the management controls of its risks.
Phone numbers come from the post's, else the enterprise's ``facts`` (``报告电话``/``report_phone``,
``应急电话``/``emergency_phone``); 119/120/110 are the national numbers.  A missing enterprise
number is left as a blank line to write in, and listed in :attr:`PostCard.missing`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from dualprev_core.errors import UnknownReference, suggest
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Control, Post, Risk
from dualprev_core.model.vocabulary import ControlKind, OwnerLevel
from dualprev_core.outputs.source import OutputSource
from dualprev_core.outputs.tables import category_name

__all__ = ["CardRisk", "PostCard", "post_cards", "phones", "NATIONAL_PHONES"]

#: National emergency numbers of the People's Republic of China.
NATIONAL_PHONES: tuple[tuple[str, str], ...] = (("火警", "119"), ("医疗急救", "120"), ("报警", "110"))
_REPORT_KEYS = ("报告电话", "report_phone", "安全管理部门电话")
_EMERGENCY_KEYS = ("应急电话", "emergency_phone", "应急值班电话")
_SAFE_KEYS = ("安全操作要点", "safe_operation_points")


@attrs.frozen
class CardRisk:
    """A risk as printed on a card or board."""

    id: str
    name: str
    level: RiskLevel
    category: str
    consequences: str
    controls: tuple[str, ...] = ()


@attrs.frozen
class PostCard:
    """Everything one post's card shows."""

    post: Post
    area: str
    level: RiskLevel | None
    risks: tuple[CardRisk, ...]
    categories: tuple[str, ...]
    hazards: tuple[str, ...]
    controls: tuple[tuple[str, str], ...]  # (kind in Chinese, control name)
    emergency: tuple[str, ...]
    ppe: tuple[str, ...]
    safe_points: tuple[str, ...]
    phones: tuple[tuple[str, str], ...]
    #: What the card should show but the data lacks (e.g. ``报告电话``).
    missing: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"card-{self.post.id}"


def phones(src: OutputSource, facts: Any = None) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The report and emergency numbers (local facts first, then the enterprise's), the national
    numbers, and what is missing."""
    out: list[tuple[str, str]] = []
    missing: list[str] = []
    for label, keys in (("事故报告电话", _REPORT_KEYS), ("企业应急电话", _EMERGENCY_KEYS)):
        value = next((facts[k] for k in keys if facts and facts.get(k)), None) or src.fact(*keys)
        if value:
            out.append((label, str(value)))
        else:
            out.append((label, ""))
            missing.append(f"{label}（企业文件 `facts.{keys[0]}`）")
    return (*out, *NATIONAL_PHONES), tuple(missing)


def _risks_for(src: OutputSource, post: Post) -> list[Risk]:
    a = src.assessment
    owned = {r for c in src.enterprise.controls if c.post == post.id for r in c.mitigates}
    chosen: set[str] = set(owned)
    if post.area and post.owner_level in (OwnerLevel.POST, OwnerLevel.TEAM):
        here = src.descendants(post.area)
        chosen |= {r.id for r in src.enterprise.risks if r.area in here}
    risks = [r for r in src.enterprise.risks if r.id in chosen and r.id in a.active]
    order = {r.id: i for i, r in enumerate(src.enterprise.risks)}
    return sorted(risks, key=lambda r: (-int(a.current_level(r.id)), order[r.id]))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for x in items if x))


def post_cards(src: OutputSource, posts: Sequence[str] | None = None, *, progress: Callable[[int, int], object] | None = None) -> list[PostCard]:
    """The cards of ``posts`` (ids; default every post that has at least one risk).

    ``progress(done, total)`` is called as each post is taken up.

    :raises UnknownReference: a post id that does not exist.
    """
    known = {p.id: p for p in src.enterprise.posts}
    for pid in posts or ():
        if pid not in known:
            raise UnknownReference(f"{pid!r} is not a post of {src.enterprise.id}{suggest(pid, known)}")
    chosen = [known[p] for p in posts] if posts else list(src.enterprise.posts)
    hazards = {h.id: h for h in src.enterprise.hazards}
    cards = []
    for done, post in enumerate(chosen, start=1):
        if progress is not None:
            progress(done, len(chosen))
        risks = _risks_for(src, post)
        if not risks and not posts:
            continue
        controls: list[Control] = list({c.id: c for r in risks for c in src.controls_of(r.id)}.values())
        levels = [src.assessment.current_level(r.id) for r in risks]
        safe = post.facts.get(_SAFE_KEYS[0]) or post.facts.get(_SAFE_KEYS[1])
        safe_points = _unique(safe) if isinstance(safe, list) else _unique(c.name for c in controls if c.kind is ControlKind.MANAGEMENT)
        numbers, missing = phones(src, post.facts)
        cards.append(PostCard(
            post=post,
            area=src.area_path(post.area) if post.area else "",
            level=max(levels) if levels else None,
            risks=tuple(CardRisk(r.id, r.name, src.assessment.current_level(r.id), category_name(r), r.consequences,
                                 tuple(c.name for c in src.controls_of(r.id))) for r in risks),
            categories=_unique(category_name(r) for r in risks),
            hazards=_unique(hazards[h].name for r in risks for h in r.hazards if h in hazards),
            controls=tuple((c.kind.zh, c.name) for c in controls if c.kind in (ControlKind.ENGINEERING, ControlKind.MANAGEMENT, ControlKind.TRAINING)),
            emergency=_unique(c.name for c in controls if c.kind is ControlKind.EMERGENCY),
            ppe=_unique(c.name for c in controls if c.kind is ControlKind.PPE),
            safe_points=safe_points,
            phones=numbers,
            missing=missing,
        ))
    return cards
