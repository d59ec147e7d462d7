"""In a real browser (issue 17): 组织部 sets a 平时考核 plan, 齐溪镇's committee adjusts within the quota (and is
refused beyond it), 组织部 confirms and publishes, a cadre sees the grade on the phone and, once final, applies
for 复核. The clock is pinned: 2026-10-12, then after the 公示 window."""

import pytest

from gongfen.grades.models import GradeReview, SheetState
from tests.browser.test_objection_flow import log_in
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db(transaction=True)


def submit(page, form: str) -> None:
    press(page, f"{form} button[type=submit]")


def press(page, button: str) -> None:
    with page.expect_navigation():
        page.click(button)


def test_plan_adjust_confirm_publish_and_review(county, browser, live_server, phone, shot, time_machine):
    time_machine.move_to("2026-10-12 09:00 +08:00", tick=True)
    office = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    log_in(desk, "org")
    desk.goto("/grades/")
    form = "#plan-form"
    desk.select_option(f"{form} [name=kind]", "pingshi")
    desk.select_option(f"{form} [name=population]", "grassroots")
    desk.fill(f"{form} [name=share]", "0.4")
    desk.fill(f"{form} [name=min_seats]", "1")
    desk.fill(f"{form} [name=reviewable]", "较好,一般,较差")
    desk.fill(f"{form} [name=units]", "QX,QX-WL")
    submit(desk, form)
    desk.goto(desk.url + "?period=2026Q3")
    assert desk.locator('#seats tr[data-unit="QX"]').inner_text().split("\t")[1:3] == ["6", "2"]
    shot(desk, "60-grades-plan")

    # the committee of 齐溪镇 proposes from the ranking and adjusts
    committee = office.new_page()
    office.clear_cookies()
    log_in(committee, "qx_admin")
    committee.goto(desk.url)
    committee.fill("#sheet-form [name=unit]", "QX")
    committee.fill("#sheet-form [name=group]", "QX-ALL")
    submit(committee, "#sheet-form")

    def adjust(cadre: str, grade: str, reason: str) -> None:
        committee.fill("#adjust-form [name=cadre]", cadre)
        committee.fill("#adjust-form [name=grade]", grade)
        committee.fill("#adjust-form [name=reason]", reason)
        submit(committee, "#adjust-form")

    adjust("A03", "好", "专项任务突出")
    assert "好名额为 2 名" in committee.locator(".messages").inner_text()  # refused beyond the quota
    assert committee.locator('#lines tr[data-cadre="A03"] .grade').inner_text() == "较好"
    adjust("A04", "较好", "请假较多")
    adjust("A03", "好", "专项任务突出")
    assert committee.locator('#lines tr[data-cadre="A03"] .grade').inner_text() == "好"
    assert committee.locator('#lines tr[data-cadre="A04"] .grade').inner_text() == "较好"
    shot(committee, "61-grades-committee")

    # 组织部 confirms and publishes for five working days
    sheet_url = committee.url
    office.clear_cookies()
    log_in(committee, "org")
    committee.goto(sheet_url)
    press(committee, "#confirm")
    press(committee, "#publish")
    assert "公示期 2026-10-12 至 2026-10-19" in committee.locator("#state").inner_text()

    # the cadre sees the grade on the phone
    log_in(phone, "a04")
    phone.goto("/grades/mine/")
    assert "较好" in phone.locator("section.card").inner_text()
    assert phone.locator("#review-form").count() == 0  # not final yet
    shot(phone, "62-grades-cadre-published")

    time_machine.move_to("2026-10-20 09:00 +08:00", tick=True)  # a week on: everyone signs in again
    log_in(committee, "org")
    committee.goto(sheet_url)
    press(committee, "#finalize")
    office.close()
    log_in(phone, "a04")
    phone.goto("/grades/mine/")
    assert "2026-11-19 前申请复核" in phone.content()
    phone.fill("#review-form [name=text]", "本人三季度完成全部交办任务，请求复核。")
    submit(phone, "#review-form")
    assert "待复核" in phone.locator("#my-reviews").inner_text()
    shot(phone, "63-grades-cadre-review")
    review = GradeReview.objects.get()
    assert review.old_grade == "较好" and review.line.sheet.state == SheetState.FINAL
