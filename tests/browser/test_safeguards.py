"""The safeguards of issue 18 in a real browser: Back + resubmit makes no second entry (the duplicate
warning stops it), and bulk review says how many entries it decides before it does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule
from tests.browser.test_flows import log_in
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db(transaction=True)


def test_back_and_resubmit_makes_no_second_entry(county, phone, shot):
    log_in(phone, "a01")
    phone.goto("/ledger/declare/")
    phone.fill("#id_occurred_on", "2026-08-10")
    phone.wait_for_load_state("networkidle")
    phone.select_option("#id_rule", value=str(Rule.objects.get(scheme__code="QX-2026", code="R-TASK").pk))
    phone.wait_for_load_state("networkidle")
    phone.fill("#id_quantity", "2")
    phone.fill("#id_description", "返回后再提交的同一项工作")
    with phone.expect_navigation():
        phone.click("button[name=intent][value=submit]")
    assert Entry.objects.filter(description="返回后再提交的同一项工作").count() == 1
    phone.go_back()
    phone.wait_for_load_state("networkidle")
    if phone.input_value("#id_description") != "返回后再提交的同一项工作":  # a browser that kept no form state
        phone.fill("#id_occurred_on", "2026-08-10")
        phone.wait_for_load_state("networkidle")
        phone.select_option("#id_rule", value=str(Rule.objects.get(scheme__code="QX-2026", code="R-TASK").pk))
        phone.wait_for_load_state("networkidle")
        phone.fill("#id_quantity", "2")
        phone.fill("#id_description", "返回后再提交的同一项工作")
    with phone.expect_navigation():
        phone.click("button[name=intent][value=submit]")
    assert phone.locator("#duplicate-warning").is_visible()
    shot(phone, "safeguard-duplicate-warning")
    assert Entry.objects.filter(description="返回后再提交的同一项工作").count() == 1
    phone.check("#id_confirm_duplicate")  # the cadre says it is other work: then it is declared
    with phone.expect_navigation():
        phone.click("button[name=intent][value=submit]")
    assert Entry.objects.filter(description="返回后再提交的同一项工作").count() == 2


def test_bulk_review_confirms_with_the_count(county, browser, live_server):
    cadre, rule = Cadre.objects.get(code="A01"), Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    made = [
        ledger.entry_declare(
            actor=Actor(None, "test"), cadre=cadre, rule=rule, occurred_on=date(2026, 8, d), quantity=Decimal(1)
        )
        for d in (11, 12)
    ]
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    desk = context.new_page()
    log_in(desk, "qx_reviewer")
    desk.goto("/ledger/review/")
    for entry in made:
        desk.check(f"input[name=entries][value='{entry.code}']")
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    desk.on("dialog", answer)
    desk.click("form#bulk button[value=approve]")  # dismissed: nothing decided
    desk.wait_for_timeout(300)
    assert asked == ["确定通过所选的 2 条记录？"]
    assert {e.status for e in Entry.objects.filter(pk__in=[e.pk for e in made])} == {EntryStatus.PENDING}
    with desk.expect_navigation():
        desk.click("form#bulk button[value=approve]")
    assert len(asked) == 2 and "已通过 2 条记录" in desk.inner_text("main")
    assert {e.status for e in Entry.objects.filter(pk__in=[e.pk for e in made])} == {EntryStatus.APPROVED}
    context.close()
