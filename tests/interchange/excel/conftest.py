"""Helpers for the spreadsheet tests: workbooks built with openpyxl, and what a load could touch."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from gongfen.common import Actor
from gongfen.interchange.excel import KINDS

CLI = Actor(None, "cli:test")


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An .xlsx holding ``sheets`` ({name: rows}, the first row being the header)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def headers(kind: str, sheet: str | None = None) -> list[str]:
    spec = KINDS[kind].main if sheet is None else next(s for s in KINDS[kind].sheets if s.name == sheet)
    return [c.header for c in spec.columns]


def entry_row(**values: Any) -> list[Any]:
    """A row of the 工分明细 sheet: ``values`` by column key, everything else blank."""
    return [values.get(c.key) for c in KINDS["entries"].main.columns]
