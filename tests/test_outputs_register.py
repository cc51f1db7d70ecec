"""Lists and ledgers out (xlsx/csv) and the register back in, with every bad cell reported."""

from __future__ import annotations

import csv
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dualprev_core.cli.app import cli
from dualprev_core.errors import ValidationError
from dualprev_core.loading.enterprise import load_enterprise
from dualprev_core.model.levels import RiskLevel
from dualprev_core.outputs.register_import import import_register
from dualprev_core.outputs.source import source_from_files
from dualprev_core.outputs.tables import checklist_table, ledger_table, major_risk_table, register_tables
from dualprev_core.outputs.workbook import HEADER_ROW, write_tables
from dualprev_core.packs.loader import load_packs

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "enterprise.yaml"


@pytest.fixture(scope="module")
def src():
    return source_from_files(EXAMPLE)


@pytest.fixture(scope="module")
def register(tmp_path_factory, src):
    out = tmp_path_factory.mktemp("reg") / "register.xlsx"
    write_tables(register_tables(src), out)
    return out


def _headers(ws):
    return [c.value for c in ws[HEADER_ROW]]


def test_register_sheet_has_conventional_columns_frozen_header_fills_and_print_setup(register, src):
    wb = load_workbook(register)
    assert wb.sheetnames == ["风险分级管控清单", "管控措施", "区域", "岗位", "风险点", "危险源", "说明"]
    ws = wb["风险分级管控清单"]
    h = _headers(ws)
    # the conventional order: identification, evaluation, level, the five control groups, ownership
    order = ["风险点", "风险名称", "事故类型", "可能后果", "评价方法", "L", "E", "C", "分值", "评估等级",
             "工程技术措施", "管理措施", "培训教育措施", "个体防护措施", "应急处置措施", "管控层级", "责任岗位", "责任人"]
    assert [x for x in h if x in order] == order
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.print_title_rows == f"$1:${HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.max_row - HEADER_ROW == len(src.enterprise.risks)
    col = h.index("当前等级") + 1
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        cell = ws.cell(row=row, column=col)
        level = RiskLevel.parse(cell.value)
        assert cell.fill.fgColor.rgb.endswith(level.hex.lstrip("#"))
        rid = ws.cell(row=row, column=h.index("风险编号") + 1).value
        assert level is src.assessment.current_level(rid)


def test_register_rows_carry_controls_owner_level_post_and_person(register, src):
    ws = load_workbook(register)["风险分级管控清单"]
    h = _headers(ws)
    rows = {r[h.index("风险编号")]: dict(zip(h, r, strict=True)) for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    fire = rows["R-TK-FIRE"]
    assert "C-TK-GDS 罐区可燃/有毒气体检测报警系统" in fire["工程技术措施"]
    assert "C-TK-FOAM" in fire["应急处置措施"] and "C-TK-PATROL" in fire["管理措施"]
    assert fire["管控层级"] == "公司"  # the highest owner level among its controls
    assert "安全环保部经理" in fire["责任岗位"] and "吴涛" in fire["责任人"]
    assert fire["分类标准"] == "GB 6441-2025" and fire["事故类型"] == "火灾"
    assert rows["R-R101-AGIT"]["分类标准"] == "GB 6441-1986"
    assert (fire["L"], fire["E"], fire["C"], fire["分值"]) == (1, 10, 40, 400)


def test_major_risk_list_is_what_the_assessment_says(src, tmp_path):
    t = major_risk_table(src)
    assert [r["id"] for r in t.rows] == [r.id for r in src.assessment.major_risks()]
    moved = next(r for r in t.rows if r["id"] == "R-R101-RUNAWAY")
    assert moved["assessed"] is RiskLevel.LARGE and moved["current"] is RiskLevel.MAJOR
    assert "C-R101-SIS" in moved["why"]
    out = write_tables([t], tmp_path / "major.csv")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["风险编号"] for r in rows] == [r["id"] for r in t.rows]
    assert rows[0]["当前等级"] == "重大"


def test_checklist_lists_every_item_with_frequency_in_chinese(src):
    t = checklist_table(src)
    assert len(t.rows) == len(src.enterprise.inspection_items)
    by_id = {r["id"]: r for r in t.rows}
    assert by_id["I-TK-GDS-SHIFT"]["frequency"] == "每班"
    assert by_id["I-TK-PATROL-2H"]["frequency"] == "每2小时"
    assert by_id["I-TK-GDS-SHIFT"]["post"] == "罐区操作工" and by_id["I-TK-GDS-SHIFT"]["people"] == "赵敏"


