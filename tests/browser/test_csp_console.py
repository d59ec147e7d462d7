"""In a real browser, the Content Security Policy breaks nothing: no page logs a CSP violation (or any
error) in the console, and htmx still works (a board row unfolds in place)."""

from __future__ import annotations

from datetime import date

import pytest

from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "a01": [
        "/",
        "/ledger/mine/?period=2026Q3",
        "/ledger/declare/",
        "/ledger/declarations/",
        "/publication/objections/mine/",
    ],
    "qx_reviewer": ["/ledger/review/", "/rankings/QX-ALL/2026Q3/", "/ledger/entry/{pdf}/"],
    "qx_admin": ["/schemes/", "/schemes/QX-2026/", "/people/", "/people/A01/", "/evaluations/", "/notices/"],
    "org": ["/rankings/", "/results/", "/publication/", "/admin/"],
}


def watch(page) -> list[str]:
    """Console errors and warnings (a CSP violation is one) and uncaught page errors, as they come."""
    seen: list[str] = []

    def console(message):
        where = message.location.get("url", "")
        if message.type in ("error", "warning") and not where.endswith("/favicon.ico"):  # the Django admin's
            seen.append(f"{message.type}: {message.text} ({where})")

    page.on("console", console)
    page.on("pageerror", lambda e: seen.append(f"pageerror: {e}"))
    return seen


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login/" not in page.url, f"{username} could not log in"


def test_main_pages_log_no_csp_violation(county, browser, live_server):
    pdf = ledger.entry_declare(
        actor=Actor(None, "test"),
        cadre=Cadre.objects.get(code="A01"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="S-INV"),
        occurred_on=date(2026, 8, 3),
        files=[("合同.pdf", MINIMAL_PDF)],
    )
    for username, urls in PAGES.items():
        context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        seen = watch(page)
        log_in(page, username)
        for url in urls:
            response = page.goto(url.format(pdf=pdf.code))
            assert response.status == 200, url
            assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url
            page.wait_for_load_state("networkidle")
        if username == "qx_reviewer":  # htmx under the policy: a row's breakdown unfolds in place
            page.goto("/rankings/QX-ALL/2026Q3/")
            page.locator("a", has_text="甲一").first.click()
            page.wait_for_load_state("networkidle")
        context.close()
        assert seen == [], f"{username}: {seen}"


def test_the_console_check_sees_a_violation(county, phone):
    """The control: an inline handler slipped into a page is refused by the browser and reported."""
    seen = watch(phone)
    phone.goto("/login/")
    phone.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"/static/none.png\" onerror=\"1\">')")
    phone.wait_for_timeout(500)
    assert any("Content Security Policy" in line for line in seen), seen
