"""The holiday calendar (节假日与调休) that the objection window counts working days with.

A file lists days that are not ordinary: public holidays (休息) and 调休
weekends that are working days (上班). Two formats, both checked completely
before anything is written (all or nothing):

- CSV with the columns ``日期,上班/休息,名称`` (a header row is optional),
  e.g. ``2026-10-01,休息,国庆节`` / ``2026-10-10,上班,国庆节调休上班``;
- JSON: a list of ``{"date": "2026-10-01", "working": false, "name": "国庆节"}``.

Loading a day that is already known replaces its row.

Which years are known (:func:`year_calendar`): a year recorded whole (:class:`HolidayYear`:
entered by 组织部 on the 节假日与调休 page, :func:`holiday_year_record`, or loaded from a file
with ``gongfen holidays load``) is its :class:`Holiday` rows; a year whose State Council schedule
the product ships (``holidays-cn-YYYY.json`` beside this file, :data:`SHIPPED`) is that schedule,
with any :class:`Holiday` row of the year on top. Any other year is unknown: a window or deadline
that needs it raises :class:`CalendarMissing` rather than counting Monday to Friday.

Shipped: 2025, from 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, published
12 November 2024, www.gov.cn/zhengce/content/202411/content_6986382.htm); 2026, from
国务院办公厅关于2026年部分节假日安排的通知 (published 4 November 2025,
www.gov.cn/zhengce/content/202511/content_7047090.htm). 2027: not shipped; the State Council's
schedule could not be found (as of December 2026, neither the PyPI ``holidays`` package 0.108 nor
``chinese-calendar`` 1.11 has it): 组织部 enters it on the page when it is published.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError

from .models import Holiday, HolidayYear

OFFICIAL_2026 = Path(__file__).with_name("holidays-cn-2026.json")
# the State Council's schedules shipped with the product, by year
SHIPPED = {int(p.stem.rsplit("-", 1)[1]): p for p in sorted(Path(__file__).parent.glob("holidays-cn-*.json"))}
KINDS = {"上班": True, "休息": False}


@dataclass(frozen=True)
class HolidayRow:
    day: date
    working: bool
    name: str


class HolidaysInvalid(DomainError):
    """A holiday file with problems, each with its line (CSV) or JSON path; nothing was loaded."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__(f"节假日文件 {source} 有 {len(problems)} 处错误，未导入任何日期 (nothing loaded)")
        self.problems = problems


class CalendarMissing(DomainError):
    """A window or deadline needs a year whose 节假日与调休 nobody has recorded: refused, not guessed."""

    def __init__(self, year: int):
        super().__init__(
            f"{year} 年的节假日与调休安排尚未录入，无法按工作日计算异议期（系统不按周一至周五推算）。"
            f"请组织部在“节假日与调休”页面录入 {year} 年的放假和调休上班日期后再试。",
            field="window_days",
            code="calendar_missing",
        )
        self.year = year


@cache
def _shipped_days(year: int) -> dict[date, bool]:
    rows = holidays_parse(SHIPPED[year].read_text(encoding="utf-8"), source=SHIPPED[year].name, fmt="json")
    return {r.day: r.working for r in rows}


def year_calendar(year: int) -> dict[date, bool] | None:
    """The year's special days (day → working?), or None when the year's calendar is unknown."""
    recorded = HolidayYear.objects.filter(year=year).exists()
    days = dict(Holiday.objects.filter(day__year=year).values_list("day", "working"))
    if recorded:
        return days
    if year in SHIPPED:
        return _shipped_days(year) | days
    return None


def known_years(years) -> set[int]:
    """Which of ``years`` have a calendar (recorded or shipped); no query when all are shipped."""
    years = set(years)
    shipped = years & set(SHIPPED)
    if shipped == years:
        return shipped
    return shipped | set(HolidayYear.objects.filter(year__in=years - shipped).values_list("year", flat=True))


