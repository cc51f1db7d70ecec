"""The four-colour risk map (安全风险四色分布图) as SVG, drawn from the areas' plan geometry.

* Each area is filled with the colour of its current level: red 重大, orange 较大, yellow 一般,
  blue 低 (non-normative RGB, see :data:`~dualprev_core.model.levels.COLOUR_CITATION`); areas
  with no risk are light grey.
* Nested areas: parents are drawn first and children on top, so the finest level shows.  A
  parent is filled with the level of the risks located directly in it (not below it) and
  outlined in the colour of its aggregate level; a parent with no risk of its own is white.
* Plan coordinates are drawn to scale with north (+y) up.
* Areas without geometry are not dropped: they are laid out schematically, by hierarchy, in a
  panel below the plan that says so (or the whole map is schematic when nothing has geometry).
* Title, enterprise, drawing date, the data's latest time, the source and — when drawn from a
  store — the stream's head hash are printed on the map, with a legend.

Every area shape carries ``data-area``, ``data-level`` and ``data-leaf`` attributes (and a
``<title>`` tooltip) so pages and tests can find it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape

import attrs

from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Area
from dualprev_core.outputs.source import OutputSource
from dualprev_core.outputs.tables import local_time

__all__ = ["render_map_svg", "MapLayout", "layout_map", "FONT_FAMILY", "NO_RISK_FILL"]

#: CJK-capable fonts first (Noto Sans CJK is what the set-up and CI install).
FONT_FAMILY = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif"
#: Fill of an area in which no risk is recorded.
NO_RISK_FILL = "#E6E6E6"
_WHITE_TEXT = {RiskLevel.MAJOR, RiskLevel.LOW}

_PAD = 24
_HEADER = 78
_LEAF_W, _LEAF_H, _GAP, _HEAD = 170.0, 76.0, 10.0, 22.0


@attrs.define
class _Box:
    area: Area
    x: float
    y: float
    w: float
    h: float
    depth: int
    points: list[tuple[float, float]] | None = None  # polygon in px (plan); None for schematic boxes
    radius: float | None = None  # point geometry: a circle
    schematic: bool = False
    has_children: bool = False


@attrs.define
class MapLayout:
    """Where every area is drawn (pixels), and which areas are schematic."""

    width: float
    height: float
    boxes: list[_Box]
    plan_height: float
    schematic_top: float | None
    schematic_ids: list[str]


def _text_width(s: str, size: float) -> float:
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in s)


def _wrap(s: str, size: float, width: float) -> list[str]:
    lines, cur = [], ""
    for ch in s:
        if cur and _text_width(cur + ch, size) > width:
            lines.append(cur)
            cur = ch.lstrip() if ch == " " else ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines or [""]


def _depths(src: OutputSource, scope: set[str]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for a in src.enterprise.areas:
        if a.id not in scope:
            continue
        d, cur, seen = 0, a.parent, set()
        while cur is not None and cur in scope and cur not in seen:
            seen.add(cur)
            d += 1
            area = src.area(cur)
            cur = area.parent if area else None
        depth[a.id] = d
    return depth


def layout_map(src: OutputSource, *, root: str | None = None, width: float = 1000) -> MapLayout:
    """Lay the areas out: plan geometry to scale, the rest schematically below it."""
    areas = [a for a in src.enterprise.areas if root is None or a.id in src.descendants(root)]
    scope = {a.id for a in areas}
    depth = _depths(src, scope)
    has_children = {a.parent for a in areas if a.parent is not None and a.parent in scope}
    placed = [a for a in areas if a.geometry is not None and a.geometry.coordinates]
    plot_w = width - 2 * _PAD
    boxes: list[_Box] = []
    plan_h = 0.0
    if placed:
        xs = [x for a in placed for x, _ in a.geometry.coordinates]  # type: ignore[union-attr]
        ys = [y for a in placed for _, y in a.geometry.coordinates]  # type: ignore[union-attr]
        minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
        dx, dy = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
        if maxx - minx == 0 and maxy - miny == 0:
            dx = dy = 1.0
        k = min(plot_w / dx, (plot_w * 0.75) / dy)
        off_x = _PAD + (plot_w - dx * k) / 2

        def px(x: float, y: float) -> tuple[float, float]:
            return off_x + (x - minx) * k, _HEADER + (maxy - y) * k

        plan_h = dy * k
        for a in placed:
            g = a.geometry
            assert g is not None
            pts = [px(x, y) for x, y in g.coordinates]
            if g.type == "point" or len(pts) < 3:
                cx, cy = pts[0]
                r = 14.0
                boxes.append(_Box(a, cx - r, cy - r, 2 * r, 2 * r, depth[a.id], None, r, has_children=a.id in has_children))
            else:
                bx = [p[0] for p in pts]
                by = [p[1] for p in pts]
                boxes.append(_Box(a, min(bx), min(by), max(bx) - min(bx), max(by) - min(by), depth[a.id], pts, has_children=a.id in has_children))
    placed_ids = {a.id for a in placed}
    unplaced = [a for a in areas if a.id not in placed_ids]
    schematic_top = None
    if unplaced:
        schematic_top = _HEADER + plan_h + (40 if placed else 10)
        boxes += _schematic(unplaced, scope, placed_ids, depth, has_children, schematic_top + 30, plot_w)
    bottom = max((b.y + b.h for b in boxes), default=_HEADER + 40)
    return MapLayout(width, bottom + 90, boxes, plan_h, schematic_top, [a.id for a in unplaced])


def _schematic(unplaced: list[Area], scope: set[str], placed: set[str], depth: dict[str, int], has_children: set[str],
               top: float, plot_w: float) -> list[_Box]:
    ids = {a.id for a in unplaced}
    kids: dict[str, list[Area]] = {}
    roots: list[Area] = []
    for a in unplaced:
        if a.parent in ids:
            kids.setdefault(a.parent, []).append(a)
        else:
            roots.append(a)

    def size(a: Area) -> tuple[float, float]:
        ch = kids.get(a.id, [])
        if not ch:
            return _LEAF_W, _LEAF_H
        sizes = [size(c) for c in ch]
        cols = max(1, math.ceil(math.sqrt(len(ch))))
        rows = [sizes[i:i + cols] for i in range(0, len(sizes), cols)]
        w = max(sum(s[0] for s in r) + _GAP * (len(r) + 1) for r in rows)
        h = sum(max(s[1] for s in r) for r in rows) + _GAP * (len(rows) + 1) + _HEAD
        return w, h

    out: list[_Box] = []

    def place(a: Area, x: float, y: float) -> None:
        w, h = size(a)
        out.append(_Box(a, x, y, w, h, depth[a.id], schematic=True, has_children=bool(kids.get(a.id))))
        ch = kids.get(a.id, [])
        if not ch:
            return
        cols = max(1, math.ceil(math.sqrt(len(ch))))
        cy = y + _HEAD + _GAP
        for i in range(0, len(ch), cols):
            row = ch[i:i + cols]
            cx = x + _GAP
            for c in row:
                place(c, cx, cy)
                cx += size(c)[0] + _GAP
            cy += max(size(c)[1] for c in row) + _GAP

    x, y, row_h = float(_PAD), top, 0.0
    for r in roots:
        w, h = size(r)
        if x > _PAD and x + w > _PAD + plot_w:
            x, y, row_h = _PAD, y + row_h + _GAP, 0.0
        place(r, x, y)
        x += w + _GAP
        row_h = max(row_h, h)
    return out


def _fill(level: RiskLevel | None) -> str:
    return level.hex if level else NO_RISK_FILL


def _text(x: float, y: float, lines: Iterable[str], size: float, colour: str, *, anchor: str = "middle", bold: bool = False,
          halo: str | None = None) -> str:
    lines = list(lines)
    weight = ' font-weight="bold"' if bold else ""
    halo_attr = f' stroke="{halo}" stroke-width="3" paint-order="stroke" stroke-linejoin="round"' if halo else ""
    tspans = "".join(f'<tspan x="{x:.1f}" dy="{(0 if i == 0 else size * 1.2):.1f}">{escape(t)}</tspan>' for i, t in enumerate(lines))
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:.1f}" fill="{colour}" text-anchor="{anchor}"{weight}{halo_attr}>{tspans}</text>'


def _centroid(pts: list[tuple[float, float]]) -> tuple[float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        f = x0 * y1 - x1 * y0
        a += f
        cx += (x0 + x1) * f
        cy += (y0 + y1) * f
    if abs(a) < 1e-9:
        return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return cx / (3 * a), cy / (3 * a)


def render_map_svg(src: OutputSource, *, root: str | None = None, width: float = 1000, title: str | None = None) -> str:
    """The four-colour map of the enterprise (or of the area ``root`` and everything below it) as SVG text."""
    e = src.enterprise
    a = src.assessment
    lay = layout_map(src, root=root, width=width)
    mhi_areas = {m.area: m for m in e.major_hazard_installations if src.major_hazards.get(m.id)}
    controls = {c.id: c for c in e.controls}
    hd_sets: dict[str, set[str]] = {}
    for hd in a.ledger.open():
        c = controls.get(hd.control_id or "")
        for rid in (c.mitigates if c else hd.risk_ids):
            if src.has_risk(rid):
                hd_sets.setdefault(src.risk(rid).area, set()).add(hd.id)
    open_hds = {area: len(ids) for area, ids in hd_sets.items()}
    head = title or f"{e.name} 安全风险四色分布图" + (f" — {src.area(root).name}" if root and src.area(root) else "")  # type: ignore[union-attr]
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
        f'font-family="{FONT_FAMILY}" class="dualprev-map" data-enterprise="{escape(e.id)}">',
        f'<rect x="0" y="0" width="{lay.width:.0f}" height="{lay.height:.0f}" fill="#FFFFFF"/>',
        _text(lay.width / 2, 32, [head], 22, "#000000", bold=True).replace("<text ", '<text class="map-title" ', 1),
    ]
    meta = [f"企业编号 {e.id}", f"绘制时间 {local_time(src.generated_at)}"]
    if src.data_until:
        meta.append(f"数据截至 {local_time(src.data_until)}")
    line2 = [f"数据来源 {src.origin}"] + ([f"流头哈希 {src.head}"] if src.head else [])
    parts.append(_text(lay.width / 2, 52, ["  ·  ".join(meta)], 12, "#333333"))
    parts.append(_text(lay.width / 2, 68, ["  ·  ".join(line2)], 11, "#555555").replace("<text ", '<text class="map-source" ', 1))
    if lay.schematic_top is not None:
        n = len(lay.schematic_ids)
        note = (f"以下 {n} 个区域无平面坐标，按层级示意布置（非实际位置）" if lay.plan_height else
                f"全部 {n} 个区域均无平面坐标，按层级示意布置（非实际位置）")
        parts.append(f'<line x1="{_PAD}" y1="{lay.schematic_top:.1f}" x2="{lay.width - _PAD:.1f}" y2="{lay.schematic_top:.1f}" stroke="#999" stroke-dasharray="6 4"/>')
        parts.append(_text(_PAD, lay.schematic_top + 20, [note], 13, "#8A1C1C", anchor="start", bold=True).replace("<text ", '<text class="map-schematic-note" ', 1))
    for b in sorted(lay.boxes, key=lambda b: (b.depth, b.schematic)):
        parts.append(_area_shape(src, b, mhi_areas, open_hds))
    parts.append(_legend(src, lay))
    parts.append("</svg>")
    return "\n".join(parts)


def _area_shape(src: OutputSource, b: _Box, mhi_areas: Mapping[str, object], open_hds: dict[str, int]) -> str:
    a = src.assessment
    area = b.area
    total = a.area_level(area.id)
    own = src.own_level(area.id) if b.has_children else total
    fill = own.hex if own else ("#FFFFFF" if b.has_children else NO_RISK_FILL)
    stroke = total.hex if (b.has_children and total) else "#333333"
    sw = 3 if b.has_children else 1.2
    dash = ' stroke-dasharray="8 4"' if b.schematic else ""
    lvl = own.key if own else "none"
    tip = f"{area.id} {area.name}：区域等级 {total.zh if total else '无风险'}" + (f"；本区域直属风险 {own.zh}" if b.has_children and own else "")
    attrs_ = (f'class="area level-{lvl}" data-area="{escape(area.id)}" data-level="{lvl}" data-area-level="{total.key if total else "none"}" '
              f'data-leaf="{0 if b.has_children else 1}" data-schematic="{1 if b.schematic else 0}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dash}')
    if b.points is not None:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in b.points)
        shape = f'<polygon points="{pts}" {attrs_}><title>{escape(tip)}</title></polygon>'
        cx, cy = _centroid(b.points)
    elif b.radius is not None:
        cx, cy = b.x + b.radius, b.y + b.radius
        shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{b.radius:.1f}" {attrs_}><title>{escape(tip)}</title></circle>'
    else:
        cx, cy = b.x + b.w / 2, b.y + b.h / 2
        shape = f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" {attrs_}><title>{escape(tip)}</title></rect>'
    colour = "#FFFFFF" if own in _WHITE_TEXT else "#000000"
    if b.has_children:
        size = 12.0
        label = f"{area.name}（{area.id}）" + (f" 区域等级：{total.zh}" if total else "")
        lines = _wrap(label, size, max(b.w - 8, 60))
        return shape + _text(b.x + 5, b.y + size + 3, lines[:2], size, "#000000", anchor="start", bold=True, halo="#FFFFFF")
    extra = []
    if area.id in mhi_areas:
        extra.append("★重大危险源")
    if open_hds.get(area.id):
        extra.append(f"未销号隐患 {open_hds[area.id]}")
    if b.radius is not None:
        return shape + _text(cx, cy + b.radius + 14, [f"{area.name}（{area.id}）{total.zh if total else ''}", *extra], 11, "#000000", halo="#FFFFFF")
    box_w = max(b.w - 6, 20)
    size = max(7.0, min(14.0, box_w / max(4.0, min(_text_width(area.name, 1), 9))))
    name_lines = _wrap(area.name, size, box_w)[:3]
    lines = [*name_lines, area.id, (total.zh if total else "无风险"), *extra]
    small = max(6.0, size * 0.85)
    y0 = cy - (len(lines) - 1) * size * 1.2 / 2 + size * 0.35
    out = [shape, _text(cx, y0, name_lines, size, colour, bold=True)]
    y = y0 + len(name_lines) * size * 1.2
    for t in lines[len(name_lines):]:
        out.append(_text(cx, y, [t], small, colour))
        y += size * 1.2
    return "".join(out)


def _legend(src: OutputSource, lay: MapLayout) -> str:
    counts = src.assessment.level_counts()
    y = lay.height - 70
    parts = [_text(_PAD, y, ["图例"], 13, "#000000", anchor="start", bold=True)]
    x = _PAD + 40.0
    items = [(lv.hex, f"{lv.zh}风险（{lv.colour_zh}） {counts.get(lv, 0)} 项") for lv in sorted(RiskLevel, reverse=True)]
    items.append((NO_RISK_FILL, "未辨识风险"))
    for fill, label in items:
        parts.append(f'<rect x="{x:.1f}" y="{y - 12:.1f}" width="22" height="14" fill="{fill}" stroke="#333" class="legend-swatch"/>')
        parts.append(_text(x + 28, y, [label], 12, "#000000", anchor="start"))
        x += 36 + _text_width(label, 12)
    notes = ["区域按当前风险等级着色，嵌套区域显示最细一级；上级区域边框为其汇总等级颜色，填充为其直属风险等级。",
             "按平面图坐标等比例绘制，北（+y）向上。颜色为惯用色（红 #FF0000、橙 #FF8000、黄 #FFFF00、蓝 #0070C0），国家标准未规定 RGB 值。"]
    parts.append(_text(_PAD, y + 22, notes[:1], 11, "#333333", anchor="start"))
    parts.append(_text(_PAD, y + 38, notes[1:], 11, "#333333", anchor="start"))
    return "".join(parts)
