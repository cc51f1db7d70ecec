"""``dualprev render``, ``export`` and ``import``: the documents people use, in and out.

The format is taken from the output file's suffix.  Heavy libraries (openpyxl, jinja2, the
assessment itself) are imported inside the commands so ``dualprev --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from dualprev_core.cli.common import _check_source, _db_option, _enterprise_id_option, _fail, _guard, _packs, _set_lang, open_state

__all__ = ["render_group", "export_group", "import_group", "render_map", "render_cards", "render_board", "render_report", "import_register_cmd"]

_F = TypeVar("_F", bound=Callable[..., Any])

_MSG = {
    "zh": {"wrote": "已写出", "rows": "行", "pages": "页", "note": "注意"},
    "en": {"wrote": "wrote", "rows": "rows", "pages": "pages", "note": "note"},
}


def _source_options(fn: _F) -> _F:
    fn = _enterprise_id_option(fn)
    fn = _db_option(fn)
    fn = click.option("--ledger", type=click.Path(path_type=Path), help="with FILE: hidden-danger event file (JSON lines) to draw the ledger from")(fn)
    fn = click.argument("source", type=click.Path(path_type=Path), required=False)(fn)
    return fn


def _out_options(fn: _F) -> _F:
    fn = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="message language",
                      callback=_set_lang, is_eager=True)(fn)
    fn = click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True, help="output file; its suffix gives the format")(fn)
    return fn


def _load(source: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None) -> Any:
    """The enterprise file (with --ledger) or the store's enterprise (--db URL, -e ID), assessed."""
    from dualprev_core.outputs.source import source_from_state

    _check_source(source, db, file_flag="SOURCE")
    if source is not None:
        if not source.exists():
            _fail(f"{source}: file not found")
        if ledger is not None and not ledger.exists():
            _fail(f"{ledger}: --ledger file not found")
        return source_from_state(open_state(source, ledger=ledger))
    if ledger is not None:
        _fail("--ledger goes with an enterprise file; the store holds its own ledger")
    return source_from_state(open_state(None, db=db, enterprise_id=enterprise_id))


def _suffix(output: Path, allowed: tuple[str, ...]) -> str:
    suffix = output.suffix.lower()
    if suffix not in allowed:
        _fail(f"{output}: cannot tell the format from the suffix {suffix or '(none)'!r}; use {' '.join(allowed)}")
    return suffix


def _wrote(lang: str, output: Path, detail: str = "") -> None:
    click.echo(f"{_MSG[lang]['wrote']} {output}" + (f" ({detail})" if detail else ""))


