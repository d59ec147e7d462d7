"""The fairness statistics against values worked by hand and published examples."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from gongfen.analytics import stats


def exact_fisher(a, b, c, d) -> Fraction:
    row1, col1, n = a + b, a + c, a + b + c + d

    def p(x):
        return Fraction(math.comb(row1, x) * math.comb(n - row1, col1 - x), math.comb(n, col1))

    xs = range(max(0, col1 - (n - row1)), min(row1, col1) + 1)
    return sum((p(x) for x in xs if p(x) <= p(a)), Fraction(0))


def test_fisher_exact_matches_the_tea_tasting_example():
    # Fisher's lady tasting tea: [[3, 1], [1, 3]], two-sided p = 34/70 (R: 0.4857)
    assert stats.fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70)
    # a perfect split [[4, 0], [0, 4]]: the two extreme tables, each 1/70
    assert stats.fisher_exact(4, 0, 0, 4) == pytest.approx(2 / 70)
    # symmetric in the rows and in the columns
    assert stats.fisher_exact(10, 2, 5, 9) == pytest.approx(stats.fisher_exact(5, 9, 10, 2))
    assert stats.fisher_exact(10, 2, 5, 9) == pytest.approx(stats.fisher_exact(2, 10, 9, 5))
    # against an exact enumeration in fractions
    assert stats.fisher_exact(10, 2, 5, 9) == pytest.approx(float(exact_fisher(10, 2, 5, 9)), rel=1e-9)
    assert stats.fisher_exact(1, 9, 11, 3) == pytest.approx(float(exact_fisher(1, 9, 11, 3)), rel=1e-9)
    assert stats.fisher_exact(5, 5, 5, 5) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        stats.fisher_exact(-1, 0, 0, 0)


def test_binomial_upper_tail():
    assert stats.binomial_upper_tail(0, 10, 0.3) == pytest.approx(1.0)
    assert stats.binomial_upper_tail(10, 10, 0.5) == pytest.approx(1 / 1024)
    assert stats.binomial_upper_tail(9, 10, 0.5) == pytest.approx(11 / 1024)
    expected = sum(math.comb(20, x) * 0.1**x * 0.9 ** (20 - x) for x in range(5, 21))
    assert stats.binomial_upper_tail(5, 20, 0.1) == pytest.approx(expected)
    assert stats.binomial_upper_tail(11, 10, 0.5) == 0.0


def test_holm_steps_down_and_stays_monotone():
    # m = 4: sorted 0.01, 0.02, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.04, 0.06, 0.06 (monotone), 0.06
    assert stats.holm([0.03, 0.01, 0.04, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert stats.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert stats.holm([]) == []


def test_spread_of_scores():
    assert stats.coefficient_of_variation([80, 80, 80]) == 0
    assert stats.coefficient_of_variation([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(2 / 5)  # sd 2, mean 5
    assert stats.coefficient_of_variation([]) is None
    assert stats.coefficient_of_variation([0, 0]) is None
    assert stats.largest_tie_share([90, 90, 90, 70]) == 0.75
    assert stats.largest_tie_share([1, 2, 3, 4]) == 0.25


def test_straight_lining_needs_two_people():
    assert stats.straight_lined(["优秀", "优秀", "优秀"])
    assert not stats.straight_lined(["优秀", "良好", "优秀"])
    assert not stats.straight_lined(["优秀"])


def test_outlier_influence():
    # top 200, second 100: the others' normalized scores double without the top scorer
    ratio, gain = stats.outlier_influence([200, 100, 50])
    assert ratio == 2
    assert gain == pytest.approx(((100 - 50) + (50 - 25)) / 2)
    assert stats.outlier_influence([100, 100, 50]) == (1.0, 0.0)
    assert stats.outlier_influence([100, 50]) is None
    assert stats.median([3, 1, 2]) == 2 and stats.median([4, 1, 2, 3]) == 2.5


def test_the_statistics_import_no_django():
    import subprocess
    import sys

    code = "import sys, gongfen.analytics.stats; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
