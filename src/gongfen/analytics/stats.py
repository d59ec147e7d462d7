"""Small statistics for the fairness analyses, in plain Python (no Django, no SciPy).

Exact tests on counts (Fisher's exact test on a 2×2 table, the binomial upper tail) with log-gamma
terms, Holm's step-down correction for several comparisons, the coefficient of variation and the
share of the largest tie. Each is a few lines with its definition; the unit tests check them against
values computed by hand and published tables (tests/analytics/test_stats.py). p-values and spreads are
floats: they describe data, they never score anyone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

_RELATIVE = 1 + 1e-7  # probabilities within this factor of the observed one count as "as extreme" (ties)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p of Fisher's exact test on the table [[a, b], [c, d]].

    With the margins fixed, the top-left cell follows the hypergeometric law; p is the sum of the
    probabilities of every table no more probable than the observed one (R's ``fisher.test``).
    """
    if min(a, b, c, d) < 0:
        raise ValueError("counts must not be negative")
    row1, col1, n = a + b, a + c, a + b + c + d
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)

    def log_p(x: int) -> float:
        return _log_choose(row1, x) + _log_choose(n - row1, col1 - x) - _log_choose(n, col1)

    observed = log_p(a)
    total = sum(math.exp(lp) for x in range(lo, hi + 1) if (lp := log_p(x)) <= observed + math.log(_RELATIVE))
    return min(1.0, total)


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p): how surprising k or more successes are at chance rate p."""
    if not 0 <= k <= n:
        return 0.0 if k > n else 1.0
    if p <= 0:
        return 1.0 if k == 0 else 0.0
    if p >= 1:
        return 1.0
    lp, lq = math.log(p), math.log1p(-p)
    return min(1.0, sum(math.exp(_log_choose(n, x) + x * lp + (n - x) * lq) for x in range(k, n + 1)))


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (in the given order): the i-th smallest of m times (m − i + 1),
    made monotone and capped at 1. A comparison is significant at α when its adjusted p < α; the chance of
    any false flag among all m stays at most α."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    """Population standard deviation over the mean; None for no values or a mean of zero."""
    mu = mean(values)
    if mu is None or mu == 0:
        return None
    return math.sqrt(sum((v - mu) ** 2 for v in values) / len(values)) / abs(mu)


def largest_tie_share(values: Sequence) -> float | None:
    """The share of the values equal to the most common value (1/n when all differ)."""
    if not values:
        return None
    return max(Counter(values).values()) / len(values)


def straight_lined(grades: Sequence[str]) -> bool:
    """A sheet that gives every one of at least two people the same grade."""
    return len(grades) >= 2 and len(set(grades)) == 1


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def outlier_influence(quantities: Sequence[float]) -> tuple[float, float] | None:
    """How much the best score compresses everyone else's 折算分 (100 × Q / max Q).

    Returns (the top Q over the second Q, the mean gain in points of the others' normalized score
    were the top scorer left out, i.e. normalized against the second best); None for fewer than three
    people or a second best of zero or less.
    """
    if len(quantities) < 3:
        return None
    ordered = sorted(quantities, reverse=True)
    top, second = ordered[0], ordered[1]
    if second <= 0 or top <= 0:
        return None
    others = ordered[1:]
    gains = [100 * q / second - 100 * q / top for q in others]
    return top / second, sum(gains) / len(gains)
