"""Half-up rounding to cents, the 2-decimal strings, quarters and covered days."""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongfen.scoring import PeriodError, Quarter, fmt2, parse_period, period_of, round2
from gongfen.scoring.decimals import exact, floor_int
from gongfen.scoring.periods import covered_days

QUICK = settings(max_examples=200, deadline=None, database=None)


def half_up_reference(x: Fraction) -> Fraction:
    sign = -1 if x < 0 else 1
    return sign * Fraction(math.floor(abs(x) * 100 + Fraction(1, 2)), 100)


# --- round2 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.125"), "0.13"),  # half-even would give 0.12
        (Decimal("-0.125"), "-0.13"),
        (Decimal("0.135"), "0.14"),
        (Decimal("2.675"), "2.68"),  # float round(2.675, 2) gives 2.67
        (Decimal("1.005"), "1.01"),  # float round(1.005, 2) gives 1.0
        (Decimal("-1.005"), "-1.01"),
        (Decimal("0.005"), "0.01"),
        (Decimal("-0.005"), "-0.01"),
        (Decimal("0.0049999"), "0.00"),
        (Decimal("-0.0049999"), "0.00"),
        (Decimal("12345678.905"), "12345678.91"),
        (Decimal("99.995"), "100.00"),
        (Decimal("-99.995"), "-100.00"),
        (Decimal("7"), "7.00"),
        (Decimal("1E+2"), "100.00"),
        (Decimal("0.1") + Decimal("0.2"), "0.30"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(-2, 3), "-0.67"),
        (Fraction(1, 8), "0.13"),
        (Fraction(-1, 8), "-0.13"),
        (Fraction(1, 200), "0.01"),
        (Fraction(-1, 201), "0.00"),
        (Fraction(64, 7) * 10, "91.43"),  # 640 / 7 = 91.428571…
        (5, "5.00"),
        (-5, "-5.00"),
        (0, "0.00"),
    ],
)
def test_round2_half_up_at_cents(value, expected):
    result = round2(value)
    assert isinstance(result, Decimal)
    assert str(result) == expected
    assert result.as_tuple().exponent == -2
    assert fmt2(value) == expected


@pytest.mark.parametrize(
    "value",
    [Decimal("-0"), Decimal("-0.00"), Decimal("-0.001"), Decimal("-0.004999"), Fraction(-1, 1000), -Fraction(0)],
)
def test_no_negative_zero(value):
    assert fmt2(value) == "0.00"
    assert not round2(value).is_signed()


def test_fmt2_of_none_is_none():
    assert fmt2(None) is None


@QUICK
@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_round2_matches_half_up_on_fractions(num, den):
    x = Fraction(num, den)
    result = round2(x)
    assert Fraction(result) == half_up_reference(x)
    assert abs(Fraction(result) - x) <= Fraction(1, 200)
    assert round2(result) == result
    text = fmt2(x)
    assert re.fullmatch(r"-?\d+\.\d\d", text)
    assert text != "-0.00"
    assert Fraction(Decimal(text)) == half_up_reference(x)


@QUICK
@given(st.integers(-(10**15), 10**15), st.integers(0, 6))
def test_round2_of_decimals(digits, places):
    x = Decimal(digits).scaleb(-places)
    assert Fraction(round2(x)) == half_up_reference(Fraction(x))
    # symmetric: half away from zero
    assert round2(-x) == -round2(x) or round2(x) == 0


def test_floor_int_is_exact():
    assert floor_int(Fraction(-1, 2)) == -1
    assert floor_int(Fraction(7, 2)) == 3
    assert floor_int(Fraction(Decimal("0.29")) * 100) == 29  # float: 0.29 * 100 = 28.999999999999996
    assert floor_int(Fraction(Decimal("0.57")) * 100) == 57
    assert floor_int(Decimal("0.95") * 20) == 19


def test_exact_refuses_non_terminating_fractions():
    assert exact(Fraction(1, 8)) == Decimal("0.125")
    assert exact(Decimal("0.3")) == Decimal("0.3")
    with pytest.raises(ValueError):
        exact(Fraction(1, 3))


def test_fmt2_of_very_large_values():
    # (failed against the first core: quantize in the caller's 28-digit context raised InvalidOperation)
    assert fmt2(Decimal("1E+26")) == "100000000000000000000000000.00"
    assert fmt2(Decimal("123456789012345678901234567890.125")) == "123456789012345678901234567890.13"
    assert fmt2(Fraction(10**40 + 1, 3)) == "3333333333333333333333333333333333333333.67"


def test_round2_ignores_the_ambient_decimal_context():
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = ROUND_FLOOR
        assert str(round2(Decimal("12345.675"))) == "12345.68"
        assert str(round2(Fraction(-1, 8))) == "-0.13"
        assert fmt2(Decimal("-0.001")) == "0.00"


# --- quarters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "end", "days"),
    [
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31), 91),  # leap year
        ("2024Q2", date(2024, 4, 1), date(2024, 6, 30), 91),
        ("2024Q3", date(2024, 7, 1), date(2024, 9, 30), 92),
        ("2024Q4", date(2024, 10, 1), date(2024, 12, 31), 92),
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31), 90),  # common year
        ("2026Q2", date(2026, 4, 1), date(2026, 6, 30), 91),
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31), 92),
        ("2000Q1", date(2000, 1, 1), date(2000, 3, 31), 91),  # divisible by 400: leap
        ("2100Q1", date(2100, 1, 1), date(2100, 3, 31), 90),  # divisible by 100: not leap
    ],
)
def test_quarter_bounds(code, start, end, days):
    q = Quarter.parse(code)
    assert (q.start, q.end, q.days) == (start, end, days)
    assert q.code == str(q) == code
    assert parse_period(code) == q
    assert period_of(start) == period_of(end) == q
    assert period_of(start - timedelta(days=1)) != q
    assert period_of(end + timedelta(days=1)) != q


