"""HTML documents (jinja2): post cards, bulletin boards, the map page and the one-file report.

Every page is self-contained (styles inline, the map as inline SVG, no script, no external
resource), so it can be mailed, archived or printed as is; :mod:`dualprev_core.outputs.browser`
prints it to PDF or PNG.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dualprev_core._version import __version__
from dualprev_core.errors import InvalidInput
from dualprev_core.model.levels import RiskLevel
from dualprev_core.outputs.boards import Board, area_boards
from dualprev_core.outputs.cards import PostCard, post_cards
from dualprev_core.outputs.map import FONT_FAMILY, render_map_svg
from dualprev_core.outputs.source import OutputSource
from dualprev_core.outputs.tables import ledger_table, local_time, major_risk_table

__all__ = ["PAPER", "cards_html", "boards_html", "map_html", "report_html", "svg_size"]

#: Printable paper sizes for cards and boards (portrait).
PAPER = {"a4": "210mm 297mm", "a5": "148mm 210mm"}
_FONTS = {"a4": ("13pt", "26pt"), "a5": ("10.5pt", "19pt")}


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )


def _paper(paper: str) -> str:
    if paper not in PAPER:
        raise InvalidInput(f"paper {paper!r} is not one of {', '.join(PAPER)}")
    return paper


def _render(template: str, src: OutputSource | None, title: str, *, paper: str = "a4", page_size: str | None = None,
            margin: str = "10mm", padding: str = "0", **values: Any) -> str:
    body, heading = _FONTS[_paper(paper)]
    return str(_env().get_template(template).render(
        version=__version__, title=title, font_family=FONT_FAMILY, page_size=page_size or f"{PAPER[paper]}",
        page_margin=margin, body_padding=padding, card_font_size=body, card_title_size=heading,
        ent=src.enterprise if src else None, as_of=local_time(src.data_until or src.generated_at) if src else "", **values,
    ))


def cards_html(src: OutputSource, cards: Sequence[PostCard] | None = None, *, paper: str = "a4") -> str:
    """Printable post cards, one per page (A4 or A5 portrait)."""
    cards = post_cards(src) if cards is None else cards
    return _render("cards.html.j2", src, f"{src.enterprise.name} 岗位安全风险告知卡", paper=paper, cards=cards)


def boards_html(src: OutputSource, boards: Sequence[Board] | None = None, *, paper: str = "a4") -> str:
    """Printable bulletin boards, one per page."""
    boards = area_boards(src) if boards is None else boards
    return _render("boards.html.j2", src, f"{src.enterprise.name} 安全风险公告栏", paper=paper, boards=boards)


def svg_size(svg: str) -> tuple[int, int]:
    """The ``width`` and ``height`` (px) of an SVG document."""
    m = re.search(r'<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"', svg)
    return (int(float(m.group(1))), int(float(m.group(2)))) if m else (1000, 800)


def map_html(svg: str, title: str) -> str:
    """A page holding only the map, sized to it (for PNG screenshots and one-page PDFs)."""
    w, h = svg_size(svg)
    return _render("map.html.j2", None, title, page_size=f"{w}px {h}px", margin="0", svg=svg)


def report_html(src: OutputSource) -> str:
    """The one-file HTML report: map, level counts, major-risk list, open hidden dangers, cards and boards."""
    a = src.assessment
    cards = post_cards(src)
    boards = area_boards(src)
    area_counts = {lv: 0 for lv in RiskLevel}
    for lv in a.area_levels().values():
        if lv is not None:
            area_counts[lv] += 1
    counts = [(lv, n, area_counts[lv]) for lv, n in a.level_counts().items()]
    open_hds = [h for h in a.ledger.all() if h.is_open]
    level = a.enterprise_level()
    return _render(
        "report.html.j2", src, f"{src.enterprise.name} 双重预防机制报告", padding="0",
        generated=local_time(src.generated_at), origin=src.origin, head=src.head,
        enterprise_level=level, deciding=list(level.details.get("deciding_risks", [])),
        map_svg=render_map_svg(src), counts=counts, total_risks=sum(n for _, n, _ in counts), total_areas=sum(area_counts.values()),
        major=major_risk_table(src).rows, hds=ledger_table(src, open_hds).rows, cards=cards, boards=boards,
    )
