"""In a real browser: a round opened, three voters and five public codes vote on phones, the board's L follows.

The administrator (qx_admin) sets up a round for 齐溪镇全体干部 (QX-ALL) 2026Q3 with classes leader
(the reviewer, who is cadre A02), peer (a01 and a04) and public (five printed codes); everyone votes
on a phone-sized screen; the round closes; the board's qualitative column equals the spec's L,
worked out here from the grades this test chose.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from gongfen.evaluations.models import Ballot
from tests.browser.conftest import PHONE
from tests.browser.test_flows import log_in
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db(transaction=True)

VALUES = {"优秀": Decimal(100), "良好": Decimal(85), "一般": Decimal(70), "较差": Decimal(50)}
WEIGHTS = {"leader": Decimal("0.4"), "peer": Decimal("0.3"), "public": Decimal("0.3")}
MEMBERS = ["A01", "A02", "A03", "A04", "A05", "A06", "A08"]
RANKED = ["A01", "A02", "A03", "A04", "A05", "A08"]  # A06 has 21 days in the quarter: rated, not ranked

# who gives which grade (nobody is asked to rate themselves: qx_reviewer is A02, a01 is A01, a04 is A04)
LOGGED_IN = {
    "qx_reviewer": (
        "leader",
        {"A01": "良好", "A03": "优秀", "A04": "一般", "A05": "较差", "A06": "良好", "A08": "良好"},
    ),
    "a01": ("peer", {"A02": "优秀", "A03": "良好", "A04": "良好", "A05": "一般", "A06": "一般", "A08": "较差"}),
    "a04": ("peer", {"A01": "优秀", "A02": "良好", "A03": "良好", "A05": "较差", "A06": "良好", "A08": "一般"}),
}
PUBLIC = [  # five codes: each class with 5 ballots drops its highest and its lowest
    {"A01": "优秀", "A02": "良好", "A03": "一般", "A04": "较差", "A05": "一般", "A06": "良好", "A08": "优秀"},
    {"A01": "良好", "A02": "良好", "A03": "良好", "A04": "一般", "A05": "较差", "A06": "良好", "A08": "良好"},
    {"A01": "良好", "A02": "优秀", "A03": "一般", "A04": "一般", "A05": "较差", "A06": "一般", "A08": "较差"},
    {"A01": "一般", "A02": "良好", "A03": "优秀", "A04": "良好", "A05": "一般", "A06": "良好", "A08": "良好"},
    {"A01": "较差", "A02": "一般", "A03": "良好", "A04": "一般", "A05": "较差", "A06": "优秀", "A08": "优秀"},
]


def spec_l(cadre: str) -> str:
    """The spec's L: per class the mean (trimmed from 5 ballots on), weighted over the classes with ballots."""
    by_class: dict[str, list[Decimal]] = {"leader": [], "peer": [], "public": []}
    for klass, grades in LOGGED_IN.values():
        if cadre in grades:
            by_class[klass].append(VALUES[grades[cadre]])
    by_class["public"] = [VALUES[ballot[cadre]] for ballot in PUBLIC]
    means = {}
    for klass, values in by_class.items():
        if values:
            kept = sorted(values)[1:-1] if len(values) >= 5 else values
            means[klass] = sum(kept) / len(kept)
    total = sum(WEIGHTS[k] * m for k, m in means.items()) / sum(WEIGHTS[k] for k in means)
    return f"{total.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def fill_ballot(page, grades: dict[str, str]) -> None:
    for cadre, grade in grades.items():
        page.check(f'fieldset[data-cadre="{cadre}"] input[value="{grade}"]')


def new_phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "提交后不能修改。确定提交？"
    return context, page


