"""The fairness page: each analysis with its definition, scoped to the schemes the reader administers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403

URL = reverse("analytics:fairness")


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(datetime(2026, 10, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def decisions(county):
    """qx_reviewer decides three declarations of 2026Q3: two approved, one rejected."""
    reviewer = User.objects.get(username="qx_reviewer")
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    for n, decision in enumerate(["approve", "approve", "reject"]):
        entry = ledger.entry_declare(
            actor=Actor(None, "test"), cadre=Cadre.objects.get(code="A04"), rule=rule, occurred_on=date(2026, 9, 1 + n)
        )
        ledger.entries_decide(actor=Actor(reviewer), entries=[entry], decision=decision, reason="核实")


def test_every_analysis_is_shown_with_its_definition(decisions, login):
    response = login("qx_admin").get(URL, {"period": "2026Q3"})
    assert response.status_code == 200
    text = response.text
    for section in ("leniency", "bursts", "flat", "outlier", "ballots", "inflation"):
        assert f'id="{section}"' in text
    assert "费希尔精确检验" in text and "Holm" in text and "二项检验" in text
    assert "qx_reviewer" in text and "齐溪镇全体干部" in text
    assert "未检验" in text  # three decisions: listed, too few to test
    assert text.count("<svg") == 4


def test_out_of_scope_schemes_are_not_analysed(decisions, login):
    text = login("tc_admin").get(URL, {"period": "2026Q3"}).text
    assert "qx_reviewer" not in text and "齐溪镇全体干部" not in text


def test_excel_and_a_bad_period(decisions, login):
    from io import BytesIO

    from openpyxl import load_workbook

    client = login("org")
    response = client.get(URL, {"period": "2026Q3", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["审核宽松度", "集中突击填报", "大锅饭与极端高分", "评价最高等次占比", "分数膨胀"]
    assert book["审核宽松度"]["B3"].value == "qx_reviewer"
    assert client.get(URL, {"period": "2026Q9"}).status_code == 400
