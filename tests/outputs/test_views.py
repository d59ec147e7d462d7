"""Who gets the notice, the exports and the charts: anonymous, no right, permitted, out of scope (404)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from openpyxl import load_workbook

from gongfen.common import Actor
from gongfen.ledger.services import entries_decide
from gongfen.publication import services as publication
from gongfen.publication.selectors import closing_blockers
from gongfen.rankings.selectors import group_by_code, rank_all
from tests.web_fixtures import *  # noqa: F403

SVG_NS = "{http://www.w3.org/2000/svg}"
NOTICE = "/outputs/notice/QX-ALL/2026Q3/"
PDF = "/outputs/notice/QX-ALL/2026Q3.pdf"
JSON = "/outputs/notice/QX-ALL/2026Q3.json"
XLSX = "/outputs/board/QX-ALL/2026Q3.xlsx"
DISTRIBUTION = "/outputs/charts/distribution/QX-ALL/2026Q3.svg"
TREND = "/outputs/charts/trend/QX-ALL/2026Q3/A01.svg"
LEDGER = "/outputs/ledger/A01.xlsx"
UNITS = "/outputs/charts/units/2026Q3.svg"


@pytest.fixture
def published(county):
    """QX-ALL 2026Q3 closed and published (scope: the group's members) on 12 October 2026."""
    group, actor = group_by_code("QX-ALL"), Actor(county["org"])
    publication.period_close(actor=actor, group=group, period="2026Q3")
    entries_decide(actor=actor, entries=closing_blockers(group, "2026Q3"), decision="approve", reason="核实")
    return publication.period_publish(actor=actor, group=group, period="2026Q3", today=date(2026, 10, 12))


def status(client, url, user=None) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def test_anonymous_users_are_sent_to_log_in(county, client):
    for url in (NOTICE, PDF, JSON, XLSX, DISTRIBUTION, TREND, LEDGER, UNITS):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_before_publication_only_administrators_in_scope_see_a_marked_preview(county, client):
    for name in ("org", "qx_admin", "qx_reviewer"):
        client.force_login(county[name])
        response = client.get(NOTICE)
        assert response.status_code == 200
        assert "未公示 · 预览" in response.content.decode()
        assert client.get(JSON).status_code == 404  # no snapshot, no fingerprint yet
    for name in ("a01", "a04", "tc_admin", "tc_reviewer", "sk_lead"):  # members without a right, out of scope
        assert status(client, NOTICE, county[name]) == 404, name
        assert status(client, XLSX, county[name]) == 404, name


def test_after_publication_the_members_see_the_notice_and_outsiders_do_not(county, published, client):
    for name in ("a01", "a04", "org", "qx_admin"):
        client.force_login(county[name])
        response = client.get(NOTICE)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "齐溪镇2026年第三季度干部工分排名公示" in html and published.fingerprint in html
        assert "未公示" not in html
        assert client.get(JSON).status_code == 200
        assert client.get(f"{XLSX}?source=snapshot").status_code == 200
        assert client.get(f"{DISTRIBUTION}?source=snapshot").status_code == 200
    for name in ("tc_admin", "tc_reviewer", "sk_lead"):  # 桐村镇: outside the group's publication scope
        for url in (NOTICE, PDF, JSON, XLSX, DISTRIBUTION):
            assert status(client, url, county[name]) == 404, (name, url)
    client.force_login(county["a04"])
    assert client.get(f"{XLSX}?source=live").status_code == 404  # the live board is for administrators
    assert client.get(f"{NOTICE}?v=2").status_code == 404  # no such version
    assert client.get(f"{NOTICE}?v=x").status_code == 404


def test_unknown_group_and_period_are_not_found(county, client):
    client.force_login(county["org"])
    for url in (
        "/outputs/notice/NOPE/2026Q3/",
        "/outputs/notice/QX-ALL/2025Q3/",
        "/outputs/board/QX-ALL/2026Q9.xlsx",
        "/outputs/charts/distribution/QX-ALL/2025Q1.svg",
        "/outputs/charts/trend/QX-ALL/2026Q3/NOPE.svg",
        f"{XLSX}?source=other",
    ):
        assert client.get(url).status_code == 404, url


def test_without_gongfen_base_url_the_notice_uses_the_request_host_and_warns(county, client, settings, caplog):
    import gongfen.common
    from gongfen.outputs.apps import base_url_set

    settings.GONGFEN_BASE_URL = ""
    gongfen.common._warned_base_url = False
    client.force_login(county["qx_admin"])
    with caplog.at_level("WARNING", logger="gongfen"):
        html = client.get(NOTICE).content.decode()
    assert "http://testserver/publication/QX-ALL/2026Q3/object/" in html and 'class="qr"' in html
    assert any("GONGFEN_BASE_URL is not set" in r.getMessage() for r in caplog.records)
    assert [w.id for w in base_url_set(None)] == ["gongfen.W001"]  # and `check --deploy` says so
    settings.GONGFEN_BASE_URL = "https://gongfen.example.gov.cn"
    assert base_url_set(None) == []
    assert "https://gongfen.example.gov.cn/publication/QX-ALL/2026Q3/object/" in client.get(NOTICE).content.decode()


def test_the_preview_pdf_is_a_pdf(county, client):
    client.force_login(county["qx_admin"])
    response = client.get(PDF)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_the_ledger_export_lists_the_entries_the_user_may_see(county, client):
    client.force_login(county["a01"])
    response = client.get(f"{LEDGER}?period=2026Q3")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A2"].value == "记录编号" and ws.freeze_panes == "A3"
    codes = [row[0] for row in ws.iter_rows(min_row=3, values_only=True) if row[0] and row[2] == "2026Q3"]
    from gongfen.ledger.models import Entry

    assert codes == list(
        Entry.objects.filter(cadre__code="A01", period="2026Q3")
        .order_by("occurred_on", "id")
        .values_list("code", flat=True)
    )
    assert ws["K3"].number_format == "0.00" and ws["B3"].number_format == "yyyy-mm-dd"
    assert client.get(f"{LEDGER}?period=bad").status_code == 404
    for name, expected in {"a04": 404, "tc_admin": 404, "tc_reviewer": 404, "qx_admin": 200, "org": 200}.items():
        assert status(client, LEDGER, county[name]) == expected, name


def test_the_rank_chart_is_for_the_cadre_and_the_board_viewers(county, client):
    client.force_login(county["a01"])
    response = client.get(TREND)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    points = root.findall(f".//{SVG_NS}circle[@class='rank-point']")
    ranked = [
        r.period.code
        for r in (rank_all(q, [group_by_code("QX-ALL")])[0] for q in ("2026Q1", "2026Q2", "2026Q3"))
        if any(row.cadre == "A01" for row in r.rows)
    ]
    assert ranked and [p.get("data-period") for p in points] == ranked
    for name, expected in {"a04": 404, "qx_reviewer": 200, "tc_admin": 404, "sk_lead": 404}.items():
        assert status(client, TREND, county[name]) == expected, name
    client.force_login(county["a04"])
    assert client.get("/outputs/charts/trend/QX-ALL/2026Q3/A04.svg").status_code == 200  # their own


def test_the_live_distribution_is_for_board_viewers(county, client):
    for name, expected in {"qx_reviewer": 200, "a01": 404, "tc_admin": 404}.items():
        assert status(client, DISTRIBUTION, county[name]) == expected, name


def test_the_county_comparison_is_for_the_organisation_department(county, client):
    client.force_login(county["org"])
    response = client.get(UNITS)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.find(f"{SVG_NS}title").text == "各单位分档人数"
    assert {bar.get("data-unit") for bar in root.iter(f"{SVG_NS}rect") if bar.get("data-unit")} == {"齐溪镇"}
    for name in ("qx_admin", "qx_reviewer", "a01"):
        assert status(client, UNITS, county[name]) == 404, name
