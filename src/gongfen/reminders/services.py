"""The daily digest (每日提醒): what needs a person, at most once a day, in the app, by e-mail and DingTalk.

``digests_send`` is what ``gongfen reminders send`` runs (by cron, e.g. every hour in working hours):
for every active user with something waiting it sends one digest unless the user opted out, is in
their quiet hours (then a later run sends it), or has had one today (``Digest``: one row per person
per day, the throttle). Nothing waiting, nothing sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.notices.models import NoticeKind
from gongfen.notices.services import notify

from .dingtalk import DingTalkClient, DingTalkConfig, DingTalkError
from .models import Digest, ReminderSetting

log = logging.getLogger(__name__)


@transaction.atomic
def setting_save(
    *,
    actor: Actor,
    user,
    opted_out: bool,
    quiet_start: time | None,
    quiet_end: time | None,
    dingtalk_userid: str = "",
) -> ReminderSetting:
    """A person's own reminder settings (only they change them)."""
    if actor.user is not None and actor.user.pk != user.pk:
        raise DomainError("只能修改本人的提醒设置", code="forbidden")
    if (quiet_start is None) != (quiet_end is None):
        raise DomainError("免打扰时段须同时填写开始和结束时间", field="quiet_end")
    if quiet_start is not None and quiet_start == quiet_end:
        raise DomainError("免打扰的开始和结束时间不能相同", field="quiet_end")
    dingtalk_userid = (dingtalk_userid or "").strip()
    row, _ = ReminderSetting.objects.update_or_create(
        user=user,
        defaults={
            "opted_out": opted_out,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "dingtalk_userid": dingtalk_userid,
        },
    )
    audit_record(
        actor=actor,
        action="reminders.setting",
        obj=row,
        object_id=user.get_username(),
        after={"opted_out": opted_out, "quiet": [str(quiet_start), str(quiet_end)], "dingtalk": bool(dingtalk_userid)},
    )
    return row


def in_quiet_hours(setting: ReminderSetting | None, moment: datetime) -> bool:
    """Whether local ``moment`` falls in the quiet hours (a span may cross midnight: 21:00–08:00)."""
    if setting is None or setting.quiet_start is None or setting.quiet_end is None:
        return False
    now = timezone.localtime(moment).time()
    start, end = setting.quiet_start, setting.quiet_end
    return start <= now < end if start < end else (now >= start or now < end)


@dataclass
class Item:
    label: str
    count: int
    url: str


def digest_items(user) -> list[Item]:
    """What waits for ``user`` now: reviews, records to confirm, own drafts, rounds to vote in, objections."""
    from gongfen.accounts.permissions import ADMINS, principal
    from gongfen.evaluations.models import RoundState
    from gongfen.evaluations.selectors import voting_rounds
    from gongfen.intake.selectors import pending_for
    from gongfen.ledger.models import EntryStatus
    from gongfen.ledger.page_selectors import my_declarations, review_queue
    from gongfen.publication.models import ObjectionStatus
    from gongfen.publication.page_selectors import decidable_objections

    p = principal(user)
    found = [
        Item("条记录待您审核", review_queue(user).count(), reverse("ledger:review")),
        Item("条其他系统推送的记录待您确认", pending_for(user).count(), reverse("intake:pending")),
        Item(
            "条草稿尚未提交（关账后不能再申报）",
            my_declarations(user, status=EntryStatus.DECLARED).count(),
            reverse("ledger:declarations"),
        ),
        Item(
            "个测评等您投票",
            voting_rounds(user).filter(state=RoundState.OPEN, voted=False).count(),
            reverse("evaluations:list"),
        ),
    ]
    if p.has(*ADMINS):
        count = decidable_objections(user).filter(status=ObjectionStatus.FILED).count()
        found.append(Item("条异议待处理", count, reverse("publication:queue")))
    return [item for item in found if item.count]


@dataclass
class SendReport:
    sent: int = 0
    nothing: int = 0
    opted_out: int = 0
    quiet: int = 0
    already: int = 0
    dingtalk_failed: int = 0
    dingtalk_sent: int = 0
    users: list[str] = field(default_factory=list)


def _text(items: list[Item]) -> str:
    return "\n".join(f"- {item.count} {item.label}" for item in items)


def digests_send(*, now: datetime | None = None, client: DingTalkClient | None = None) -> SendReport:
    """Send today's digests that are due at ``now`` (default: the current time)."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    config = DingTalkConfig.from_settings() if client is None else None
    client = client or (DingTalkClient(config) if config else None)
    report = SendReport()
    settings_by_user = {s.user_id: s for s in ReminderSetting.objects.all()}
    done_today = set(Digest.objects.filter(day=day).values_list("user_id", flat=True))
    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        setting = settings_by_user.get(user.pk)
        if user.pk in done_today:
            report.already += 1
        elif setting is not None and setting.opted_out:
            report.opted_out += 1
        elif in_quiet_hours(setting, now):
            report.quiet += 1
        elif not (items := digest_items(user)):
            report.nothing += 1
        else:
            _send_one(user, setting, items, day, now, client, report)
    return report


def _send_one(user, setting, items: list[Item], day, now, client, report: SendReport) -> None:
    title = f"工分提醒：{sum(i.count for i in items)} 项待办"
    text = _text(items)
    channels = ["app"]
    try:
        with transaction.atomic():
            digest = Digest.objects.create(
                user=user,
                day=day,
                sent_at=now,
                items=[{"label": i.label, "count": i.count} for i in items],
                channels=channels,
            )
            notify([user], kind=NoticeKind.OTHER, title=title, body=text, url=items[0].url)
    except IntegrityError:  # another run sent today's digest meanwhile
        report.already += 1
        return
    report.sent += 1
    report.users.append(user.get_username())
    userid = setting.dingtalk_userid if setting is not None else ""
    if client is not None and userid:
        try:
            client.send_work_notice(userids=[userid], title=title, text=f"### {title}\n{text}")
            report.dingtalk_sent += 1
            Digest.objects.filter(pk=digest.pk).update(channels=[*channels, "dingtalk"])
        except DingTalkError as exc:  # the in-app notice stands; DingTalk trouble is logged and counted
            log.warning("DingTalk digest to %s failed: %s", user.get_username(), exc)
            report.dingtalk_failed += 1
