"""In a real browser (desktop): a unit administrator replays an edit of the scheme and reads the board before/after."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongfen.schemes.models import Rule
from tests.analytics.test_whatif import row_counts
from tests.browser.test_flows import log_in
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db(transaction=True)
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(datetime(2026, 10, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def test_a_unit_administrator_replays_an_edit_on_a_desktop(county, browser, live_server, shot):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    log_in(page, "qx_admin")
    page.goto("/analytics/whatif/?scheme=QX-2026")
    assert page.locator("h1").inner_text() == "方案试算"
    counts = row_counts()
    page.fill("#id_periods", "2026Q3")
    page.fill("#id_k", "0")
    page.fill("input[name='points-R-TASK']", "4")
    page.fill("input[name='points-D-ERR']", "-14")
    page.fill("input[name='tier-0']", "0.4")
    assert page.is_checked("input[name='source'][value='edit']")  # editing here is the default
    with page.expect_navigation():
        page.click("#whatif-run")
    summary = page.locator("#whatif-summary").inner_text()
    assert "人档次变化" in summary and "进入一档" in summary
    assert page.locator("table.whatif-board tbody tr").count() == 6
    assert page.locator("tr.big-move").count() >= 1  # k = 0: the moves are highlighted
    assert page.locator("#whatif-result svg").count() == 2
    # the table fits the desktop width: no horizontal scrolling of the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.input_value("input[name='points-R-TASK']") == "4"  # the edit stays on the page, unsaved
    shot(page, "whatif-01-desktop")
    assert row_counts() == counts  # the replay saved nothing
    assert str(Rule.objects.get(scheme__code="QX-2026", code="R-TASK").points) == "1.5000"
    context.close()
