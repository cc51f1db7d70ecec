"""The region tree (province → city → county → park/town) from a region file, with optional boundaries.

A region file (``format: dualprev-regions/1``, YAML or JSON)::

    format: dualprev-regions/1
    boundaries: regions.geojson          # optional: a GeoJSON FeatureCollection, properties.id = region id
    regions:
      - {id: JS, name: 江苏省, level: province}
      - {id: JS-SZ, name: 苏州市, level: city, parent: JS}
      - {id: JS-SZ-ZJG, name: 张家港市, level: county, parent: JS-SZ}
      - id: JS-SZ-ZJG-YJ
        name: 扬子江国际化学工业园
        level: park
        parent: JS-SZ-ZJG
        boundary: {type: Polygon, coordinates: [[[120.5, 31.9], [120.7, 31.9], [120.7, 32.0], [120.5, 31.9]]]}
    enterprises:                         # optional placements; they win over a submission's REGION
      - {credit_code: 91320500MA1XTEQ40Q, region: JS-SZ-ZJG-YJ}

Levels go down the tree: a region's parent is of a higher level (park and town are both below
county).  Boundaries are GeoJSON Polygon or MultiPolygon geometries in longitude/latitude.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from dualprev_core.errors import Problem, UnknownReference, ValidationError, suggest
from dualprev_core.exchange.credit_code import credit_code_problem

__all__ = ["LEVELS", "Region", "RegionTree", "load_region_file", "parse_region_document", "REGION_FORMAT"]

REGION_FORMAT: Final = "dualprev-regions/1"
#: Region levels, highest first; park (化工园区) and town (乡镇/街道) share the lowest rank.
LEVELS: Final = {"province": 0, "city": 1, "county": 2, "park": 3, "town": 3}
_LEVEL_ZH: Final = {"省": "province", "市": "city", "县": "county", "区县": "county", "园区": "park", "乡镇": "town", "街道": "town"}


@attrs.frozen
class Region:
    """One region: id, name, level, parent, and its boundary (GeoJSON geometry) if known."""

    id: str
    name: str
    level: str
    parent: str | None = None
    boundary: Mapping[str, Any] | None = None


@attrs.frozen
class RegionTree:
    """Regions by id, with enterprise placements (credit code → region id)."""

    regions: Mapping[str, Region]
    placements: Mapping[str, str] = attrs.field(factory=dict)

    def get(self, region_id: str) -> Region:
        try:
            return self.regions[region_id]
        except KeyError:
            raise UnknownReference(f"unknown region {region_id!r}{suggest(region_id, self.regions)}") from None

    def ancestors(self, region_id: str) -> list[str]:
        """The region and its parents up to the root, nearest first."""
        out, cur = [], region_id
        while cur is not None and cur in self.regions and cur not in out:
            out.append(cur)
            cur = self.regions[cur].parent  # type: ignore[assignment]
        return out

    def descendants(self, region_id: str) -> list[str]:
        """The region and every region below it."""
        children: dict[str | None, list[str]] = {}
        for r in self.regions.values():
            children.setdefault(r.parent, []).append(r.id)
        out, todo = [], [region_id]
        while todo:
            cur = todo.pop()
            out.append(cur)
            todo.extend(children.get(cur, []))
        return out

    def resolve(self, text: str | None) -> str | None:
        """A region id for a submission's REGION text: an id, else a unique name; ``None`` if neither."""
        if not text:
            return None
        if text in self.regions:
            return text
        named = [r.id for r in self.regions.values() if r.name == text]
        return named[0] if len(named) == 1 else None

    def __iter__(self) -> Iterator[Region]:
        return iter(self.regions.values())

    def __len__(self) -> int:
        return len(self.regions)


def _geometry_problem(g: Any) -> str | None:
    if not isinstance(g, Mapping) or g.get("type") not in ("Polygon", "MultiPolygon"):
        return f"must be a GeoJSON Polygon or MultiPolygon (got {str(g)[:80]!r})"
    polys = [g.get("coordinates")] if g["type"] == "Polygon" else g.get("coordinates")
    if not isinstance(polys, list) or not polys:
        return "coordinates must be a non-empty list"
    for poly in polys:
        if not isinstance(poly, list) or not poly:
            return "each polygon must be a list of rings"
        for ring in poly:
            if not isinstance(ring, list) or len(ring) < 4:
                return "each ring needs at least 4 positions (first = last)"
            for pos in ring:
                ok = isinstance(pos, list | tuple) and len(pos) >= 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])
                if not ok or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
                    return f"position {pos!r} is not [lon -180…180, lat -90…90]"
    return None


def _read(path: Path) -> Any:
    """A region file or GeoJSON boundary, read through the input limits (size, depth, aliases, finite numbers)."""
    from dualprev_core.yaml_lines import read_document

    return read_document(path, what="region file")


