"""The results pages: who sees them, lists and overrides, the county summary, the year's account, Excel."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from gongfen.publication.models import ActionOverride, ActionOverrideConfirmation
from tests.web_fixtures import *  # noqa: F403

from .conftest import finalize, publish

pytestmark = pytest.mark.django_db

ACTIONS = "/results/QX-ALL/2026Q3/"
PAGES = {
    "index": ("/results/", {"org", "qx_admin", "tc_admin"}),
    "years": ("/results/year/", {"org", "qx_admin", "tc_admin"}),
    "actions": ("/results/QX-ALL/2026Q3/", {"org", "qx_admin"}),
    "actions_export": ("/results/QX-ALL/2026Q3/export.xlsx", {"org", "qx_admin"}),
    "year": ("/results/year/QX-ALL/2026/", {"org", "qx_admin"}),
    "year_export": ("/results/year/QX-ALL/2026/export.xlsx", {"org", "qx_admin"}),
    "county_year": ("/results/county/2026/", {"org", "qx_admin"}),
    "county_quarter": ("/results/county/2026Q3/", {"org", "qx_admin"}),
    "county_export": ("/results/county/2026Q3/export.xlsx", {"org", "qx_admin"}),
}


def data_cadres(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr[^>]*data-cadre="([^"]+)"', table)


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(ws, first=3):
    """Data rows below the caption (row 1) and the header (row 2)."""
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True) if any(v is not None for v in r)]


# --- permissions: anonymous, no right, permitted, out of scope ---------------------------------


@pytest.mark.parametrize("page", sorted(PAGES))
def test_who_sees_each_page(page, q3_final, client, login):
    url, allowed = PAGES[page]
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    for user in ("org", "qx_admin", "qx_reviewer", "tc_admin", "tc_reviewer", "a01", "sk_lead"):
        status = login(user).get(url).status_code
        assert status == (200 if user in allowed else 404), (user, status)


def test_county_index_redirects_to_this_year(county, login):
    response = login("org").get("/results/county/")
    assert response.status_code == 302 and re.match(r"^/results/county/\d{4}/$", response["Location"])
    assert login("a01").get("/results/county/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/results/QX-ALL/2025Q3/",  # not in the scheme's year
        "/results/QX-ALL/nonsense/",
        "/results/NOPE/2026Q3/",
        "/results/year/QX-ALL/2025/",
        "/results/county/2025/",  # no group of that year in scope
        "/results/county/nonsense/",
    ],
)
def test_unknown_things_answer_404(url, q3_final, login):
    assert login("org").get(url).status_code == 404


def test_override_permissions(q3_final, client, login):
    url = "/results/QX-ALL/2026Q3/override/"
    data = {"cadre": "A02", "action": "recommend", "include": "1", "reason": "表现突出"}
    assert "/login/" in client.post(url, data)["Location"]
    assert login("a01").post(url, data).status_code == 404
    assert login("tc_admin").post(url, data).status_code == 404
    assert login("qx_admin").post(url, data).status_code == 403  # in scope, but only 组织部 overrides
    assert ActionOverride.objects.count() == 0
    assert login("org").post(url, data).status_code == 302
    assert ActionOverride.objects.get().created_by.username == "org"


# --- the action lists --------------------------------------------------------------------------


def test_before_publication_no_lists(county, login):
    html = login("org").get(ACTIONS).content.decode()
    assert 'id="not-available"' in html and 'id="tiers"' not in html


def test_while_published_lists_are_provisional_and_not_overridable(qx, login):
    publish(qx, "2026Q3")
    html = login("org").get(ACTIONS).content.decode()
    assert 'id="provisional"' in html and 'id="override"' not in html
    assert data_cadres(html, "tiers") == ["A01", "A02", "A04", "A03", "A08", "A05"]


def test_final_lists_and_an_override_shown_as_such(q3_final, org2, login):
    client = login("org")
    html = client.get(ACTIONS).content.decode()
    assert 'id="override"' in html and 'id="provisional"' not in html
    assert 'data-cadre="A01"' in html.split('id="list-recommend"')[1].split("</section>")[0]
    response = client.post(
        ACTIONS + "override/", {"cadre": "A02", "action": "recommend", "include": "1", "reason": "抗洪抢险表现突出"}
    )
    assert response.status_code == 302
    html = client.get(ACTIONS).content.decode()
    assert "待复核" in html  # a proposal: not yet on the list
    assert 'data-cadre="A02"' not in html.split('id="list-recommend"')[1].split("</section>")[0]
    pk = ActionOverride.objects.get().pk
    assert client.post(f"{ACTIONS}override/{pk}/confirm/").status_code == 302  # the proposer cannot confirm
    assert not ActionOverrideConfirmation.objects.exists()
    login("org2").post(f"{ACTIONS}override/{pk}/confirm/")
    client = login("org")
    html = client.get(ACTIONS).content.decode()
    recommend = html.split('id="list-recommend"')[1].split("</section>")[0]
    assert 'data-cadre="A02"' in recommend and "组织部调整" in recommend
    row = html.split('<tr class="tier-1" data-cadre="A02">')[1].split("</tr>")[0]
    assert "计算结果为不列入" in row and "org" in row and "抗洪抢险表现突出" in row
    assert "调整记录" in html
    # the unit administrator sees the override but has no form
    html = login("qx_admin").get(ACTIONS).content.decode()
    assert "抗洪抢险表现突出" in html and 'id="override"' not in html


def test_override_without_reason_is_refused_on_the_page(q3_final, login):
    response = login("org").post(ACTIONS + "override/", {"cadre": "A02", "action": "recommend", "include": "1"})
    assert response.status_code == 400 and ActionOverride.objects.count() == 0
    response = login("org").post(
        ACTIONS + "override/", {"cadre": "A01", "action": "recommend", "include": "1", "reason": "再次推荐"}
    )
    assert response.status_code == 400 and "无需调整" in response.content.decode()
    assert ActionOverride.objects.count() == 0


def test_actions_export_has_the_pages_rows(q3_final, org2, login):
    client = login("org")
    client.post(ACTIONS + "override/", {"cadre": "A05", "action": "retrain", "include": "0", "reason": "复核"})
    login("org2").post(f"{ACTIONS}override/{ActionOverride.objects.get().pk}/confirm/")
    client = login("org")
    html = client.get(ACTIONS).content.decode()
    wb = workbook(client.get(ACTIONS + "export.xlsx"))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[2]][:5] == ["名次", "代码", "姓名", "档次", "综合得分"]
    assert ws.freeze_panes == "A3"
    rows = sheet_rows(ws)
    assert [r[1] for r in rows] == data_cadres(html, "tiers")
    assert rows[0][:5] == [1, "A01", "甲一", "一档", 97.43] and ws.cell(3, 5).number_format == "0.00"
    a05 = next(r for r in rows if r[1] == "A05")
    assert a05[6] == "末位回炉" and a05[7] is None and "复核" in a05[8]
    assert [ws.title for ws in wb.worksheets] == ["分档与名单", "首位推荐", "末位回炉", "调整"]
    assert [r[1] for r in sheet_rows(wb["首位推荐"])] == ["A01"] and sheet_rows(wb["末位回炉"]) == []


def test_actions_page_queries(q3_final, login, django_assert_max_num_queries):
    client = login("org")
    with django_assert_max_num_queries(12):
        assert client.get(ACTIONS).status_code == 200


# --- the year's account ----------------------------------------------------------------------------


def test_year_page_and_export(qx, login):
    for period in ("2026Q1", "2026Q2", "2026Q3"):
        finalize(qx, period)
    client = login("qx_admin")
    html = client.get("/results/year/QX-ALL/2026/").content.decode()
    assert data_cadres(html, "year") == ["A02", "A01", "A04", "A06", "A03", "A08", "A05"]
    assert "暂定" in html  # Q4 is still running: the live ranking, marked
    rows = sheet_rows(workbook(client.get("/results/year/QX-ALL/2026/export.xlsx")).active)
    assert [r[1] for r in rows] == data_cadres(html, "year")
    assert rows[0] == [1, "A02", "甲二", 100, 1, 100, 1, 81.02, 2, 100, 1, 4, 95.26, None]


def test_year_page_queries(q3_final, login, django_assert_max_num_queries):
    client = login("org")
    with django_assert_max_num_queries(20):  # three quarters ranked live (a handful each), one from the snapshot
        assert client.get("/results/year/QX-ALL/2026/").status_code == 200


# --- the county summary ----------------------------------------------------------------------------


def test_county_page_counts_and_export(q3_final, login):
    client = login("org")
    html = client.get("/results/county/2026Q3/").content.decode()
    row = html.split('data-group="QX-ALL"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "3", "1", "1"]
    chart = html.split('id="county-chart"')[1].split("</section>")[0]
    assert "<svg" in chart and 'data-unit="齐溪镇" data-tier="1" data-count="3"' in chart
    assert "/people/A01/" in row and "/rankings/QX-ALL/2026Q3/" in row and "/results/QX-ALL/2026Q3/" in row
    ws = workbook(client.get("/results/county/2026Q3/export.xlsx")).active
    rows = sheet_rows(ws)
    assert len(rows) == html.count("<tr data-group=")
    assert rows[0][:8] == ["齐溪镇", "QX-ALL", "齐溪镇全体干部", "已定稿", 1, 3, 1, 1]
    assert rows[0][8] == "甲一（A01）" and rows[0][9] == "甲五（A05）"


def test_county_year_shows_the_latest_published_quarter(q3_final, login):
    html = login("org").get("/results/county/2026/").content.decode()
    assert "全县汇总 · 2026Q3" in html


def test_county_page_queries(q3_final, login, django_assert_max_num_queries):
    client = login("org")
    with django_assert_max_num_queries(18):
        assert client.get("/results/county/2026Q3/").status_code == 200


def test_navigation(county, login):
    html = login("org").get("/results/").content.decode()
    assert 'href="/results/county/"' in html and 'href="/results/year/"' in html
    html = login("qx_admin").get("/results/").content.decode()
    assert 'href="/results/county/"' not in html and 'href="/results/"' in html
