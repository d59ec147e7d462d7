"""Every Excel export prints as a report: A4, one page wide, caption and header on every page, page numbers.

The first test reads the print settings of every export the product offers (openpyxl).
The second prints three workbooks with LibreOffice (``soffice --headless --convert-to pdf``,
one call for all of them, about 10 s) and reads the PDFs back (pypdf): the 46-row board of a
demo-sized group on at most two pages (not six strips), the 18-column ledger one page wide, and
the caption and the header row on every page.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from gongfen.outputs import exports
from gongfen.outputs.selectors import BoardData, RankRow, UnrankedRow
from gongfen.outputs.xlsx import workbook_bytes
from gongfen.rankings.selectors import group_by_code, group_period
from tests.conftest import IN_CI
from tests.web_fixtures import *  # noqa: F403

EXPORTS = [
    "/outputs/board/QX-ALL/2026Q3.xlsx?source=live",
    "/outputs/ledger/A01.xlsx",
    "/audit/export.xlsx",
    "/results/QX-ALL/2026Q3/export.xlsx",
    "/results/year/QX-ALL/2026/export.xlsx",
    "/results/county/2026Q3/export.xlsx",
    "/imports/template/entries/",
    "/imports/export/cadres/",
]


def test_every_export_carries_its_print_setup(county, login):
    client = login("org")
    for url in EXPORTS:
        response = client.get(url)
        assert response.status_code == 200, url
        book = load_workbook(io.BytesIO(b"".join(response)))
        for ws in book.worksheets:
            if ws.sheet_state == "hidden":
                continue
            where = f"{url} «{ws.title}»"
            setup = ws.page_setup
            assert int(setup.paperSize) == int(ws.PAPERSIZE_A4), where
            assert ws.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth, setup.fitToHeight) == (1, 0), where
            widths = sum(ws.column_dimensions[c].width or 8.43 for c in ws.column_dimensions)
            assert setup.orientation == ("landscape" if widths > 100 else "portrait"), where
            assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, where
            if ws.freeze_panes:  # a table: its caption and header rows repeat on every page
                header_row = ws[ws.freeze_panes].row - 1
                assert ws.print_title_rows == f"$1:${header_row}", where


# --- printed by LibreOffice ------------------------------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        message = "LibreOffice (soffice) not found: python3 dev.py test installs Debian's libreoffice-calc"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def print_to_pdf(files: dict[str, bytes], where: Path) -> dict[str, PdfReader]:
    """Convert every workbook to PDF in one soffice call (a private profile: test passes run side by side)."""
    soffice = _soffice()
    sources = []
    for name, content in files.items():
        path = where / f"{name}.xlsx"
        path.write_bytes(content)
        sources.append(path)
    profile = (where / "lo-profile").as_uri()
    options = ["--headless", "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(where)]
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", *options, *map(str, sources)],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "HOME": str(where)},
    )
    out = {name: where / f"{name}.pdf" for name in files}
    missing = [str(p) for p in out.values() if not p.exists()]
    assert not missing, f"soffice made no {missing}: {done.stdout} {done.stderr}"
    return {name: PdfReader(path) for name, path in out.items()}


def demo_sized_board(county) -> BoardData:
    """A board of 46 ranked cadres (the size of a demo town group) with realistic widths of text."""
    group = group_by_code("QX-ALL")
    units = ["齐溪镇党政办公室", "齐溪镇文旅办", "齐溪镇农业农村办", "齐溪镇综合行政执法队", "齐溪镇社会事务办"]
    rows = []
    for i in range(46):
        composite = Decimal("96.40") - Decimal("0.73") * i
        rows.append(
            RankRow(
                rank=i + 1,
                cadre=f"QX{i + 1:03d}",
                name=["张", "王", "李", "赵", "刘", "陈"][i % 6] + ["晓明", "建国", "丽华", "志强", "雅婷"][i % 5],
                unit=units[i % len(units)],
                position=["中层干部", "一般干部", "驻村干部"][i % 3],
                quantitative=f"{132.5 - i * 1.5:.2f}",
                deductions="2.00" if i % 7 == 0 else "0.00",
                normalized=f"{100 - i * 1.1:.2f}",
                qualitative=f"{95 - i * 0.3:.2f}",
                composite=f"{composite:.2f}",
                tier=["一档", "二档", "三档", "四档"][min(i // 12, 3)],
                tier_index=min(i // 12, 3),
                vetoed=i == 45,
                actions=("首位推荐",) if i == 0 else (("末位回炉", "约谈提醒") if i >= 44 else ()),
            )
        )
    return BoardData(
        group=group,
        period=group_period(group, "2026Q3"),
        source="live",
        rows=tuple(rows),
        unranked=(UnrankedRow("QX047", "孙新来", 21),),
        tier_names=("一档", "二档", "三档", "四档"),
    )


def _pages_of(pdf: PdfReader, footer: str) -> list[str]:
    """The text of the pages printed from the sheet whose footer names ``footer``."""
    texts = [page.extract_text() or "" for page in pdf.pages]
    return [t for t in texts if footer in t]


def test_exports_print_on_few_pages_one_page_wide_with_the_header_on_each(county, login, tmp_path):
    from gongfen.ledger.models import Entry

    board = workbook_bytes(exports.board_sheets(demo_sized_board(county)))
    ledger = b"".join(login("org").get("/outputs/ledger/A01.xlsx"))
    # a long ledger: the cadre's lines repeated, to see the header repeat on a second page
    entries = list(Entry.objects.filter(cadre__code="A01").select_related("rule", "scheme", "recorded_by"))
    assert entries
    long_ledger = workbook_bytes(exports.ledger_sheets(entries[0].cadre, entries * (90 // len(entries) + 1), None))
    pdfs = print_to_pdf({"board": board, "ledger": ledger, "long-ledger": long_ledger}, tmp_path)

    ranking = _pages_of(pdfs["board"], "2026Q3 排名")
    assert 1 <= len(ranking) <= 2, f"the 46-row board printed on {len(ranking)} pages"
    for text in ranking:  # whole rows on every page: first and last column, the caption, page numbers
        assert "齐溪镇全体干部" in text and "排名 · 临时排名" in text  # the caption
        assert "名次" in text and "综合得分 C" in text and "结果运用" in text  # the header, not a strip of it
        assert "共 " in text and "页" in text
    assert "QX001" in ranking[0] and "QX046" in ranking[-1]
    assert len(pdfs["board"].pages) == len(ranking) + 1  # and one page for the cadres not ranked

    (page,) = pdfs["ledger"].pages  # a few lines: one page, all 18 columns across it
    text = page.extract_text()
    for header in (c.header for c in exports.LEDGER_COLUMNS):
        assert header in text, header
    width, height = page.mediabox.width, page.mediabox.height
    assert width > height  # landscape

    long_pages = [p.extract_text() for p in pdfs["long-ledger"].pages]
    assert len(long_pages) >= 2
    for text in long_pages:
        assert "工分台账" in text and "记录编号" in text and "冲销/更正的原记录" in text
    assert [f"第 {k} 页，共 {len(long_pages)} 页" in t for k, t in enumerate(long_pages, 1)] == [True] * len(long_pages)