def reach(start: date, working_days: int) -> date:
    """The latest day a window of ``working_days`` from ``start`` can end on, whatever the calendar
    (five working days a week, and two weeks for the longest holiday, 春节 with its 调休)."""
    return start + timedelta(days=working_days * 7 // 5 + 14)


def missing_years(today: date | None = None, working_days: int | None = None) -> list[int]:
    """The years a window opened from ``today`` could reach that have no calendar: such a window is refused.

    ``working_days``: the window's length; by default the longest objection window of any scheme.
    """
    from django.db.models import Max

    from gongfen.schemes.models import Scheme

    today = today or timezone.localdate()
    if working_days is None:
        working_days = Scheme.objects.aggregate(longest=Max("objection_days"))["longest"] or 5
    years = set(range(today.year, reach(today, working_days).year + 1))
    return sorted(years - known_years(years))


def calendar_rows(year: int) -> list[HolidayRow]:
    """The year's days as the calendar uses them (recorded, or shipped with any recorded day on top)."""
    days = year_calendar(year) or {}
    names = dict(Holiday.objects.filter(day__year=year).values_list("day", "name"))
    if year in SHIPPED and not HolidayYear.objects.filter(year=year).exists():
        shipped = holidays_parse(SHIPPED[year].read_text(encoding="utf-8"), fmt="json")
        names = {r.day: r.name for r in shipped} | names
    return [HolidayRow(day, working, names.get(day, "")) for day, working in sorted(days.items())]


def _day(value, where: str, problems: list[str]) -> date | None:
    try:
        if not isinstance(value, str) or len(value.strip()) != 10:
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(f"{where}：日期 {value!r} 不是 YYYY-MM-DD 格式的有效日期")
        return None


def _csv_rows(text: str, problems: list[str]) -> list[tuple[str, date | None, bool | None, str]]:
    out = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not cells or all(not c.strip() for c in cells):
            continue
        if number == 1 and cells[0].strip().lstrip("\ufeff") == "日期":
            continue  # the header
        where = f"第 {number} 行"
        if len(cells) not in (2, 3):
            problems.append(f"{where}：应有 2 或 3 列（日期,上班/休息,名称），得到 {len(cells)} 列")
            continue
        kind = cells[1].strip()
        if kind not in KINDS:
            problems.append(f"{where}：第二列应为“上班”或“休息”，得到 {kind!r}")
        name = cells[2].strip() if len(cells) == 3 else ""
        out.append((where, _day(cells[0].lstrip("\ufeff"), where, problems), KINDS.get(kind), name))
    return out


def _json_rows(text: str, problems: list[str]) -> list[tuple[str, date | None, bool | None, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"第 {exc.lineno} 行：不是有效的 JSON（{exc.msg}）")
        return []
    if not isinstance(data, list):
        problems.append('$：应为一个列表 [{"date": …, "working": …, "name": …}, …]')
        return []
    out = []
    for i, item in enumerate(data):
        where = f"$[{i}]"
        if not isinstance(item, dict) or set(item) - {"date", "working", "name"} or "date" not in item:
            problems.append(f'{where}：应为 {{"date": "YYYY-MM-DD", "working": true/false, "name": "…"}}')
            continue
        working = item.get("working", False)
        if not isinstance(working, bool):
            problems.append(f"{where}.working：应为 true（上班）或 false（休息），得到 {working!r}")
        name = item.get("name", "")
        if not isinstance(name, str):
            problems.append(f"{where}.name：应为文字")
            name = ""
        out.append((where, _day(item["date"], f"{where}.date", problems), working, name))
    return out


def holidays_parse(text: str, *, source: str = "file", fmt: str | None = None) -> list[HolidayRow]:
    """Every row of a holiday file, or :class:`HolidaysInvalid` listing every problem found."""
    fmt = fmt or ("json" if text.lstrip().startswith("[") else "csv")
    problems: list[str] = []
    raw = _json_rows(text, problems) if fmt == "json" else _csv_rows(text, problems)
    seen: dict[date, str] = {}
    rows = []
    for where, day, working, name in raw:
        if len(name) > 50:
            problems.append(f"{where}：名称最多 50 个字")
        if day is None or working is None:
            continue
        if day in seen:
            problems.append(f"{where}：日期 {day} 重复，首次出现在{seen[day]}")
            continue
        seen[day] = where
        rows.append(HolidayRow(day, working, name))
    if not rows and not problems:
        problems.append("文件中没有任何日期")
    if problems:
        raise HolidaysInvalid(source, problems)
    return rows


def _record_years(actor: Actor, years, source: str) -> None:
    now = timezone.now()
    for year in sorted(years):
        HolidayYear.objects.update_or_create(
            year=year,
            defaults={
                "source": source[:200],
                "recorded_by": actor.user,
                "recorded_by_label": actor.label,
                "recorded_at": now,
            },
        )


@transaction.atomic
def holidays_load(*, actor: Actor, rows: list[HolidayRow], source: str = "") -> tuple[int, int]:
    """Write the days (a known day is replaced); returns (created, updated). One audit row for the load.

    A file states its years' schedules: each year in it that the product does not ship counts as
    recorded (:class:`HolidayYear`); for a shipped year the days are laid over the shipped schedule."""
    existing = {h.day: h for h in Holiday.objects.select_for_update().filter(day__in=[r.day for r in rows])}
    created = updated = 0
    for row in rows:
        known = existing.get(row.day)
        if known is None:
            Holiday.objects.create(day=row.day, working=row.working, name=row.name)
            created += 1
        elif (known.working, known.name) != (row.working, row.name):
            known.working, known.name = row.working, row.name
            known.save()
            updated += 1
    _record_years(actor, {r.day.year for r in rows} - set(SHIPPED), source or "holidays load")
    audit_record(
        actor=actor,
        action="holiday.load",
        object_type="publication.holiday",
        object_id=source or "holidays",
        summary=f"{created} created, {updated} updated",
        after={"created": created, "updated": updated, "days": [r.day.isoformat() for r in rows]},
    )
    return created, updated


def holidays_load_file(*, actor: Actor, path: Path) -> tuple[int, int]:
    """Parse and load one file (``.json`` or CSV), all or nothing."""
    text = path.read_text(encoding="utf-8-sig")
    fmt = "json" if path.suffix.lower() == ".json" else None
    return holidays_load(actor=actor, rows=holidays_parse(text, source=path.name, fmt=fmt), source=path.name)


def holidays_of(year: int | None = None):
    days = Holiday.objects.order_by("day")
    return days.filter(day__year=year) if year else days


@transaction.atomic
def holiday_year_record(*, actor: Actor, year: int, rows: list[HolidayRow], source: str = "") -> HolidayYear:
    """组织部 records the whole 节假日与调休 of ``year`` (the State Council's schedule): the year's days are
    replaced by ``rows``, the year counts as known from now on, and the change is audited (before and after)."""
    from gongfen.accounts.permissions import principal

    if actor.user is not None and not principal(actor.user).is_org_admin:
        raise DomainError("只有组织部管理员可以录入节假日与调休", field="year")
    if not 2000 <= year <= 2100:
        raise DomainError(f"年份 {year} 不在 2000–2100 之间", field="year")
    outside = [r.day.isoformat() for r in rows if r.day.year != year]
    if outside:
        raise HolidaysInvalid(f"{year} 年", [f"日期 {d} 不在 {year} 年内" for d in outside])
    source = (source or "").strip()
    before = [_as_row(r) for r in calendar_rows(year)] if year in known_years([year]) else None
    Holiday.objects.filter(day__year=year).delete()
    Holiday.objects.bulk_create([Holiday(day=r.day, working=r.working, name=r.name) for r in rows])
    _record_years(actor, [year], source or "节假日与调休页面 (page)")
    audit_record(
        actor=actor,
        action="holiday.year.record",
        object_type="publication.holidayyear",
        object_id=str(year),
        summary=f"{year}: {len(rows)} days" + (f" ({source})" if source else ""),
        before={"days": before} if before is not None else None,
        after={"days": [_as_row(r) for r in rows], "source": source},
    )
    return HolidayYear.objects.get(year=year)


def _as_row(row: HolidayRow) -> str:
    return f"{row.day.isoformat()},{'上班' if row.working else '休息'},{row.name}"
