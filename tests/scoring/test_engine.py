"""Hand-made edge cases of the ranking engine, each computed by hand from ``shared/spec/scoring.md``.

Default world (see ``strategies``): scheme year 2026, weights 0.7/0.3, tiers 0.2/0.7/0.95/1,
group selector ``{"unit": "QX"}``, period 2026Q3 (92 days), every cadre holding one QX post since 2020.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from gongfen.scoring import RankingError, Selector, TierDef, rank_group, ranking_as_dict
from gongfen.scoring.periods import Quarter

from .strategies import cadre, group, make_scheme, post, rule

# routine/special/stationing: 1 point per unit, so an amount is the quantity; deduction −1; veto −50.
RULES = (
    rule("R", "routine", "1"),
    rule("S", "special", "1"),
    rule("Z", "stationing", "1"),
    rule("D", "deduction", "-1"),
    rule("V", "deduction", "-50", veto=True),
)
SCHEME = make_scheme(RULES)
HALF = {"weight_quantitative": Decimal("0.5"), "weight_qualitative": Decimal("0.5")}


def rows_of(g):
    return rank_group(g).rows


def by_code(g):
    return {r.cadre: r for r in rank_group(g).rows}


def dict_rows(g):
    return {r["cadre"]: r for r in ranking_as_dict(rank_group(g))["rows"]}


def q_cadres(**qs):
    """Cadres whose only entries are routine amounts, e.g. q_cadres(A="10", B="8")."""
    return [cadre(code, amounts={"R": q}) for code, q in qs.items()]


# --- ranks and listing order ---------------------------------------------------------------


def test_competition_ranks_1_2_2_4():
    rows = rows_of(group(SCHEME, q_cadres(X1="10", X2="8", X3="8", X4="5")))
    assert [(r.cadre, r.rank) for r in rows] == [("X1", 1), ("X2", 2), ("X3", 2), ("X4", 4)]
    assert [r.normalized for r in rows] == [Decimal("100.00"), Decimal("80.00"), Decimal("80.00"), Decimal("50.00")]


def test_rows_sharing_a_rank_are_listed_by_plain_string_code():
    rows = rows_of(group(SCHEME, q_cadres(B="5", A9="5", A10="5", A2="9", a1="5", 甲="5")))
    assert [r.cadre for r in rows] == ["A2", "A10", "A9", "B", "a1", "甲"]
    assert [r.rank for r in rows] == [1, 2, 2, 2, 2, 2]


def test_input_order_does_not_matter_for_a_hand_example():
    cadres = q_cadres(A9="5", A10="5", B="7", C="1")
    forward = ranking_as_dict(rank_group(group(SCHEME, cadres)))
    backward = ranking_as_dict(rank_group(group(make_scheme(RULES[::-1]), cadres[::-1])))
    assert forward == backward
    assert [r["cadre"] for r in forward["rows"]] == ["B", "A10", "A9", "C"]


def test_everyone_sharing_rank_1_is_recommended():
    rows = rows_of(group(SCHEME, q_cadres(B="10", A="10", C="3")))
    assert [(r.cadre, r.rank, r.actions) for r in rows][:2] == [("A", 1, ("recommend",)), ("B", 1, ("recommend",))]
    assert "recommend" not in rows[2].actions


# --- tie-breaks on exact values ---------------------------------------------------------------


def test_q_tie_break_uses_exact_q_not_the_displayed_one():
    # Qn = 100 × 50.001 / 1000 = 5.0001 → 5.00 and 5.00: equal C, so exact Q decides (B's 50.001 first).
    g = group(SCHEME, q_cadres(M="1000", A="50.000", B="50.001"))
    rows = rows_of(g)
    assert [(r.cadre, r.rank) for r in rows] == [("M", 1), ("B", 2), ("A", 3)]
    assert rows[1].composite == rows[2].composite == Decimal("5.00")
    assert rows[1].quantitative == Decimal("50.001")
    shown = dict_rows(g)
    assert shown["A"]["quantitative"] == shown["B"]["quantitative"] == "50.00"


def test_d_total_breaks_ties_fewer_deductions_first():
    g = group(SCHEME, [cadre("A", amounts={"R": "30", "D": "-10"}), cadre("B", amounts={"R": "20"})])
    rows = rows_of(g)
    assert [(r.cadre, r.rank, r.quantitative, r.deductions) for r in rows] == [
        ("B", 1, Decimal("20"), Decimal("0")),
        ("A", 2, Decimal("20"), Decimal("-10")),
    ]


def test_d_total_tie_break_is_exact():
    g = group(
        SCHEME,
        [cadre("A", amounts={"R": "20.001", "D": "-2.001"}), cadre("B", amounts={"R": "20", "D": "-2"})],
    )
    assert [(r.cadre, r.rank) for r in rows_of(g)] == [("B", 1), ("A", 2)]


def test_d_total_is_the_deduction_category_after_clipping():
    # category cap 20: A 30 − min(40, 20) = 10, D = −20 ; B 30 − min(30, 20) = 10, D = −20 → a full tie
    # (the raw deductions −40 and −30 would split them).
    scheme = make_scheme(RULES, category_caps={"deduction": Decimal("20")})
    rows = rows_of(
        group(scheme, [cadre("B", amounts={"R": "30", "D": "-30"}), cadre("A", amounts={"R": "30", "D": "-40"})])
    )
    assert [(r.cadre, r.rank, r.quantitative, r.deductions) for r in rows] == [
        ("A", 1, Decimal("10"), Decimal("-20")),
        ("B", 1, Decimal("10"), Decimal("-20")),
    ]
    # rule cap 20 on D2: A 30 − 20 = 10, D = −20 ; B 35 − 25 = 10, D = −25 → A first (raw −40 would put it last)
    scheme = make_scheme((*RULES, rule("D2", "deduction", "-1", cap="20")))
    rows = rows_of(
        group(scheme, [cadre("B", amounts={"R": "35", "D": "-25"}), cadre("A", amounts={"R": "30", "D2": "-40"})])
    )
    assert [(r.cadre, r.rank, r.deductions) for r in rows] == [("A", 1, Decimal("-20")), ("B", 2, Decimal("-25"))]


def test_equal_c_is_broken_by_q():
    # weights 0.5/0.5: A (code Z) Qn 100, L 60 → 80; B (code A) Qn 60, L 100 → 80; Z has more Q.
    scheme = make_scheme(
        RULES, **HALF, grades={"g60": Decimal("60"), "g100": Decimal("100")}, evaluator_classes={"leader": Decimal(1)}
    )
    g = group(
        scheme,
        [
            cadre("Z", amounts={"R": "100"}, ballots={"leader": ["g60"]}),
            cadre("A", amounts={"R": "60"}, ballots={"leader": ["g100"]}),
        ],
    )
    rows = rows_of(g)
    assert [(r.cadre, r.rank, r.composite) for r in rows] == [("Z", 1, Decimal("80.00")), ("A", 2, Decimal("80.00"))]


# --- rounding at exactly the named places ---------------------------------------------------------


def test_base_points_are_prorated_and_rounded_per_rule_before_summing():
    # 46 of 92 days: 0.01 × 46 / 92 = 0.005 → 0.01 per rule; Q = 0.02 (not round(0.01) = 0.01).
    scheme = make_scheme((rule("B1", "base", "0.01"), rule("B2", "base", "0.01")))
    g = group(scheme, [cadre("A", [post(start="2026-08-16")])])
    (row,) = rows_of(g)
    assert row.breakdown.days == 46
    assert row.quantitative == Decimal("0.02")
    assert [line.amount for line in row.breakdown.rules] == [Decimal("0.01"), Decimal("0.01")]


def test_base_proration_rounds_half_up_and_down():
    # 60 × 31/92 = 20.2173… → 20.22 ; 70 × 31/92 = 23.5869… → 23.59 ; Q = 43.81
    scheme = make_scheme((rule("B1", "base", "60"), rule("B2", "base", "70")), min_days=1)
    (row,) = rows_of(group(scheme, [cadre("A", [post(start="2026-08-31")])]))
    assert row.breakdown.days == 31
    assert row.quantitative == Decimal("43.81")


def test_qn_is_rounded_half_up():
    # 100 × 0.01 / 8 = 0.125 → 0.13 ; 100 × 1 / 3… via maxQ 8: 100 × 3 / 8 = 37.5
    rows = by_code(group(SCHEME, q_cadres(M="8", A="0.01", B="3")))
    assert rows["A"].normalized == Decimal("0.13")
    assert rows["B"].normalized == Decimal("37.50")
    assert rows["A"].quantitative == Decimal("0.01")


def test_qn_thirds_and_negative_half():
    # 100 × 1/3 = 33.333… → 33.33 ; 100 × 2/3 → 66.67 ; 100 × (−0.01)/8 = −0.125 → −0.13
    rows = by_code(group(SCHEME, q_cadres(M="3", A="1", B="2")))
    assert (rows["A"].normalized, rows["B"].normalized) == (Decimal("33.33"), Decimal("66.67"))
    rows = by_code(group(SCHEME, [cadre("M", amounts={"R": "8"}), cadre("N", amounts={"D": "-0.01"})]))
    assert rows["N"].normalized == Decimal("-0.13")
    assert (
        dict_rows(group(SCHEME, [cadre("M", amounts={"R": "8"}), cadre("N", amounts={"D": "-0.01"})]))["N"][
            "quantitative_normalized"
        ]
        == "-0.13"
    )


def test_composite_uses_the_rounded_qn():
    # A: Qn = 0.125 → 0.13, L = 0 (no ballot while M has one); C = 0.5 × 0.13 = 0.065 → 0.07
    # (from the unrounded Qn it would be 0.0625 → 0.06).
    scheme = make_scheme(RULES, **HALF)
    g = group(scheme, [cadre("M", amounts={"R": "8"}, ballots={"leader": ["优秀"]}), cadre("A", amounts={"R": "0.01"})])
    a = by_code(g)["A"]
    assert (a.normalized, a.qualitative, a.composite) == (Decimal("0.13"), Decimal("0.00"), Decimal("0.07"))


def test_composite_uses_the_rounded_l_and_weights_are_renormalised_over_present_classes():
    # L = (0.4 × 85 + 0.3 × 100) / 0.7 = 91.4285… → 91.43 (public has no ballot, its 0.3 is left out)
    # C = 0.5 × 100 + 0.5 × 91.43 = 95.715 → 95.72 (from the unrounded L: 95.714… → 95.71).
    scheme = make_scheme(RULES, **HALF)
    (row,) = rows_of(group(scheme, [cadre("A", amounts={"R": "10"}, ballots={"leader": ["良好"], "peer": ["优秀"]})]))
    assert (row.normalized, row.qualitative, row.composite) == (Decimal("100.00"), Decimal("91.43"), Decimal("95.72"))


def test_composite_default_weights():
    # 0.7 × 50 + 0.3 × 85 = 60.5; M: 0.7 × 100 + 0.3 × 0 = 70
    g = group(SCHEME, [cadre("M", amounts={"R": "10"}), cadre("A", amounts={"R": "5"}, ballots={"peer": ["良好"] * 3})])
    rows = by_code(g)
    assert rows["A"].composite == Decimal("60.50")
    assert rows["M"].composite == Decimal("70.00")
    assert rows["M"].qualitative == Decimal("0.00")


def test_q_and_d_total_are_never_rounded_but_shown_with_two_decimals():
    scheme = make_scheme((rule("R", "routine", "0.333"), rule("D", "deduction", "-0.125")))
    g = group(scheme, [cadre("A", amounts={"R": "0.999", "D": "-0.125"}), cadre("B", amounts={"D": "-0.004"})])
    rows = by_code(g)
    assert rows["A"].quantitative == Decimal("0.874")
    assert rows["A"].deductions == Decimal("-0.125")
    assert rows["B"].quantitative == Decimal("-0.004")
    shown = dict_rows(g)
    assert shown["A"]["quantitative"] == "0.87"
    assert shown["B"]["quantitative"] == "0.00"  # never "-0.00"
    # 100 × −0.004 / 0.874 = −0.4576… → −0.46
    assert shown["B"]["quantitative_normalized"] == "-0.46"


def test_negative_half_cent_q_is_shown_as_minus_0_13():
    scheme = make_scheme((rule("D", "deduction", "-0.125"),))
    shown = dict_rows(group(scheme, [cadre("A", amounts={"D": "-0.125"})]))
    assert shown["A"]["quantitative"] == "-0.13"
    assert shown["A"]["quantitative_normalized"] == "0.00"
    assert shown["A"]["composite"] == "0.00"


def test_decimal_exact_point_one_plus_point_two():
    # 0.1 + 0.2 is 0.3 exactly: A and B tie on every key, and a cap of 0.3 clips nothing.
    scheme = make_scheme(
        (rule("R", "routine", "0.1"), rule("S", "special", "0.1", cap="0.3"), rule("Z", "stationing", "0.1"))
    )
    g = group(
        scheme,
        [
            cadre("A", amounts={"R": "0.1", "S": "0.2"}),
            cadre("B", amounts={"Z": "0.3"}),
            cadre("C", amounts={"S": "0.3"}),
        ],
    )
    rows = rows_of(g)
    assert [r.rank for r in rows] == [1, 1, 1]
    for r in rows:
        assert r.quantitative == Decimal("0.3")
        for value in (r.quantitative, r.deductions, r.normalized, r.composite):
            assert isinstance(value, Decimal)
    assert {r["quantitative"] for r in ranking_as_dict(rank_group(g))["rows"]} == {"0.30"}


def test_numbers_are_two_decimal_strings():
    shown = ranking_as_dict(rank_group(group(SCHEME, q_cadres(A="3", B="1"))))
    assert shown["rows"][0] == {
        "cadre": "A",
        "rank": 1,
        "tier": "二档",  # N = 2: floor(0.2 × 2) = 0, floor(0.7 × 2) = 1
        "quantitative": "3.00",
        "quantitative_normalized": "100.00",
        "qualitative": None,
        "composite": "100.00",
        "vetoed": False,
        "actions": ["recommend"],
    }
    assert shown["rows"][1]["quantitative_normalized"] == "33.33"
    assert shown["size"] == 2 and shown["group"] == "G" and shown["period"] == "2026Q3"


# --- qualitative ----------------------------------------------------------------------------------


def _l(ballots, **scheme_kw):
    scheme = make_scheme(RULES, **scheme_kw)
    (row,) = rows_of(group(scheme, [cadre("A", amounts={"R": "1"}, ballots=ballots)]))
    return row.qualitative


def test_four_ballots_are_not_trimmed():
    assert _l({"leader": ["优秀", "优秀", "优秀", "较差"]}) == Decimal("87.50")


def test_five_ballots_drop_one_highest_and_one_lowest():
    assert _l({"leader": ["优秀", "优秀", "优秀", "优秀", "较差"]}) == Decimal("100.00")
    # only ONE of each extreme goes: (100 + 85 + 50) / 3 = 78.33 (dropping every 100 and 50 would give 85)
    assert _l({"leader": ["优秀", "优秀", "良好", "较差", "较差"]}) == Decimal("78.33")
    # 7 ballots: drop one 100 and one 50 → (100 + 85 + 85 + 70 + 50) / 5 = 78
    assert _l({"leader": ["较差", "优秀", "良好", "一般", "较差", "良好", "优秀"]}) == Decimal("78.00")


def test_trimming_is_per_class():
    # leader (5 ballots) → (100 + 100 + 85) / 3 = 95 ; peer (4 ballots) → (100 + 100 + 100 + 50) / 4 = 87.5
    # L = (0.4 × 95 + 0.3 × 87.5) / 0.7 = 64.25 / 0.7 = 91.7857… → 91.79
    ballots = {"leader": ["优秀", "优秀", "优秀", "良好", "较差"], "peer": ["优秀", "优秀", "优秀", "较差"]}
    assert _l(ballots) == Decimal("91.79")


def test_a_single_class_gets_the_whole_weight():
    assert _l({"public": ["一般"]}) == Decimal("70.00")
    assert _l({"leader": ["良好"], "peer": ["良好"], "public": ["良好"]}) == Decimal("85.00")


def test_all_three_classes_weighted():
    # 0.4 × 100 + 0.3 × 85 + 0.3 × 50 = 80.5
    assert _l({"leader": ["优秀"], "peer": ["良好"], "public": ["较差"]}) == Decimal("80.50")


def test_ranked_cadre_without_ballots_gets_l_zero_when_others_have_ballots():
    g = group(SCHEME, [cadre("A", amounts={"R": "10"}, ballots={"leader": ["优秀"]}), cadre("B", amounts={"R": "10"})])
    rows = by_code(g)
    assert rows["B"].qualitative == Decimal("0.00")
    assert rows["B"].composite == Decimal("70.00")
    assert rows["A"].composite == Decimal("100.00")
    assert [r.cadre for r in rows_of(g)] == ["A", "B"]
    assert dict_rows(g)["B"]["qualitative"] == "0.00"


def test_l_is_absent_when_only_unranked_members_have_ballots():
    g = group(
        SCHEME,
        [
            cadre("A", amounts={"R": "10"}),
            cadre("B", amounts={"R": "4"}),
            cadre("N", [post(start="2026-09-21")], amounts={"R": "99"}, ballots={"leader": ["优秀"] * 5}),
        ],
    )
    ranking = rank_group(g)
    assert [(u.cadre, u.days) for u in ranking.unranked] == [("N", 10)]
    for r in ranking.rows:
        assert r.qualitative is None
        assert r.composite == r.normalized
    assert [r["qualitative"] for r in ranking_as_dict(ranking)["rows"]] == [None, None]
    # N's 99 points do not count for maxQ either
    assert by_code(g)["A"].normalized == Decimal("100.00")


def test_l_is_absent_without_any_ballot():
    for r in rows_of(group(SCHEME, q_cadres(A="3", B="2"))):
        assert r.qualitative is None
        assert r.composite == r.normalized


def test_ballots_of_the_previous_quarter_do_not_make_l_present_now():
    g = group(
        SCHEME,
        q_cadres(A="3", B="2"),
        period="2026Q3",
        previous=[cadre("A", amounts={"R": "3"}, ballots={"leader": ["优秀"]}), cadre("B", amounts={"R": "2"})],
    )
    assert [r.qualitative for r in rows_of(g)] == [None, None]


# --- Qn and maxQ ----------------------------------------------------------------------------------


def test_qn_is_zero_for_everyone_when_max_q_is_not_positive():
    g = group(SCHEME, [cadre("A", amounts={"D": "-5"}), cadre("B", amounts={"D": "-2"}), cadre("C")])
    rows = rows_of(g)
    assert [r.cadre for r in rows] == ["C", "B", "A"]  # equal C; then Q descending
    assert [r.rank for r in rows] == [1, 2, 3]
    assert {r.normalized for r in rows} == {Decimal("0.00")}
    assert {r["quantitative_normalized"] for r in ranking_as_dict(rank_group(g))["rows"]} == {"0.00"}
    rows = rows_of(group(SCHEME, [cadre("A", amounts={"D": "-5"}), cadre("B", amounts={"D": "-2"})]))
    assert {r.normalized for r in rows} == {Decimal("0.00")}


def test_max_q_includes_vetoed_members():
    g = group(SCHEME, [cadre("V", amounts={"R": "250", "V": "-50"}), cadre("A", amounts={"R": "100"})])
    rows = by_code(g)
    assert rows["V"].vetoed and rows["V"].quantitative == Decimal("200")
    assert rows["V"].normalized == Decimal("100.00")
    assert rows["A"].normalized == Decimal("50.00")
    assert [r.cadre for r in rows_of(g)] == ["A", "V"]


# --- vetoes ---------------------------------------------------------------------------------------


def test_vetoed_come_last_share_no_rank_with_others_and_are_never_recommended():
    g = group(
        SCHEME,
        [
            cadre("V1", amounts={"R": "90", "V": "-1"}),
            cadre("V2", amounts={"R": "90", "V": "-1"}),
            cadre("A", amounts={"R": "5"}),
            cadre("B", amounts={"R": "1"}),
        ],
    )
    rows = rows_of(g)
    assert [(r.cadre, r.rank, r.vetoed) for r in rows] == [
        ("A", 1, False),
        ("B", 2, False),
        ("V1", 3, True),
        ("V2", 3, True),
    ]
    assert rows[2].tier == rows[3].tier == "四档"
    assert rows[2].actions == rows[3].actions == ("retrain",)


def test_a_vetoed_cadre_alone_at_rank_1_is_not_recommended():
    rows = rows_of(group(SCHEME, [cadre("V", amounts={"R": "90", "V": "-50"})]))
    assert [(r.rank, r.vetoed, r.tier, r.actions) for r in rows] == [(1, True, "四档", ("retrain",))]


def test_veto_needs_an_approved_entry_of_a_veto_rule():
    # a plain deduction does not veto; a veto rule entry does, and its points still count
    rows = by_code(group(SCHEME, [cadre("A", amounts={"D": "-50"}), cadre("B", amounts={"V": "-50"})]))
    assert not rows["A"].vetoed
    assert rows["B"].vetoed and rows["B"].quantitative == Decimal("-50")


def test_vetoed_count_in_n():
    # 4 clean + 1 vetoed: N = 5 → bounds 1, 3, 4, 5 → tiers 一,二,二,三 ; vetoed 四.
    # (with N = 4 the bounds would be 0, 2, 3, 4 and rank 1 would fall to 二档)
    g = group(SCHEME, [*q_cadres(A="10", B="8", C="6", D="4"), cadre("V", amounts={"V": "-50"})])
    assert [(r.cadre, r.tier) for r in rows_of(g)] == [
        ("A", "一档"),
        ("B", "二档"),
        ("C", "二档"),
        ("D", "三档"),
        ("V", "四档"),
    ]
    assert rank_group(g).size == 5


# --- tiers ----------------------------------------------------------------------------------------


def test_tier_sizes_follow_the_floor_rule():
    # N = 10: bounds 2, 7, 9, 10
    g = group(SCHEME, q_cadres(**{f"C{i:02d}": str(100 - i) for i in range(10)}))
    assert [r.tier_index for r in rows_of(g)] == [0, 0, 1, 1, 1, 1, 1, 2, 2, 3]
    # N = 7: bounds floor(1.4)=1, floor(4.9)=4, floor(6.65)=6, 7
    g = group(SCHEME, q_cadres(**{f"C{i}": str(100 - i) for i in range(7)}))
    assert [r.tier_index for r in rows_of(g)] == [0, 1, 1, 1, 2, 2, 3]


def test_ties_never_split_across_tiers():
    # N = 5, bounds 1, 3, 4, 5; a tie goes wholly to the tier of its rank (= its first position).
    # ranks 1,1,3,3,5: both rank-1 rows in 一档 although it then holds 2 of 5 (> 20 %)
    g = group(SCHEME, q_cadres(A="9", B="9", C="5", D="5", E="1"))
    assert [(r.rank, r.tier) for r in rows_of(g)] == [(1, "一档"), (1, "一档"), (3, "二档"), (3, "二档"), (5, "四档")]
    # ranks 1,2,3,4,4: position 5 would be 四档, but it ties with rank 4 ≤ 4 → both 三档
    g = group(SCHEME, q_cadres(A="9", B="8", C="7", D="5", E="5"))
    assert [(r.rank, r.tier) for r in rows_of(g)] == [(1, "一档"), (2, "二档"), (3, "二档"), (4, "三档"), (4, "三档")]
    # ranks 1,2,3,3,3: all rank-3 rows in 二档; 三档 and 四档 stay empty
    g = group(SCHEME, q_cadres(A="9", B="8", C="5", D="5", E="5"))
    assert [r.tier for r in rows_of(g)] == ["一档", "二档", "二档", "二档", "二档"]
    # ranks 1,2,2,2,2
    g = group(SCHEME, q_cadres(A="9", B="5", C="5", D="5", E="5"))
    assert [r.tier for r in rows_of(g)] == ["一档"] + ["二档"] * 4


def test_tier_bounds_are_exact_decimal_products():
    # floor(0.29 × 100) = 29 and floor(0.57 × 100) = 57 (in floats: 28.999… and 56.999…)
    scheme = make_scheme(
        RULES, tiers=(TierDef("上", Decimal("0.29")), TierDef("中", Decimal("0.57")), TierDef("下", Decimal("1")))
    )
    rows = rows_of(group(scheme, q_cadres(**{f"C{i:03d}": str(1000 - i) for i in range(100)})))
    assert [sum(1 for r in rows if r.tier_index == i) for i in range(3)] == [29, 28, 43]


def test_an_empty_first_tier_still_recommends_rank_1():
    # N = 4: floor(0.2 × 4) = 0 → nobody in 一档
    rows = rows_of(group(SCHEME, q_cadres(A="4", B="3", C="2", D="1")))
    assert [r.tier for r in rows] == ["二档", "二档", "三档", "四档"]
    assert rows[0].actions == ("recommend",)


def test_single_tier_scheme_lists_actions_in_spec_order():
    scheme = make_scheme(RULES, tiers=(TierDef("唯一档", Decimal("1")),), year=2026)
    g = group(scheme, q_cadres(A="2", B="1"), previous=q_cadres(A="2", B="1"))
    rows = rows_of(g)
    # the one tier is both the first and the last: B is recommended by the first-tier streak too
    assert rows[0].actions == ("recommend", "retrain", "adjust")
    assert rows[1].actions == ("recommend", "retrain", "adjust")
    rows = rows_of(group(scheme, q_cadres(A="2", B="1")))
    assert [r.actions for r in rows] == [("recommend", "retrain"), ("retrain",)]


# --- min_days, membership and days ------------------------------------------------------------


def test_min_days_boundary_and_unranked_order():
    g = group(
        SCHEME,
        [
            cadre("A9", [post(start="2026-09-02")]),  # 29 days
            cadre("A10", [post(start="2026-09-30")]),  # 1 day
            cadre("B", [post(start="2026-09-01")]),  # 30 days → ranked
            cadre("C", [post(end="2026-06-30")]),  # 0 days → not listed
            cadre("D", [post(start="2026-10-01")]),  # 0 days → not listed
            cadre("E", [post(unit="TC")]),  # other unit → not listed
            cadre("F", []),  # no post at all → not listed
        ],
    )
    ranking = rank_group(g)
    assert [(u.cadre, u.days) for u in ranking.unranked] == [("A10", 1), ("A9", 29)]
    assert [r.cadre for r in ranking.rows] == ["B"]
    assert ranking.rows[0].breakdown.days == 30
    assert ranking_as_dict(ranking)["unranked"] == [{"cadre": "A10", "days": 1}, {"cadre": "A9", "days": 29}]


def test_min_days_default_is_30_and_can_be_changed():
    assert make_scheme().min_days == 30
    one = make_scheme(RULES, min_days=1)
    ranking = rank_group(group(one, [cadre("A", [post(start="2026-09-30")])]))
    assert [r.cadre for r in ranking.rows] == ["A"] and ranking.unranked == ()


def test_unranked_cadres_do_not_count_in_n_or_max_q():
    g = group(SCHEME, [*q_cadres(A="10", B="5"), cadre("N", [post(start="2026-09-10")], amounts={"R": "50"})])
    ranking = rank_group(g)
    assert ranking.size == 2
    assert ranking.rows[0].normalized == Decimal("100.00")
    assert [(u.cadre, u.days) for u in ranking.unranked] == [("N", 21)]


def test_selector_with_unit_and_position_must_be_met_by_one_post():
    selector = Selector(unit="QX", position="乡镇长")
    g = group(
        SCHEME,
        [
            cadre("X", [post("QX", "一般干部"), post("TC", "乡镇长")]),  # each key met, never by one post
            cadre("Y", [post("QX-WL", "乡镇长")]),  # a unit below QX
            cadre("Z", [post("QX", "乡镇长", end="2026-07-31"), post("TC", "乡镇长", start="2026-08-01")]),
        ],
        selector=selector,
    )
    ranking = rank_group(g)
    assert [r.cadre for r in ranking.rows] == ["Y", "Z"]
    assert by_code(g)["Z"].breakdown.days == 31
    assert ranking.unranked == ()  # X is not listed at all


def test_unit_selector_takes_units_below_but_not_above():
    g = group(
        SCHEME,
        [cadre("A", [post("QX-WL")]), cadre("B", [post("QX")]), cadre("C", [post("KH")])],
        selector=Selector(unit="QX-WL"),
    )
    assert [r.cadre for r in rows_of(g)] == ["A"]
    g = group(
        SCHEME,
        [cadre("A", [post("QX-WL")]), cadre("B", [post("TC")]), cadre("C", [post("KH")])],
        selector=Selector(unit="KH"),
    )
    assert [r.cadre for r in rows_of(g)] == ["A", "B", "C"]


def test_position_selector_takes_the_position_anywhere():
    g = group(
        SCHEME,
        [cadre("A", [post("QX", "乡镇长")]), cadre("B", [post("TC", "乡镇长")]), cadre("C", [post("TC", "一般干部")])],
        selector=Selector(position="乡镇长"),
    )
    assert [r.cadre for r in rows_of(g)] == ["A", "B"]


def test_approved_entries_count_for_the_whole_quarter():
    # 46 days: base 60 × 46/92 = 30 is prorated; the 10 routine points are not.
    scheme = make_scheme((rule("B", "base", "60"), *RULES))
    (row,) = rows_of(group(scheme, [cadre("A", [post(start="2026-08-16")], amounts={"R": "10"})]))
    assert row.quantitative == Decimal("40")


def test_base_rules_prorate_by_posts_matching_selector_and_positions():
    scheme = make_scheme(
        (
            rule("B-GEN", "base", "60", positions=["一般干部"]),
            rule("B-MID", "base", "70", positions=["中层干部"]),
        )
    )
    g = group(
        scheme,
        [
            # 46 days in QX as 一般干部, then 46 days in TC (outside the group) as 一般干部
            cadre("A", [post("QX", "一般干部", "2026-01-01", "2026-08-15"), post("TC", "一般干部", "2026-08-16")]),
            # 46 days 一般干部 then 46 days 中层干部, both in QX
            cadre("B", [post("QX", "一般干部", "2026-01-01", "2026-08-15"), post("QX", "中层干部", "2026-08-16")]),
            # a position no base rule names
            cadre("C", [post("QX", "乡镇长")]),
        ],
    )
    rows = by_code(g)
    assert rows["A"].quantitative == Decimal("30")
    assert rows["A"].breakdown.days == 46
    assert rows["B"].quantitative == Decimal("65")
    assert rows["C"].quantitative == Decimal("0")


def test_base_rule_without_positions_uses_selector_matching_posts_only():
    scheme = make_scheme((rule("B", "base", "92"),))
    posts = [post("QX", "乡镇长", end="2026-07-31"), post("QX", "一般干部", start="2026-08-01")]
    (row,) = rows_of(group(scheme, [cadre("A", posts)], selector=Selector(unit="QX", position="乡镇长")))
    assert row.breakdown.days == 31
    assert row.quantitative == Decimal("31")


def test_overlapping_posts_do_not_double_count_days():
    scheme = make_scheme((rule("B", "base", "60"), rule("B2", "base", "92", positions=["一般干部", "中层干部"])))
    g = group(
        scheme,
        [
            cadre("A", [post("QX", "一般干部", "2026-01-01", "2026-08-31"), post("QX-WL", "一般干部", "2026-08-01")]),
            cadre("B", [post("QX", "一般干部"), post("QX", "中层干部")]),  # two full posts at once
        ],
    )
    rows = by_code(g)
    assert rows["A"].breakdown.days == 92
    assert rows["A"].quantitative == Decimal("152")
    assert rows["B"].breakdown.days == 92
    assert rows["B"].quantitative == Decimal("152")


def test_posts_partly_outside_the_quarter():
    # 2026-06-15 .. 2026-07-20 → 20 days in Q3 ; 2026-09-25 .. open → 6 days ; total 26 (< 30: unranked)
    g = group(SCHEME, [cadre("A", [post(start="2026-06-15", end="2026-07-20"), post(start="2026-09-25")])])
    ranking = rank_group(g)
    assert [(u.cadre, u.days) for u in ranking.unranked] == [("A", 26)]


# --- caps --------------------------------------------------------------------------------------


def test_rule_caps_clip_positive_rules_to_at_most_cap():
    scheme = make_scheme((rule("Z", "stationing", "0.5", cap="20"), rule("S", "special", "4", cap="12")))
    rows = by_code(
        group(scheme, [cadre("A", amounts={"Z": "25", "S": "16"}), cadre("B", amounts={"Z": "15", "S": "12"})])
    )
    assert rows["A"].quantitative == Decimal("32")
    assert rows["B"].quantitative == Decimal("27")
    lines = {line.rule: (line.raw, line.amount) for line in rows["A"].breakdown.rules}
    assert lines == {"Z": (Decimal("25"), Decimal("20")), "S": (Decimal("16"), Decimal("12"))}


def test_rule_caps_clip_deductions_to_at_least_minus_cap():
    scheme = make_scheme((rule("R", "routine", "1"), rule("D", "deduction", "-2", cap="5")))
    rows = by_code(
        group(scheme, [cadre("A", amounts={"R": "10", "D": "-8"}), cadre("B", amounts={"R": "10", "D": "-4"})])
    )
    assert (rows["A"].quantitative, rows["A"].deductions) == (Decimal("5"), Decimal("-5"))
    assert (rows["B"].quantitative, rows["B"].deductions) == (Decimal("6"), Decimal("-4"))


def test_category_caps_clip_after_rule_caps():
    scheme = make_scheme(
        (
            rule("S-RES", "special", "4", cap="12"),
            rule("S-INV", "special", "6"),
            rule("D1", "deduction", "-2", cap="5"),
            rule("D2", "deduction", "-1"),
            rule("R", "routine", "1"),
        ),
        category_caps={"special": Decimal("15"), "deduction": Decimal("20")},
    )
    g = group(
        scheme,
        [
            # special: min(16, 12) + 6 = 18 → 15 ; deduction: max(−8, −5) − 17 = −22 → −20 ; Q = 15 + 30 − 20 = 25
            cadre("A", amounts={"S-RES": "16", "S-INV": "6", "D1": "-8", "D2": "-17", "R": "30"}),
            # under every cap: 8 + 6 = 14 ; −4 − 10 = −14 ; Q = 14 + 30 − 14 = 30
            cadre("B", amounts={"S-RES": "8", "S-INV": "6", "D1": "-4", "D2": "-10", "R": "30"}),
        ],
    )
    rows = by_code(g)
    assert (rows["A"].quantitative, rows["A"].deductions) == (Decimal("25"), Decimal("-20"))
    assert (rows["B"].quantitative, rows["B"].deductions) == (Decimal("30"), Decimal("-14"))
    cats = {c.category: (c.raw, c.amount) for c in rows["A"].breakdown.categories}
    assert cats["special"] == (Decimal("18"), Decimal("15"))
    assert cats["deduction"] == (Decimal("-22"), Decimal("-20"))


def test_a_category_cap_may_be_set_on_base():
    scheme = make_scheme(
        (rule("B1", "base", "60"), rule("B2", "base", "70"), rule("R", "routine", "1")),
        category_caps={"base": Decimal("100")},
    )
    (row,) = rows_of(group(scheme, [cadre("A", amounts={"R": "5"})]))
    assert row.quantitative == Decimal("105")


def test_amounts_of_rules_outside_the_scheme_count_for_nothing():
    (row,) = rows_of(group(SCHEME, [cadre("A", amounts={"R": "5", "OTHER": "100"})]))
    assert row.quantitative == Decimal("5")


# --- actions and streaks -------------------------------------------------------------------------

THREE = make_scheme(
    RULES, tiers=(TierDef("上", Decimal("0.5")), TierDef("中", Decimal("0.75")), TierDef("下", Decimal("1")))
)


def test_streaks_recommend_and_adjust():
    # N = 4, bounds 2, 3, 4. previous: C, B → 上; A → 中; D → 下. current: A, B → 上; C → 中; D → 下.
    g = group(THREE, q_cadres(A="10", B="8", C="5", D="1"), previous=q_cadres(C="10", B="8", A="5", D="1"))
    assert [(r.cadre, r.tier, r.actions) for r in rows_of(g)] == [
        ("A", "上", ("recommend",)),
        ("B", "上", ("recommend",)),
        ("C", "中", ()),
        ("D", "下", ("retrain", "adjust")),
    ]


def test_without_previous_there_are_only_rank_1_recommendations_and_retrains():
    g = group(THREE, q_cadres(A="10", B="8", C="5", D="1"))
    assert [r.actions for r in rows_of(g)] == [("recommend",), (), (), ("retrain",)]


def test_first_quarter_has_no_streaks():
    scheme = THREE
    g = group(scheme, q_cadres(A="10", B="8", C="5", D="1"), period="2026Q1")
    assert g.previous is None
    assert [r.actions for r in rows_of(g)] == [("recommend",), (), (), ("retrain",)]


def test_a_previous_quarter_from_another_year_is_an_error():
    from gongfen.scoring import GroupInput, PeriodData

    g = group(THREE, q_cadres(A="1"), period="2026Q1")
    with pytest.raises(RankingError):
        rank_group(
            GroupInput("G", THREE, Selector(unit="QX"), g.current, PeriodData(Quarter(2025, 4), g.current.cadres))
        )


def test_previous_quarter_must_be_the_one_before():
    from gongfen.scoring import GroupInput, PeriodData

    g = group(THREE, q_cadres(A="1"), period="2026Q3")
    with pytest.raises(RankingError):
        rank_group(
            GroupInput("G", THREE, Selector(unit="QX"), g.current, PeriodData(Quarter(2026, 1), g.current.cadres))
        )


def test_retrain_without_adjust_when_previously_not_last():
    g = group(THREE, q_cadres(A="10", B="8", C="5", D="1"), previous=q_cadres(A="10", B="8", C="1", D="5"))
    assert [(r.cadre, r.actions) for r in rows_of(g)] == [
        ("A", ("recommend",)),
        ("B", ("recommend",)),
        ("C", ()),
        ("D", ("retrain",)),
    ]


def test_previous_quarter_is_ranked_with_its_own_members():
    # Previous: P (left on 2026-06-30) is a member then: A 10, B 8, D 1, P 0.5 → N = 4, bounds 2, 3, 4
    #   → A 上, B 上, D 中, P 下.  (Without P: N = 3, bounds 1, 2, 3 → B 中, D 下.)
    # Current: A 10, B 8, N 5, D 1 (N joined on 2026-07-01, not a member before) → A 上, B 上, N 中, D 下.
    left = [post(end="2026-06-30")]
    joined = [post(start="2026-07-01")]
    current = [*q_cadres(A="10", B="8", D="1"), cadre("N", joined, amounts={"R": "5"})]  # P is not given now
    previous = [
        *q_cadres(A="10", B="8", D="1"),
        cadre("N", joined, amounts={"R": "100"}),
        cadre("P", left, amounts={"R": "0.5"}),
    ]
    rows = rows_of(group(THREE, current, previous=previous))
    assert [(r.cadre, r.tier, r.actions) for r in rows] == [
        ("A", "上", ("recommend",)),
        ("B", "上", ("recommend",)),
        ("N", "中", ()),
        ("D", "下", ("retrain",)),
    ]


def test_a_cadre_unranked_in_the_previous_quarter_has_no_streak():
    # D held 20 days of Q2 (unranked then; had it been ranked, its Q of 0 would have put it last),
    # is last now → retrain only, no adjust.
    d_posts = [post(start="2026-06-11")]
    current = [*q_cadres(A="10", B="8"), cadre("D", d_posts, amounts={"R": "1"})]
    previous = [*q_cadres(A="1", B="8"), cadre("D", d_posts, amounts={"R": "0"})]
    rows = rows_of(group(THREE, current, previous=previous))
    assert [(r.cadre, r.actions) for r in rows] == [("A", ("recommend",)), ("B", ()), ("D", ("retrain",))]


def test_previous_quarter_uses_its_own_max_q_and_ballots():
    # Previous: A has a ballot, so L is present then (others get L = 0), maxQ = 10:
    #   B 0.7×100 = 70, A 0.7×50 + 0.3×100 = 65, C 0.7×60 = 42, D 7 → B, A 上 ; C 中 ; D 下.
    #   (Without ballots C would be ahead of A and A would be 中.)
    # Current (no ballots): B 10, A 9, C 5, D 1 → B, A 上 → A is recommended by the streak.
    previous = [
        cadre("A", amounts={"R": "5"}, ballots={"leader": ["优秀"]}),
        cadre("B", amounts={"R": "10"}),
        cadre("C", amounts={"R": "6"}),
        cadre("D", amounts={"R": "1"}),
    ]
    rows = rows_of(group(THREE, q_cadres(B="10", A="9", C="5", D="1"), previous=previous))
    assert [(r.cadre, r.actions) for r in rows] == [
        ("B", ("recommend",)),
        ("A", ("recommend",)),
        ("C", ()),
        ("D", ("retrain", "adjust")),
    ]
    assert [r.qualitative for r in rows] == [None] * 4


def test_vetoed_now_after_first_tier_before_is_not_recommended_and_is_retrained():
    g = group(
        THREE,
        [*q_cadres(A="10", B="8", C="5"), cadre("V", amounts={"R": "100", "V": "-50"})],
        previous=q_cadres(V="10", A="8", B="5", C="1"),
    )
    # now: A, B 上 ; C 中 ; V (vetoed) 下.  previous: V, A 上 ; B 中 ; C 下.
    rows = by_code(g)
    assert rows["V"].actions == ("retrain",)
    assert rows["C"].actions == ()
    assert rows["B"].actions == ()


def test_vetoed_previously_and_now_is_adjusted():
    g = group(
        THREE,
        [*q_cadres(A="10", B="8", C="5"), cadre("V", amounts={"V": "-50"})],
        previous=[*q_cadres(A="10", B="8", C="5"), cadre("V", amounts={"R": "100", "V": "-50"})],
    )
    assert by_code(g)["V"].actions == ("retrain", "adjust")


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["2025Q4", "2027Q1", "2025Q3"])
def test_a_period_outside_the_schemes_year_is_an_error(period):
    with pytest.raises(RankingError):
        rank_group(group(SCHEME, q_cadres(A="1"), period=period))


def test_a_cadre_given_twice_is_an_error():
    with pytest.raises(RankingError):
        rank_group(group(SCHEME, [*q_cadres(A="1"), *q_cadres(A="2")]))


def test_all_four_quarters_of_the_schemes_year_can_be_ranked():
    for q in Quarter.all_of_year(2026):
        ranking = rank_group(group(SCHEME, q_cadres(A="1"), period=q.code))
        assert ranking.period == q and ranking.rows[0].breakdown.period_days == q.days


# --- exactness whatever the decimal context ---------------------------------------------------------
# (Both failed against the first core, which summed in the caller's 28-digit context.)


def test_q_is_exact_beyond_28_significant_digits():
    rows = rows_of(group(SCHEME, [cadre("A", amounts={"R": "1E+26"}), cadre("B", amounts={"R": "1E+26", "S": "0.01"})]))
    assert [(r.cadre, r.rank) for r in rows] == [("B", 1), ("A", 2)]
    assert rows[0].quantitative == Decimal("100000000000000000000000000.01")
    assert rows[0].normalized == rows[1].normalized == Decimal("100.00")


def test_q_does_not_depend_on_the_ambient_decimal_context():
    with localcontext() as ctx:
        ctx.prec = 6
        rows = rows_of(
            group(SCHEME, [cadre("A", amounts={"R": "12345.67", "S": "0.01"}), cadre("B", amounts={"R": "3"})])
        )
        shown = dict_rows(group(SCHEME, [cadre("A", amounts={"R": "12345.67", "S": "0.01"})]))
    assert rows[0].quantitative == Decimal("12345.68")
    assert rows[1].normalized == Decimal("0.02")  # 300 / 12345.68 = 0.0243…
    assert shown["A"]["quantitative"] == "12345.68"
