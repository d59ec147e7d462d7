"""In a real browser, on a phone-sized screen: declare with a PDF, review, and see the numbers move."""

import pytest

from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login/" not in page.url, f"{username} could not log in"


def a01_quantitative() -> str:
    row = next(r for r in group_ranking(group_by_code("QX-ALL"), "2026Q3").rows if r.cadre == "A01")
    return f"{row.quantitative:.2f}"


def test_declare_review_and_the_board_moves(county, browser, live_server, phone, shot, tmp_path):
    pdf = tmp_path / "工作记录.pdf"
    pdf.write_bytes(MINIMAL_PDF)

    # the cadre, on a phone
    log_in(phone, "a01")
    shot(phone, "01-cadre-dashboard")
    phone.goto("/ledger/mine/?period=2026Q3")
    assert "99.50" in phone.content()
    shot(phone, "02-cadre-my-ledger")

    phone.goto("/ledger/declare/")
    phone.fill("#id_occurred_on", "2026-08-10")
    phone.wait_for_load_state("networkidle")
    task = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    phone.select_option("#id_rule", value=str(task.pk))
    phone.wait_for_load_state("networkidle")
    phone.fill("#id_quantity", "2")
    phone.fill("#id_description", "完成岭里村征迁入户测算")
    phone.set_input_files("input[type=file]", str(pdf))
    shot(phone, "03-cadre-declare")
    phone.click("button[name=intent][value=submit]")
    phone.wait_for_load_state("networkidle")
    assert "待审核" in phone.content()
    shot(phone, "04-cadre-declared")
    assert a01_quantitative() == "99.50"  # pending counts for nothing

    # the reviewer approves it inline
    reviewer = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    desk = reviewer.new_page()
    log_in(desk, "qx_reviewer")
    desk.goto("/ledger/review/")
    row = desk.locator("tr", has_text="完成岭里村征迁入户测算")
    assert row.count() == 1
    shot(desk, "05-reviewer-queue")
    row.locator("button[name=decision][value=approve]").click()
    desk.wait_for_selector("tr.done")
    shot(desk, "06-reviewer-approved")
    assert a01_quantitative() == "102.50"  # 99.50 + 2 × 1.5

    desk.goto("/rankings/QX-ALL/2026Q3/")
    assert "102.50" in desk.content()
    shot(desk, "07-board")
    desk.locator("a", has_text="甲一").first.click()
    desk.wait_for_load_state("networkidle")
    shot(desk, "08-board-breakdown")
    reviewer.close()

    # the cadre sees the new total, and nothing of other cadres
    phone.goto("/ledger/mine/?period=2026Q3")
    assert "102.50" in phone.content()
    shot(phone, "09-cadre-my-ledger-after")
    response = phone.goto("/ledger/entry/E11/")  # A04's entry, edited into the URL
    assert response.status == 404
    response = phone.goto("/rankings/QX-ALL/2026Q3/")
    assert response.status == 404


def test_administrator_pages_render_on_a_phone(county, phone, shot):
    log_in(phone, "qx_admin")
    for name, url in [
        ("10-admin-dashboard", "/"),
        ("11-admin-schemes", "/schemes/"),
        ("12-admin-scheme", "/schemes/QX-2026/"),
        ("13-admin-people", "/people/"),
        ("14-admin-cadre", "/people/A01/"),
        ("15-admin-boards", "/rankings/"),
    ]:
        response = phone.goto(url)
        assert response.status == 200, url
        shot(phone, name)
