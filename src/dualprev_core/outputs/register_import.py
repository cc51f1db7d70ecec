"""Reading a 风险分级管控清单 workbook back into an enterprise document.

The layout is the one :func:`~dualprev_core.outputs.tables.register_tables` writes: the register
sheet (one row per risk, controls listed in the five group columns, one per line, id first),
and the sheets it refers to — 管控措施, 区域, 岗位, 风险点, 危险源, 说明.  Only the register sheet
is required; without the others, ids are generated and each control takes the row's 管控层级 and
责任岗位, so a register kept by hand can be imported too.

Every problem is reported at once with its sheet, cell and value (``风险分级管控清单!Q12: lec L
(可能性) must be one of 0.1, 0.2, … (got 7)``); the document is then validated as any enterprise
file is, and problems found there are traced back to the cells they came from.  The assessed
level written in the register (评估等级) must be the level its method gives its inputs.

What the register holds survives export → import unchanged: areas (with plan coordinates),
posts, risk points, hazards, risks (category and edition, method, variant, inputs, inherent
level, description, consequences, 备注) and controls (kind, owner level, post, critical,
``on_failure``, the risks they mitigate, description).  What it does not hold — inspection items
and records, major hazard installations, monitoring points, escalation settings, ``facts`` other
than 备注 — is not in the imported file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from dualprev_core.errors import DualprevError, InvalidInput, Problem, ValidationError, suggest
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.vocabulary import ControlKind, OwnerLevel, RiskPointKind
from dualprev_core.outputs.tables import KIND_COLUMNS, REGISTER_FORMAT

__all__ = ["import_register", "read_register", "write_enterprise_document", "RegisterImport"]

_MAIN = "风险分级管控清单"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
_GENERATED_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)+$")
_KIND_BY_TITLE = {title: kind for kind, title in KIND_COLUMNS}
_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", ""}
_PEOPLE_SPLIT = re.compile(r"[、,，;；/\s]+")


@attrs.frozen
class _Cell:
    value: Any
    ref: str  # 风险清单!F12

    @property
    def text(self) -> str:
        v = self.value
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()


@attrs.frozen
class _Row:
    number: int
    cells: Mapping[str, _Cell]

    def get(self, *headers: str) -> _Cell | None:
        for h in headers:
            if h in self.cells:
                return self.cells[h]
        return None

    def text(self, *headers: str) -> str:
        c = self.get(*headers)
        return c.text if c else ""


@attrs.define
class RegisterImport:
    """The result of reading a register: the enterprise document and where each value came from."""

    document: dict[str, Any]
    #: document path (tuple) → the cell it came from (``sheet!A1``) and the value there.
    origins: dict[tuple[Any, ...], tuple[str, Any]]


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.origins: dict[tuple[Any, ...], tuple[str, Any]] = {}
        try:
            from openpyxl import load_workbook

            self.wb = load_workbook(path, read_only=True, data_only=True)
        except FileNotFoundError:
            raise InvalidInput(f"{path}: file not found") from None
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
            raise InvalidInput(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None

    def problem(self, cell: _Cell | str, message: str) -> None:
        if isinstance(cell, _Cell):
            shown = cell.text if len(cell.text) <= 60 else cell.text[:57] + "…"
            self.problems.append(Problem(cell.ref, f"{message} (got {shown!r})", str(self.path)))
        else:
            self.problems.append(Problem(cell, message, str(self.path)))

    def rows(self, sheet: str, key: str) -> Iterator[_Row] | None:
        """The rows of ``sheet`` below its header row (the first row holding ``key``); ``None`` without the sheet."""
        if sheet not in self.wb.sheetnames:
            return None
        ws = self.wb[sheet]
        header: dict[int, str] | None = None
        out: list[_Row] = []
        blank_run = 0
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if header is None:
                texts = [str(v).strip() if v is not None else "" for v in values]
                if key in texts:
                    header = {i: t for i, t in enumerate(texts) if t}
                elif r > 10:
                    self.problem(f"{sheet}!A1", f"no header row with {key!r} in the first 10 rows")
                    return iter(())
                continue
            if all(v is None or str(v).strip() == "" for v in values):
                blank_run += 1
                if blank_run > 20:
                    break
                continue
            blank_run = 0
            cells = {h: _Cell(values[i] if i < len(values) else None, f"{sheet}!{_col(i)}{r}") for i, h in header.items()}
            out.append(_Row(r, cells))
        if header is None:
            self.problem(f"{sheet}!A1", f"no header row with {key!r}")
        return iter(out)

    def origin(self, path: tuple[Any, ...], cell: _Cell | None) -> None:
        if cell is not None:
            self.origins[path] = (cell.ref, cell.value)


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i + 1))


def _lines(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[\r\n]+", text) if x.strip()]


def read_register(path: str | Path, *, packs: Any = None, enterprise_id: str | None = None) -> RegisterImport:
    """Read a register workbook into an enterprise document (not yet validated as a whole).

    :raises ValidationError: every problem, each located by ``sheet!cell`` with the value found.
    :raises InvalidInput: the file is not a workbook.
    """
    if packs is None:
        from dualprev_core.packs.loader import load_packs

        packs = load_packs()
    rd = _Reader(Path(path))
    methods = packs.registry.methods
    doc: dict[str, Any] = {"format": "dualprev-enterprise/1"}

    # -- 说明: enterprise and settings
    about: dict[str, _Cell] = {}
    rows = rd.rows("说明", "项目")
    for row in rows or ():
        key_cell = row.get("项目")
        value_cell = row.get("内容")
        if key_cell is not None and value_cell is not None and key_cell.text:
            about[key_cell.text] = value_cell
    fmt = about.get("格式")
    if fmt is not None and fmt.text and fmt.text != REGISTER_FORMAT:
        rd.problem(fmt, f"this reader knows {REGISTER_FORMAT}")
    main_rows = rd.rows(_MAIN, "风险名称")
    if main_rows is None:
        raise ValidationError([Problem("", f"no sheet named {_MAIN!r}; sheets: {', '.join(rd.wb.sheetnames)}{suggest(_MAIN, rd.wb.sheetnames)}",
                                       str(path))], source=str(path))
    main = list(main_rows)
    title = _title(rd, _MAIN)
    ent_id = (about["企业编号"].text if "企业编号" in about else "") or enterprise_id or re.sub(r"[^A-Za-z0-9_.\-]+", "-", Path(path).stem).strip("-").upper() or "ENT"
    ent_name = (about["企业名称"].text if "企业名称" in about else "") or title.replace("风险分级管控清单", "").strip() or ent_id
    doc["enterprise"] = {"id": ent_id, "name": ent_name}
    for key, field in (("行业", "industry"), ("地区", "region")):
        if key in about and about[key].text:
            doc["enterprise"][field] = about[key].text
    settings: dict[str, Any] = {}
    if "事故分类标准版本" in about and about["事故分类标准版本"].text:
        settings["gb6441_edition"] = about["事故分类标准版本"].text
        rd.origin(("settings", "gb6441_edition"), about["事故分类标准版本"])
    for key, field in (("分级变体设置", "variants"), ("分级边界设置", "edges")):
        if key in about and about[key].text:
            pairs = {}
            for part in about[key].text.split():
                mk, sep, mv = part.partition("=")
                if not sep:
                    rd.problem(about[key], "write method=value pairs separated by spaces, e.g. lec=V1")
                else:
                    pairs[mk] = mv
            settings[field] = pairs
    if "企业风险等级方法" in about and about["企业风险等级方法"].text:
        settings["enterprise_level_method"] = about["企业风险等级方法"].text
    if settings:
        doc["settings"] = settings
    default_edition = str(settings.get("gb6441_edition", "2025"))

    # -- reference sheets
    areas = _areas(rd)
    posts = _posts(rd)
    rps = _risk_points(rd)
    hazards = _hazards(rd)
    controls, control_cells = _controls(rd)
    have_controls_sheet = "管控措施" in rd.wb.sheetnames
    area_by_name = {a["name"]: a["id"] for a in areas}
    post_by_name = {p["name"]: p["id"] for p in posts}
    rp_by_name = {r["name"]: r["id"] for r in rps}
    hazard_by_name = {h["name"]: h["id"] for h in hazards}
    controls_by_id = {c["id"]: c for c in controls}
    mitigated_by_lines: dict[str, list[str]] = {}

    risks: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for n, row in enumerate(main):
        rpath: tuple[Any, ...] = ("risks", len(risks))
        name = row.get("风险名称")
        if name is None or not name.text:
            rd.problem(row.get("风险名称") or f"{_MAIN}!A{row.number}", "a risk needs a 风险名称")
            continue
        rid = row.text("风险编号") or f"R-{n + 1:04d}"
        if rid in seen:
            rd.problem(row.get("风险编号"), f"duplicate 风险编号; first at {seen[rid]}")  # type: ignore[arg-type]
            continue
        if not _ID_RE.match(rid):
            rd.problem(row.get("风险编号"), "an id is letters, digits and - _ . : without spaces")  # type: ignore[arg-type]
        seen[rid] = row.get("风险编号").ref if row.get("风险编号") else f"{_MAIN}!{row.number}"  # type: ignore[union-attr]
        risk: dict[str, Any] = {"id": rid, "name": name.text}
        rd.origin((*rpath, "id"), row.get("风险编号"))
        rd.origin((*rpath, "name"), name)
        # area and risk point
        area_id = row.text("区域编号")
        if not area_id and row.text("区域"):
            area_id = area_by_name.get(row.text("区域"), "")
            if not area_id:
                area_id = f"A-{len(areas) + 1:03d}"
                areas.append({"id": area_id, "name": row.text("区域")})
                area_by_name[row.text("区域")] = area_id
        rp_id = row.text("风险点编号")
        if not rp_id and row.text("风险点"):
            rp_id = rp_by_name.get(row.text("风险点"), "")
            if not rp_id:
                rp_id = f"RP-{len(rps) + 1:03d}"
                kind_cell = row.get("风险点类型")
                rp: dict[str, Any] = {"id": rp_id, "name": row.text("风险点"), "area": area_id}
                if kind_cell is not None and kind_cell.text:
                    rp["kind"] = _parse_vocab(rd, RiskPointKind, kind_cell)
                rps.append(rp)
                rp_by_name[rp["name"]] = rp_id
        if rp_id:
            risk["risk_point"] = rp_id
            rd.origin((*rpath, "risk_point"), row.get("风险点编号", "风险点"))
        if area_id and not (rp_id and any(r["id"] == rp_id and r.get("area") == area_id for r in rps)):
            risk["area"] = area_id
        elif not rp_id and not area_id:
            rd.problem(f"{_MAIN}!{row.number}", "a risk needs 区域编号 (or 区域) or 风险点编号")
        rd.origin((*rpath, "area"), row.get("区域编号", "区域"))
        # hazards
        hz_cell = row.get("危险源")
        if hz_cell is not None and hz_cell.text:
            ids = []
            for line in _lines(hz_cell.text):
                first = line.split(maxsplit=1)[0]
                if first in {h["id"] for h in hazards}:
                    ids.append(first)
                elif line in hazard_by_name:
                    ids.append(hazard_by_name[line])
                else:
                    hid = f"H-{len(hazards) + 1:03d}"
                    hazards.append({"id": hid, "name": line, **({"risk_point": rp_id} if rp_id else {})})
                    hazard_by_name[line] = hid
                    ids.append(hid)
            risk["hazards"] = ids
            rd.origin((*rpath, "hazards"), hz_cell)
        for header, field in (("风险描述", "description"), ("可能后果", "consequences")):
            if row.text(header):
                risk[field] = row.text(header)
        # category and edition
        cat = row.get("事故类型")
        if cat is None or not cat.text:
            rd.problem(cat or f"{_MAIN}!{row.number}", "a risk needs a 事故类型 (GB 6441 category)")
        else:
            risk["category"] = cat.text
            rd.origin((*rpath, "category"), cat)
        ed_cell = row.get("分类标准")
        if ed_cell is not None and ed_cell.text:
            m = re.fullmatch(r"(?:GB\s*6441\s*[-—–]\s*)?(\d{4})", ed_cell.text.replace(" ", " "))
            if m is None:
                rd.problem(ed_cell, "分类标准 must be GB 6441-1986 or GB 6441-2025")
            elif m.group(1) != default_edition:
                risk["category_edition"] = m.group(1)
                rd.origin((*rpath, "category_edition"), ed_cell)
        if "category" in risk:
            _check_category(rd, cat, str(risk.get("category_edition", default_edition)))  # type: ignore[arg-type]
        # method, variant, inputs, level
        _evaluation(rd, row, risk, rpath, methods)
        inh = row.get("固有风险等级")
        if inh is not None and inh.text:
            try:
                risk["inherent_level"] = RiskLevel.parse(inh.text).key
                rd.origin((*rpath, "inherent_level"), inh)
            except InvalidInput:
                rd.problem(inh, "固有风险等级 must be one of 重大/较大/一般/低")
        note = row.text("备注")
        if note:
            risk["facts"] = {"备注": note}
        # controls listed in the five group columns
        for title, kind in _KIND_BY_TITLE.items():
            kcell = row.get(title)
            if kcell is None or not kcell.text:
                continue
            cell = kcell
            for k, line in enumerate(_lines(cell.text), start=1):
                parts = line.split(maxsplit=1)
                first = parts[0]
                if first in controls_by_id:
                    c = controls_by_id[first]
                    if c.get("kind") and c["kind"] != kind.key:
                        rd.problem(cell, f"control {first} is listed under {title} but 管控措施 gives its kind as {ControlKind(c['kind']).zh}")
                    mitigated_by_lines.setdefault(first, []).append(rid)
                    continue
                if have_controls_sheet and _GENERATED_ID_RE.match(first):
                    rd.problem(cell, f"control {first} is not on the 管控措施 sheet{suggest(first, controls_by_id)}")
                    continue
                cid, cname = (first, parts[1]) if _GENERATED_ID_RE.match(first) and len(parts) > 1 else (f"C-{rid}-{k}" if kind is KIND_COLUMNS[0][0] else f"C-{rid}-{kind.key}-{k}", line)
                c = {"id": cid, "name": cname, "kind": kind.key, "mitigates": []}
                owner = row.get("管控层级")
                if owner is not None and owner.text:
                    c["owner_level"] = _parse_vocab(rd, OwnerLevel, owner)
                else:
                    c["owner_level"] = OwnerLevel.POST.key
                post_text = _lines(row.text("责任岗位"))
                if post_text:
                    pid = post_by_name.get(post_text[0]) or (post_text[0] if post_text[0] in {p["id"] for p in posts} else None)
                    if pid is None:
                        pid = f"P-{len(posts) + 1:03d}"
                        people = [x for x in _PEOPLE_SPLIT.split(row.text("责任人")) if x]
                        posts.append({"id": pid, "name": post_text[0], "owner_level": c["owner_level"], **({"people": people} if people else {})})
                        post_by_name[post_text[0]] = pid
                    c["post"] = pid
                controls.append(c)
                controls_by_id[cid] = c
                control_cells[cid] = cell
                mitigated_by_lines.setdefault(cid, []).append(rid)
        risks.append(risk)

    for c in controls:
        c["mitigates"] = list(dict.fromkeys([*c.get("mitigates", []), *mitigated_by_lines.get(c["id"], [])]))
        if not c["mitigates"]:
            ccell = control_cells.get(c["id"])
            rd.problem(ccell or "管控措施", f"control {c['id']} mitigates no risk: list it in a risk's group column or in 管控风险")
    if areas:
        doc["areas"] = areas
    if posts:
        doc["posts"] = posts
    if rps:
        doc["risk_points"] = rps
    if hazards:
        doc["hazards"] = hazards
    doc["risks"] = risks
    if controls:
        doc["controls"] = controls
        for i, c in enumerate(controls):
            if c["id"] in control_cells:
                rd.origin(("controls", i), control_cells[c["id"]])
    if rd.problems:
        raise ValidationError(rd.problems, source=str(path))
    return RegisterImport(doc, rd.origins)


def _title(rd: _Reader, sheet: str) -> str:
    ws = rd.wb[sheet]
    for values in ws.iter_rows(min_row=1, max_row=1, values_only=True):
        for v in values:
            if v is not None and str(v).strip():
                return str(v).strip()
    return ""


def _check_category(rd: _Reader, cell: _Cell, edition: str) -> None:
    from dualprev_core.errors import UnknownReference
    from dualprev_core.taxonomy import accident_taxonomy

    try:
        accident_taxonomy(edition).get(cell.text)
    except UnknownReference as exc:
        rd.problem(cell, str(exc))
    except InvalidInput:
        pass  # an unknown edition: reported on the 分类标准 or 说明 cell


def _parse_vocab(rd: _Reader, vocab: Any, cell: _Cell) -> str:
    try:
        return str(vocab.parse(cell.text).key)
    except InvalidInput:
        rd.problem(cell, f"must be one of {'/'.join(m.zh for m in vocab)}")
        return str(next(iter(vocab)).key)


def _evaluation(rd: _Reader, row: _Row, risk: dict[str, Any], path: tuple[Any, ...], methods: Mapping[str, Any]) -> None:
    mcell = row.get("评价方法")
    if mcell is None or not mcell.text:
        rd.problem(mcell or f"{_MAIN}!{row.number}", "a risk needs a 评价方法 (e.g. LEC)")
        return
    name = mcell.text.lower()
    if name not in methods:
        rd.problem(mcell, f"评价方法 must be one of {', '.join(m.upper() for m in methods)}{suggest(name, methods)}")
        return
    method = methods[name]
    risk["method"] = name
    rd.origin((*path, "method"), mcell)
    vcell = row.get("分级变体")
    if vcell is not None and vcell.text:
        if vcell.text not in method.variants:
            rd.problem(vcell, f"{name} has the variants {', '.join(method.variants)}")
        else:
            risk["variant"] = vcell.text
    inputs: dict[str, float] = {}
    params = {p.name: p for p in method.parameters}
    ok = True
    for header, cell in row.cells.items():
        if not _ID_RE.match(header) or len(header) > 3 or header in params:
            continue
        if cell.text and header.upper() == header and header not in {"ID"}:
            rd.problem(cell, f"{name.upper()} has no input {header}; its inputs are {', '.join(params)}")
            ok = False
    for pname, p in params.items():
        pcell = row.get(pname)
        if pcell is None:
            rd.problem(f"{_MAIN}!{row.number}", f"{name.upper()} needs a column headed {pname} ({p.label_zh})")
            ok = False
            continue
        try:
            inputs[pname] = p.check(pcell.value if not isinstance(pcell.value, str) else pcell.value.strip(), method=name.upper())
        except InvalidInput as exc:
            rd.problem(pcell, str(exc).replace(f" (got {pcell.value!r})", ""))
            ok = False
            continue
        rd.origin((*path, "inputs", pname), pcell)
    if not ok:
        return
    risk["inputs"] = {k: (int(v) if float(v).is_integer() else v) for k, v in inputs.items()}
    try:
        graded = method.grade(inputs, variant=risk.get("variant"))
    except DualprevError as exc:
        rd.problem(mcell, str(exc))
        return
    score = row.get("分值")
    if score is not None and score.text:
        try:
            if abs(float(score.value) - graded.score) > 1e-6 * max(1.0, abs(graded.score)):
                rd.problem(score, f"分值 does not follow from the inputs: {name.upper()} gives {graded.score:g}")
        except (TypeError, ValueError):
            rd.problem(score, "分值 must be a number")
    lvl = row.get("评估等级")
    if lvl is not None and lvl.text:
        try:
            given = RiskLevel.parse(lvl.text)
        except InvalidInput:
            rd.problem(lvl, "评估等级 must be one of 重大/较大/一般/低")
            return
        if given is not graded.level:
            rd.problem(lvl, f"评估等级 does not follow from the inputs: {graded.decided_by} → {graded.level.zh}")


def _areas(rd: _Reader) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rd.rows("区域", "区域编号") or ():
        if not row.text("区域编号"):
            continue
        a: dict[str, Any] = {"id": row.text("区域编号"), "name": row.text("区域名称") or row.text("区域编号")}
        if row.text("上级区域编号"):
            a["parent"] = row.text("上级区域编号")
        if row.text("区域类型"):
            a["kind"] = row.text("区域类型")
        coords = row.get("平面坐标")
        if coords is not None and coords.text:
            try:
                pts = [[_number(x) for x in p.split(",")] for p in coords.text.split()]
                if any(len(p) != 2 for p in pts):
                    raise ValueError
            except ValueError:
                rd.problem(coords, "平面坐标 must be x,y pairs separated by spaces, e.g. 0,0 100,0 100,50")
            else:
                shape = row.text("平面图形") or ("point" if len(pts) == 1 else "polygon")
                if shape not in ("polygon", "point"):
                    rd.problem(row.get("平面图形"), "平面图形 must be polygon or point")  # type: ignore[arg-type]
                a["geometry"] = {"type": shape, "coordinates": pts}
        out.append(a)
    return out


def _number(text: str) -> float | int:
    v = float(text)
    return int(v) if v.is_integer() else v


def _posts(rd: _Reader) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rd.rows("岗位", "岗位编号") or ():
        if not row.text("岗位编号"):
            continue
        p: dict[str, Any] = {"id": row.text("岗位编号"), "name": row.text("岗位名称") or row.text("岗位编号")}
        if row.text("所在区域编号"):
            p["area"] = row.text("所在区域编号")
        lvl = row.get("管控层级")
        if lvl is not None and lvl.text:
            p["owner_level"] = _parse_vocab(rd, OwnerLevel, lvl)
        people = [x for x in _PEOPLE_SPLIT.split(row.text("人员")) if x]
        if people:
            p["people"] = people
        out.append(p)
    return out


def _risk_points(rd: _Reader) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rd.rows("风险点", "风险点编号") or ():
        if not row.text("风险点编号"):
            continue
        rp: dict[str, Any] = {"id": row.text("风险点编号"), "name": row.text("风险点名称") or row.text("风险点编号"), "area": row.text("区域编号")}
        kind = row.get("风险点类型")
        if kind is not None and kind.text:
            rp["kind"] = _parse_vocab(rd, RiskPointKind, kind)
        out.append(rp)
    return out


def _hazards(rd: _Reader) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rd.rows("危险源", "危险源编号") or ():
        if not row.text("危险源编号"):
            continue
        h: dict[str, Any] = {"id": row.text("危险源编号"), "name": row.text("危险源名称") or row.text("危险源编号")}
        for header, field in (("GB/T 13861 代码", "factor"), ("风险点编号", "risk_point"), ("描述", "description")):
            if row.text(header):
                h[field] = row.text(header)
        out.append(h)
    return out


def _controls(rd: _Reader) -> tuple[list[dict[str, Any]], dict[str, _Cell]]:
    out: list[dict[str, Any]] = []
    cells: dict[str, _Cell] = {}
    for row in rd.rows("管控措施", "措施编号") or ():
        idc = row.get("措施编号")
        if idc is None or not idc.text:
            continue
        c: dict[str, Any] = {"id": idc.text, "name": row.text("措施名称") or idc.text}
        cells[idc.text] = idc
        kind = row.get("措施类别")
        if kind is None or not kind.text:
            rd.problem(kind or idc, "a control needs a 措施类别")
        else:
            c["kind"] = _parse_vocab(rd, ControlKind, kind)
        owner = row.get("管控层级")
        c["owner_level"] = _parse_vocab(rd, OwnerLevel, owner) if owner is not None and owner.text else OwnerLevel.POST.key
        if row.text("责任岗位编号"):
            c["post"] = row.text("责任岗位编号")
        crit = row.get("关键措施")
        if crit is not None and crit.text.lower() not in _NO:
            if crit.text.lower() in _YES:
                c["critical"] = True
            else:
                rd.problem(crit, "关键措施 must be 是 or 否")
        fail = row.get("失效时输入")
        if fail is not None and fail.text:
            on_failure: dict[str, float | int] = {}
            for part in fail.text.split():
                k, sep, v = part.partition("=")
                try:
                    if not sep:
                        raise ValueError
                    on_failure[k] = _number(v)
                except ValueError:
                    rd.problem(fail, "失效时输入 must be NAME=number pairs separated by spaces, e.g. L=6")
                    break
            c["on_failure"] = on_failure
        mit = _lines(row.text("管控风险"))
        c["mitigates"] = mit
        if row.text("措施说明"):
            c["description"] = row.text("措施说明")
        out.append(c)
    return out, cells


def import_register(path: str | Path, *, packs: Any = None, enterprise_id: str | None = None) -> tuple[dict[str, Any], Any]:
    """Read a register and validate the result as an enterprise file.

    :returns: the enterprise document and the :class:`~dualprev_core.model.records.Enterprise`.
    :raises ValidationError: every problem, located by ``sheet!cell`` wherever it can be traced.
    """
    from dualprev_core.loading.enterprise import parse_enterprise, parse_path

    if packs is None:
        from dualprev_core.packs.loader import load_packs

        packs = load_packs()
    result = read_register(path, packs=packs, enterprise_id=enterprise_id)
    try:
        enterprise = parse_enterprise(result.document, source=str(path), packs=packs)
    except ValidationError as exc:
        problems = []
        for p in exc.problems:
            parts = parse_path(p.path)
            where = None
            for n in range(len(parts), 0, -1):
                if parts[:n] in result.origins:
                    where = result.origins[parts[:n]]
                    break
            if where is not None:
                problems.append(Problem(where[0], f"{p.message} (got {where[1]!r}; {p.path})", str(path)))
            else:
                problems.append(Problem(p.path, p.message, str(path)))
        raise ValidationError(problems, source=str(path)) from None
    return result.document, enterprise


def write_enterprise_document(document: Mapping[str, Any], out: str | Path, *, note: str = "") -> Path:
    """Write an enterprise document as YAML (``.yaml``/``.yml``) or JSON (``.json``)."""
    import json

    import yaml

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix in (".yaml", ".yml"):
        text = (f"# {note}\n" if note else "") + yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)
    elif suffix == ".json":
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    else:
        raise InvalidInput(f"{out}: cannot tell the format from the suffix {suffix or '(none)'!r}; use .yaml, .yml or .json")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{out}: cannot write: {exc.strerror or exc}") from None
    return out
