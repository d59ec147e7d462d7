"""The year's account in the core: the mean of the quarters' composites, ranked with the quarter's tie rules."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gongfen.scoring.annual import QuarterResult, annual_ranking
from gongfen.scoring.engine import competition_ranks


def q(cadre, c, quant="60", d="0", vetoed=False):
    return QuarterResult(cadre, Decimal(c), Decimal(quant), Decimal(d), vetoed)


def table(rows):
    return [(r.cadre, r.rank, str(r.score), r.quarters, r.vetoed) for r in rows]


def test_mean_of_the_ranked_quarters_rounded_half_up():
    rows = annual_ranking([[q("A", "100.00"), q("B", "80.00")], [q("A", "90.25"), q("C", "95.00")], [q("A", "80.00")]])
    # A: (100 + 90.25 + 80) / 3 = 90.0833… → 90.08; B: one quarter; C: one quarter
    assert table(rows) == [("C", 1, "95.00", 1, False), ("A", 2, "90.08", 3, False), ("B", 3, "80.00", 1, False)]
    half = annual_ranking([[q("A", "81.01")], [q("A", "81.00")]])  # 81.005 → 81.01 (四舍五入)
    assert half[0].score == Decimal("81.01")


def test_ties_share_a_rank_and_the_next_is_skipped():
    rows = annual_ranking([[q("B", "90"), q("A", "90"), q("C", "95"), q("D", "70")]])
    assert [(r.cadre, r.rank) for r in rows] == [("C", 1), ("A", 2), ("B", 2), ("D", 4)]


def test_equal_scores_are_split_by_mean_q_then_mean_deductions():
    rows = annual_ranking([[q("A", "90", quant="50"), q("B", "90", quant="55"), q("C", "90", quant="55", d="-2")]])
    assert [(r.cadre, r.rank) for r in rows] == [("B", 1), ("C", 2), ("A", 3)]


def test_ranked_by_the_shown_two_decimal_score():
    # A 90.004 and B 90.001 both show 90.00: equal on the annual score, so Q decides (equal too: a tie)
    rows = annual_ranking(
        [[q("A", "90.00"), q("B", "90.00")], [q("A", "90.01"), q("B", "90.00")], [q("A", "90.00"), q("B", "90.01")]]
    )
    assert [(r.cadre, r.rank, str(r.score)) for r in rows] == [("A", 1, "90.00"), ("B", 1, "90.00")]


def test_a_veto_in_any_quarter_puts_the_cadre_after_everyone_never_vetoed():
    rows = annual_ranking(
        [[q("A", "99", vetoed=True), q("B", "50")], [q("A", "99"), q("B", "40"), q("C", "60", vetoed=True)]]
    )
    assert [(r.cadre, r.rank, r.vetoed) for r in rows] == [("B", 1, False), ("A", 2, True), ("C", 3, True)]


def test_competition_ranks_is_the_quarter_rule():
    assert competition_ranks([(1,), (2,), (2,), (3,)]) == [1, 2, 2, 4]


scores = st.decimals(min_value=0, max_value=100, places=2)


@given(st.lists(st.lists(st.tuples(st.sampled_from("ABCDEF"), scores, st.booleans()), max_size=6), max_size=4))
def test_permuting_quarters_and_rows_changes_nothing(quarters):
    data = [[q(c, s, vetoed=v) for c, s, v in {c: (c, s, v) for c, s, v in rows}.values()] for rows in quarters]
    forward = annual_ranking(data)
    backward = annual_ranking([list(reversed(rows)) for rows in reversed(data)])
    assert forward == backward
    vetoed = [r.vetoed for r in forward]
    assert vetoed == sorted(vetoed)  # never vetoed first
    for a, b in itertools.pairwise(forward):
        assert a.rank <= b.rank