def test_ledger_has_grade_basis_deadline_and_state(src):
    t = ledger_table(src)
    assert len(t.rows) == len(src.assessment.ledger.all())
    for row, hd in zip(t.rows, src.assessment.ledger.all(), strict=True):
        assert row["id"] == hd.id
        assert row["grade"] == (hd.grade.zh if hd.grade else "未定级")
        assert row["deadline"]
        assert row["state"] == hd.state.zh
        if hd.criteria:
            assert hd.criteria[0].criterion_id in row["basis"]


def test_export_round_trips_through_import(register):
    packs = load_packs()
    original = load_enterprise(EXAMPLE, packs=packs)
    _, imported = import_register(register, packs=packs)
    assert imported.id == original.id and imported.name == original.name
    for kind in ("areas", "posts", "risk_points", "hazards"):
        assert getattr(imported, kind) == getattr(original, kind), kind
    keep = ("id", "name", "area", "category", "category_edition", "method", "inputs", "risk_point", "hazards", "variant",
            "inherent_level", "consequences", "description")
    assert [{k: getattr(r, k) for k in keep} for r in imported.risks] == [{k: getattr(r, k) for k in keep} for r in original.risks]
    by_id = {c.id: c for c in original.controls}
    assert {c.id for c in imported.controls} == set(by_id)
    for c in imported.controls:
        o = by_id[c.id]
        # a control's pack facts (e.g. chemical:item) are not register columns
        assert attrs.evolve(c, mitigates=tuple(sorted(c.mitigates)), facts={}) == attrs.evolve(o, mitigates=tuple(sorted(o.mitigates)), facts={}), c.id
    # every level the register showed is the level the imported file gives
    from dualprev_core.assessment.assessment import Assessment

    a0 = Assessment(original, packs=packs, replay_inspections=False)
    a1 = Assessment(imported, packs=packs, replay_inspections=False)
    assert a1.current_levels() == a0.current_levels()


def _edit(path: Path, out: Path, sheet: str, edits: dict[tuple[str, str], object]) -> dict[tuple[str, str], str]:
    """Set cells by (risk id, header); returns the cell references."""
    wb = load_workbook(path)
    ws = wb[sheet]
    h = _headers(ws)
    refs = {}
    for (rid, header), value in edits.items():
        row = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(row=r, column=2).value == rid)
        cell = ws.cell(row=row, column=h.index(header) + 1)
        cell.value = value
        refs[(rid, header)] = f"{sheet}!{cell.coordinate}"
    wb.save(out)
    return refs


def test_import_reports_every_bad_cell_with_sheet_cell_and_value(register, tmp_path):
    bad = tmp_path / "bad.xlsx"
    refs = _edit(register, bad, "风险分级管控清单", {
        ("R-TK-FIRE", "L"): 7,
        ("R-TK-LEAK", "评价方法"): "LECC",
        ("R-TK-POISON", "事故类型"): "火烧",
        ("R-UL-STATIC", "评估等级"): "低",
        ("R-R101-FIRE", "固有风险等级"): "紫",
    })
    with pytest.raises(ValidationError) as exc:
        import_register(bad)
    text = str(exc.value)
    for ref in refs.values():
        assert ref in text, (ref, text)
    assert "must be one of" in text and "(got '7')" in text
    assert "'LECC'" in text and "'火烧'" in text and "'紫'" in text
    assert "较大" in text  # the level the inputs give, for the wrong 评估等级


