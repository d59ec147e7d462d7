"""In a real browser: a cadre objects on their phone, the unit administrator upholds it with a correction,
the ranking is republished as version 2, and the cadre sees the new row, the diff and the notice."""

import pytest
from django.utils import timezone

from gongfen.publication.models import Objection, ObjectionStatus, Snapshot
from gongfen.schemes.models import Rule
from tests.publication.helpers import publish_q3
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login/" not in page.url, f"{username} could not log in"


def test_objection_upheld_republished_and_seen_by_the_cadre(county, browser, live_server, phone, shot):
    publish_q3(today=timezone.localdate())  # the window runs from today

    # the cadre, on a phone: the notice of the publication, the board with their own row
    log_in(phone, "a01")
    assert phone.locator("#notices-link .unread-count").inner_text() == "1"
    phone.goto("/publication/")
    phone.locator("#publications a", has_text="齐溪镇全体干部").click()
    phone.wait_for_load_state()
    own = phone.locator("tr.own")
    assert own.count() == 1 and "97.43" in own.inner_text()  # rank, tier, composite fit on a phone
    assert "99.50" in phone.locator("tr.own + tr.detail").inner_text()  # Q, in the row's breakdown (open)
    shot(phone, "30-cadre-published-board")

    phone.click("#object-link")
    phone.fill("#id_text", "9 月 20 日完成的两项交办事项漏记，请补记。")
    shot(phone, "31-cadre-objection-form")
    with phone.expect_navigation():
        phone.click("#objection-form button[type=submit]")
    assert "待处理" in phone.content()
    shot(phone, "32-cadre-objection-filed")
    objection = Objection.objects.get()

    # the unit administrator upholds it, granting the two tasks
    office = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    log_in(desk, "qx_admin")
    desk.goto("/publication/objections/")
    desk.locator("#objection-queue a", has_text="甲一").click()
    desk.wait_for_load_state()
    shot(desk, "33-admin-objection")
    task = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    desk.fill("#id_u-reason", "经核实，两项交办事项确已完成")
    desk.select_option("#id_u-grant_rule", value=str(task.pk))
    desk.fill("#id_u-grant_quantity", "2")
    desk.fill("#id_u-grant_occurred_on", "2026-09-20")
    with desk.expect_navigation():
        desk.click("#uphold-form button[type=submit]")
    assert "第 2 版" in desk.content()
    shot(desk, "34-admin-upheld")
    office.close()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and objection.resolved_version == 2
    assert Snapshot.objects.filter(version=2).count() == 1

    # the cadre: the notice, the new row, the diff
    phone.goto("/notices/")
    assert "异议已采纳" in phone.locator("li.notice.unread").first.inner_text()
    shot(phone, "35-cadre-notices")
    phone.goto("/publication/QX-ALL/2026Q3/")
    assert phone.locator(".versions [aria-current]").inner_text() == "v2"
    own_detail = phone.locator("tr.own + tr.detail")
    assert "102.50" in own_detail.inner_text()  # Q = 99.50 + 2 × 1.5 (still the highest: C stays 97.43)
    shot(phone, "36-cadre-board-v2")
    phone.click("#diff-link")
    phone.wait_for_load_state()
    changed = phone.locator("#diff-changed")
    assert "甲一" in changed.inner_text()
    assert "99.50" in changed.inner_text() and "102.50" in changed.inner_text()
    shot(phone, "37-cadre-diff")
