"""The regional four-colour map (区域安全风险四色图) as SVG: region boundaries and enterprise locations.

Regions with a boundary are filled with their level's colour (the regional assessment's level);
enterprises with a location (``LONGITUDE``/``LATITUDE`` of their submission) are dots in their own
level's colour, ringed in black when they carry an early warning.  Longitude/latitude are drawn in
an equirectangular projection scaled by cos(latitude) at the map's centre — faithful at the scale
of a province or a park.  Colours are dualprev's non-normative hex values (no official RGB
exists).  HTML and PNG go through the outputs layer (a page around the SVG; headless Chromium).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dualprev_core.model.levels import RiskLevel

__all__ = ["render_region_map_svg"]

_NONE = "#D9D9D9"


def _fill(level: str | None) -> str:
    return RiskLevel[level.upper()].hex if level else _NONE


def _rings(geometry: Mapping[str, Any]) -> list[list[list[float]]]:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for poly in polys for ring in poly]


def _text_colour(level: str | None) -> str:
    return "#FFFFFF" if level in ("major", "low") else "#000000"


def render_region_map_svg(assessment: Mapping[str, Any], tree: Any, *, width: float = 1000, title: str | None = None) -> str:
    """The map of a regional assessment (the dict of :func:`~dualprev_core.region.assess.assess_region`).

    :param tree: the :class:`~dualprev_core.region.tree.RegionTree` (boundaries).
    """
    levels = {r["id"]: r for r in assessment["regions"]}
    shown = [r for r in tree if r.boundary and r.id in levels]
    # draw the deepest regions last so parks sit on top of counties, counties on top of cities
    from dualprev_core.region.tree import LEVELS

    shown.sort(key=lambda r: LEVELS.get(r.level, 9))
    points = [(e["lon"], e["lat"]) for e in assessment["enterprises"] if e.get("lon") is not None and e.get("lat") is not None]
    coords: list[Sequence[float]] = [pt for r in shown for ring in _rings(r.boundary) for pt in ring]
    coords += points
    title = title or "区域安全风险四色图"
    margin, legend_h, head = 20.0, 60.0, 40.0
    if not coords:
        body = f'<text x="{width / 2:.0f}" y="{head + 40:.0f}" text-anchor="middle" font-size="16">无区域边界或企业位置可绘制</text>'
        height = head + 80 + legend_h
        return _svg(width, height, title, body, _legend(width, height - legend_h, assessment))
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    lat0 = math.radians((min(lats) + max(lats)) / 2)
    kx = math.cos(lat0)
    span_x = max((max(lons) - min(lons)) * kx, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = (width - 2 * margin) / span_x
    plot_h = min(span_y * scale, width * 1.2)
    scale = min(scale, plot_h / span_y)
    height = head + plot_h + 2 * margin + legend_h

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return margin + (lon - min(lons)) * kx * scale, head + margin + (max(lats) - lat) * scale

    parts, labels = [], []
    parents = {r.parent for r in shown}
    for r in shown:
        lv = levels[r.id]
        d = " ".join("M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in (xy(p[0], p[1]) for p in ring)) + " Z" for ring in _rings(r.boundary))
        tip = f"{r.name}（{r.level}）：{lv.get('level_zh') or '未定级'}，企业 {lv['counts']['enterprises']} 家，预警 {lv['counts']['warnings']} 项"
        parts.append(f'<path d="{d}" fill="{_fill(lv.get("level"))}" fill-opacity="0.55" stroke="#333" stroke-width="1" '
                     f'fill-rule="evenodd"><title>{html.escape(tip)}</title></path>')
        ring = _rings(r.boundary)[0]
        if r.id in parents:  # a region drawn under its children: name in its top-left corner
            x, y = xy(min(p[0] for p in ring), max(p[1] for p in ring))
            labels.append(f'<text x="{x + 6:.1f}" y="{y + 18:.1f}" font-size="14" font-weight="bold" fill="#222">{html.escape(r.name)}</text>')
        else:
            x, y = xy((min(p[0] for p in ring) + max(p[0] for p in ring)) / 2, max(p[1] for p in ring))  # top centre
            labels.append(f'<text x="{x:.1f}" y="{y + 16:.1f}" text-anchor="middle" font-size="13" fill="#000">{html.escape(r.name)}</text>')
    dots = []
    for e in assessment["enterprises"]:
        if e.get("lon") is None or e.get("lat") is None:
            continue
        x, y = xy(e["lon"], e["lat"])
        stroke = ' stroke="#000" stroke-width="2.5"' if e["warnings"] else ' stroke="#FFF" stroke-width="1"'
        tip = f"{e['name']}（{e['id']}）：{e.get('level_zh') or '未定级'}" + (f"；预警：{'；'.join(w['reason'] for w in e['warnings'])}" if e["warnings"] else "")
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{_fill(e.get("level"))}"{stroke}><title>{html.escape(tip)}</title></circle>')
    return _svg(width, height, title, "\n".join(parts + labels + dots), _legend(width, height - legend_h, assessment))


def _legend(width: float, y0: float, assessment: Mapping[str, Any]) -> str:
    items: Iterable[tuple[str | None, str]] = [("major", "重大（红）"), ("large", "较大（橙）"), ("general", "一般（黄）"), ("low", "低（蓝）"), (None, "未定级")]
    out, x = [], 20.0
    for lvl, label in items:
        out.append(f'<rect x="{x:.0f}" y="{y0 + 12:.0f}" width="18" height="14" fill="{_fill(lvl)}" stroke="#333"/>'
                   f'<text x="{x + 24:.0f}" y="{y0 + 24:.0f}" font-size="13">{label}</text>')
        x += 120
    n = len(assessment["enterprises"])
    warned = sum(1 for e in assessment["enterprises"] if e["warnings"])
    out.append(f'<text x="20" y="{y0 + 48:.0f}" font-size="12" fill="#333">企业 {n} 家（圆点），其中有预警 {warned} 家（黑圈）；'
               f'评估时点 {html.escape(str(assessment.get("as_of", "")))}；颜色为 dualprev 约定值（无官方 RGB）</text>')
    return "\n".join(out)


def _svg(width: float, height: float, title: str, body: str, legend: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'font-family="Noto Sans CJK SC, Noto Sans SC, sans-serif">\n<rect width="100%" height="100%" fill="#FFFFFF"/>\n'
            f'<text x="{width / 2:.0f}" y="26" text-anchor="middle" font-size="18" font-weight="bold">{html.escape(title)}</text>\n'
            f"{body}\n{legend}\n</svg>\n")
