"""December 2026, and nobody has recorded 2027's 节假日与调休: windows into 2027 are refused, not guessed.

The clock is pinned (time-machine) to Monday 28 December 2026, 10:00 in Shanghai: a five-working-day
objection window opened that day runs into January 2027. 2026 is the shipped State Council schedule;
2027 has none (not published when this was written), so 组织部 is warned on the dashboard and on the
board's closing panel, publishing is refused with a clear message and changes nothing, and once 组织部
enters the year on the 节假日与调休 page (audited) the same publication goes through, counting the
entered holiday. The 2027 days below are test data, not the official schedule.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.publication import services
from gongfen.publication.holidays import (
    SHIPPED,
    CalendarMissing,
    HolidaysInvalid,
    holiday_year_record,
    holidays_load,
    holidays_parse,
    missing_years,
)
from gongfen.publication.models import GroupPeriod, HolidayYear, PeriodState, Snapshot
from gongfen.rankings.selectors import group_by_code
from tests.web_fixtures import *  # noqa: F403

MONDAY_28_DEC = datetime(2026, 12, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TEST_2027 = "2027-01-01,休息,元旦（测试数据）\n"  # a test day, not the State Council's schedule
BOARD = "/rankings/QX-ALL/2026Q4/"


@pytest.fixture
def december():
    with time_machine.travel(MONDAY_28_DEC, tick=False):
        yield


@pytest.fixture
def closing(county, december):
    """QX-ALL 2026Q4 closed to declarations (nothing left to decide), ready to publish."""
    group = group_by_code("QX-ALL")
    services.period_close(actor=Actor(county["org"]), group=group, period="2026Q4")
    return group


def test_2026_is_shipped_and_2027_is_not(db, december):
    assert 2026 in SHIPPED and 2027 not in SHIPPED
    assert missing_years() == [2027]  # from 28 December 2026, a five-day window may reach into 2027
    assert missing_years(date(2026, 12, 7)) == []  # three weeks earlier, none could
    assert missing_years(date(2026, 10, 26), working_days=60) == [2027]  # the longest window could
    with pytest.raises(CalendarMissing) as refused:
        services.working_days_after(date(2026, 12, 28), 5)
    assert refused.value.year == 2027 and refused.value.code == "calendar_missing"
    assert "2027 年的节假日与调休安排尚未录入" in refused.value.message
    assert services.working_days_after(date(2026, 12, 18), 5) == date(2026, 12, 25)  # within 2026: computed
    assert services.working_days_after(date(2026, 12, 28), 5, calendar={}) == date(2027, 1, 4)  # explicit: pure


def test_the_dashboard_warns_组织部_only(closing, login):
    page = login("org").get("/").content.decode()
    assert 'id="panel-calendar"' in page and "2027 年的节假日与调休安排尚未录入" in page
    assert reverse("publication:holidays") in page
    assert 'id="panel-calendar"' not in login("qx_admin").get("/").content.decode()


def test_publishing_into_an_unrecorded_year_is_refused_and_changes_nothing(closing, login):
    client = login("qx_admin")
    board = client.get(BOARD).content.decode()
    assert 'id="calendar-missing"' in board and "请联系组织部录入" in board  # warned before trying
    before = AuditEvent.objects.count()
    response = client.post(reverse("rankings:publish", args=["QX-ALL", "2026Q4"]), {"window_days": "5"})
    assert response.status_code == 400
    assert "2027 年的节假日与调休安排尚未录入" in response.content.decode()
    row = GroupPeriod.objects.get(group=closing, period="2026Q4")
    assert (row.state, row.window_ends_on) == (PeriodState.CLOSING, None)
    assert not Snapshot.objects.filter(group=closing, period="2026Q4").exists()
    assert AuditEvent.objects.count() == before
    with pytest.raises(CalendarMissing):
        services.period_publish(actor=Actor(None, "test"), group=closing, period="2026Q4")


def test_only_组织部_records_a_year(county, closing, login):
    assert login("qx_admin").get(reverse("publication:holidays")).status_code == 404
    assert login("qx_admin").get(reverse("publication:holidays_year", args=[2027])).status_code == 404
    with pytest.raises(DomainError, match="只有组织部"):
        holiday_year_record(actor=Actor(county["qx_admin"]), year=2027, rows=holidays_parse(TEST_2027))
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_组织部_enters_2027_and_the_window_counts_it(closing, login):
    client = login("org")
    response = client.get(reverse("publication:holidays"))
    assert response.status_code == 302 and response["Location"] == reverse("publication:holidays_year", args=[2027])
    page = client.get(response["Location"]).content.decode()
    assert "本年度的安排尚未录入" in page and 'name="days"' in page
    board = client.get(BOARD).content.decode()
    assert reverse("publication:holidays_year", args=[2027]) in board  # 组织部 gets the link on the board

    url = reverse("publication:holidays_year", args=[2027])
    bad = client.post(url, {"days": "2027-13-01,休息,x\n2026-12-31,休息,跨年\n", "source": ""})
    assert bad.status_code == 200 and "第 1 行" in bad.content.decode()
    across = client.post(url, {"days": "2026-12-31,休息,跨年\n", "source": ""})
    assert across.status_code == 200 and "不在 2027 年内" in across.content.decode()
    assert not HolidayYear.objects.filter(year=2027).exists()

    saved = client.post(url, {"days": TEST_2027, "source": "测试数据"})
    assert saved.status_code == 302
    recorded = HolidayYear.objects.get(year=2027)
    assert (recorded.source, recorded.recorded_by_label) == ("测试数据", "org")
    event = AuditEvent.objects.get(action="holiday.year.record")
    assert event.object_id == "2027" and event.after["days"] == ["2027-01-01,休息,元旦（测试数据）"]
    assert missing_years() == []
    assert 'id="panel-calendar"' not in client.get("/").content.decode()
    assert 'id="calendar-missing"' not in client.get(BOARD).content.decode()

    response = client.post(reverse("rankings:publish", args=["QX-ALL", "2026Q4"]), {"window_days": "5"})
    assert response.status_code == 302
    row = GroupPeriod.objects.get(group=closing, period="2026Q4")
    # Tue 29, Wed 30, Thu 31 Dec; Fri 1 Jan is the entered holiday; Mon 4, Tue 5 Jan
    assert (row.state, row.window_starts_on, row.window_ends_on) == (
        PeriodState.PUBLISHED,
        date(2026, 12, 28),
        date(2027, 1, 5),
    )


def test_a_loaded_file_records_its_years_but_not_a_shipped_one(db, december):
    holidays_load(actor=Actor(None, "test"), rows=holidays_parse(TEST_2027 + "2026-12-31,休息,测试\n"), source="t.csv")
    assert list(HolidayYear.objects.values_list("year", flat=True)) == [2027]  # 2026 stays the shipped schedule
    assert services.working_days_after(date(2026, 12, 28), 5) == date(2027, 1, 6)  # 31 Dec and 1 Jan off


def test_bad_input_on_the_service_is_refused_whole(db):
    with pytest.raises(HolidaysInvalid):
        holiday_year_record(actor=Actor(None, "test"), year=2027, rows=holidays_parse("2026-12-31,休息,x\n"))
    assert not HolidayYear.objects.exists()
