"""The holiday calendar: the official 2026 file, loading all or nothing, and windows that span a holiday."""

from __future__ import annotations

import json
from datetime import date

import pytest

from gongfen.audit.models import AuditEvent
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.publication import services
from gongfen.publication.holidays import (
    OFFICIAL_2026,
    SHIPPED,
    HolidaysInvalid,
    calendar_rows,
    holidays_load,
    holidays_load_file,
    holidays_parse,
    year_calendar,
)
from gongfen.publication.models import GroupPeriod, Holiday
from gongfen.rankings.selectors import group_by_code
from tests.factories import ACTOR, example_bundle, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def official():
    holidays_load_file(actor=ACTOR, path=OFFICIAL_2026)


def test_the_official_2026_file_has_every_holiday_and_every_working_weekend(official):
    working = set(Holiday.objects.filter(working=True).values_list("day", flat=True))
    assert working == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }
    assert all(day.weekday() >= 5 for day in working)  # 调休: weekends made working days
    names = {}
    for day, name in Holiday.objects.filter(working=False).values_list("day", "name"):
        names.setdefault(name, []).append(day)
    assert {k: (min(v), max(v), len(v)) for k, v in names.items()} == {
        "元旦": (date(2026, 1, 1), date(2026, 1, 3), 3),
        "春节": (date(2026, 2, 15), date(2026, 2, 23), 9),
        "清明节": (date(2026, 4, 4), date(2026, 4, 6), 3),
        "劳动节": (date(2026, 5, 1), date(2026, 5, 5), 5),
        "端午节": (date(2026, 6, 19), date(2026, 6, 21), 3),
        "中秋节": (date(2026, 9, 25), date(2026, 9, 27), 3),
        "国庆节": (date(2026, 10, 1), date(2026, 10, 7), 7),
    }


def test_the_shipped_2025_schedule_is_the_state_councils(db):
    """国办发明电〔2024〕12号: every holiday and every working weekend of 2025, known without loading anything."""
    days = year_calendar(2025)
    assert 2025 in SHIPPED and not Holiday.objects.exists()
    working = {day for day, works in days.items() if works}
    assert working == {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)}
    assert all(day.weekday() >= 5 for day in working)
    spans = {}
    for row in calendar_rows(2025):
        if not row.working:
            spans.setdefault(row.name, []).append(row.day)
    assert {k: (min(v), max(v), len(v)) for k, v in spans.items()} == {
        "元旦": (date(2025, 1, 1), date(2025, 1, 1), 1),
        "春节": (date(2025, 1, 28), date(2025, 2, 4), 8),
        "清明节": (date(2025, 4, 4), date(2025, 4, 6), 3),
        "劳动节": (date(2025, 5, 1), date(2025, 5, 5), 5),
        "端午节": (date(2025, 5, 31), date(2025, 6, 2), 3),
        "国庆节、中秋节": (date(2025, 10, 1), date(2025, 10, 8), 8),
    }
    # published Wed 8 October (a holiday): Thu 9, Fri 10, Sat 11 (调休 working day), Mon 13, Tue 14
    assert services.working_days_after(date(2025, 10, 8), 5) == date(2025, 10, 14)
    assert services.working_days_after(date(2025, 12, 26), 5) == date(2026, 1, 5)  # New Year 2026 shipped too


def test_a_window_spanning_national_day_ends_on_the_right_day(official):
    load(example_bundle())
    group = group_by_code("QX-ALL")
    services.period_close(actor=ACTOR, group=group, period="2026Q3")
    ledger.entry_reject(actor=ACTOR, entry=Entry.objects.get(code="E10"), reason="佐证不足")
    services.period_publish(actor=ACTOR, group=group, period="2026Q3", today=date(2026, 9, 30))
    row = GroupPeriod.objects.get(group=group, period="2026Q3")
    # 1–7 Oct off; Thu 8, Fri 9, Sat 10 (调休 working day), Mon 12, Tue 13
    assert (row.window_starts_on, row.window_ends_on) == (date(2026, 9, 30), date(2026, 10, 13))


def test_working_days_follow_the_calendar(official):
    assert services.working_days_after(date(2026, 9, 18), 1) == date(2026, 9, 20)  # Sunday 20 Sept is worked
    assert services.working_days_after(date(2026, 9, 24), 1) == date(2026, 9, 28)  # 中秋 Fri 25 is off
    assert services.working_days_after(date(2026, 2, 13), 1) == date(2026, 2, 14)  # Saturday before 春节
    assert services.working_days_after(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert services.working_days_after(date(2026, 9, 30), 5, calendar={}) == date(2026, 10, 7)  # without it


# --- parsing and loading ----------------------------------------------------------------


def test_csv_with_a_header_and_json_give_the_same_rows():
    csv_rows = holidays_parse("日期,上班/休息,名称\n2026-10-01,休息,国庆节\n2026-10-10,上班,国庆节调休上班\n")
    json_rows = holidays_parse(
        json.dumps(
            [
                {"date": "2026-10-01", "working": False, "name": "国庆节"},
                {"date": "2026-10-10", "working": True, "name": "国庆节调休上班"},
            ]
        )
    )
    assert csv_rows == json_rows and [r.working for r in csv_rows] == [False, True]


def test_every_problem_is_reported_with_its_line():
    text = "日期,上班/休息,名称\n2026-10-01,休息,国庆节\n2026-13-01,休息,x\n2026-10-02,放假,国庆节\n2026-10-01,休息,又一次\n1,2,3,4\n"
    with pytest.raises(HolidaysInvalid) as caught:
        holidays_parse(text, source="bad.csv")
    assert "bad.csv 有 4 处错误" in caught.value.message
    assert caught.value.problems == [
        "第 3 行：日期 '2026-13-01' 不是 YYYY-MM-DD 格式的有效日期",
        "第 4 行：第二列应为“上班”或“休息”，得到 '放假'",
        "第 6 行：应有 2 或 3 列（日期,上班/休息,名称），得到 4 列",
        "第 5 行：日期 2026-10-01 重复，首次出现在第 2 行",
    ]


def test_json_problems_name_their_path():
    with pytest.raises(HolidaysInvalid) as caught:
        holidays_parse('[{"date": "2026-10-01", "working": "no"}, {"day": "2026-10-02"}]')
    assert caught.value.problems[0].startswith("$[0].working：")
    assert caught.value.problems[1].startswith("$[1]：")


def test_loading_replaces_known_days_and_is_audited():
    holidays_load(actor=ACTOR, rows=holidays_parse("2026-10-01,休息,国庆\n"), source="a.csv")
    created, updated = holidays_load(
        actor=ACTOR, rows=holidays_parse("2026-10-01,休息,国庆节\n2026-10-10,上班,调休\n"), source="b.csv"
    )
    assert (created, updated) == (1, 1)
    assert list(Holiday.objects.values_list("day", "working", "name")) == [
        (date(2026, 10, 1), False, "国庆节"),
        (date(2026, 10, 10), True, "调休"),
    ]
    assert list(AuditEvent.objects.filter(action="holiday.load").values_list("object_id", flat=True)) == [
        "a.csv",
        "b.csv",
    ]
