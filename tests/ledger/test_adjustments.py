"""Adjustments (更正调整): a correction of a final quarter's entry, posted into the current open quarter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.ledger import services
from gongfen.ledger.models import Entry, EntryEvent, EntryKind, EntryStatus, RuleTotal
from gongfen.ledger.selectors import totals_mismatches
from gongfen.publication import services as publication
from gongfen.publication.models import Snapshot
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.scoring.output import ranking_as_dict
from tests.clock import at
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # in 2026Q4
ACTOR = Actor(None, "test")


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today(clock):
    clock.move_to(at(TODAY))
    return clock


def entry(code):
    return Entry.objects.get(code=code)


def user(name):
    return User.objects.get(username=name)


def make_q3_final():
    group = group_by_code("QX-ALL")
    publication.period_close(actor=ACTOR, group=group, period="2026Q3")
    services.entry_reject(actor=ACTOR, entry=entry("E10"), reason="佐证不足")
    publication.period_publish(actor=ACTOR, group=group, period="2026Q3", today=date(2026, 11, 2))
    publication.period_finalize(actor=ACTOR, group=group, period="2026Q3", today=date(2026, 11, 10))
    return group


@pytest.fixture
def final_q3(county, today):
    return make_q3_final()


def adjust(original="E05", sign=-1, quantity="1", reason="重复申报一项", by="qx_admin", **kwargs):
    return services.adjustment_declare(
        actor=Actor(user(by)), original=entry(original), sign=sign, quantity=Decimal(quantity), reason=reason, **kwargs
    )


def q3_totals():
    return sorted(RuleTotal.objects.filter(period="2026Q3").values_list("cadre_id", "rule_id", "amount", "count"))


def state_of_db():
    return (Entry.objects.count(), EntryEvent.objects.count(), AuditEvent.objects.writes().count(), q3_totals())


# --- the service ---------------------------------------------------------------------------


def test_an_adjustment_lands_in_the_current_quarter_and_goes_through_review(final_q3):
    snapshot = Snapshot.objects.get()
    ranking_q3 = ranking_as_dict(group_ranking(final_q3, "2026Q3"))
    before_q3 = q3_totals()

    adjustment = adjust()
    assert adjustment.code == "E05~A1" and adjustment.kind == EntryKind.ADJUSTMENT
    assert (adjustment.period, adjustment.occurred_on, adjustment.status) == ("2026Q4", TODAY, EntryStatus.PENDING)
    assert (adjustment.adjusts, adjustment.sign, adjustment.rule) == (entry("E05"), -1, entry("E05").rule)
    assert adjustment.cadre.code == "A01" and not adjustment.posted
    event = AuditEvent.objects.get(action="entry.adjust")
    assert event.after["adjusts"] == "E05" and event.after["sign"] == -1 and event.reason == "重复申报一项"

    approved = services.entry_approve(actor=Actor(user("qx_reviewer")), entry=adjustment)
    assert approved.amount == Decimal("-1.5") and approved.points == Decimal("1.5") and approved.posted
    total = RuleTotal.objects.get(cadre__code="A01", rule__code="R-TASK", period="2026Q4")
    assert (total.amount, total.count) == (Decimal("-1.5"), 1)
    assert totals_mismatches() == []

    # the final quarter: totals, ranking and snapshot exactly as they were
    assert q3_totals() == before_q3
    assert ranking_as_dict(group_ranking(final_q3, "2026Q3")) == ranking_q3
    assert list(Snapshot.objects.all()) == [snapshot] and Snapshot.objects.get().data == snapshot.data


def test_a_positive_adjustment_grants_points_and_a_rejected_entry_may_be_granted_later(final_q3):
    plus = services.entry_approve(actor=Actor(user("qx_reviewer")), entry=adjust(sign=1, quantity="2"))
    assert plus.amount == Decimal("3.0")
    # E12 (A04, a 工作差错 deduction of −2) was rejected in Q3; found later to stand: the deduction is applied now
    late = services.entry_approve(actor=Actor(user("qx_reviewer")), entry=adjust("E12", sign=1, reason="复核属实"))
    assert late.amount == Decimal("-2") and late.period == "2026Q4"
    assert totals_mismatches() == []


def test_revoking_an_approved_adjustment_keeps_the_totals_right(final_q3):
    approved = services.entry_approve(actor=Actor(user("qx_reviewer")), entry=adjust())
    reversal = services.entry_revoke(actor=Actor(user("qx_reviewer")), entry=approved, reason="调整有误")
    assert reversal.amount == Decimal("1.5")
    total = RuleTotal.objects.get(cadre__code="A01", rule__code="R-TASK", period="2026Q4")
    assert (total.amount, total.count) == (0, 0)
    assert totals_mismatches() == []


def test_the_adjustment_is_under_four_eyes(final_q3):
    adjustment = adjust(by="qx_admin")
    from gongfen.accounts.permissions import review_refusal

    assert review_refusal(user("qx_admin"), adjustment) == "不能审核自己录入的记录"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sign": 0}, "调整方向只能是补加"),
        ({"quantity": "0"}, "数量必须大于 0"),
        ({"reason": "  "}, "更正调整必须说明理由"),
        ({"original": "E14"}, "一票否决，不能以调整记录更正"),
        ({"original": "E12", "sign": -1}, "已被退回、未计分，不能冲减"),
        ({"occurred_on": date(2026, 9, 30)}, "调整记录的日期须在当前季度 2026Q4 内"),
        ({"occurred_on": date(2026, 11, 26)}, "不晚于今天"),
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(final_q3, kwargs, message):
    before = state_of_db()
    with pytest.raises(DomainError, match=message):
        adjust(**kwargs)
    assert state_of_db() == before


def test_only_an_entry_of_a_final_quarter_is_adjusted(county, today):
    before = state_of_db()
    with pytest.raises(DomainError, match="所在的 2026Q3 尚未定稿：请直接审核、退回或撤销该记录"):
        adjust()
    assert state_of_db() == before


def test_an_adjustment_or_a_reversal_is_not_adjusted_itself(final_q3):
    adjustment = adjust()
    with pytest.raises(DomainError, match="请对原始记录做更正调整"):
        adjust(original=adjustment.code)


def test_refused_when_the_current_quarter_is_closing(final_q3):
    publication.period_close(actor=ACTOR, group=final_q3, period="2026Q4")
    before = state_of_db()
    with pytest.raises(DomainError, match="当前季度 2026Q4 已关账，不能登记调整"):
        adjust()
    assert state_of_db() == before


def test_refused_when_the_scheme_year_is_over_saying_what_to_do(final_q3, today):
    today.move_to(at(date(2027, 1, 12)))
    before = state_of_db()
    with pytest.raises(DomainError, match=r"年度 2026 已结束.*请在 2027 年的考核方案中为该干部录入一条记录"):
        adjust()
    assert state_of_db() == before


# --- the pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["org", "qx_admin"])
def test_an_administrator_adjusts_from_the_original_page(final_q3, login, username):
    client = login(username)
    page = client.get(reverse("ledger:entry", args=["E05"])).content.decode()
    assert reverse("ledger:adjust", args=["E05"]) in page and "登记更正调整" in page

    response = client.post(
        reverse("ledger:adjust", args=["E05"]), {"sign": "-1", "quantity": "1", "reason": "重复申报"}
    )
    assert response.status_code == 302 and response.url == reverse("ledger:entry", args=["E05~A1"])
    shown = client.get(response.url).content.decode()
    assert "更正调整（冲减）" in shown and 'id="adjusts"' in shown
    assert reverse("ledger:entry", args=["E05"]) in shown  # the original, linked

    original = client.get(reverse("ledger:entry", args=["E05"])).content.decode()
    assert 'data-adjustment="E05~A1"' in original and reverse("ledger:entry", args=["E05~A1"]) in original


def test_the_adjustment_shows_in_the_review_queue_and_lists_with_a_badge(final_q3, login):
    adjust(sign=1)
    queue = login("qx_reviewer").get(reverse("ledger:review")).content.decode()
    assert "E05~A1" in queue and "更正调整（补加）" in queue
    declarations = login("qx_admin").get(reverse("ledger:declarations")).content.decode()
    assert "E05~A1" in declarations and "更正调整（补加）" in declarations


def test_no_form_before_the_quarter_is_final_or_for_a_reviewer(county, login, today):
    assert "登记更正调整" not in login("org").get(reverse("ledger:entry", args=["E05"])).content.decode()
    make_q3_final()
    assert "登记更正调整" not in login("qx_reviewer").get(reverse("ledger:entry", args=["E05"])).content.decode()


def test_a_reviewer_or_the_cadre_is_refused_and_out_of_scope_finds_nothing(final_q3, login):
    data = {"sign": "-1", "quantity": "1", "reason": "重复申报"}
    before = state_of_db()
    for username in ("qx_reviewer", "a01"):
        assert login(username).post(reverse("ledger:adjust", args=["E05"]), data).status_code == 403
    for username in ("tc_admin", "a04", "sk_lead"):
        assert login(username).post(reverse("ledger:adjust", args=["E05"]), data).status_code == 404
    assert state_of_db() == before


def test_a_refused_adjustment_through_the_page_shows_the_message(county, login, today):
    before = state_of_db()
    client = login("qx_admin")
    response = client.post(
        reverse("ledger:adjust", args=["E05"]), {"sign": "-1", "quantity": "1", "reason": "x"}, follow=True
    )
    assert "尚未定稿" in response.content.decode()
    assert state_of_db() == before
