"""Formula injection (CSV/Excel injection): text that a spreadsheet would run as a formula is written as text.

A cadre's name or an entry's description is typed by users. Written as it is
into a cell, ``=HYPERLINK("http://…","点我")`` becomes a live link and
``=cmd|' /C calc'!A0`` a DDE command when a colleague opens the export. So every
.xlsx and .csv the product writes passes its text through here (OWASP "CSV
Injection"): a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is

- in .xlsx, stored as a text cell with Excel's "quote prefix" style (the cell
  shows the text, and editing it does not turn it into a formula), the value
  itself unchanged, so an exported workbook imports back to the same text;
- in .csv, prefixed with a single quote ``'``, which the spreadsheet shows as
  the start of a text.

Numbers stay numbers: a Decimal, int or float is never touched (a negative
amount stays numeric), and in CSV a text that is just a number (``-1.50``)
is left alone too.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def is_formula_like(value: Any) -> bool:
    """True for a text a spreadsheet could read as a formula (numbers, dates and None never are)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_safe(value: Any) -> Any:
    """A CSV field that no spreadsheet runs: formula-like text gets a leading ``'``; numbers stay as they are."""
    if is_formula_like(value) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def xlsx_as_text(cell) -> None:
    """Make an openpyxl cell holding formula-like text a plain text cell with the quote-prefix style."""
    if is_formula_like(cell.value):
        cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
        cell.quotePrefix = True  # and Excel would re-read "+1+cmd…" as one once the cell is edited