def test_import_cli_exits_2_and_writes_nothing_on_bad_cells(register, tmp_path):
    bad = tmp_path / "bad.xlsx"
    _edit(register, bad, "风险分级管控清单", {("R-TK-FIRE", "E"): "often"})
    out = tmp_path / "e.yaml"
    res = CliRunner().invoke(cli, ["import", "register", str(bad), "-o", str(out)])
    assert res.exit_code == 2
    assert "风险分级管控清单!" in res.output and "'often'" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_import_of_a_hand_kept_register_without_reference_sheets(register, tmp_path):
    wb = load_workbook(register)
    for name in ("管控措施", "区域", "岗位", "风险点", "危险源", "说明"):
        del wb[name]
    ws = wb["风险分级管控清单"]
    h = _headers(ws)
    for col in ("风险编号", "区域编号", "风险点编号"):
        for r in range(HEADER_ROW + 1, ws.max_row + 1):
            ws.cell(row=r, column=h.index(col) + 1).value = None
    for r in range(HEADER_ROW + 1, ws.max_row + 1):  # controls by name only, as people write them
        for title in ("工程技术措施", "管理措施", "培训教育措施", "个体防护措施", "应急处置措施"):
            c = ws.cell(row=r, column=h.index(title) + 1)
            if c.value:
                c.value = "\n".join(line.split(" ", 1)[1] for line in c.value.splitlines())
    hand = tmp_path / "hand.xlsx"
    wb.save(hand)
    doc, e = import_register(hand, enterprise_id="ENT-HAND")
    assert e.id == "ENT-HAND" and e.name == "某精细化工有限公司"
    assert len(e.risks) == 31
    assert {a.name for a in e.areas} >= {"甲醇甲苯储罐组 (V301–V304)", "10kV 变配电室"}
    fire = next(r for r in e.risks if r.name == "甲醇储罐泄漏引发火灾")
    assert fire.inputs == {"L": 1, "E": 10, "C": 40}
    names = {c.name for c in e.controls if fire.id in c.mitigates}
    assert "罐区可燃/有毒气体检测报警系统" in names


def test_export_cli_formats_by_suffix(tmp_path):
    runner = CliRunner()
    for kind in ("register", "major-risks", "checklist", "ledger"):
        for suffix in (".xlsx", ".csv"):
            out = tmp_path / f"{kind}{suffix}"
            res = runner.invoke(cli, ["export", kind, str(EXAMPLE), "-o", str(out)])
            assert res.exit_code == 0, res.output
            assert out.stat().st_size > 0
    res = runner.invoke(cli, ["export", "register", str(EXAMPLE), "-o", str(tmp_path / "x.ods")])
    assert res.exit_code == 2 and ".xlsx" in res.output


def test_map_and_register_from_a_store_carry_the_head_hash(tmp_path):
    import json

    db = str(tmp_path / "store.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "import", str(EXAMPLE), "--db", db, "--by", "张三"]).exit_code == 0
    assert runner.invoke(cli, ["inspect", "--db", db]).exit_code == 0
    head = json.loads(runner.invoke(cli, ["assess", "--db", db, "--json"]).output)["store"]["head_hash"]
    svg = tmp_path / "map.svg"
    res = runner.invoke(cli, ["render", "map", "--db", db, "-e", "ENT-HX-CHEM", "-o", str(svg)])
    assert res.exit_code == 0, res.output
    assert f"流头哈希 {head}" in svg.read_text(encoding="utf-8")
    xlsx = tmp_path / "ledger.xlsx"
    res = runner.invoke(cli, ["export", "ledger", "--db", db, "-o", str(xlsx)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(xlsx)
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert wb["隐患排查治理台账"].max_row - HEADER_ROW == 4  # the example's four November defects, recorded in the store
    assert about["流头哈希"] == head
    res = runner.invoke(cli, ["export", "register", "--db", db, "-o", str(tmp_path / "r.xlsx")])
    about = {r[0]: r[1] for r in load_workbook(tmp_path / "r.xlsx")["说明"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert about["流头哈希"] == head and about["数据来源"].endswith("#ENT-HX-CHEM")
    res = runner.invoke(cli, ["export", "register", str(EXAMPLE), "--db", db, "-o", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "not both" in res.output


def test_assess_json_risk_records_carry_what_a_register_needs():
    import json

    res = CliRunner().invoke(cli, ["assess", str(EXAMPLE), "--json"])
    assert res.exit_code == 0, res.output
    risks = {r["id"]: r for r in json.loads(res.output)["risks"]}
    fire = risks["R-TK-FIRE"]
    assert fire["inputs"] == {"L": 1, "E": 10, "C": 40} and fire["category_edition"] == "2025" and fire["risk_point"] == "RP-TANKFARM"
    gds = next(c for c in fire["controls"] if c["id"] == "C-TK-GDS")
    assert gds == {"id": "C-TK-GDS", "name": "罐区可燃/有毒气体检测报警系统", "kind": "engineering", "owner_level": "workshop",
                   "post": "P-STO-DIR", "post_name": "储运车间主任", "people": ["何静"], "critical": True, "state": "weakened"}
    assert risks["R-DIST-SCALD"]["controls"] and all(c["kind"] == "ppe" for c in risks["R-DIST-SCALD"]["controls"])
