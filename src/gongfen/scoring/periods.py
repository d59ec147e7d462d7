"""Scoring periods (spec v2 §2): months ``2026M07``, quarters ``2026Q3``, halves ``2026H2`` and years ``2026Y``.

A period is a closed range of dates within one calendar year. Each kind is a
class registered in :data:`PERIOD_KINDS`; a scheme names its kind. The
previous period (for streaks) is the one of the same kind just before, in
the same year: a year's first month, quarter or half, and every year, have none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import ClassVar


class PeriodError(ValueError):
    """A period code that cannot be read."""


@dataclass(frozen=True, order=True)
class Period:
    """One period of a kind; subclasses fix the kind, the code's letter and how many tile a year."""

    year: int
    number: int
    kind: ClassVar[str] = ""
    per_year: ClassVar[int] = 0
    months: ClassVar[int] = 0  # months per period
    _PATTERN: ClassVar[re.Pattern[str]]
    _EXAMPLE: ClassVar[str] = ""

    @classmethod
    def parse(cls, code: str) -> Period:
        match = cls._PATTERN.match(code) if isinstance(code, str) else None
        if not match:
            raise PeriodError(f"period {code!r} is not a {cls.kind} like {cls._EXAMPLE}")
        year = int(match.group(1))
        number = int(match.group(2)) if match.groups()[1:] else 1
        if not 1 <= number <= cls.per_year:
            raise PeriodError(f"period {code!r} is not a {cls.kind} like {cls._EXAMPLE}")
        return cls(year, number)

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // cls.months + 1)

    @classmethod
    def all_of_year(cls, year: int) -> tuple[Period, ...]:
        return tuple(cls(year, n) for n in range(1, cls.per_year + 1))

    @property
    def code(self) -> str:  # pragma: no cover - every kind defines its own
        raise NotImplementedError

    # computed once per period object (a ranking asks for them for every member)
    @cached_property
    def start(self) -> date:
        return date(self.year, self.months * (self.number - 1) + 1, 1)

    @cached_property
    def end(self) -> date:
        if self.number == self.per_year:
            return date(self.year, 12, 31)
        return date(self.year, self.months * self.number + 1, 1) - timedelta(days=1)

    @cached_property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period | None:
        """The period before, of the same kind and within the same year (streaks never cross a year)."""
        return type(self)(self.year, self.number - 1) if self.number > 1 else None

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, order=True)
class Month(Period):
    """A calendar month: ``2026M07`` is July 2026 (two digits, 01–12)."""

    kind: ClassVar[str] = "month"
    per_year: ClassVar[int] = 12
    months: ClassVar[int] = 1
    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^([0-9]{4})M([0-9]{2})$")
    _EXAMPLE: ClassVar[str] = "2026M07"

    @property
    def code(self) -> str:
        return f"{self.year}M{self.number:02d}"


@dataclass(frozen=True, order=True)
class Quarter(Period):
    """A calendar quarter: ``2026Q3`` is 1 July to 30 September 2026."""

    kind: ClassVar[str] = "quarter"
    per_year: ClassVar[int] = 4
    months: ClassVar[int] = 3
    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^([0-9]{4})Q([1-4])$")
    _EXAMPLE: ClassVar[str] = "2026Q3"

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"


@dataclass(frozen=True, order=True)
class Half(Period):
    """A half year: ``2026H1`` is 1 January to 30 June, ``2026H2`` 1 July to 31 December."""

    kind: ClassVar[str] = "half"
    per_year: ClassVar[int] = 2
    months: ClassVar[int] = 6
    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^([0-9]{4})H([12])$")
    _EXAMPLE: ClassVar[str] = "2026H2"

    @property
    def code(self) -> str:
        return f"{self.year}H{self.number}"


@dataclass(frozen=True, order=True)
class Year(Period):
    """A calendar year: ``2026Y``. It has no previous period."""

    number: int = 1
    kind: ClassVar[str] = "year"
    per_year: ClassVar[int] = 1
    months: ClassVar[int] = 12
    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^([0-9]{4})Y$")
    _EXAMPLE: ClassVar[str] = "2026Y"

    @property
    def code(self) -> str:
        return f"{self.year}Y"


PERIOD_KINDS: dict[str, type[Period]] = {"month": Month, "quarter": Quarter, "half": Half, "year": Year}


def parse_period(code: str, kind: str = "quarter") -> Period:
    try:
        cls = PERIOD_KINDS[kind]
    except KeyError as exc:
        raise PeriodError(f"unknown period kind {kind!r}") from exc
    return cls.parse(code)


def period_of(day: date, kind: str = "quarter") -> Period:
    return PERIOD_KINDS[kind].containing(day)


def is_year_code(code: str) -> bool:
    """``YYYYY`` (``2026Y``): a year, which a non-yearly scheme with ``annual`` grades (§12)."""
    return isinstance(code, str) and Year._PATTERN.match(code) is not None


def covered_days(spans: list[tuple[date, date | None]], start: date, end: date) -> int:
    """Days in [start, end] covered by at least one span (span ends inclusive, None = open)."""
    if len(spans) == 1:  # most cadres hold one post
        s, e = spans[0]
        lo, hi = (s if s > start else start), (end if e is None or e > end else e)
        return (hi - lo).days + 1 if lo <= hi else 0
    clipped = sorted((max(s, start), min(e or end, end)) for s, e in spans if s <= end and (e is None or e >= start))
    total, cursor = 0, None
    for lo, hi in clipped:
        if cursor is not None and lo <= cursor:
            lo = cursor + timedelta(days=1)
        if lo <= hi:
            total += (hi - lo).days + 1
            cursor = hi
    return total


def last_covered_day(spans: list[tuple[date, date | None]], start: date, end: date) -> date | None:
    """The last day in [start, end] covered by a span (the last member day, §6), or None."""
    best = None
    for s, e in spans:
        if s <= end and (e is None or e >= start):
            day = end if e is None or e > end else e
            if best is None or day > best:
                best = day
    return best
