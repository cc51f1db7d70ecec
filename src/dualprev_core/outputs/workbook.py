"""Writing tables as Excel workbooks (openpyxl) and CSV files.

Every sheet has a title row, a frozen header row, level cells filled with the level's colour
(non-normative RGB, see :data:`~dualprev_core.model.levels.COLOUR_CITATION`), wrapped text,
column widths, and a print set-up (A4 landscape for wide lists, fit to one page wide, header
rows repeated on every page, page numbers in the footer).  CSV files are UTF-8 with a BOM so
Excel opens the Chinese text correctly; level cells are written as their Chinese names.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dualprev_core.errors import InvalidInput
from dualprev_core.model.levels import RiskLevel
from dualprev_core.outputs.tables import Table

__all__ = ["write_xlsx", "write_csv", "write_tables", "HEADER_ROW", "cell_text"]

#: The header row of every sheet (row 1 is the title).
HEADER_ROW = 2

_WHITE_ON = {RiskLevel.MAJOR, RiskLevel.LOW}


def cell_text(value: Any) -> Any:
    """A cell's value as written: levels by their Chinese names, ``None`` as empty."""
    if isinstance(value, RiskLevel):
        return value.zh
    if value is None:
        return ""
    return value


def write_xlsx(tables: Sequence[Table], path: str | Path) -> Path:
    """Write ``tables`` as the sheets of one workbook at ``path``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="D9D9D9")
    for t in tables:
        ws = wb.create_sheet(t.name[:31])
        ncol = len(t.columns)
        ws.cell(row=1, column=1, value=t.title).font = Font(bold=True, size=14)
        if ncol > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 26
        for j, col in enumerate(t.columns, start=1):
            c = ws.cell(row=HEADER_ROW, column=j, value=col.title)
            c.font = Font(bold=True)
            c.fill = header_fill
            c.border = border
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(j)].width = col.width
        for i, row in enumerate(t.rows, start=HEADER_ROW + 1):
            for j, col in enumerate(t.columns, start=1):
                value = row.get(col.key)
                c = ws.cell(row=i, column=j, value=cell_text(value))
                c.border = border
                c.alignment = Alignment(vertical="top", wrap_text=not col.is_id, horizontal="center" if col.level else None)
                if isinstance(value, RiskLevel):
                    c.fill = PatternFill("solid", fgColor=value.hex.lstrip("#"))
                    c.font = Font(bold=True, color="FFFFFF" if value in _WHITE_ON else "000000")
        ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
        if t.rows:
            ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ncol)}{HEADER_ROW + len(t.rows)}"
        ws.print_title_rows = f"1:{HEADER_ROW}"
        ws.page_setup.orientation = "landscape" if t.landscape else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A3 if t.landscape and ncol > 20 else ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddHeader.center.text = t.title
    path = Path(path)
    try:
        wb.save(path)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def write_csv(table: Table, path: str | Path) -> Path:
    """Write one table as CSV (UTF-8 with BOM, header row, no title row)."""
    path = Path(path)
    try:
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([c.title for c in table.columns])
            for row in table.rows:
                w.writerow([cell_text(row.get(c.key)) for c in table.columns])
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def write_tables(tables: Sequence[Table], path: str | Path) -> Path:
    """By ``path``'s suffix: ``.xlsx`` (every table a sheet) or ``.csv`` (the first table).

    :raises InvalidInput: for any other suffix.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return write_xlsx(tables, path)
    if suffix == ".csv":
        return write_csv(tables[0], path)
    raise InvalidInput(f"{path}: cannot tell the format from the suffix {suffix or '(none)'!r}; use .xlsx or .csv")
