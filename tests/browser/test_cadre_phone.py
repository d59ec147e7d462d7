"""The cadre's path on a 360×740 phone (issue 18): home → 申报 → 撤回 → 公示 → 消息, through the bottom tab bar.

On every page: nothing scrolls sideways, no leaked English or formula letter shows under the Chinese
setting, and axe-core (the PyPI package axe-playwright-python ships it; injected by Playwright) reports
no serious or critical violation, in the normal colours and in 大字模式 + 高对比度. Screenshots are saved.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.publication import services as publication
from gongfen.rankings.selectors import group_by_code
from tests.browser.test_csp_console import watch
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# words that leaked into the Chinese pages before (issue 18): none may show again
LEAKED = ["Not Found", "file too large", "unknown scheme", "leader/peer/public", "Dtotal", "maxQ", "auth.login"]
LEAKED += ["工分 Q", "综合得分 C", "gongfen load", "docs/"]


def axe_serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad]


def check(page, shot, name: str) -> None:
    page.wait_for_load_state("networkidle")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways: {width}"
    text = page.inner_text("body")
    assert [w for w in LEAKED if w in text] == [], name
    assert axe_serious(page) == [], name
    shot(page, f"cadre-phone-{name}")


def tab(page, label: str) -> None:
    with page.expect_navigation():
        page.locator("div.tabbar nav.tabs a", has_text=label).click()


@time_machine.travel(datetime(2026, 10, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
def test_the_cadre_path_on_a_phone(county, browser, live_server, shot):
    actor, group = Actor(None, "test"), group_by_code("QX-ALL")
    publication.period_close(actor=actor, group=group, period="2026Q3")
    ledger.entry_reject(actor=actor, entry=Entry.objects.get(code="E10"), reason="佐证不足")  # the one left pending
    publication.period_publish(actor=actor, group=group, period="2026Q3")  # a board to see, a notice to read
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **SMALL_PHONE)
    page = context.new_page()
    seen = watch(page)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before withdrawing
    page.goto("/login/")
    page.fill("#id_username", "a01")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")

    # home: where do I stand; the header's wide navigation is hidden, the tab bar shows
    assert page.locator("header.top nav").is_hidden() and page.locator("div.tabbar").is_visible()
    assert [t.strip() for t in page.locator("div.tabbar nav.tabs a").all_inner_texts()][:3] == [
        "我的工分",
        "申报",
        "公示",
    ]
    box = page.locator("div.tabbar nav.tabs a").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a tap target
    assert "第 " in page.inner_text("#panel-cadre") and "综合得分" in page.inner_text("#panel-cadre")
    check(page, shot, "01-home")

    # 申报, then 撤回
    tab(page, "申报")
    page.fill("#id_occurred_on", "2026-10-15")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_rule", label=page.locator("#id_rule option", has_text="R-TASK").first.inner_text())
    page.wait_for_load_state("networkidle")
    page.fill("#id_quantity", "1")
    page.fill("#id_description", "手机上申报的走访")
    check(page, shot, "02-declare")
    with page.expect_navigation():
        page.click("button[name=intent][value=submit]")
    entry = Entry.objects.get(description="手机上申报的走访")
    assert entry.status == EntryStatus.PENDING
    check(page, shot, "03-declared")
    with page.expect_navigation():
        page.click("#withdraw")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DECLARED and "已撤回" in page.inner_text("main")
    check(page, shot, "04-withdrawn")

    # 公示 and 消息
    tab(page, "公示")
    assert "2026Q3" in page.inner_text("main")
    check(page, shot, "05-publication")
    tab(page, "消息")
    check(page, shot, "06-messages")

    # the 更多 sheet, then 大字模式 and 高对比度 (kept in a cookie) on the home page
    page.click("div.tabbar summary")
    assert page.locator("div.tabbar .sheet").is_visible()
    check(page, shot, "07-more")
    with page.expect_navigation():
        page.click("div.tabbar .sheet button[name=large]")
    page.click("div.tabbar summary")
    with page.expect_navigation():
        page.click("div.tabbar .sheet button[name=contrast]")
    assert page.evaluate("document.documentElement.className") == "large-text high-contrast"
    tab(page, "我的工分")
    check(page, shot, "08-mine-large-contrast")

    # the keyboard: the first Tab reaches the skip link, and it shows where focus is
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    context.close()
    assert seen == []  # no CSP violation or script error on the way
