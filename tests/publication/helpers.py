"""Publishing the county fixture's 2026Q3 for 齐溪镇全体干部 (QX-ALL), and the state a refusal must leave alone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from gongfen.accounts.models import User
from gongfen.accounts.services import user_create
from gongfen.audit.models import AuditEvent
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryEvent
from gongfen.notices.models import Notice
from gongfen.org.models import Cadre
from gongfen.publication import services
from gongfen.publication.models import GroupPeriod, Objection, Snapshot
from gongfen.rankings.selectors import group_by_code
from tests.web_fixtures import ACTOR, PASSWORD

Q3 = "2026Q3"
FRI = date(2026, 11, 20)  # publication day; the 5-working-day window ends Fri 27 Nov
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def qx():
    return group_by_code("QX-ALL")


def close_q3():
    group = qx()
    services.period_close(actor=ACTOR, group=group, period=Q3)
    ledger.entry_reject(actor=ACTOR, entry=Entry.objects.get(code="E10"), reason="佐证不足")
    return group


def publish_q3(today: date = FRI):
    group = close_q3()
    services.period_publish(actor=ACTOR, group=group, period=Q3, today=today)
    return group


def cadre_user(code: str, username: str | None = None) -> User:
    """A login for a cadre of the example that the county fixture has none for (A05, A08…)."""
    return user_create(
        actor=ACTOR, username=username or code.lower(), password=PASSWORD, cadre=Cadre.objects.get(code=code)
    )


def state_of_db():
    """Everything a refused objection step must leave as it was."""
    return (
        list(Objection.objects.values_list("id", "status", "decision_reason", "resolved_version")),
        Entry.objects.count(),
        EntryEvent.objects.count(),
        list(Snapshot.objects.values_list("id", "version")),
        list(GroupPeriod.objects.values_list("state", "window_starts_on", "window_ends_on")),
        AuditEvent.objects.writes().count(),
        Notice.objects.count(),
    )