def parse_region_document(data: Any, *, source: str | None = None, base: Path | None = None) -> RegionTree:
    """A region tree from a decoded region file.

    :raises ValidationError: listing every problem (unknown level or parent, a cycle, a parent of a
        lower level, a duplicate id, a bad boundary or credit code) with its path.
    """
    problems: list[Problem] = []

    def bad(path: str, msg: str) -> None:
        problems.append(Problem(path, msg, source))

    if not isinstance(data, Mapping):
        raise ValidationError([Problem("", f"must be a mapping with format and regions (got {type(data).__name__})", source)], source=source)
    if data.get("format") != REGION_FORMAT:
        bad("format", f"must be {REGION_FORMAT!r} (got {data.get('format')!r})")
    unknown = set(data) - {"format", "regions", "boundaries", "enterprises"}
    if unknown:
        bad("", f"unknown key(s) {sorted(unknown)}; allowed: format, regions, boundaries, enterprises")
    raw = data.get("regions")
    if not isinstance(raw, list) or not raw:
        bad("regions", "must be a non-empty list")
        raw = []
    regions: dict[str, Region] = {}
    for i, r in enumerate(raw):
        where = f"regions[{i}]"
        if not isinstance(r, Mapping):
            bad(where, f"must be a mapping (got {r!r})")
            continue
        extra = set(r) - {"id", "name", "level", "parent", "boundary"}
        if extra:
            bad(where, f"unknown key(s) {sorted(extra)}; allowed: id, name, level, parent, boundary")
        rid, name, level = r.get("id"), r.get("name"), r.get("level")
        if not isinstance(rid, str | int) or not str(rid).strip():
            bad(f"{where}.id", f"must be a non-empty id (got {rid!r})")
            continue
        rid = str(rid)
        if rid in regions:
            bad(f"{where}.id", f"{rid!r} is used twice")
        level = _LEVEL_ZH.get(str(level), level)
        if level not in LEVELS:
            bad(f"{where}.level", f"{r.get('level')!r} is not one of {', '.join(LEVELS)} (or 省/市/县/园区/乡镇){suggest(str(level), LEVELS)}")
        if r.get("boundary") is not None and (why := _geometry_problem(r["boundary"])):
            bad(f"{where}.boundary", why)
        parent = r.get("parent")
        regions[rid] = Region(rid, str(name) if name else rid, str(level), str(parent) if parent is not None else None, r.get("boundary"))
    if isinstance(data.get("boundaries"), str):
        bpath = Path(data["boundaries"])
        if base is not None and not bpath.is_absolute():
            bpath = base / bpath
        try:
            fc = _read(bpath)
        except ValidationError as exc:
            problems += [Problem("boundaries", p.message + f" ({bpath})", source) for p in exc.problems]
            fc = {"features": []}
        feats = fc.get("features") if isinstance(fc, Mapping) else None
        if not isinstance(feats, list):
            bad("boundaries", f"{bpath}: must be a GeoJSON FeatureCollection")
            feats = []
        for j, f in enumerate(feats):
            rid = str((f.get("properties") or {}).get("id", "")) if isinstance(f, Mapping) else ""
            if rid not in regions:
                bad("boundaries", f"{bpath} features[{j}].properties.id {rid!r} is not a region{suggest(rid, regions)}")
                continue
            if (why := _geometry_problem(f.get("geometry"))):
                bad("boundaries", f"{bpath} features[{j}].geometry: {why}")
                continue
            regions[rid] = attrs.evolve(regions[rid], boundary=f["geometry"])
    elif data.get("boundaries") is not None:
        bad("boundaries", f"must be the path of a GeoJSON file (got {data['boundaries']!r})")
    ids = list(regions)
    for i, rid in enumerate(ids):
        r = regions[rid]
        if r.parent is None:
            continue
        if r.parent not in regions:
            bad(f"regions[{i}].parent", f"{r.parent!r} is not a region{suggest(r.parent, regions)}")
        elif r.level in LEVELS and regions[r.parent].level in LEVELS and LEVELS[regions[r.parent].level] >= LEVELS[r.level]:
            bad(f"regions[{i}].parent", f"{r.parent!r} is a {regions[r.parent].level}, not above {r.level} {rid!r}")
    for rid in ids:  # cycles (only possible through inconsistent levels already reported, but say so)
        seen, cur = set(), rid
        while cur is not None and cur in regions:
            if cur in seen:
                bad("regions", f"parent chain of {rid!r} loops")
                break
            seen.add(cur)
            cur = regions[cur].parent  # type: ignore[assignment]
    placements: dict[str, str] = {}
    for i, p in enumerate(data.get("enterprises") or []):
        where = f"enterprises[{i}]"
        if not isinstance(p, Mapping) or set(p) - {"credit_code", "region", "name"}:
            bad(where, f"must be {{credit_code, region}} (got {p!r})")
            continue
        cc, reg = p.get("credit_code"), str(p.get("region"))
        if (why := credit_code_problem(cc)):
            bad(f"{where}.credit_code", f"统一社会信用代码 {why}")
        elif reg not in regions:
            bad(f"{where}.region", f"{reg!r} is not a region{suggest(reg, regions)}")
        else:
            placements[str(cc)] = reg
    if problems:
        raise ValidationError(problems, source=source)
    return RegionTree(regions, placements)


def load_region_file(path: str | Path) -> RegionTree:
    """Read and validate a region file (YAML or JSON); a ``boundaries`` path is relative to it."""
    p = Path(path)
    return parse_region_document(_read(p), source=str(p), base=p.parent)
