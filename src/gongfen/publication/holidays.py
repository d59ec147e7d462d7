"""The holiday calendar (节假日与调休) that the objection window counts working days with.

A file lists days that are not ordinary: public holidays (休息) and 调休
weekends that are working days (上班). Two formats, both checked completely
before anything is written (all or nothing):

- CSV with the columns ``日期,上班/休息,名称`` (a header row is optional),
  e.g. ``2026-10-01,休息,国庆节`` / ``2026-10-10,上班,国庆节调休上班``;
- JSON: a list of ``{"date": "2026-10-01", "working": false, "name": "国庆节"}``.

Loading a day that is already known replaces its row.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError

from .models import Holiday

OFFICIAL_2026 = Path(__file__).with_name("holidays-cn-2026.json")
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


@transaction.atomic
def holidays_load(*, actor: Actor, rows: list[HolidayRow], source: str = "") -> tuple[int, int]:
    """Write the days (a known day is replaced); returns (created, updated). One audit row for the load."""
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
