"""Notices: one per person, written with the change; e-mailed after the commit when configured; who hears what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core import mail

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.evaluations import services as rounds
from gongfen.ledger import services as ledger
from gongfen.notices.models import Notice, NoticeKind
from gongfen.notices.services import notices_read, notify
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule
from tests.evaluations.conftest import admin_actor, make_round
from tests.web_fixtures import *  # noqa: F403


def user(name: str) -> User:
    return User.objects.get(username=name)


def test_one_notice_per_distinct_user_and_none_for_nobody(county):
    a01 = user("a01")
    made = notify([a01, a01.pk, None, user("a04")], kind=NoticeKind.OTHER, title="标题", url="/x/")
    assert sorted(n.user.username for n in made) == ["a01", "a04"]
    assert notify([], kind=NoticeKind.OTHER, title="无人") == []
    assert Notice.objects.count() == 2


def test_mail_leaves_only_after_the_commit_and_only_when_configured(
    county, settings, django_capture_on_commit_callbacks
):
    a01 = user("a01")
    a01.email = "a01@example.gov.cn"
    a01.save()
    settings.GONGFEN_NOTICE_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        notify([a01], kind=NoticeKind.OTHER, title="不发邮件")
    assert mail.outbox == []

    settings.GONGFEN_NOTICE_EMAIL = True
    settings.GONGFEN_BASE_URL = "https://gongfen.example.gov.cn"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([a01, user("a04")], kind=NoticeKind.OTHER, title="要发邮件", body="正文", url="/notices/")
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1  # a04 has no address: the in-app notice only
    message = mail.outbox[0]
    assert message.to == ["a01@example.gov.cn"] and message.subject == "[工分] 要发邮件"
    assert "正文" in message.body and "https://gongfen.example.gov.cn/notices/" in message.body
    assert Notice.objects.get(user=a01, title="要发邮件").emailed_at is not None
    assert Notice.objects.get(user=user("a04"), title="要发邮件").emailed_at is None


def test_marking_read_touches_only_ones_own_unread_notices(county):
    mine = notify([user("a01")], kind=NoticeKind.OTHER, title="一")[0]
    notify([user("a01")], kind=NoticeKind.OTHER, title="二")
    notify([user("a04")], kind=NoticeKind.OTHER, title="别人的")
    assert notices_read(user=user("a01"), ids=[mine.pk]) == 1
    assert notices_read(user=user("a01")) == 1
    assert notices_read(user=user("a01")) == 0
    assert Notice.objects.get(user__username="a04").read_at is None


def _declare(cadre: str) -> object:
    return ledger.entry_declare(
        actor=Actor(None, "test"),
        cadre=Cadre.objects.get(code=cadre),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        occurred_on=date(2026, 8, 1),
        quantity=Decimal(1),
    )


def test_the_cadre_hears_that_an_entry_was_approved_or_rejected(county):
    reviewer = Actor(user("qx_reviewer"))
    ledger.entry_approve(actor=reviewer, entry=_declare("A01"))
    ledger.entry_reject(actor=reviewer, entry=_declare("A01"), reason="材料不全")
    ledger.entry_approve(actor=reviewer, entry=_declare("A03"))  # A03 has no account: nobody to tell
    notices = list(Notice.objects.filter(kind=NoticeKind.ENTRY).order_by("id"))
    assert [n.user.username for n in notices] == ["a01", "a01"]
    assert notices[0].title.startswith("工分记录已通过") and notices[0].url.startswith("/ledger/entry/")
    assert notices[1].title.startswith("工分记录被退回") and "材料不全" in notices[1].body


def test_named_voters_hear_that_a_round_opened_and_late_additions_too(county):
    round_ = make_round()
    rounds.voters_set(actor=admin_actor(), round=round_, evaluator_class="peer", users=[user("a01")])
    assert not Notice.objects.filter(kind=NoticeKind.ROUND).exists()  # a draft round tells nobody
    rounds.round_open(actor=admin_actor(), round=round_)
    assert list(Notice.objects.filter(kind=NoticeKind.ROUND).values_list("user__username", flat=True)) == ["a01"]
    rounds.voters_set(actor=admin_actor(), round=round_, evaluator_class="peer", users=[user("a01"), user("a04")])
    heard = sorted(Notice.objects.filter(kind=NoticeKind.ROUND).values_list("user__username", flat=True))
    assert heard == ["a01", "a04"]  # a01 is not told twice
