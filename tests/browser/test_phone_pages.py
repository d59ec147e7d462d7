"""Every main page of every role on a 360×740 phone (issue 18): nothing scrolls sideways, no leaked English
or formula letter under the Chinese setting, and axe-core reports no serious or critical violation.

The pages are those of the CSP check (``test_csp_console.PAGES``); the Django admin is left out of the
axe check (its markup is Django's, not ours). Screenshots are saved per role and page.
"""

from __future__ import annotations

from datetime import date

import pytest

from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule
from tests.browser.test_cadre_phone import LEAKED, SMALL_PHONE, axe_serious
from tests.browser.test_csp_console import PAGES, log_in
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_main_page_fits_a_phone_and_passes_axe(county, browser, live_server, shot):
    pdf = ledger.entry_declare(
        actor=Actor(None, "test"),
        cadre=Cadre.objects.get(code="A01"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="S-INV"),
        occurred_on=date(2026, 8, 3),
        files=[("合同.pdf", MINIMAL_PDF)],
    )
    problems = []
    for username, urls in PAGES.items():
        context = browser.new_context(locale="zh-CN", base_url=live_server.url, **SMALL_PHONE)
        page = context.new_page()
        log_in(page, username)
        for url in ["/", *urls]:
            page.goto(url.format(pdf=pdf.code))
            page.wait_for_load_state("networkidle")
            where = f"{username} {url}"
            wide, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if wide > inner:
                problems.append(f"{where}: scrolls sideways ({wide} > {inner})")
            if leaked := [w for w in LEAKED if w in page.inner_text("body")]:
                problems.append(f"{where}: leaked {leaked}")
            if not url.startswith("/admin/") and (bad := axe_serious(page)):
                problems.append(f"{where}: {bad}")
            shot(page, f"phone-{username}-{url.strip('/').replace('/', '_').replace('?', '_') or 'home'}")
        context.close()
    assert problems == []