def test_a_round_from_opening_to_the_board(county, browser, live_server, shot):
    Ballot.objects.filter(scheme__code="QX-2026", period="2026Q3").delete()  # the round is the only source of L
    admin_context, admin = new_phone(browser, live_server)

    # the administrator creates the round (leader/peer with accounts, public with codes: the defaults)
    log_in(admin, "qx_admin")
    admin.goto("/evaluations/new/")
    admin.select_option("#id_group", "QX-ALL")
    admin.select_option("#id_period", "2026Q3")
    with admin.expect_navigation():
        admin.click("main button[type=submit]")
    assert admin.input_value("#id_class_leader") == "account"
    assert admin.input_value("#id_class_public") == "code"
    shot(admin, "eval-01-admin-create")
    with admin.expect_navigation():
        admin.click("main button[type=submit]")
    assert "/evaluations/QX-ALL/2026Q3/" in admin.url

    # voters: the reviewer leads, a01 and a04 are peers
    admin.goto("/evaluations/QX-ALL/2026Q3/voters/")
    admin.locator("#voters-leader label", has_text="qx_reviewer").locator("input").check()
    with admin.expect_navigation():
        admin.click("#voters-leader button[type=submit]")
    for username in ("a01", "a04"):
        admin.locator("#voters-peer label", has_text=f"（{username}）").locator("input").check()
    with admin.expect_navigation():
        admin.click("#voters-peer button[type=submit]")
    shot(admin, "eval-02-voters")

    # five printed codes, each with its QR code
    admin.goto("/evaluations/QX-ALL/2026Q3/codes/")
    admin.fill("#id_count", "5")
    with admin.expect_navigation():
        admin.click("#issue-codes")
    codes = admin.locator(".ticket-code").evaluate_all("els => els.map(e => e.dataset.code)")
    assert len(codes) == 5 and admin.locator(".ticket svg").count() == 5
    shot(admin, "eval-03-codes-sheet")

    admin.goto("/evaluations/QX-ALL/2026Q3/")
    with admin.expect_navigation():
        admin.click("#open-round")
    assert admin.locator("#cadre-count").inner_text() == "7 人"
    shot(admin, "eval-04-round-open")

    # three logged-in voters on their phones; the reviewer saves a draft first
    for username, (_, grades) in LOGGED_IN.items():
        context, page = new_phone(browser, live_server)
        log_in(page, username)
        page.goto("/evaluations/")
        with page.expect_navigation():
            page.click("#my-rounds a.button")
        rated = page.locator("fieldset.rate").evaluate_all("els => els.map(e => e.dataset.cadre)")
        assert sorted(rated) == sorted(grades)  # everyone but themselves
        if username == "qx_reviewer":
            fill_ballot(page, dict(list(grades.items())[:3]))
            with page.expect_navigation():
                page.click("button[name=intent][value=draft]")
            assert page.locator("#draft-note").is_visible()
            shot(page, "eval-05-voter-draft")
        fill_ballot(page, grades)
        if username == "qx_reviewer":
            shot(page, "eval-06-voter-ballot")
        with page.expect_navigation():
            page.click("button[name=intent][value=submit]")
        assert page.locator("#voted").is_visible()
        if username == "qx_reviewer":
            shot(page, "eval-07-voter-submitted")
        context.close()

    # five members of the public, no account: four scan the QR code's link, one types the code
    for i, (code, grades) in enumerate(zip(codes, PUBLIC, strict=True)):
        context, page = new_phone(browser, live_server)
        if i == 4:
            page.goto("/evaluations/vote/public/")
            page.fill("#id_code", code.replace("-", "").lower())
            with page.expect_navigation():
                page.click("main button[type=submit]")
        else:
            page.goto(f"/evaluations/vote/public/?code={code}")
        assert page.locator("fieldset.rate").count() == len(MEMBERS)
        fill_ballot(page, grades)
        if i == 0:
            shot(page, "eval-08-public-ballot")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert page.locator("#public-done").is_visible()
        if i == 0:
            shot(page, "eval-09-public-done")
            page.goto(f"/evaluations/vote/public/?code={code}")  # the same code again
            assert "已经使用过" in page.content()
        context.close()

    # turnout, live, then close and count
    admin.goto("/evaluations/QX-ALL/2026Q3/")
    turnout = {
        klass: admin.locator(f'#turnout tr[data-class="{klass}"] .turnout-count').inner_text()
        for klass in ("leader", "peer", "public")
    }
    assert turnout == {"leader": "1 / 1", "peer": "2 / 2", "public": "5 / 5"}
    shot(admin, "eval-10-turnout")
    admin.on("dialog", lambda dialog: dialog.accept())
    with admin.expect_navigation():
        admin.click("#close-round")
    assert "已结束" in admin.locator("h1").inner_text()
    shot(admin, "eval-11-closed")

    # the board's qualitative column is the spec's L of these ballots
    admin.goto("/rankings/QX-ALL/2026Q3/")
    board = {
        cadre: admin.locator(f'#board-rows tr[data-cadre="{cadre}"] td').nth(7).text_content().strip()
        for cadre in RANKED
    }
    assert board == {cadre: spec_l(cadre) for cadre in RANKED}
    shot(admin, "eval-12-board")
    admin_context.close()
