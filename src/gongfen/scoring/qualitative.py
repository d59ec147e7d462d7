"""The qualitative score L (定性评价): trimmed means per evaluator class, weighted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from .decimals import ZERO, in_exact_context, round2
from .types import ClassMean, SchemeDef

TRIM_FROM = 5  # with this many ballots or more, drop one highest and one lowest


class BallotError(ValueError):
    """A ballot names a grade or class its scheme does not have."""


def class_mean(values: list[Fraction]) -> tuple[Fraction, bool]:
    ordered = sorted(values)
    trimmed = len(ordered) >= TRIM_FROM
    kept = ordered[1:-1] if trimmed else ordered
    return sum(kept, Fraction(0)) / len(kept), trimmed


def _grade_mean(scheme: SchemeDef, grades: tuple[str, ...]) -> tuple[Fraction, bool]:
    """:func:`class_mean` of the grades' values, from each distinct grade's count (a scheme has a few grades).

    Exactly the same value: the sum of ``n`` equal fractions is ``n`` times one, and trimming
    drops one of the lowest and one of the highest value.
    """
    tally = Counter(grades)
    try:
        values = {grade: Decimal(scheme.grades[grade]) for grade in tally}
    except KeyError as exc:
        raise BallotError(f"grade {exc.args[0]!r} is not in scheme {scheme.code}") from exc
    total = sum((values[grade] * n for grade, n in tally.items()), ZERO)  # exact: the core's 400-digit context
    count = len(grades)
    trimmed = count >= TRIM_FROM
    if trimmed:
        total -= min(values.values()) + max(values.values())
        count -= 2
    return Fraction(total) / count, trimmed


def _display(value: Fraction) -> Decimal:
    num = Decimal(value.numerator) / Decimal(value.denominator)
    return num if Fraction(num) == value else num.quantize(Decimal("1E-10"))


@in_exact_context
def qualitative(scheme: SchemeDef, ballots: Mapping[str, tuple[str, ...]]) -> tuple[Decimal, tuple[ClassMean, ...]]:
    """L for one cadre who is ranked in a group where ballots exist (0 with no ballot)."""
    weighted, weights, means = Fraction(0), Fraction(0), []
    for klass, grades in sorted(ballots.items()):
        if not grades:
            continue
        if klass not in scheme.evaluator_classes:
            raise BallotError(f"evaluator class {klass!r} is not in scheme {scheme.code}")
        mean, trimmed = _grade_mean(scheme, grades)
        weight = Fraction(scheme.evaluator_classes[klass])
        weighted += weight * mean
        weights += weight
        means.append(ClassMean(klass, scheme.evaluator_classes[klass], len(grades), trimmed, _display(mean)))
    if not weights:
        return Decimal("0.00"), ()
    return round2(weighted / weights), tuple(means)