# ---------------------------------------------------------------------------------- export
class _ExportGroup(click.Group):
    """``export``: the lists and ledgers here, plus commands other modules add lazily."""

    #: Subcommands living in other modules (loaded when used): name -> "module:attribute".
    LAZY = {"submission": "dualprev_core.cli.exchange:submission_cmd"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.LAZY:
            from dualprev_core.cli.app import load_command

            self.commands[cmd_name] = load_command(self.LAZY[cmd_name])
        return self.commands.get(cmd_name)


@click.group("export", cls=_ExportGroup)
def export_group() -> None:
    """Lists and ledgers as .xlsx or .csv (register, major-risks, checklist, ledger); submission for the exchange model."""


def _export(kind: str) -> Any:
    @_source_options
    @_out_options
    @_guard
    def command(source: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None, output: Path, lang: str) -> None:
        from dualprev_core.outputs import tables as t
        from dualprev_core.outputs.workbook import write_tables

        _suffix(output, (".xlsx", ".csv"))
        src = _load(source, ledger, db, enterprise_id)
        # every workbook ends with the 说明 sheet: enterprise, when and from what (the store's head hash)
        built = {"register": t.register_tables,
                 "major-risks": lambda s: [t.major_risk_table(s), t.about_table(s, "dualprev-major-risks/1")],
                 "checklist": lambda s: [t.checklist_table(s), t.about_table(s, "dualprev-checklist/1")],
                 "ledger": lambda s: [t.ledger_table(s), t.about_table(s, "dualprev-ledger/1")]}[kind](src)
        write_tables(built, output)
        _wrote(lang, output, f"{len(built[0].rows)} {_MSG[lang]['rows']}")

    return command


_EXPORT_HELP = {
    "register": "风险分级管控清单: every risk with its evaluation, level and controls (and the sheets it refers to).",
    "major-risks": "重大风险清单: the risks whose current level is major, as reported to the regulator.",
    "checklist": "隐患排查清单: inspection items with content, frequency and post.",
    "ledger": "隐患排查治理台账: every hidden danger from finding to closure (use --ledger for the event file).",
}
for _kind, _help in _EXPORT_HELP.items():
    export_group.command(_kind, help=_help)(_export(_kind))


# ---------------------------------------------------------------------------------- render
class _Bar:
    """A rich progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, description: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        err = Console(stderr=True)
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=err, disable=not err.is_terminal, transient=True)
        self._task = self._progress.add_task(description, total=None)

    def __enter__(self) -> _Bar:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.__exit__(*exc)

    def __call__(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)


def _note_missing(lang: str, missing: set[str]) -> None:
    if missing:
        what = "、".join(sorted(missing))
        msg = (f"注意：数据中缺少 {what}，文档中留空待填写" if lang == "zh" else
               f"note: the data lacks {what}; left blank on the documents to be written in")
        click.echo(f"dualprev: {msg}", err=True)


def _write_html_or_print(html: str, output: Path, suffix: str, *, png_size: tuple[int, int] | None = None) -> None:
    from dualprev_core.outputs.browser import html_to_pdf, html_to_png

    if suffix == ".html":
        try:
            output.write_text(html, encoding="utf-8")
        except OSError as exc:
            _fail(f"{output}: cannot write: {exc.strerror or exc}")
    elif suffix == ".pdf":
        html_to_pdf(html, output)
    elif suffix == ".png" and png_size is not None:
        html_to_png(html, output, width=png_size[0], height=png_size[1])


@click.group("render")
def render_group() -> None:
    """Documents for people: the four-colour map, post cards, bulletin boards, the HTML report."""


@render_group.command("map")
@_source_options
@click.option("--area", help="draw only this area and what lies below it")
@click.option("--width", type=click.IntRange(400, 8000), default=1000, show_default=True, help="drawing width in pixels")
@_out_options
@_guard
def render_map(source: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None, area: str | None, width: int, output: Path, lang: str) -> None:
    """安全风险四色分布图 as .svg, .png, .pdf or .html."""
    from dualprev_core.errors import UnknownReference, suggest
    from dualprev_core.outputs.html import map_html, svg_size
    from dualprev_core.outputs.map import layout_map, render_map_svg

    suffix = _suffix(output, (".svg", ".png", ".pdf", ".html"))
    src = _load(source, ledger, db, enterprise_id)
    if area is not None and src.area(area) is None:
        raise UnknownReference(f"--area: {area!r} is not an area of {src.enterprise.id}{suggest(area, [a.id for a in src.enterprise.areas])}")
    svg = render_map_svg(src, root=area, width=width)
    if suffix == ".svg":
        try:
            output.write_text(svg, encoding="utf-8")
        except OSError as exc:
            _fail(f"{output}: cannot write: {exc.strerror or exc}")
    else:
        _write_html_or_print(map_html(svg, f"{src.enterprise.name} 安全风险四色分布图"), output, suffix, png_size=svg_size(svg))
    schematic = layout_map(src, root=area, width=width).schematic_ids
    if schematic:
        click.echo(("dualprev: 注意：" + f"{len(schematic)} 个区域无平面坐标，已按示意布置：" if lang == "zh" else
                    f"dualprev: note: {len(schematic)} area(s) have no plan geometry and are laid out schematically: ")
                   + ", ".join(schematic), err=True)
    _wrote(lang, output)


@render_group.command("cards")
@_source_options
@click.option("--post", "posts", multiple=True, help="only this post (repeatable); default every post with risks")
@click.option("--paper", type=click.Choice(["a4", "a5"]), default="a4", show_default=True, help="paper size of the printed cards")
@_out_options
@_guard
def render_cards(source: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None, posts: tuple[str, ...], paper: str, output: Path, lang: str) -> None:
    """岗位安全风险告知卡, one per post, as printable .html or .pdf."""
    from dualprev_core.outputs.cards import post_cards
    from dualprev_core.outputs.html import cards_html

    suffix = _suffix(output, (".html", ".pdf"))
    src = _load(source, ledger, db, enterprise_id)
    with _Bar("告知卡" if lang == "zh" else "cards") as bar:
        cards = post_cards(src, posts or None, progress=bar)
    _write_html_or_print(cards_html(src, cards, paper=paper), output, suffix)
    _note_missing(lang, {m for c in cards for m in c.missing})
    _wrote(lang, output, f"{len(cards)} " + ("张告知卡" if lang == "zh" else "cards"))


@render_group.command("board")
@_source_options
@click.option("--area", "areas", multiple=True, help="only this area (repeatable); default every workshop or zone")
@click.option("--paper", type=click.Choice(["a4", "a5"]), default="a4", show_default=True, help="paper size")
@_out_options
@_guard
def render_board(source: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None, areas: tuple[str, ...], paper: str, output: Path, lang: str) -> None:
    """安全风险公告栏, one per area or workshop, with its map, as .html or .pdf."""
    from dualprev_core.outputs.boards import area_boards
    from dualprev_core.outputs.html import boards_html

    suffix = _suffix(output, (".html", ".pdf"))
    src = _load(source, ledger, db, enterprise_id)
    with _Bar("公告栏" if lang == "zh" else "boards") as bar:
        boards = area_boards(src, areas or None, progress=bar)
    _write_html_or_print(boards_html(src, boards, paper=paper), output, suffix)
    _note_missing(lang, {m for b in boards for m in b.missing})
    _wrote(lang, output, f"{len(boards)} " + ("块公告栏" if lang == "zh" else "boards"))


@render_group.command("report")
@_source_options
@_out_options
@_guard
def render_report(source: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None, output: Path, lang: str) -> None:
    """One self-contained HTML file (or its PDF): map, level counts, major risks, open hidden dangers, cards, boards."""
    from dualprev_core.outputs.html import report_html

    suffix = _suffix(output, (".html", ".pdf"))
    src = _load(source, ledger, db, enterprise_id)
    _write_html_or_print(report_html(src), output, suffix)
    _wrote(lang, output)


# ---------------------------------------------------------------------------------- import
@click.group("import")
def import_group() -> None:
    """Read documents kept elsewhere into dualprev files: register (风险分级管控清单 .xlsx)."""


@import_group.command("register")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--enterprise-id", help="enterprise id when the workbook has no 说明 sheet (default: from the file name)")
@_out_options
@_guard
def import_register_cmd(workbook: Path, enterprise_id: str | None, output: Path, lang: str) -> None:
    """Read a 风险分级管控清单 workbook (.xlsx) and write an enterprise file (.yaml or .json).

    Every bad cell is reported with its sheet, cell and value; nothing is written then (exit 2).
    """
    from dualprev_core.outputs.register_import import import_register, write_enterprise_document

    if not workbook.exists():
        _fail(f"{workbook}: file not found")
    _suffix(output, (".yaml", ".yml", ".json"))
    with _Bar("读取清单" if lang == "zh" else "reading") as bar:
        bar(0, 1)
        document, enterprise = import_register(workbook, packs=_packs(), enterprise_id=enterprise_id)
        bar(1, 1)
    write_enterprise_document(document, output, note=f"imported from {workbook.name} by dualprev import register")
    detail = (f"{len(enterprise.risks)} 项风险，{len(enterprise.controls)} 项管控措施，{len(enterprise.areas)} 个区域" if lang == "zh" else
              f"{len(enterprise.risks)} risks, {len(enterprise.controls)} controls, {len(enterprise.areas)} areas")
    _wrote(lang, output, detail)
