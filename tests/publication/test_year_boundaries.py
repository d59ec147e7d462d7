"""The product at the turn of the year, with the clock where each test says (the server in UTC).

The product's day is Shanghai's (settings.TIME_ZONE): at 16:30 UTC on 31 December it is already
1 January. Each case pins its own instant, so it holds whatever the suite's instant is.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongfen.common import Actor, DomainError
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre
from gongfen.publication import services
from gongfen.publication.models import GroupPeriod, PeriodState
from gongfen.publication.selectors import period_is_open
from gongfen.rankings.selectors import group_by_code
from gongfen.schemes.models import Rule
from gongfen.scoring import period_of
from tests.clock import UTC, at
from tests.factories import example_bundle, load

pytestmark = pytest.mark.django_db
ACTOR = Actor(None, "test")
# The instants are given in UTC, so time-machine sets the process's time zone (TZ) to UTC, as on most
# servers; the product still counts Shanghai's days.
LAST_MINUTE = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai


@pytest.fixture(autouse=True)
def _time_zone_restored(monkeypatch):
    monkeypatch.setenv("TZ", os.environ.get("TZ", "Asia/Shanghai"))
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def example(db):
    load(example_bundle())
    return group_by_code("QX-ALL")


def declare(day: date) -> Entry:
    return ledger.entry_declare(
        actor=ACTOR,
        cadre=Cadre.objects.get(code="A04"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        occurred_on=day,
        quantity=Decimal(1),
    )


def test_a_declaration_on_31_december_is_of_q4(example, clock):
    clock.move_to(LAST_MINUTE)
    assert time.strftime("%H:%M") == "15:59"  # the machine says UTC
    entry = declare(date(2026, 12, 31))
    assert (entry.period, entry.status) == ("2026Q4", "pending")
    assert timezone.localdate() == date(2026, 12, 31)


def test_a_quarter_begins_at_midnight_in_shanghai_not_in_utc(example, clock):
    clock.move_to(datetime(2026, 9, 30, 15, 59, tzinfo=UTC))  # 23:59 on 30 September in Shanghai
    with pytest.raises(DomainError, match="晚于今天"):
        declare(date(2026, 10, 1))
    clock.move_to(datetime(2026, 9, 30, 16, 1, tzinfo=UTC))  # 00:01 on 1 October in Shanghai, still 30 Sept in UTC
    assert declare(date(2026, 10, 1)).period == "2026Q4"


def test_after_midnight_in_shanghai_while_utc_is_still_on_31_december(example, clock):
    clock.move_to(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert timezone.localdate() == date(2027, 1, 1) and period_of(timezone.localdate(), "quarter").code == "2027Q1"
    # 1 January is today, not the future; it is outside the 2026 scheme's year, and the refusal says so
    with pytest.raises(DomainError, match=r"不在考核方案 .* 的年度 2026 内"):
        declare(date(2027, 1, 1))
    assert declare(date(2026, 12, 31)).period == "2026Q4"  # a late declaration for Q4 while it is open


def test_a_quarter_closed_at_23_59_in_shanghai(example, clock):
    clock.move_to(LAST_MINUTE)
    services.period_close(actor=ACTOR, group=example, period="2026Q4")
    assert GroupPeriod.objects.get(group=example, period="2026Q4").state == PeriodState.CLOSING
    assert not period_is_open(example.scheme_id, "2026Q4")
    with pytest.raises(DomainError, match="2026Q4 已关账"):
        declare(date(2026, 12, 31))  # the same minute: refused, nothing written
    assert not Entry.objects.filter(occurred_on=date(2026, 12, 31)).exists()


def test_an_objection_window_across_new_year_counts_the_shipped_holidays(example, clock):
    """Published Monday 28 December 2026 … but 2027 has no calendar: refused, never guessed (2025→2026 has)."""
    clock.move_to(at(date(2026, 12, 28)).astimezone(UTC))
    services.period_close(actor=ACTOR, group=example, period="2026Q4")
    with pytest.raises(DomainError, match="2027 年的节假日与调休安排尚未录入"):
        services.period_publish(actor=ACTOR, group=example, period="2026Q4")
    assert GroupPeriod.objects.get(group=example, period="2026Q4").window_ends_on is None
    # a year earlier both years are shipped: Mon 29, Tue 30, Wed 31 Dec, (1–3 Jan off), Sun 4 (调休), Mon 5 Jan
    assert services.working_days_after(date(2025, 12, 26), 5) == date(2026, 1, 5)
