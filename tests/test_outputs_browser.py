"""PNG, PDF and the HTML report in a real browser (headless Chromium): Chinese text renders,
the page logs no error, requests nothing outside itself, and the map's areas have their colours."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from services import require_chromium

from dualprev_core.cli.app import cli
from dualprev_core.model.levels import RiskLevel

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "enterprise.yaml"


@pytest.fixture(scope="module")
def chromium():
    return require_chromium()


def _rgb(hex_: str) -> tuple[int, int, int]:
    h = hex_.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _close(a: tuple[int, ...], b: tuple[int, ...], tol: int = 12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a[:3], b[:3], strict=True))


def test_map_png_draws_the_chinese_title_and_the_area_colours(chromium, tmp_path, monkeypatch):
    monkeypatch.setenv("DUALPREV_CHROMIUM", str(chromium))
    out = tmp_path / "map.png"
    res = CliRunner().invoke(cli, ["render", "map", str(EXAMPLE), "-o", str(out)])
    assert res.exit_code == 0, res.output
    img = Image.open(out).convert("RGB")
    assert img.size[0] == 1000
    # the title (centred at y≈32, 22 px CJK glyphs): ink in the band, white above it
    band = [img.getpixel((x, y)) for x in range(300, 700) for y in range(18, 42)]
    dark = sum(1 for p in band if sum(p) < 200)
    assert dark > 400, "the title's Chinese characters did not render"
    assert all(p == (255, 255, 255) for p in (img.getpixel((x, 4)) for x in range(300, 700)))
    colours = {img.getpixel((x, y)) for x in range(0, img.size[0], 7) for y in range(80, img.size[1] - 100, 7)}
    for level in (RiskLevel.MAJOR, RiskLevel.LARGE, RiskLevel.GENERAL):
        assert any(_close(c, _rgb(level.hex)) for c in colours), level


def test_cards_pdf_embeds_a_cjk_font_and_its_text_extracts(chromium, tmp_path, monkeypatch):
    import pypdf

    monkeypatch.setenv("DUALPREV_CHROMIUM", str(chromium))
    out = tmp_path / "cards.pdf"
    res = CliRunner().invoke(cli, ["render", "cards", str(EXAMPLE), "--post", "P-REACT", "--paper", "a5", "-o", str(out)])
    assert res.exit_code == 0, res.output
    reader = pypdf.PdfReader(out)
    fonts = set()
    for page in reader.pages:
        for f in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            font = f.get_object()  # Chromium embeds CFF fonts as Type3 glyphs: the name is on the descriptor
            fonts.add(str(font.get("/BaseFont") or font["/FontDescriptor"].get_object().get("/FontName")))
    assert any("CJK" in f for f in fonts), fonts
    box = reader.pages[0].mediabox
    assert abs(float(box.width) / 72 * 25.4 - 148) < 2 and abs(float(box.height) / 72 * 25.4 - 210) < 2  # A5
    text = "".join(p.extract_text() for p in reader.pages)
    assert "告知卡" in text and "R-R101-RUNAWAY" in text and "119" in text


def test_report_in_the_browser_has_no_errors_and_coloured_areas(chromium, tmp_path):
    from cdp import Browser

    out = tmp_path / "report.html"
    res = CliRunner().invoke(cli, ["render", "report", str(EXAMPLE), "-o", str(out)])
    assert res.exit_code == 0, res.output
    with Browser(chromium) as b:
        b.open(out.as_uri())
        assert b.errors() == []
        assert set(b.requested()) == {out.as_uri()}, b.requested()  # self-contained
        leaves = json.loads(b.evaluate("""JSON.stringify([...document.querySelectorAll('#map [data-leaf="1"]')].map(e => {
            const r = e.getBoundingClientRect();
            return {id: e.dataset.area, level: e.dataset.areaLevel, x: r.left + window.scrollX + r.width * 0.1,
                    y: r.top + window.scrollY + r.height * 0.08};
        }))"""))
        links = json.loads(b.evaluate("JSON.stringify([...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href')))"))
        missing = b.evaluate("[...document.querySelectorAll('a[href^=\"#\"]')].filter(a => !document.getElementById(a.getAttribute('href').slice(1))).length")
        png = b.screenshot()
    assert len(leaves) == 8 and links and missing == 0
    img = Image.open(io.BytesIO(png)).convert("RGB")
    for leaf in leaves:
        got = img.getpixel((int(leaf["x"]), int(leaf["y"])))
        want = _rgb(RiskLevel.parse(leaf["level"]).hex)
        assert _close(got, want), (leaf, got, want)
