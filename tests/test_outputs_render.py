"""The four-colour map, post cards, bulletin boards and the HTML report (without a browser)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.cli.app import cli
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.model.levels import RiskLevel
from dualprev_core.outputs.boards import area_boards, default_board_areas
from dualprev_core.outputs.cards import post_cards
from dualprev_core.outputs.html import cards_html, report_html
from dualprev_core.outputs.map import layout_map, render_map_svg
from dualprev_core.outputs.source import LOCAL_TIME, OutputSource, source_from_files
from dualprev_core.packs.loader import load_packs

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "enterprise.yaml"


@pytest.fixture(scope="module")
def src():
    return source_from_files(EXAMPLE)


def _areas(svg: str) -> dict[str, dict[str, str]]:
    out = {}
    for m in re.finditer(r"<(polygon|rect|circle) ([^>]*data-area=[^>]*)>", svg):
        attrs_ = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(2)))
        out[attrs_["data-area"]] = attrs_
    return out


def test_map_fills_every_area_with_its_level_and_finest_shows_on_top(src):
    svg = render_map_svg(src)
    shapes = _areas(svg)
    a = src.assessment
    assert set(shapes) == {x.id for x in src.enterprise.areas}
    for area in src.enterprise.areas:
        s = shapes[area.id]
        total = a.area_level(area.id)
        assert s["data-area-level"] == (total.key if total else "none")
        if s["data-leaf"] == "1":
            assert s["fill"] == (total.hex if total else "#E6E6E6")
    # parents before children in document order (children are drawn on top)
    order = [m.group(1) for m in re.finditer(r'data-area="([^"]+)"', svg)]
    for area in src.enterprise.areas:
        if area.parent:
            assert order.index(area.parent) < order.index(area.id)
    # R-R101-RUNAWAY moved to major by the failed interlock: its unit is red
    assert shapes["A-SYN-R"]["fill"] == RiskLevel.MAJOR.hex
    assert "某精细化工有限公司 安全风险四色分布图" in svg
    assert "绘制时间 " + src.generated_at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d") in svg
    assert "图例" in svg and "国家标准未规定 RGB 值" in svg
    # only installations a pack identifies as major hazards get the star (the R101 unit's 1.5 t of chlorine is below Q)
    assert src.major_hazards == {"MHI-TANKFARM": True, "MHI-R101": False}
    assert svg.count("★重大危险源") == 1
    assert "流头哈希" not in svg  # not drawn from a store


def test_map_shows_the_store_head_hash_when_given(src):
    stored = OutputSource(src.assessment, "postgresql://db/dualprev", src.generated_at, head="9f2c4e1d0a7b")
    assert "流头哈希 9f2c4e1d0a7b" in render_map_svg(stored)


def _small(geometry: dict[str, bool]) -> OutputSource:
    areas = [{"id": "SITE", "name": "厂区", **({"geometry": {"type": "polygon", "coordinates": [[0, 0], [100, 0], [100, 60], [0, 60]]}} if geometry["SITE"] else {})}]
    for i, aid in enumerate(("A1", "A2", "A3")):
        a = {"id": aid, "name": f"车间{i + 1}", "parent": "SITE"}
        if geometry[aid]:
            a["geometry"] = {"type": "polygon", "coordinates": [[5 + 30 * i, 5], [30 + 30 * i, 5], [30 + 30 * i, 55], [5 + 30 * i, 55]]}
        areas.append(a)
    doc = {
        "format": "dualprev-enterprise/1", "enterprise": {"id": "ENT-T", "name": "测试企业"}, "areas": areas,
        "risks": [{"id": f"R{i}", "name": f"风险{i}", "area": aid, "category": "火灾", "method": "ls", "inputs": {"L": lv, "S": 5}}
                  for i, (aid, lv) in enumerate((("A1", 5), ("A2", 1), ("A3", 3)))],
    }
    packs = load_packs(load_entrypoints=False)
    from datetime import datetime

    return OutputSource(Assessment(parse_enterprise(doc, packs=packs), packs=packs), "test", datetime(2026, 12, 1, tzinfo=LOCAL_TIME))


def test_areas_without_geometry_are_laid_out_schematically_and_the_map_says_so():
    s = _small({"SITE": True, "A1": True, "A2": False, "A3": False})
    svg = render_map_svg(s)
    shapes = _areas(svg)
    assert set(shapes) == {"SITE", "A1", "A2", "A3"}
    assert shapes["A2"]["data-schematic"] == "1" and shapes["A1"]["data-schematic"] == "0"
    assert "以下 2 个区域无平面坐标，按层级示意布置" in svg
    assert layout_map(s).schematic_ids == ["A2", "A3"]
    assert shapes["A1"]["fill"] == RiskLevel.MAJOR.hex
    none = render_map_svg(_small(dict.fromkeys(("SITE", "A1", "A2", "A3"), False)))
    assert "全部 4 个区域均无平面坐标" in none and len(_areas(none)) == 4


def test_cards_show_each_posts_risks_controls_and_phones(src):
    cards = {c.post.id: c for c in post_cards(src)}
    react = cards["P-REACT"]
    assert react.level is RiskLevel.MAJOR
    ids = [r.id for r in react.risks]
    assert "R-R101-RUNAWAY" in ids and ids[0] in {r.id for r in src.assessment.major_risks()}
    assert [r.level for r in react.risks] == sorted((r.level for r in react.risks), reverse=True)
    assert "正压式空气呼吸器、安全绳及专职监护人" in react.ppe
    assert any("反应失控现场处置方案" in x for x in react.emergency)
    assert ("火警", "119") in react.phones
    assert react.missing  # the example records no report phone: left blank, and said so
    html = cards_html(src, [react], paper="a5")
    assert "岗位安全风险告知卡" in html and "size: 148mm 210mm" in html and "R-R101-RUNAWAY" in html
    assert 'class="blank"' in html


def test_boards_per_workshop_with_their_own_map(src):
    assert default_board_areas(src) == ["A-SYN", "A-TANK", "A-UTIL", "A-WH"]
    boards = {b.area.id: b for b in area_boards(src)}
    tank = boards["A-TANK"]
    assert tank.level is RiskLevel.MAJOR
    assert any("MHI-TANKFARM" in m for m in tank.major_hazards)
    assert set(_areas(tank.map_svg)) == {"A-TANK", "A-TANK-1", "A-TANK-2"}
    assert any(p.people == "何静" for p in tank.responsible)
    assert {h[0] for h in tank.hidden_dangers} == {h.id for h in src.assessment.ledger.open()
                                                    if any(c.id == h.control_id for r in tank.risks for c in src.controls_of(r.id))}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if d.get("id"):
            self.ids.add(str(d["id"]))
        if tag == "a" and d.get("href"):
            self.hrefs.append(str(d["href"]))
        for k in ("src", "href"):
            v = d.get(k) or ""
            if k in d and not v.startswith("#"):
                self.external.append(v)


def test_report_is_one_file_with_every_link_inside_it(src):
    html = report_html(src)
    p = _Links()
    p.feed(html)
    assert not p.external, p.external
    assert p.hrefs and all(h[1:] in p.ids for h in p.hrefs)
    for card in post_cards(src):
        assert f"#{card.anchor}" in p.hrefs
    for hd in src.assessment.ledger.open():
        assert hd.id in html
    assert "重大风险清单" in html and "<svg" in html


def test_render_cli_by_suffix_and_clear_errors(tmp_path):
    runner = CliRunner()
    for kind, suffix in (("map", ".svg"), ("map", ".html"), ("cards", ".html"), ("board", ".html"), ("report", ".html")):
        out = tmp_path / f"{kind}{suffix}"
        res = runner.invoke(cli, ["render", kind, str(EXAMPLE), "-o", str(out)])
        assert res.exit_code == 0, res.output
        assert out.stat().st_size > 1000
    res = runner.invoke(cli, ["render", "map", str(EXAMPLE), "-o", str(tmp_path / "m.gif")])
    assert res.exit_code == 2 and ".svg .png .pdf .html" in res.output
    res = runner.invoke(cli, ["render", "cards", str(EXAMPLE), "--post", "P-NOPE", "-o", str(tmp_path / "c.html")])
    assert res.exit_code == 2 and "P-NOPE" in res.output and "Traceback" not in res.output
    res = runner.invoke(cli, ["render", "map", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "m.svg")])
    assert res.exit_code == 2 and "missing.yaml" in res.output


def test_pdf_without_chromium_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DUALPREV_CHROMIUM", str(tmp_path / "no-such-chromium"))
    res = CliRunner().invoke(cli, ["render", "map", str(EXAMPLE), "-o", str(tmp_path / "m.pdf")])
    assert res.exit_code == 2
    assert "Chromium" in res.output and "fonts-noto-cjk" in res.output and "Traceback" not in res.output
