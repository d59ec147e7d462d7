"""The Excel export of an item-tree board carries the tree: a 指标明细 sheet, one column per item (scoring-v2 §15)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gongfen.outputs import exports
from gongfen.outputs.selectors import live_board
from gongfen.outputs.xlsx import workbook_bytes
from gongfen.schemes.models import RankingGroup
from tests.conftest import EXAMPLES, load_json
from tests.factories import example_bundle, load

pytestmark = pytest.mark.django_db


def sheet_rows(data: bytes, title: str) -> list[tuple]:
    ws = load_workbook(io.BytesIO(data))[title]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_the_board_of_an_item_tree_scheme_exports_every_item_and_coefficient():
    load(example_bundle("majin-2026q3.json"))
    board = live_board(RankingGroup.objects.get(code="MJ-ALL"), "2026Q3")
    data = workbook_bytes(exports.board_sheets(board))
    rows = sheet_rows(data, "指标明细")
    header = rows[1]
    assert header[:3] == ("名次", "干部编号", "姓名")
    assert "岗位职责 › 作风纪律（10分，扣完为止）" in header
    expected = {r["cadre"]: r for r in load_json(EXAMPLES / "majin-2026q3.expected.json")["rows"]}
    codes = list(expected["M02"]["items"])
    tops = list(expected["M02"]["coefficients"])
    assert len(header) == 3 + len(codes) + len(tops)
    for row in rows[2:]:
        want = expected[row[1]]
        assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in row[3 : 3 + len(codes)]] == [
            Decimal(want["items"][c]) for c in codes
        ]
        assert [Decimal(str(v)) for v in row[3 + len(codes) :]] == [Decimal(want["coefficients"][c]) for c in tops]


def test_a_v1_board_has_no_item_sheet():
    load(example_bundle())
    board = live_board(RankingGroup.objects.get(code="QX-ALL"), "2026Q3")
    assert "指标明细" not in [s.title for s in exports.board_sheets(board)]
