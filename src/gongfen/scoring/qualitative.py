"""The qualitative score L (定性评价, spec §8): per evaluator class a score, weighted.

``trimmed_mean`` (v1): the mean of the class's grade values, one highest and one
lowest dropped from 5 ballots on. ``vote_share``: from the shares of ``top``
and ``low`` grades, by the penalty, the bands, or 100 × top.

L = round(Σ w_k·s_k / Σ w_k) over the classes with ballots. The sums are kept
as integer ratios (each class score is a decimal over a ballot count), so one
exact integer division rounds L, without building a Fraction per class.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Context, Decimal
from fractions import Fraction
from math import gcd

from .decimals import ZERO, in_exact_context, round2_ratio
from .types import ClassMean, SchemeDef

_round2_ratio = round2_ratio.__wrapped__  # __call__ enters the exact context once

TRIM_FROM = 5  # with this many ballots or more, drop one highest and one lowest
_DISPLAY = Context(prec=120)
_TEN_PLACES = Decimal("1E-10")


def _ratio(share) -> tuple[int, int]:
    share = Fraction(share)
    return share.numerator, share.denominator


class BallotError(ValueError):
    """A ballot names a grade or class its scheme does not have."""


def class_mean(values: list[Fraction]) -> tuple[Fraction, bool]:
    ordered = sorted(values)
    trimmed = len(ordered) >= TRIM_FROM
    kept = ordered[1:-1] if trimmed else ordered
    return sum(kept, Fraction(0)) / len(kept), trimmed


def display(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator as a Decimal: exact when it terminates, else to 10 places (display only)."""
    g = gcd(numerator, denominator)
    if g > 1:
        numerator //= g
        denominator //= g
    if denominator == 1:
        return Decimal(numerator)
    d = denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    quotient = _DISPLAY.divide(Decimal(numerator), Decimal(denominator))
    return quotient if d == 1 else quotient.quantize(_TEN_PLACES)


class Qualitative:
    """L of one scheme, compiled once: grade values, class weights, vote-share thresholds as integer ratios."""

    def __init__(self, scheme: SchemeDef):
        self.scheme = scheme
        self.grades = {name: Decimal(value) for name, value in scheme.grades.items()}
        self.weights = {name: Decimal(weight) for name, weight in scheme.evaluator_classes.items()}
        self.weight_ratios = {name: w.as_integer_ratio() for name, w in self.weights.items()}
        q = scheme.qualitative
        self.vote_share = q.method == "vote_share"
        if q.method not in ("trimmed_mean", "vote_share"):
            raise ValueError(f"unknown qualitative method {q.method!r} in scheme {scheme.code}")
        self.top = frozenset(q.top)
        self.low = frozenset(q.low)
        # shares as (numerator, denominator) integers: a share test is one integer comparison
        self.bands = tuple((_ratio(b.min), Decimal(b.score).as_integer_ratio()) for b in q.bands)
        self.penalty = None
        if q.penalty is not None:
            self.penalty = (_ratio(q.penalty.share), Decimal(q.penalty.score).as_integer_ratio())

    def _trimmed(self, grades: tuple[str, ...]) -> tuple[int, int, bool]:
        """(numerator, denominator, trimmed) of the class's mean."""
        tally = Counter(grades)
        try:
            values = {grade: self.grades[grade] for grade in tally}
        except KeyError as exc:
            raise BallotError(f"grade {exc.args[0]!r} is not in scheme {self.scheme.code}") from exc
        total = sum((values[grade] * n for grade, n in tally.items()), ZERO)  # exact: the core's context
        count = len(grades)
        trimmed = count >= TRIM_FROM
        if trimmed:
            total -= min(values.values()) + max(values.values())
            count -= 2
        num, den = total.as_integer_ratio()
        return num, den * count, trimmed

    def _shares(self, grades: tuple[str, ...]):
        """(numerator, denominator, top votes, low votes, penalized, band) of the class's vote-share score."""
        n = len(grades)
        top = low = 0
        top_grades, low_grades, known = self.top, self.low, self.grades
        for grade in grades:
            if grade in top_grades:
                top += 1
            elif grade in low_grades:
                low += 1
            elif grade not in known:
                raise BallotError(f"grade {grade!r} is not in scheme {self.scheme.code}")
        if self.penalty is not None:
            (hn, hd), (sn, sd) = self.penalty
            if low * hd >= hn * n:  # low / n ≥ share
                return sn, sd, top, low, True, None
        if self.bands:
            for j, ((ln, ld), (sn, sd)) in enumerate(self.bands):
                if top * ld >= ln * n:  # top / n ≥ min
                    return sn, sd, top, low, False, j
            return 0, 1, top, low, False, None
        return 100 * top, n, top, low, False, None

    @in_exact_context
    def __call__(self, ballots: Mapping[str, tuple[str, ...]]) -> tuple[Decimal, tuple[ClassMean, ...]]:
        return self.score(ballots)

    def score(self, ballots: Mapping[str, tuple[str, ...]]) -> tuple[Decimal, tuple[ClassMean, ...]]:
        """L for one cadre who is ranked in a group where ballots exist (0 with no ballot); in the exact context."""
        num, den = 0, 1  # Σ w_k·s_k as num / den
        wnum, wden = 0, 1  # Σ w_k
        means = []
        for klass in sorted(ballots):
            grades = ballots[klass]
            if not grades:
                continue
            ratio = self.weight_ratios.get(klass)
            if ratio is None:
                raise BallotError(f"evaluator class {klass!r} is not in scheme {self.scheme.code}")
            if self.vote_share:
                sn, sd, top, low, penalized, band = self._shares(grades)
                trimmed = False
            else:
                sn, sd, trimmed = self._trimmed(grades)
                top = low = band = None
                penalized = False
            wn, wd = ratio
            num = num * wd * sd + wn * sn * den
            den = den * wd * sd
            wnum = wnum * wd + wn * wden
            wden = wden * wd
            means.append(
                ClassMean(klass, self.weights[klass], len(grades), trimmed, display(sn, sd), top, low, penalized, band)
            )
        if not wnum:
            return Decimal("0.00"), ()
        return _round2_ratio(num * wden, den * wnum), tuple(means)


def qualitative(scheme: SchemeDef, ballots: Mapping[str, tuple[str, ...]]) -> tuple[Decimal, tuple[ClassMean, ...]]:
    """L for one cadre who is ranked in a group where ballots exist (0 with no ballot)."""
    return Qualitative(scheme)(ballots)
