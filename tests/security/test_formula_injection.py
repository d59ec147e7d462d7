"""Formula injection (issue 14, finding 5): a name or a description typed as a formula stays text in every export.

The attack: a cadre named ``=HYPERLINK("http://evil.example/","点我")`` and an
entry described ``=cmd|' /C calc'!A0`` (a DDE payload) became a live link and a
command in the Excel exports. Each export is downloaded here and every cell of
every sheet is read back: none is a formula, every formula-like text carries
Excel's quote prefix, the payloads are there (as text), and numbers, negative
ones too, are still numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from gongfen import cli
from gongfen.cellsafety import FORMULA_STARTS, csv_safe, is_formula_like
from gongfen.interchange.excel import KINDS
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.publication import services as publication
from gongfen.rankings.selectors import group_by_code
from tests import web_fixtures
from tests.factories import ACTOR
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/steal","点我查看")'
DDE = "=cmd|' /C calc'!A0"
PLUS = "+1+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
PAYLOADS = (LINK, DDE, PLUS, AT)


@pytest.fixture
def hostile(monkeypatch, request):
    """The web county, with A01 named LINK, A02 named DDE, formulas in descriptions and a reason; Q3 final."""
    original = web_fixtures.example_bundle

    def with_formulas():
        bundle = original()
        names = {"A01": LINK, "A02": DDE}
        for cadre in bundle["cadres"]:
            cadre["name"] = names.get(cadre["code"], cadre["name"])
        descriptions = {"E01": DDE, "E06": LINK, "E07": PLUS, "E03": AT, "E10": "\tTAB", "E11": "\rCR"}
        for entry in bundle["entries"]:
            if entry["id"] in descriptions:
                entry["description"] = descriptions[entry["id"]]
        return bundle

    monkeypatch.setattr(web_fixtures, "example_bundle", with_formulas)
    users = request.getfixturevalue("county")
    group = group_by_code("QX-ALL")
    publication.period_close(actor=ACTOR, group=group, period="2026Q3")
    ledger.entry_reject(actor=ACTOR, entry=Entry.objects.get(code="E10"), reason=DDE)
    publication.period_publish(actor=ACTOR, group=group, period="2026Q3", today=date(2026, 11, 20))
    publication.period_finalize(actor=ACTOR, group=group, period="2026Q3", today=date(2026, 11, 30))
    return users


def assert_no_formula(data: bytes) -> list:
    """Every cell of every sheet: no formula, formula-like text quote-prefixed; returns all the cells' values."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    values = []
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if is_formula_like(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                values.append(cell.value)
    return values


def texts(values) -> str:
    return "\n".join(str(v) for v in values if isinstance(v, str))


def test_board_and_ledger_exports(hostile, login):
    client = login("org")
    board = assert_no_formula(client.get("/outputs/board/QX-ALL/2026Q3.xlsx").content)
    assert LINK in board and DDE in board  # the names, as text
    a01 = assert_no_formula(client.get("/outputs/ledger/A01.xlsx", {"period": "2026Q3"}).content)
    assert DDE in a01 and AT in a01  # the descriptions
    a02 = assert_no_formula(client.get("/outputs/ledger/A02.xlsx", {"period": "2026Q3"}).content)
    assert LINK in a02 and PLUS in a02
    assert any(isinstance(v, (int, float)) and v < 0 for v in a02)  # the D-ERR deduction stays a (negative) number


def test_results_exports(hostile, login):
    client = login("org")
    actions = assert_no_formula(client.get("/results/QX-ALL/2026Q3/export.xlsx").content)
    assert LINK in actions and DDE in actions
    year = assert_no_formula(client.get("/results/year/QX-ALL/2026/export.xlsx").content)
    assert LINK in year
    county = assert_no_formula(client.get("/results/county/2026Q3/export.xlsx").content)
    assert LINK in texts(county)  # "=HYPERLINK(…)（A01）": the first-ranked cadre's name starts the cell


def test_audit_export(hostile, login):
    values = assert_no_formula(login("org").get("/audit/export.xlsx").content)
    assert DDE in values  # the reason of E10's rejection


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_spreadsheet_exports_and_templates_and_they_import_back_the_same_text(hostile, login, kind):
    client = login("org")
    data = client.get(f"/imports/export/{kind}/").content
    values = assert_no_formula(data)
    assert_no_formula(client.get(f"/imports/template/{kind}/").content)
    if kind == "cadres":
        assert LINK in values and DDE in values
    if kind == "entries":
        assert {DDE, LINK, PLUS, AT, "\tTAB"} <= set(values)  # (XML reads a stored \r back as \n)
        book = load_workbook(io.BytesIO(data), read_only=True)  # as the importer reads it
        rows = list(book["工分明细"].iter_rows(values_only=True))
        described = {row[0]: dict(zip(rows[0], row, strict=False)).get("工作内容") for row in rows[1:]}
        assert described["E01"] == DDE and described["E06"] == LINK  # the text itself is unchanged


def test_the_cli_csv_prefixes_formulas_and_keeps_numbers(hostile, capsys):
    assert cli.main(["rank", "--group", "QX-ALL", "--period", "2026Q3", "--format", "csv"]) == cli.EXIT_OK
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out.removeprefix("\ufeff"), newline="")))
    names = {row[3]: row[4] for row in rows[1:]}
    assert names["A01"] == "'" + LINK and names["A02"] == "'" + DDE
    assert not any(field.startswith(FORMULA_STARTS) and field != "-" for row in rows for field in row if field)


def test_csv_safe_leaves_numbers_alone():
    assert csv_safe("-1.50") == "-1.50" and csv_safe("+3") == "+3" and csv_safe(-2) == -2
    assert csv_safe("-1+cmd|' /C calc'!A0") == "'-1+cmd|' /C calc'!A0"
    assert csv_safe("\t=1") == "'\t=1" and csv_safe("\r=1") == "'\r=1" and csv_safe("甲一") == "甲一"
    assert all(csv_safe(p).startswith("'") for p in PAYLOADS)
