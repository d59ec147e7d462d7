"""Excel workbooks (.xlsx) for people who live in spreadsheets: Chinese headers, a frozen header row, number formats.

Every export in the product goes through :func:`xlsx_response`, so they all
look alike: a bold caption row (what, which quarter, when exported), the
header row frozen below it, and each column with its width and number
format. Numbers are written as numbers (Decimal → float only at the cell,
with the format showing the 2 places the board shows), never as text; text
that a spreadsheet would run as a formula stays text (gongfen.cellsafety).

Each sheet also prints as a report (:func:`print_setup`, also used by the import
templates of ``interchange.excel``): A4, landscape when the columns are wider than
a portrait page, scaled to one page wide, the caption and header rows repeated on
every page, page numbers in the footer (tests/outputs/test_xlsx_print.py prints
them with LibreOffice).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from gongfen.cellsafety import xlsx_as_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCORE = "0.00"  # points and scores as the board shows them
INTEGER = "0"
DATE = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12
    number_format: str | None = None


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    caption: str = ""  # a line above the header: what this is, which quarter, when exported
    notes: Sequence[str] = field(default_factory=tuple)  # lines below the table (e.g. the fingerprint)


# the column widths (Excel's units, about one digit each) that fit across A4 portrait within the margins below
PORTRAIT_WIDTH = 100
PAGE_FOOTER = "第 &P 页，共 &N 页"


def print_setup(ws, widths: Sequence[float], *, title_rows: int, footer_left: str = "") -> None:
    """How ``ws`` prints: A4, orientation by its width, one page wide (as many pages down as it needs),
    rows ``1..title_rows`` (the caption and the header) repeated on every page, page numbers in the footer."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(widths) > PORTRAIT_WIDTH else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # 0: no limit on the pages down
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    ws.oddFooter.center.text = PAGE_FOOTER
    if footer_left:
        ws.oddFooter.left.text = footer_left.replace("&", "&&")


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def _write(ws, sheet: Sheet) -> int:
    """Write one sheet; returns the number of data rows."""
    ws.title = sheet.title[:31]
    first = 1
    if sheet.caption:
        ws.cell(row=1, column=1, value=sheet.caption).font = Font(bold=True, size=13)
        first = 2
    fill = PatternFill("solid", fgColor="DDE7F3")
    for i, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=first, column=i, value=col.header)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = ws.cell(row=first + 1, column=1)
    n = 0
    for n, values in enumerate(sheet.rows, start=1):
        for i, (col, value) in enumerate(zip(sheet.columns, values, strict=True), start=1):
            cell = ws.cell(row=first + n, column=i, value=_cell(value))
            if col.number_format:
                cell.number_format = col.number_format
            elif isinstance(value, date):
                cell.number_format = DATE
    for k, line in enumerate(sheet.notes, start=first + n + 2):
        ws.cell(row=k, column=1, value=line)
    if n:
        ws.auto_filter.ref = f"A{first}:{get_column_letter(len(sheet.columns))}{first + n}"
    print_setup(ws, [col.width for col in sheet.columns], title_rows=first, footer_left=sheet.title)
    return n


def _no_formulas(ws) -> None:
    """No cell of ours is a formula: a name or description typed as ``=HYPERLINK(…)`` stays text."""
    for row in ws.iter_rows():
        for cell in row:
            xlsx_as_text(cell)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook()
    for k, sheet in enumerate(sheets):
        _write(wb.active if k == 0 else wb.create_sheet(), sheet)
        _no_formulas(wb.worksheets[k])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """An .xlsx download named ``filename`` (Chinese is fine: RFC 6266 filename*)."""
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