@QUICK
@given(st.integers(1900, 2200))
def test_quarters_tile_the_year(year):
    quarters = Quarter.all_of_year(year)
    assert [q.number for q in quarters] == [1, 2, 3, 4]
    assert sum(q.days for q in quarters) == (366 if calendar.isleap(year) else 365)
    assert quarters[0].start == date(year, 1, 1) and quarters[-1].end == date(year, 12, 31)
    for a, b in pairwise(quarters):
        assert a.end + timedelta(days=1) == b.start
        assert b.previous() == a
    assert quarters[0].previous() is None
    for q in quarters:
        months = range(3 * q.number - 2, 3 * q.number + 1)
        assert q.days == sum(calendar.monthrange(year, m)[1] for m in months)


@QUICK
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_period_of_contains_the_day(day):
    q = period_of(day)
    assert q.start <= day <= q.end
    assert q.year == day.year and q.number == (day.month + 2) // 3
    assert Quarter.parse(q.code) == q


@pytest.mark.parametrize(
    "code",
    [
        "2026Q5",
        "2026Q0",
        "2026-Q3",
        "",
        " ",
        "26Q3",
        "2026Q",
        "Q3",
        "2026Q33",
        "20261Q3",
        "2026 Q3",
        "2026Q3Q4",
        "2026-07",
        "2026年第3季度",
        "abcdQ1",
    ],
)
def test_bad_period_codes_raise_period_error(code):
    with pytest.raises(PeriodError):
        Quarter.parse(code)
    with pytest.raises(PeriodError):
        parse_period(code)


def test_non_string_period_code_raises_period_error():
    with pytest.raises(PeriodError):
        Quarter.parse(None)  # type: ignore[arg-type]
    with pytest.raises(PeriodError):
        Quarter.parse(20263)  # type: ignore[arg-type]


def test_period_error_is_a_value_error_and_unknown_kinds_are_refused():
    assert issubclass(PeriodError, ValueError)
    with pytest.raises(PeriodError):
        parse_period("2026Q3", kind="fortnight")


@pytest.mark.parametrize("code", ["２０２６Q3", "٢٠٢٦Q3", "2026Q３"])
def test_non_ascii_digits_are_not_a_period(code):
    # (failed against the first core: its pattern used \d, which also matches other scripts' digits)
    with pytest.raises(PeriodError):
        Quarter.parse(code)


# --- covered days ---------------------------------------------------------------------------------

Q3 = Quarter(2026, 3)
D = date.fromisoformat


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([], 0),
        ([("2026-07-01", None)], 92),
        ([("2020-01-01", None)], 92),  # open end, started long before
        ([("2020-01-01", "2030-01-01")], 92),
        ([("2026-07-01", "2026-07-01")], 1),
        ([("2026-09-30", None)], 1),
        ([("2026-06-01", "2026-07-01")], 1),  # ends on the first day (end inclusive)
        ([("2026-06-01", "2026-06-30")], 0),  # entirely before
        ([("2026-10-01", None)], 0),  # entirely after
        ([("2026-10-01", "2026-12-31")], 0),
        ([("2026-07-01", "2026-07-31"), ("2026-08-01", "2026-08-31")], 62),  # adjacent
        ([("2026-07-01", "2026-08-31"), ("2026-08-01", None)], 92),  # overlapping
        ([("2026-07-01", "2026-09-30"), ("2026-08-01", "2026-08-10")], 92),  # nested
        ([("2026-08-01", "2026-08-10"), ("2026-07-01", "2026-09-30")], 92),  # nested, other order
        ([("2026-07-10", "2026-07-20"), ("2026-07-10", "2026-07-20")], 11),  # repeated
        ([("2026-07-01", "2026-07-10"), ("2026-07-05", "2026-07-08"), ("2026-07-09", "2026-07-15")], 15),
        ([("2026-06-15", "2026-07-20"), ("2026-09-25", None)], 26),
        ([("2026-07-05", "2026-07-06"), ("2026-07-01", "2026-07-31"), ("2026-07-20", "2026-08-02")], 33),
    ],
)
def test_covered_days_examples(spans, expected):
    parsed = [(D(s), None if e is None else D(e)) for s, e in spans]
    assert covered_days(parsed, Q3.start, Q3.end) == expected


def _day_set(spans, start, end):
    out = set()
    day = start
    while day <= end:
        if any(s <= day and (e is None or day <= e) for s, e in spans):
            out.add(day)
        day += timedelta(days=1)
    return out


@st.composite
def spans(draw, period):
    out = []
    for _ in range(draw(st.integers(0, 5))):
        s = period.start + timedelta(days=draw(st.integers(-120, 120)))
        e = None if draw(st.booleans()) else s + timedelta(days=draw(st.integers(0, 120)))
        out.append((s, e))
    return out


@QUICK
@given(st.sampled_from(Quarter.all_of_year(2024) + Quarter.all_of_year(2026)), st.data())
def test_covered_days_counts_each_day_once(period, data):
    ss = data.draw(spans(period))
    got = covered_days(ss, period.start, period.end)
    assert got == len(_day_set(ss, period.start, period.end))
    assert 0 <= got <= period.days
    assert covered_days(list(reversed(ss)), period.start, period.end) == got
    assert covered_days(ss + ss, period.start, period.end) == got
