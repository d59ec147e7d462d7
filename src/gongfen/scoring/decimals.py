"""Exact decimal arithmetic with the spec's half-up rounding (四舍五入).

Every division in the spec (proration, normalisation, means) is done on
:class:`fractions.Fraction` so that nothing is rounded before the one place
the spec names; :func:`round2` then rounds half away from zero to cents.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from decimal import MAX_EMAX, MIN_EMIN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, getcontext, localcontext
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0")
Number = Decimal | Fraction | int
# Sums of the ledger's decimals must be exact whatever the caller's decimal context
# says: the core runs in this one, wide enough that no addition is ever rounded.
EXACT = Context(prec=400, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)


_IN_EXACT: ContextVar[bool] = ContextVar("gongfen_in_exact_context", default=False)


def in_exact_context(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        # Already inside (the core's functions call each other thousands of times a ranking):
        # entering a fresh copy of the same context would change nothing but the time taken.
        if _IN_EXACT.get() and getcontext().prec == EXACT.prec:
            return func(*args, **kwargs)
        token = _IN_EXACT.set(True)
        try:
            with localcontext(EXACT):
                return func(*args, **kwargs)
        finally:
            _IN_EXACT.reset(token)

    return wrapper


def to_fraction(value: Number) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


@in_exact_context
def round2(value: Number) -> Decimal:
    """Round to 2 decimals, half away from zero (0.125 → 0.13, −0.125 → −0.13).

    Exact for fractions: the quotient is never approximated before rounding.
    """
    if isinstance(value, Decimal | int):  # exact already: quantize rounds it exactly in EXACT
        result = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
        return result + ZERO if result == 0 else result
    return round2_ratio(value.numerator, value.denominator)


@in_exact_context
def round2_ratio(numerator: int, denominator: int) -> Decimal:
    """``round2(Fraction(numerator, denominator))`` on plain integers, without reducing the fraction first.

    The rounding compares the remainder with half the denominator, which a common factor does not change.
    """
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    sign = -1 if numerator < 0 else 1
    whole, rest = divmod(abs(numerator) * 100, denominator)
    if 2 * rest >= denominator:
        whole += 1
    result = (Decimal(sign * whole) / 100).quantize(CENT)
    return result + ZERO if result == 0 else result  # never -0.00


def fmt2(value: Number | None) -> str | None:
    """A number as the spec's 2-decimal string ("0.00", never "-0.00")."""
    if value is None:
        return None
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent == -2:
        return format(value, "f") if value else "0.00"  # already cents (round2's output): nothing to round
    return format(round2(value), "f")


def floor_int(value: Number) -> int:
    frac = to_fraction(value)
    return frac.numerator // frac.denominator


@in_exact_context
def exact(value: Number) -> Decimal:
    """A Decimal that is exactly ``value`` (fractions must terminate)."""
    if isinstance(value, Fraction):
        num = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(num) != value:
            raise ValueError(f"{value} has no exact decimal form")
        return num
    return Decimal(value)


__all__ = [
    "CENT",
    "ROUND_FLOOR",
    "ROUND_HALF_UP",
    "ZERO",
    "exact",
    "floor_int",
    "fmt2",
    "round2",
    "round2_ratio",
    "to_fraction",
]
