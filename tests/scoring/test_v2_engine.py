"""Hand-made cases of the v2 engine, each computed by hand from ``shared/spec/scoring-v2.md``.

Default world (``v2_builders``): group G takes unit T, scheme S is quarterly for 2026 with weights 1/0
(so C = Qn), four proportional tiers 0.25/0.5/0.75/1; cadres hold 一般干部 in T since 2020; 2026Q3 has
92 days.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongfen.scoring import RankingError

from .v2_builders import (
    ballot,
    bundle,
    by_cadre,
    cadre,
    core_ranking,
    entry,
    items_of,
    leaf,
    node,
    post,
    rank,
    scheme,
)


def q_of(ranking) -> dict[str, str]:
    return {r["cadre"]: r["quantitative"] for r in ranking["rows"]}


# --- §4.2–4.3: values, clamps, start, allotment, cap_exempt ----------------------------------------


TREE = [
    node(
        "A",
        leaf("L1", points="2", cap="6"),
        leaf("L2"),
        leaf("X", points="3", cap="4", cap_exempt=True),
        cap="10",
    ),
    node("E1", start="5", cap="8"),  # empty internal items are worth clamp(start)
    node("E2", start="12", cap="8"),
    node("E3", start="-2", floor="0"),
    node("E4"),
]


def test_caps_at_every_level_and_a_cap_exempt_child_added_after_its_parents_cap():
    # L1 2 × 4 = 8 → 6; L2 7; A raw 13 → cap 10; X 3 × 2 = 6 → its own cap 4; A = 10 + 4 = 14
    # E1 clamp(5) = 5, E2 clamp(12) = 8, E3 clamp(−2) = 0, E4 0 → Q = 27
    b = bundle(
        scheme(TREE),
        [cadre("C1")],
        [entry("C1", "L1", quantity="4"), entry("C1", "L2", quantity="7"), entry("C1", "X", quantity="2")],
    )
    (row,) = rank(b)["rows"]
    assert row["quantitative"] == "27.00"
    assert row["items"] == {
        "A": "14.00", "L1": "6.00", "L2": "7.00", "X": "4.00",
        "E1": "5.00", "E2": "8.00", "E3": "0.00", "E4": "0.00",
    }  # fmt: skip
    lines = items_of(core_ranking(b), "C1")
    assert (lines["A"].raw, lines["A"].clamped, lines["A"].exempt, lines["A"].bound) == (13, 10, 4, "cap")
    assert (lines["L1"].inner, lines["L1"].bound, lines["L2"].bound, lines["X"].bound) == (8, "cap", None, "cap")
    assert (lines["E2"].bound, lines["E3"].bound, lines["E1"].bound) == ("cap", "floor", None)
    assert lines["X"].cap_exempt and lines["X"].parent == "A" and lines["X"].depth == 1


ALLOT = [
    node(
        "D",
        leaf("K1", points="-3"),
        leaf("P", points="2", cap_exempt=True),
        leaf("N", points="-5", cap_exempt=True),
        allotment="10",
    ),
    node("F", leaf("K2", points="-3"), allotment="10", floor="-5"),  # an explicit floor replaces 0
    node("G", leaf("W"), allotment="10", cap="12"),  # an explicit cap replaces A
    node("H", leaf("KL", points="-1", allotment="5"), leaf("S", start="2", cap="5")),
]


def test_allotments_run_dry_at_zero_and_a_negative_cap_exempt_child_takes_them_below():
    entries = [
        # D0: nothing recorded → D 10, F 10, G 10, H: KL 5, S clamp(2) = 2 → Q 37
        # D1: K1 −12 → raw −2 → 0; N −5 (cap exempt) → D = −5; K2 −12 → raw −2 ≥ floor −5 → F −2;
        #     W 5 → raw 15 → cap 12; KL −7 → raw −2 → 0; S 4 → raw 6 → 5 → Q = −5 − 2 + 12 + 5 = 10
        *[entry("D1", "K1", quantity="4"), entry("D1", "N"), entry("D1", "K2", quantity="4")],
        *[entry("D1", "W", quantity="5"), entry("D1", "KL", quantity="7"), entry("D1", "S", quantity="4")],
        # D2: P 6 on top of the full 10 → D 16; KL −3 → 2 → Q = 16 + 10 + 10 + 2 + 2 = 40
        entry("D2", "P", quantity="3"),
        entry("D2", "KL", quantity="3"),
    ]
    b = bundle(scheme(ALLOT), [cadre("D0"), cadre("D1"), cadre("D2")], entries)
    rows = by_cadre(rank(b))
    assert q_of(rank(b)) == {"D0": "37.00", "D1": "10.00", "D2": "40.00"}
    assert (rows["D1"]["items"]["D"], rows["D1"]["items"]["F"], rows["D1"]["items"]["G"]) == ("-5.00", "-2.00", "12.00")
    assert (rows["D1"]["items"]["KL"], rows["D1"]["items"]["S"]) == ("0.00", "5.00")
    assert rows["D2"]["items"]["D"] == "16.00"
    d1 = items_of(core_ranking(b), "D1")
    assert (d1["D"].raw, d1["D"].clamped, d1["D"].exempt, d1["D"].bound) == (-2, 0, -5, "floor")
    assert (d1["D"].start, d1["D"].floor, d1["D"].cap) == (10, 0, 10)
    assert (d1["F"].floor, d1["G"].cap, d1["G"].bound) == (-5, 12, "cap")


def test_an_allotment_is_granted_in_full_whatever_the_days():
    # 40 of 92 days (ranked with min_days 30): the allotment is not prorated, the base leaf is
    items = [node("base", leaf("B", kind="base", points="46")), node("D", leaf("K", points="-1"), allotment="10")]
    b = bundle(scheme(items), [cadre("A", post(start="2026-08-22")), cadre("M")])
    rows = by_cadre(rank(b))
    assert rows["A"]["items"] == {"base": "20.00", "B": "20.00", "D": "10.00", "K": "0.00"}  # 46 × 40 / 92
    assert rows["M"]["quantitative"] == "56.00"


# --- §4.4: D_total ----------------------------------------------------------------------------------


def test_d_total_is_the_value_of_the_deduction_item_named():
    items = [node("W", leaf("w")), node("D", leaf("k", points="-2"), allotment="10")]
    entries = [entry("A", "w", quantity="10"), entry("B", "w", quantity="12"), entry("B", "k")]
    # A: Q 10 + 10 = 20, D_total 10; B: Q 12 + 8 = 20, D_total 8 → A first
    named = rank(bundle(scheme(items, deduction_item="D"), [cadre("B"), cadre("A")], entries))
    assert [(r["cadre"], r["rank"]) for r in named["rows"]] == [("A", 1), ("B", 2)]
    # with neither deduction_item nor an item coded deduction, D_total is 0: a full tie
    neither = rank(bundle(scheme(items), [cadre("B"), cadre("A")], entries))
    assert [(r["cadre"], r["rank"]) for r in neither["rows"]] == [("A", 1), ("B", 1)]
    # an item coded "deduction" is the default
    coded = [node("W", leaf("w")), node("deduction", leaf("k", points="-2"), allotment="10")]
    by_code = rank(bundle(scheme(coded), [cadre("B"), cadre("A")], entries))
    assert [(r["cadre"], r["rank"]) for r in by_code["rows"]] == [("A", 1), ("B", 2)]


# --- §5: leaves -------------------------------------------------------------------------------------


def test_bands_first_band_reached_and_a_band_from_zero_scores_members_without_entries():
    with_zero = [leaf("R", kind="bands", bands=[{"min": "90", "points": "10"}, {"min": "60", "points": "5"},
                                                {"min": "0", "points": "1"}])]  # fmt: skip
    without = [leaf("R", kind="bands", bands=[{"min": "90", "points": "10"}, {"min": "60", "points": "5"}])]
    cadres = [cadre("A"), cadre("B"), cadre("C"), cadre("N")]
    entries = [entry("A", "R", quantity="95"), entry("B", "R", quantity="60"), entry("C", "R", quantity="59.99")]
    assert q_of(rank(bundle(scheme([node("T", *with_zero)]), cadres, entries))) == {
        "A": "10.00",
        "B": "5.00",
        "C": "1.00",
        "N": "1.00",
    }
    assert q_of(rank(bundle(scheme([node("T", *without)]), cadres, entries))) == {
        "A": "10.00",
        "B": "5.00",
        "C": "0.00",
        "N": "0.00",
    }
    lines = items_of(core_ranking(bundle(scheme([node("T", *with_zero)]), cadres, entries)), "N")
    assert (lines["R"].measure, lines["R"].band) == (0, 2)


def test_by_rank_shares_places_skips_the_next_and_gives_nothing_without_a_record():
    items = [node("T", leaf("R", kind="by_rank", points="10", step="3"))]
    cadres = [cadre(c) for c in "ABCDE"] + [cadre("U", post(start="2026-09-20"))]  # U: 11 days, unranked
    entries = [entry("A", "R", quantity="5"), entry("B", "R", quantity="5"), entry("C", "R", quantity="4"),
               entry("E", "R", quantity="1"), entry("U", "R", quantity="100")]  # fmt: skip
    # places: A, B 1 → 10; C 3 → 10 − 6 = 4; E 4 → 10 − 9 = 1; D no record → 0 (the unranked U is not compared)
    b = bundle(scheme(items), cadres, entries)
    assert q_of(rank(b)) == {"A": "10.00", "B": "10.00", "C": "4.00", "E": "1.00", "D": "0.00"}
    lines = core_ranking(b)
    assert [items_of(lines, c)["R"].place for c in "ABCDE"] == [1, 1, 3, None, 4]
    steep = [node("T", leaf("R", kind="by_rank", points="10", step="6"))]
    assert q_of(rank(bundle(scheme(steep), cadres, entries)))["E"] == "0.00"  # max(0, 10 − 18)


def test_ratio_to_best_among_ranked_members_rounded_half_up():
    items = [node("T", leaf("F", kind="ratio_to_best", points="15")), node("H", leaf("G", kind="ratio_to_best"))]
    cadres = [cadre("A"), cadre("B"), cadre("C"), cadre("U", post(start="2026-09-25"))]
    entries = [
        entry("A", "F", quantity="90"),  # 15 × 90 / 140 = 9.6428… → 9.64
        entry("B", "F", quantity="100"),
        entry("B", "F", quantity="40"),  # m = 140 = M
        entry("U", "F", quantity="1000"),  # unranked: not the best
        entry("A", "G", quantity="1"),  # 1 × 1 / 8 = 0.125 → 0.13
        entry("B", "G", quantity="8"),
    ]
    b = bundle(scheme(items), cadres, entries)
    rows = by_cadre(rank(b))
    assert {c: (r["items"]["F"], r["items"]["G"]) for c, r in rows.items()} == {
        "A": ("9.64", "0.13"),
        "B": ("15.00", "1.00"),
        "C": ("0.00", "0.00"),
    }
    line = items_of(core_ranking(b), "A")["F"]
    assert (line.measure, line.best) == (90, 140)
    nobody = bundle(scheme(items), cadres, [])
    assert set(q_of(rank(nobody)).values()) == {"0.00"}  # M = 0: 0 for everyone


def test_per_unit_points_may_have_any_sign_and_quantities_default_to_one():
    items = [node("T", leaf("P", points="2.5"), leaf("M", points="-1.25"))]
    entries = [entry("A", "P"), entry("A", "M", quantity=3), entry("A", "P", status=None)]  # integer decimal, no status
    entries += [entry("A", "P", quantity="100", status="pending"), entry("A", "P", quantity="100", status="rejected")]
    assert q_of(rank(bundle(scheme(items), [cadre("A")], entries))) == {"A": "1.25"}  # 2.5 + 2.5 − 3.75


# --- §6: coefficients ---------------------------------------------------------------------------------

COEFFICIENTS = [
    {"by": "position", "values": {"中层干部": "0.9", "一般干部": "0.8"}, "items": ["A"]},
    {"by": "unit", "values": {"T-A": "1.2", "T": "1.1"}},  # default 1, every top-level item
]


def test_coefficients_of_the_last_member_day_nearest_unit_largest_over_posts():
    items = [node("A", leaf("a"), cap="15"), node("B", leaf("b"))]
    cadres = [
        cadre("P1", post("T-A", "一般干部")),  # 0.8 × 1.2 = 0.96 on A, 1.2 on B
        cadre("P2", post("T-B", "中层干部")),  # T-B is no key: its parent T → 1.1; 0.9 × 1.1 = 0.99
        # promoted on 16 Aug: the post held on 30 Sep counts for the whole quarter
        cadre("P3", post("T-A", "一般干部", end="2026-08-15"), post("T-B", "中层干部", start="2026-08-16")),
        # left on 31 Aug holding two posts: the largest of each coefficient, 0.9 × 1.2 = 1.08
        cadre("P4", post("T-A", "中层干部", end="2026-08-31"), post("T-B", "一般干部", end="2026-08-31")),
        # a post outside the group is not a member post: only T-A 一般干部 on its last member day 10 Sep
        cadre("P5", post("KH", "中层干部"), post("T-A", "一般干部", end="2026-09-10")),
    ]
    entries = [entry(c["code"], leaf_code, quantity="10") for c in cadres for leaf_code in ("a", "b")]
    entries.append(entry("P1", "a", quantity="10"))  # P1's A: 20 → cap 15, then × 0.96
    result = rank(bundle(scheme(items, coefficients=COEFFICIENTS), cadres, entries))
    rows = by_cadre(result)
    assert {c: r["coefficients"] for c, r in rows.items()} == {
        "P1": {"A": "0.96", "B": "1.2"},
        "P2": {"A": "0.99", "B": "1.1"},
        "P3": {"A": "0.99", "B": "1.1"},
        "P4": {"A": "1.08", "B": "1.2"},
        "P5": {"A": "0.96", "B": "1.2"},
    }
    # Q = A × k_A + B × k_B, after every clamp; items show values before coefficients
    assert q_of(result) == {"P1": "26.40", "P2": "20.90", "P3": "20.90", "P4": "22.80", "P5": "21.60"}
    assert rows["P1"]["items"]["A"] == "15.00"
    exact = {r.cadre: r.quantitative for r in core_ranking(bundle(scheme(items, coefficients=COEFFICIENTS), cadres,
                                                                  entries)).rows}  # fmt: skip
    assert exact["P1"] == Decimal("26.4") and exact["P4"] == Decimal("22.8")


def test_coefficients_on_a_v2_rules_scheme_and_its_items_output():
    rules = [
        {"code": "B1", "name": "岗位分", "category": "base", "points": "30"},
        {"code": "R1", "name": "日常", "category": "routine", "points": "2", "cap": "10"},
        {"code": "K1", "name": "扣分", "category": "deduction", "points": "-1", "cap": "3"},
    ]
    s = scheme(rules=rules, category_caps={"routine": "8"}, coefficients=[
        {"by": "position", "values": {"一般干部": "1.5"}, "items": ["routine"]}
    ])  # fmt: skip
    entries = [entry("A", "R1", quantity="6"), entry("A", "K1", quantity="5")]
    (row,) = rank(bundle(s, [cadre("A")], entries))["rows"]
    # R1 12 → 10 → routine cap 8, × 1.5 = 12; K1 −5 → floor −3; Q = 30 + 12 − 3 = 39
    assert row["quantitative"] == "39.00"
    assert list(row["items"]) == ["base", "B1", "stationing", "routine", "R1", "special", "deduction", "K1"]
    assert row["items"]["routine"] == "8.00" and row["items"]["R1"] == "10.00" and row["items"]["K1"] == "-3.00"
    assert row["coefficients"] == {"base": "1", "stationing": "1", "routine": "1.5", "special": "1", "deduction": "1"}


# --- §2–§3: periods and membership ---------------------------------------------------------------------


def test_min_days_defaults_by_period_kind_and_zero_means_one():
    items = [node("T", leaf("w"))]
    month = scheme(items, period="month")
    cadres = [cadre("A"), cadre("N9", post(start="2026-07-23")), cadre("N10", post(start="2026-07-22"))]
    july = rank(bundle(month, cadres), "2026M07")
    assert [r["cadre"] for r in july["rows"]] == ["A", "N10"] and july["unranked"] == [{"cadre": "N9", "days": 9}]
    half = rank(bundle(scheme(items, period="half"), [cadre("A"), cadre("H", post(start="2026-11-02"))]), "2026H2")
    assert half["size"] == 2 and half["unranked"] == []  # 60 days in 2026H2: ranked
    assert rank(bundle(scheme(items, period="half"), [cadre("H", post(start="2026-11-03"))]), "2026H2")["unranked"] == [
        {"cadre": "H", "days": 59}
    ]
    year = rank(bundle(scheme(items, period="year"), [cadre("Y", post(start="2026-09-04"))]), "2026Y")
    assert year["unranked"] == [{"cadre": "Y", "days": 119}]
    for least in (0, 1):
        one_day = rank(bundle(scheme(items, min_days=least), [cadre("A"), cadre("D1", post(start="2026-09-30"))]))
        assert [r["cadre"] for r in one_day["rows"]] == ["A", "D1"] and one_day["unranked"] == []


def test_previous_periods_of_every_kind_within_the_year():
    items = [node("T", leaf("w"))]
    cadres = [cadre("A"), cadre("B")]
    entries = [entry("A", "w", day=d) for d in ("2026-01-05", "2026-02-05", "2026-07-05", "2026-08-05")]
    month = bundle(scheme(items, period="month"), cadres, entries)
    # N = 2, tiers floor(0.5) = 0, 1, 1, 2: A (rank 1) is 二档, B 四档; a first month has no previous one
    assert by_cadre(rank(month, "2026M01"))["B"]["actions"] == ["retrain"]
    assert by_cadre(rank(month, "2026M02"))["B"]["actions"] == ["retrain", "adjust"]
    assert by_cadre(rank(month, "2026M07"))["B"]["actions"] == ["retrain"]  # June: nothing, both rank 1 tied
    half = bundle(scheme(items, period="half"), cadres, entries)
    assert by_cadre(rank(half, "2026H1"))["B"]["actions"] == ["retrain"]
    assert by_cadre(rank(half, "2026H2"))["B"]["actions"] == ["retrain", "adjust"]
    year = bundle(scheme(items, period="year"), cadres, entries)
    assert rank(year, "2026Y")["period"] == "2026Y"
    assert by_cadre(rank(year, "2026Y"))["B"]["actions"] == ["retrain"]


@pytest.mark.parametrize(
    ("kind", "period"),
    [
        ("month", "2026Q3"),
        ("month", "2026M7"),
        ("month", "2026M13"),
        ("month", "2026M00"),
        ("month", "2025M07"),
        ("quarter", "2026M07"),
        ("quarter", "2026Y"),  # no annual
        ("quarter", "2027Q1"),
        ("half", "2026H3"),
        ("half", "2026Q1"),
        ("year", "2025Y"),
        ("year", "2026Q1"),
    ],
)
def test_periods_a_group_cannot_be_ranked_for_are_errors(kind, period):
    b = bundle(scheme([node("T", leaf("w"))], period=kind), [cadre("A")])
    with pytest.raises(RankingError):
        rank(b, period)


def test_unknown_group_is_an_error():
    b = bundle(scheme([node("T", leaf("w"))]), [cadre("A")])
    with pytest.raises(RankingError):
        from gongfen.scoring.bundle import rank_bundle

        rank_bundle(b, "NOPE", "2026Q3")


# --- §7: veto modes ---------------------------------------------------------------------------------------

VETO_ITEMS = [node("W", leaf("w")), node("K", leaf("V", points="0", veto=True), leaf("VB", points="0", veto="bottom"))]


def _veto_bundle(policy: dict, entries):
    cadres = [cadre(c) for c in ("A", "B", "C", "D")]
    work = [entry("A", "w", quantity="10"), entry("B", "w", quantity="8"), entry("C", "w", quantity="6"),
            entry("D", "w", quantity="4")]  # fmt: skip
    return bundle(scheme(VETO_ITEMS, veto_mode="bar_top", **policy), cadres, work + entries)


def test_bar_top_keeps_its_place_its_first_tier_place_stays_empty_under_proportional():
    result = rank(_veto_bundle({}, [entry("A", "V")]))
    assert [(r["cadre"], r["rank"], r["tier"], r["veto"], r["vetoed"], r["actions"]) for r in result["rows"]] == [
        ("A", 1, "二档", "bar_top", True, []),
        ("B", 2, "二档", None, False, []),
        ("C", 3, "三档", None, False, []),
        ("D", 4, "四档", None, False, ["retrain"]),
    ]


def test_bar_top_place_goes_to_the_next_candidate_under_cutoffs_and_bottom_prevails():
    cut = {"tier_policy": "cutoffs", "tiers": [{"name": "优", "max_share": "0.25"}, {"name": "良", "min": "50"},
                                               {"name": "差"}]}  # fmt: skip
    result = rank(_veto_bundle(cut, [entry("A", "V")]))
    assert [(r["cadre"], r["rank"], r["tier"]) for r in result["rows"]] == [
        ("A", 1, "良"), ("B", 2, "优"), ("C", 3, "良"), ("D", 4, "差")
    ]  # fmt: skip
    both = rank(_veto_bundle(cut, [entry("A", "V"), entry("A", "VB")]))
    assert [(r["cadre"], r["rank"], r["tier"], r["veto"]) for r in both["rows"]] == [
        ("B", 1, "优", None), ("C", 2, "良", None), ("D", 3, "差", None), ("A", 4, "差", "bottom")
    ]  # fmt: skip
    # Q2 had no entries: everyone 0 < 50, all in 差 then too → A is adjusted as well
    assert both["rows"][-1]["actions"] == ["retrain", "adjust"]


def test_a_v1_veto_is_bottom():
    rules = [{"code": "R", "name": "r", "category": "routine", "points": "1"},
             {"code": "V", "name": "v", "category": "deduction", "points": "-1", "veto": True}]  # fmt: skip
    s = scheme(rules=rules)
    result = rank(bundle(s, [cadre("A"), cadre("B")], [entry("A", "R", quantity="9"), entry("A", "V")], fmt=1))
    # N = 2: B (rank 1) is in the first tier whose bound floor(c × 2) reaches 1: 二档; A vetoed: the last
    assert [(r["cadre"], r["vetoed"], r["tier"]) for r in result["rows"]] == [("B", False, "二档"), ("A", True, "四档")]
    assert "veto" not in result["rows"][0] and "items" not in result["rows"][0]  # the v1 shape


# --- §10: cut-off tiers -----------------------------------------------------------------------------------


def _cut(tiers, qs: dict[str, str]):
    entries = [entry(c, "w", quantity=q) for c, q in qs.items() if q != "0"]
    b = bundle(scheme([node("W", leaf("w"))], tier_policy="cutoffs", tiers=tiers), [cadre(c) for c in qs], entries)
    return {r["cadre"]: r["tier"] for r in rank(b)["rows"]}


EIGHT = {"A": "100", "B": "90", "C": "90", "D": "85", "E": "60", "F": "50", "G": "40", "H": "10"}


def test_a_tie_that_would_cross_the_ceiling_is_not_admitted_nor_anyone_below_it():
    tiers = [{"name": "1", "min": "80", "max_share": "0.25"}, {"name": "2", "min": "55"}, {"name": "3", "min": "45"},
             {"name": "4"}]  # fmt: skip
    assert _cut(tiers, EIGHT) == {"A": "1", "B": "2", "C": "2", "D": "2", "E": "2", "F": "3", "G": "4", "H": "4"}


@pytest.mark.parametrize(
    ("share", "rounding", "first"),
    [
        ("0.3", "floor", "A"),  # 2.4 → 2: the tie B, C does not fit
        ("0.3", "half_up", "A"),  # 2.4 → 2
        ("0.3", "ceil", "ABC"),  # 2.4 → 3
        ("0.3125", "half_up", "ABC"),  # 2.5 → 3
        ("5/16", "floor", "A"),  # 2.5 → 2
        ("1/8", "floor", "A"),  # 1
        ("0.1", "floor", ""),  # 0.8 → 0: the first tier stays empty
    ],
)
def test_seat_rounding(share, rounding, first):
    tiers = [{"name": "1", "max_share": share, "seat_rounding": rounding}, {"name": "2"}]
    got = _cut(tiers, EIGHT)
    assert "".join(c for c, t in sorted(got.items()) if t == "1") == first
    assert all(t == "2" for c, t in got.items() if c not in first)


def test_min_seats_guarantees_a_small_group_its_seats_but_never_more_than_n():
    three = {"A": "9", "B": "5", "C": "1"}
    assert _cut([{"name": "1", "max_share": "0.2"}, {"name": "2"}], three) == {"A": "2", "B": "2", "C": "2"}
    assert _cut([{"name": "1", "max_share": "0.2", "min_seats": 1}, {"name": "2"}], three)["A"] == "1"
    assert set(_cut([{"name": "1", "max_share": "0.2", "min_seats": 5}, {"name": "2"}], three).values()) == {"1"}


def test_pingshi_tiers():
    # 好 ≥ 90 with at most floor(0.4 × 5) = 2 (at least 1), 较好 ≥ 80, 一般 ≥ 60, 较差
    five = {"A": "100", "B": "95", "C": "92", "D": "85", "E": "50"}
    entries = [entry(c, "w", quantity=q) for c, q in five.items()]
    b = bundle(scheme([node("W", leaf("w"))], tier_policy="pingshi"), [cadre(c) for c in five], entries)
    assert {r["cadre"]: r["tier"] for r in rank(b)["rows"]} == {
        "A": "好",
        "B": "好",
        "C": "较好",
        "D": "较好",
        "E": "较差",
    }
    alone = bundle(scheme([node("W", leaf("w"))], tier_policy="pingshi"), [cadre("A")], [entry("A", "w")])
    assert rank(alone)["rows"][0]["tier"] == "好"  # floor(0.4) = 0, but min_seats 1


# --- §8: vote shares ------------------------------------------------------------------------------------

VOTE = {
    "method": "vote_share",
    "top": ["优秀"],
    "low": ["较差"],
    "bands": [{"min": "2/3", "score": "100"}, {"min": "0.5", "score": "90"}, {"min": "0", "score": "70"}],
    "penalty": {"share": "1/3", "score": "40"},
}


def _votes(qualitative, ballots_of: dict[str, list[str]], weights=("0.5", "0.5")):
    s = scheme([node("W", leaf("w"))], qualitative=qualitative,
               weights={"quantitative": weights[0], "qualitative": weights[1]})  # fmt: skip
    cadres = [cadre(c) for c in ballots_of]
    entries = [entry(c, "w", quantity="10") for c in ballots_of]
    ballots = [ballot(c, g) for c, grades in ballots_of.items() for g in grades]
    return by_cadre(rank(bundle(s, cadres, entries, ballots)))


def test_vote_shares_exact_fractions_penalty_first_then_bands():
    rows = _votes(
        VOTE,
        {
            "A": ["优秀", "优秀", "良好"],  # top 2/3 ≥ "2/3" exactly → 100
            "B": ["优秀", "优秀", "优秀", "较差", "较差", "良好"],  # low 2/6 = 1/3 ≥ 1/3 → penalty 40
            "C": ["优秀", "优秀", "良好", "良好"],  # top 0.5 → 90
            "D": [],  # no ballot while others have: L = 0
            "E": ["良好"],  # top 0 ≥ 0 → 70
        },
    )
    assert {c: r["qualitative"] for c, r in rows.items()} == {
        "A": "100.00", "B": "40.00", "C": "90.00", "D": "0.00", "E": "70.00"
    }  # fmt: skip
    assert rows["B"]["composite"] == "70.00"  # 0.5 × 100 + 0.5 × 40


def test_vote_share_without_bands_is_100_times_top_and_classes_are_weighted():
    plain = {"method": "vote_share", "top": ["优秀"]}
    s = scheme([node("W", leaf("w"))], qualitative=plain, weights={"quantitative": "0.5", "qualitative": "0.5"})
    ballots = [ballot("A", "优秀", "leader"), *(ballot("A", g) for g in ("优秀", "优秀", "良好"))]
    rows = by_cadre(rank(bundle(s, [cadre("A")], [entry("A", "w")], ballots)))
    # leader 100, peer 200/3; L = (0.5 × 100 + 0.5 × 66.66…) / 1 = 83.333… → 83.33
    assert rows["A"]["qualitative"] == "83.33"
    classes = next(r for r in core_ranking(bundle(s, [cadre("A")], [entry("A", "w")], ballots)).rows).breakdown.classes
    assert [(c.evaluator_class, c.ballots, c.top, str(c.mean)) for c in classes] == [
        ("leader", 1, 1, "100"),
        ("peer", 3, 2, "66.6666666667"),
    ]


def test_ballots_of_unranked_members_do_not_make_l_present():
    s = scheme([node("W", leaf("w"))], qualitative=VOTE, weights={"quantitative": "0.5", "qualitative": "0.5"})
    b = bundle(s, [cadre("A"), cadre("U", post(start="2026-09-25"))], [entry("A", "w")], [ballot("U", "优秀")])
    assert rank(b)["rows"][0]["qualitative"] is None


# --- §12: annual grading --------------------------------------------------------------------------------

ANNUAL_ITEMS = [
    node("W", leaf("w")),
    node("K", leaf("VB", points="0", veto="bottom"), leaf("VT", points="0", veto="bar_top")),
]
QUARTERS = {  # Q per cadre and quarter
    "A": (10, 10, 5, 10),
    "B": (8, 10, 10, 10),
    "C": (5, 5, 10, 10),
    "D": (5, 4, 0, 10),
    "E": (0, 2, 0, 10),
    "F": (None, None, None, 20),
    "G": (10, 10, None, None),
}
DAYS = ("02-01", "05-01", "08-01", "11-01")


def _annual_bundle(annual: dict, extra_entries=(), ballots=()):
    cadres = [cadre(c) for c in "ABCDE"]
    cadres.append(cadre("F", post(start="2026-10-15")))  # 78 days, ranked in Q4 only
    cadres.append(cadre("G", post(end="2026-06-30")))  # ranked in Q1 and Q2 only
    entries = [
        entry(c, "w", day=f"2026-{DAYS[i]}", quantity=str(q))
        for c, qs in QUARTERS.items()
        for i, q in enumerate(qs)
        if q
    ]
    entries.append(entry("E", "VB", day="2026-05-02"))  # bottom in Q2
    entries.append(entry("G", "VT", day="2026-08-01"))  # bar_top, in a quarter G is not even in the group
    return bundle(scheme(ANNUAL_ITEMS, annual=annual), cadres, [*entries, *extra_entries], ballots)


def test_annual_grading_means_ceilings_vetoes_members_and_unranked():
    result = rank(_annual_bundle({"min_periods": 2}), "2026Y")
    # Qn per quarter (max 10, 10, 10, 20): A 100 100 50 50 → 75; B 80 100 100 50 → 82.5; C 50 50 100 50 → 62.5;
    # D 50 40 0 50 → 35; E 0 20 0 50 → 17.5 (bottom); G 100 100 → 100 (bar_top, from Q3); F: one period only
    assert [(r["cadre"], r["rank"], r["composite"], r["tier"], r["veto"], r["actions"]) for r in result["rows"]] == [
        ("G", 1, "100.00", "称职", "bar_top", []),
        ("B", 2, "82.50", "优秀", None, []),  # K = floor(0.2 × 6) = 1: G's seat goes to B
        ("A", 3, "75.00", "称职", None, []),
        ("C", 4, "62.50", "称职", None, []),
        ("D", 5, "35.00", "称职", None, []),
        ("E", 6, "17.50", "不称职", "bottom", ["retrain"]),
    ]
    rows = by_cadre(result)
    assert rows["A"]["quantitative"] == "8.75" and rows["A"]["periods"] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert rows["G"]["periods"] == ["2026Q1", "2026Q2"] and rows["G"]["vetoed"] is True
    assert result["unranked"] == [{"cadre": "F", "days": 78}]
    assert result["size"] == 6 and result["period"] == "2026Y"
    assert "items" not in rows["A"] and rows["A"]["qualitative"] is None


def test_annual_min_periods_default_and_a_proportional_policy():
    result = rank(_annual_bundle({"tier_policy": "proportional", "tiers": [
        {"name": "上", "cumulative": "0.5"}, {"name": "下", "cumulative": "1"}
    ]}), "2026Y")  # fmt: skip
    # F joins (one period is enough): F 100 (Q4 alone), G 100: tied on A, Q̄ 20 vs 10 → F first
    tiers = {r["cadre"]: (r["rank"], r["tier"]) for r in result["rows"]}
    assert tiers["F"] == (1, "上") and tiers["G"] == (2, "下")  # bar_top out of the first tier, its place empty
    assert tiers["B"] == (3, "上") and tiers["A"] == (4, "下") and tiers["E"] == (7, "下")
    assert result["unranked"] == []


def test_annual_l_is_the_mean_over_the_periods_where_it_was_present():
    # ballots in Q1 only: L present in Q1 (A 100, everyone else ranked then 0); F was never ranked in Q1
    ballots = [ballot("A", "优秀", period="2026Q1")]
    result = by_cadre(rank(_annual_bundle({}, ballots=ballots), "2026Y"))
    assert result["A"]["qualitative"] == "100.00" and result["B"]["qualitative"] == "0.00"
    assert result["F"]["qualitative"] is None


def test_annual_needs_a_non_yearly_scheme_with_annual():
    b = _annual_bundle({})
    b["schemes"][0].pop("annual")
    with pytest.raises(RankingError):
        rank(b, "2026Y")
    with pytest.raises(RankingError):
        rank(_annual_bundle({}), "2025Y")


def test_default_floor_seats_use_the_v1_floor_rule():
    from fractions import Fraction

    from gongfen.scoring.tiers import seats
    from gongfen.scoring.types import TierDef

    assert seats(TierDef("优秀", max_share=Fraction(1, 5)), 7) == 1  # floor(1.4)
    assert seats(TierDef("好", max_share="0.4"), 7) == 2  # floor(2.8)
    assert seats(TierDef("好", max_share="1/3", seat_rounding="ceil"), 7) == 3  # ceil(2.33…)
    assert seats(TierDef("二档"), 7) is None  # unlimited


def test_a_rule_or_leaf_with_zero_points_is_recorded_and_scores_nothing():
    rules = [{"code": "R0", "name": "登记", "category": "special", "points": "0"},
             {"code": "R1", "name": "r", "category": "routine", "points": "1"}]  # fmt: skip
    entries = [entry("A", "R0", quantity="5"), entry("A", "R1", quantity="2"), entry("B", "R1", quantity="2")]
    result = rank(bundle(scheme(rules=rules), [cadre("A"), cadre("B")], entries, fmt=1))
    assert [(r["cadre"], r["rank"], r["quantitative"]) for r in result["rows"]] == [("A", 1, "2.00"), ("B", 1, "2.00")]
    ranking = core_ranking(bundle(scheme(rules=rules), [cadre("A"), cadre("B")], entries, fmt=1))
    assert [line.rule for line in ranking.rows[0].breakdown.rules] == ["R0", "R1"]  # recorded, in rules order
