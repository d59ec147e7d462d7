"""Scoring periods.

The first spec knows one kind of period, the calendar quarter (``2026Q3``).
Real rulebooks also tally by month, half-year or year; each kind is a class
registered in :data:`PERIOD_KINDS` and a scheme names its kind, so adding
one is a new class here, not a change to the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar


class PeriodError(ValueError):
    """A period code that cannot be read."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: ``2026Q3`` is 1 July to 30 September 2026."""

    year: int
    number: int
    kind: ClassVar[str] = "quarter"
    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^([0-9]{4})Q([1-4])$")

    @classmethod
    def parse(cls, code: str) -> Quarter:
        match = cls._PATTERN.match(code) if isinstance(code, str) else None
        if not match:
            raise PeriodError(f"period {code!r} is not a quarter like 2026Q3")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def all_of_year(cls, year: int) -> tuple[Quarter, ...]:
        return tuple(cls(year, n) for n in range(1, 5))

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Quarter | None:
        """The quarter before, within the same year (streaks never cross a year)."""
        return Quarter(self.year, self.number - 1) if self.number > 1 else None

    def __str__(self) -> str:
        return self.code


PERIOD_KINDS: dict[str, type[Quarter]] = {"quarter": Quarter}


def parse_period(code: str, kind: str = "quarter") -> Quarter:
    try:
        return PERIOD_KINDS[kind].parse(code)
    except KeyError as exc:
        raise PeriodError(f"unknown period kind {kind!r}") from exc


def period_of(day: date, kind: str = "quarter") -> Quarter:
    return PERIOD_KINDS[kind].containing(day)


def covered_days(spans: list[tuple[date, date | None]], start: date, end: date) -> int:
    """Days in [start, end] covered by at least one span (span ends inclusive, None = open)."""
    clipped = sorted((max(s, start), min(e or end, end)) for s, e in spans if s <= end and (e is None or e >= start))
    total, cursor = 0, None
    for lo, hi in clipped:
        if cursor is not None and lo <= cursor:
            lo = cursor + timedelta(days=1)
        if lo <= hi:
            total += (hi - lo).days + 1
            cursor = hi
    return total
