"""What leaves the engine for people: the four-colour map, post cards, bulletin boards, the HTML
report, the registers and ledgers as Excel/CSV, and the register read back from Excel.

See ``docs/outputs.md``.  One module per output; this package re-exports the public names.
"""

from dualprev_core.outputs.boards import Board, area_boards, default_board_areas
from dualprev_core.outputs.browser import BrowserUnavailable, RenderFailed, find_chromium, html_to_pdf, html_to_png
from dualprev_core.outputs.cards import PostCard, post_cards
from dualprev_core.outputs.html import boards_html, cards_html, map_html, report_html
from dualprev_core.outputs.map import layout_map, render_map_svg
from dualprev_core.outputs.register_import import import_register, read_register, write_enterprise_document
from dualprev_core.outputs.source import OutputSource, source_from_files
from dualprev_core.outputs.tables import Column, Table, checklist_table, ledger_table, major_risk_table, register_tables
from dualprev_core.outputs.workbook import write_csv, write_tables, write_xlsx

__all__ = [
    "OutputSource", "source_from_files",
    "render_map_svg", "layout_map",
    "PostCard", "post_cards", "Board", "area_boards", "default_board_areas",
    "cards_html", "boards_html", "map_html", "report_html",
    "BrowserUnavailable", "RenderFailed", "find_chromium", "html_to_pdf", "html_to_png",
    "Column", "Table", "register_tables", "major_risk_table", "checklist_table", "ledger_table",
    "write_tables", "write_xlsx", "write_csv",
    "import_register", "read_register", "write_enterprise_document",
]
