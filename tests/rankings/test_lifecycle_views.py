"""The quarter's lifecycle on the board: who may move it, every legal move, every illegal one refused unchanged."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from gongfen.audit.models import AuditEvent
from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.publication import services as publication
from gongfen.publication.models import GroupPeriod, PeriodState, Snapshot
from gongfen.publication.selectors import period_state
from gongfen.rankings.selectors import group_by_code
from tests.clock import at
from tests.rankings.test_views import BOARD_QUERIES, HTMX, LIFECYCLE_QUERIES, PAGE_QUERIES, board_url, page
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

Q3 = "2026Q3"
ACTOR = Actor(None, "test")
TODAY = date(2026, 11, 20)  # a Friday: 5 working days later is Friday 27 November


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today(clock):
    """Pin "today" for the services the views call (the window and finalizing depend on it)."""
    clock.move_to(at(TODAY))
    return clock


def move_url(move, group="QX-ALL", period=Q3):
    return reverse(f"rankings:{move}", args=[group, period])


def group():
    return group_by_code("QX-ALL")


def state():
    return period_state(group(), Q3)


def state_of_db():
    """Everything a refused move must leave as it was."""
    return (
        list(GroupPeriod.objects.values_list("group_id", "period", "state", "window_starts_on", "window_ends_on")),
        list(Snapshot.objects.values_list("id", "version", "fingerprint")),
        AuditEvent.objects.writes().count(),
        Entry.objects.count(),
    )


def closing():
    publication.period_close(actor=ACTOR, group=group(), period=Q3)


def closed_and_decided():
    closing()
    ledger.entry_reject(actor=ACTOR, entry=Entry.objects.get(code="E10"), reason="佐证不足")


def published(today_=TODAY):
    closed_and_decided()
    publication.period_publish(actor=ACTOR, group=group(), period=Q3, today=today_)


def final():
    published()
    publication.period_finalize(actor=ACTOR, group=group(), period=Q3, today=date(2026, 11, 30))


# --- who may move a quarter -----------------------------------------------------------


@pytest.mark.parametrize("username", ["org", "qx_admin"])
def test_an_administrator_in_scope_closes_the_quarter(county, login, username):
    response = login(username).post(move_url("close"))
    assert response.status_code == 302 and response.url == board_url()
    assert state() == PeriodState.CLOSING
    event = AuditEvent.objects.get(action="period.close")
    assert event.actor_label == username and event.object_id == f"QX-ALL/{Q3}"


def test_a_reviewer_sees_the_state_but_is_refused(county, login):
    client = login("qx_reviewer")
    board = page(client.get(board_url()))
    assert "季度状态： 进行中" in board.text or "季度状态：进行中" in board.text
    assert move_url("close") not in client.get(board_url()).content.decode()
    before = state_of_db()
    response = client.post(move_url("close"))
    assert response.status_code == 403 and "只有本单位管理员或组织部" in response.content.decode()
    assert state_of_db() == before


@pytest.mark.parametrize("username", ["a01", "a04", "sk_lead", "tc_admin", "tc_reviewer"])
@pytest.mark.parametrize("move", ["close", "publish", "republish", "finalize"])
def test_cadres_and_out_of_scope_administrators_find_nothing(county, login, username, move):
    before = state_of_db()
    assert login(username).post(move_url(move), {"reason": "x", "window_days": "5"}).status_code == 404
    assert state_of_db() == before


def test_anonymous_is_sent_to_login_and_get_is_not_allowed(county, client, login):
    response = client.post(move_url("close"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert login("org").get(move_url("close")).status_code == 405
    assert state() == PeriodState.OPEN


def test_an_unknown_group_is_not_found(county, login):
    assert login("org").post(move_url("close", group="NOPE")).status_code == 404


# --- the legal moves, one after the other ---------------------------------------------


def test_close_publish_republish_finalize_from_the_board(county, login, today):
    client = login("qx_admin")
    assert client.post(move_url("close")).status_code == 302
    ledger.entry_reject(actor=ACTOR, entry=Entry.objects.get(code="E10"), reason="佐证不足")

    board = client.get(board_url()).content.decode()
    assert move_url("publish") in board and 'name="window_days"' in board and 'value="5"' in board

    response = client.post(move_url("publish"), {"window_days": "3"})
    assert response.status_code == 302 and state() == PeriodState.PUBLISHED
    row = GroupPeriod.objects.get(period=Q3)
    assert (row.window_starts_on, row.window_ends_on) == (TODAY, date(2026, 11, 25))  # 3 working days
    assert Snapshot.objects.get().version == 1
    text = page(client.get(board_url())).text
    assert "已公示" in text and "2026-11-20 – 2026-11-25" in text and "第 1 版" in text
    assert "/publication/QX-ALL/2026Q3/" in client.get(board_url()).content.decode()
    assert move_url("finalize") not in client.get(board_url()).content.decode()  # inside the window

    response = client.post(move_url("republish"), {"reason": "更正 A03 的记录", "window_days": ""})
    assert response.status_code == 302
    assert list(Snapshot.objects.values_list("version", "reason")) == [(1, ""), (2, "更正 A03 的记录")]

    today.move_to(at(date(2026, 11, 30)))  # after the window, which version 2 restarted (to 27 November)
    client = login("qx_admin")  # ten days on, the session has expired (settings.SESSION_COOKIE_AGE)
    assert move_url("finalize") in client.get(board_url()).content.decode()
    assert client.post(move_url("finalize")).status_code == 302
    assert state() == PeriodState.FINAL
    text = page(client.get(board_url())).text
    assert "已定稿" in text and "关账" not in [b.strip() for b in text.split()]
    assert [e.action for e in AuditEvent.objects.filter(object_id=f"QX-ALL/{Q3}").order_by("id")] == [
        "period.close",
        "period.publish",
        "period.republish",
        "period.finalize",
    ]


def test_publishing_uses_the_scheme_objection_days_by_default(county, login, today):
    scheme = group().scheme
    scheme.objection_days = 2
    scheme.save()
    closed_and_decided()
    client = login("org")
    assert 'value="2"' in client.get(board_url()).content.decode()
    assert client.post(move_url("publish")).status_code == 302
    assert GroupPeriod.objects.get(period=Q3).window_ends_on == date(2026, 11, 24)


# --- what blocks closing ----------------------------------------------------------------


def test_while_closing_the_board_lists_what_blocks_publication(county, login):
    closing()
    client = login("org")
    response = client.get(board_url())
    text = page(response).text
    assert "阻止公示的记录：1 条" in text
    rows = page(response, "entry").rows
    assert list(rows) == ["E10"]
    assert rows["E10"][2] == "2026-08-05" or rows["E10"][2].startswith("2026-")
    assert rows["E10"][3] == "待审核"
    html = response.content.decode()
    assert reverse("ledger:review") in html and move_url("publish") not in html
    ledger.entry_approve(actor=ACTOR, entry=Entry.objects.get(code="E10"))
    response = client.get(board_url())
    assert "没有待处理的记录，可以公示" in page(response).text
    assert move_url("publish") in response.content.decode()


def test_the_board_still_takes_a_fixed_number_of_queries_while_closing(county, login, today, django_assert_num_queries):
    """On 20 November 2026: the closing panel looks up no holiday year (any window from today is in 2026)."""
    closing()
    client = login("org")
    client.get(board_url())
    for day in (date(2026, 10, 8), date(2026, 10, 9)):  # another quarter: does not block
        ledger.entry_declare(
            actor=ACTOR,
            cadre=Entry.objects.get(code="E10").cadre,
            rule=group().scheme.rules.get(code="R-TASK"),
            occurred_on=day,
        )
    with django_assert_num_queries(BOARD_QUERIES + PAGE_QUERIES + LIFECYCLE_QUERIES + 2):  # blockers: count, list
        assert "阻止公示的记录：1 条" in page(client.get(board_url())).text
    publication.period_close(actor=ACTOR, group=group(), period="2026Q4")
    with django_assert_num_queries(BOARD_QUERIES + PAGE_QUERIES + LIFECYCLE_QUERIES + 2):
        response = client.get(board_url(period="2026Q4"))
    assert "阻止公示的记录：2 条" in page(response).text and len(page(response, "entry").rows) == 2


# --- illegal moves: the message, nothing changed -----------------------------------------


def refused(client, move, data=None, match=""):
    before = state_of_db()
    response = client.post(move_url(move), data or {})
    assert response.status_code == 400
    assert match in page(response).text
    assert state_of_db() == before
    return response


def test_publishing_with_pending_entries_is_refused(county, login):
    closing()
    refused(login("qx_admin"), "publish", {"window_days": "5"}, "还有 1 条待审核或未提交的工分记录")
    assert state() == PeriodState.CLOSING


def test_publishing_an_open_quarter_is_refused(county, login):
    refused(login("org"), "publish", {"window_days": "5"}, "只有关账中的季度可以公示")


def test_closing_twice_is_refused(county, login):
    closing()
    refused(login("org"), "close", match="已是“关账中”状态，不能再关账")


def test_finalizing_inside_the_window_is_refused(county, login, today):
    published()
    refused(login("org"), "finalize", match="的异议期到 2026-11-27 为止，异议期结束后才能定稿")
    assert state() == PeriodState.PUBLISHED


def test_republishing_a_final_quarter_is_refused(county, login):
    final()
    refused(login("org"), "republish", {"reason": "再改一次"}, "只有公示期内的季度可以重新公示")
    assert Snapshot.objects.count() == 1


def test_republishing_without_a_reason_is_refused(county, login):
    published()
    refused(login("org"), "republish", {"reason": ""}, "重新公示的理由")


def test_a_window_of_zero_days_is_refused(county, login):
    closed_and_decided()
    refused(login("org"), "publish", {"window_days": "0"}, "异议期")


def test_a_refused_move_through_htmx_swaps_the_panel_with_the_message(county, login):
    closing()
    before = state_of_db()
    response = login("org").post(move_url("publish"), {"window_days": "5"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card lifecycle') and 'id="move-error"' in html
    assert "待审核或未提交的工分记录" in html
    assert state_of_db() == before


def test_a_legal_move_through_htmx_redirects_the_page(county, login):
    response = login("org").post(move_url("close"), headers=HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == board_url()
    assert state() == PeriodState.CLOSING


# --- declaring into a closing quarter through the page ----------------------------------


def test_declaring_into_a_closing_quarter_is_refused_with_the_message(county, login):
    closing()
    before = Entry.objects.count()
    response = login("a04").post(
        reverse("ledger:declare"),
        {"rule": "", "occurred_on": "2026-08-03", "quantity": "2", "description": "走访", "intent": "submit"}
        | {"rule": str(group().scheme.rules.get(code="R-TASK").pk)},
    )
    assert response.status_code == 200
    assert "2026Q3 已关账，不能再申报该季度的工分" in page(response).text
    assert Entry.objects.count() == before
    assert not Entry.objects.filter(status=EntryStatus.PENDING, occurred_on=date(2026, 8, 3)).exists()
