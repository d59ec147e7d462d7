"""Property tests of the scoring core against the words of ``shared/spec/scoring.md``.

``reference_rank`` below is a deliberately plain re-reading of the spec — dates as sets of days,
``Fraction`` everywhere, O(n²) ranks — following the spec's sentences, not the core's code paths. The core
must agree with it to the cent (Q and D_total exactly) on random groups; the other properties
(permutations, monotonicity, ties, tiers, vetoes) are checked on the core's output directly.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gongfen.scoring import GroupInput, PeriodData, Selector, rank_group, ranking_as_dict
from gongfen.scoring.periods import Quarter

from .strategies import CODE_POOL, TIERS4, cadre, group, groups, make_scheme, permute_group, rule

FAST = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=250, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# --- an independent reference implementation of the spec ----------------------------


def half_up(x: Fraction) -> Fraction:
    """四舍五入 to cents, halves away from zero."""
    sign = -1 if x < 0 else 1
    return sign * Fraction(math.floor(abs(x) * 100 + Fraction(1, 2)), 100)


def quarter_dates(year: int, number: int) -> list[date]:
    out = []
    for month in range(3 * number - 2, 3 * number + 1):
        out += [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    return out


def held_days(posts, dates) -> set[date]:
    return {d for d in dates for p in posts if p.start <= d and (p.end is None or d <= p.end)}


def selected(selector: Selector, p) -> bool:
    if selector.unit is not None and selector.unit not in p.unit_lineage:
        return False
    return selector.position is None or p.position == selector.position


def clipped(amount: Fraction, cap, category: str) -> Fraction:
    if cap is None:
        return amount
    cap = Fraction(cap)
    if category == "deduction":
        return -cap if amount < -cap else amount
    return cap if amount > cap else amount


def reference_quantitative(scheme, posts, cadre, dates):
    by_category: dict[str, Fraction] = {}
    for r in scheme.rules:
        if r.category == "base":
            d = len(held_days([p for p in posts if not r.positions or p.position in r.positions], dates))
            amount = half_up(Fraction(r.points) * d / len(dates))
        else:
            amount = clipped(Fraction(cadre.rule_amounts.get(r.code, 0)), r.cap, r.category)
        by_category[r.category] = by_category.get(r.category, Fraction(0)) + amount
    for category, cap in scheme.category_caps.items():
        by_category[category] = clipped(by_category.get(category, Fraction(0)), cap, category)
    q = sum(by_category.values(), Fraction(0))
    d_total = by_category.get("deduction", Fraction(0))
    vetoed = any(r.veto and cadre.rule_counts.get(r.code, 0) > 0 for r in scheme.rules)
    return q, d_total, vetoed


def reference_qualitative(scheme, ballots) -> Fraction:
    num = den = Fraction(0)
    for klass, weight in scheme.evaluator_classes.items():
        values = sorted(Fraction(scheme.grades[g]) for g in ballots.get(klass, ()))
        if not values:
            continue
        if len(values) >= 5:
            values = values[1:-1]
        num += Fraction(weight) * sum(values, Fraction(0)) / len(values)
        den += Fraction(weight)
    return half_up(num / den) if den else Fraction(0)


def reference_rank(g: GroupInput, data: PeriodData, previous_tiers: dict[str, int]):
    s = g.scheme
    dates = quarter_dates(data.period.year, data.period.number)
    members, unranked = [], []
    for c in data.cadres:
        posts = [p for p in c.posts if selected(g.selector, p)]
        days = len(held_days(posts, dates))
        if days == 0:
            continue
        if days < s.min_days:
            unranked.append((c.code, days))
        else:
            members.append((c, posts))
    facts = {c.code: reference_quantitative(s, posts, c, dates) for c, posts in members}
    max_q = max((q for q, _, _ in facts.values()), default=Fraction(0))
    any_ballots = any(any(len(v) for v in c.ballots.values()) for c, _ in members)
    rows = []
    for c, _ in members:
        q, d_total, vetoed = facts[c.code]
        qn = half_up(100 * q / max_q) if max_q > 0 else Fraction(0)
        level = reference_qualitative(s, c.ballots) if any_ballots else None
        comp = (
            qn
            if level is None
            else half_up(Fraction(s.weight_quantitative) * qn + Fraction(s.weight_qualitative) * level)
        )
        rows.append({"cadre": c.code, "Q": q, "D": d_total, "Qn": qn, "L": level, "C": comp, "vetoed": vetoed})

    def key(r):
        return (1 if r["vetoed"] else 0, -r["C"], -r["Q"], -r["D"])

    n = len(rows)
    last = len(s.tiers) - 1
    for r in rows:
        r["rank"] = 1 + sum(1 for o in rows if key(o) < key(r))
    for r in rows:
        r["tier"] = last
        if not r["vetoed"]:
            for i, t in enumerate(s.tiers):
                if r["rank"] <= math.floor(Fraction(t.cumulative) * n):
                    r["tier"] = i
                    break
        prev = previous_tiers.get(r["cadre"])
        actions = []
        if not r["vetoed"] and (r["rank"] == 1 or (r["tier"] == 0 and prev == 0)):
            actions.append("recommend")
        if r["tier"] == last:
            actions.append("retrain")
        if r["tier"] == last and prev == last:
            actions.append("adjust")
        r["actions"] = tuple(actions)
    rows.sort(key=lambda r: (r["rank"], r["cadre"]))
    return rows, sorted(unranked)


def reference(g: GroupInput):
    previous_tiers = {}
    if g.previous is not None:
        previous_rows, _ = reference_rank(g, g.previous, {})
        previous_tiers = {r["cadre"]: r["tier"] for r in previous_rows}
    return reference_rank(g, g.current, previous_tiers)


# --- the core agrees with the reference -----------------------------------------------


def _check_against_reference(g: GroupInput) -> None:
    ranking = rank_group(g)
    rows, unranked = reference(g)
    assert [(u.cadre, u.days) for u in ranking.unranked] == unranked
    assert [r.cadre for r in ranking.rows] == [r["cadre"] for r in rows]
    for got, want in zip(ranking.rows, rows, strict=True):
        assert Fraction(got.quantitative) == want["Q"], got.cadre
        assert Fraction(got.deductions) == want["D"], got.cadre
        assert Fraction(got.normalized) == want["Qn"], got.cadre
        assert (got.qualitative is None) == (want["L"] is None), got.cadre
        if want["L"] is not None:
            assert Fraction(got.qualitative) == want["L"], got.cadre
        assert Fraction(got.composite) == want["C"], got.cadre
        assert got.vetoed == want["vetoed"], got.cadre
        assert got.rank == want["rank"], got.cadre
        assert got.tier_index == want["tier"], got.cadre
        assert got.tier == g.scheme.tiers[want["tier"]].name
        assert got.actions == want["actions"], got.cadre


@MANY
@given(groups())
def test_core_matches_reference_implementation(g):
    _check_against_reference(g)


@FAST
@given(groups(with_previous=False))
def test_core_matches_reference_without_previous_quarter(g):
    _check_against_reference(g)


@st.composite
def near_ties(draw) -> GroupInput:
    """Cadres whose Q and D_total collide often: same Q from different splits, Q 0.001 apart, a huge maxQ."""
    scheme = make_scheme((rule("R", "routine", "1"), rule("D", "deduction", "-1")), tiers=TIERS4)
    codes = draw(st.lists(st.sampled_from(CODE_POOL), min_size=2, max_size=8, unique=True))
    cadres = []
    for code in codes:
        r = draw(st.sampled_from(("10", "10.001", "11", "12", "0.001", "0")))
        d = draw(st.sampled_from(("0", "-1", "-2", "-0.001")))
        cadres.append(cadre(code, amounts={"R": r, "D": d}))
    if draw(st.booleans()):
        cadres.append(cadre("MAX", amounts={"R": draw(st.sampled_from(("100000", "12", "10")))}))
    return group(scheme, cadres)


@FAST
@given(near_ties())
def test_tie_breaks_on_exact_q_then_exact_d_total(g):
    _check_against_reference(g)
    check_competition_ranks_and_listing_order(g, rank_group(g))


# --- permutations change nothing ----------------------------------------------------------


def _numbers(ranking):
    """Everything the spec makes a number of, plus the breakdown's rule lines as a set."""
    return (
        ranking_as_dict(ranking),
        [
            (
                r.cadre,
                r.quantitative,
                r.deductions,
                r.normalized,
                r.qualitative,
                r.composite,
                r.tier_index,
                r.breakdown.days,
                r.breakdown.max_quantitative,
                frozenset(r.breakdown.rules),
                frozenset(r.breakdown.categories),
                frozenset(r.breakdown.classes),
            )
            for r in ranking.rows
        ],
    )


@settings(FAST, max_examples=150)
@given(groups(), st.randoms(use_true_random=False))
def test_permuting_the_input_changes_no_number_rank_tier_or_action(g, rnd):
    assert _numbers(rank_group(permute_group(rnd, g))) == _numbers(rank_group(g))


# --- monotonicity -----------------------------------------------------------------------------


def _ranked(g):
    return {r.cadre: r for r in rank_group(g).rows}


def _with_extra(g: GroupInput, code: str, rule_code: str, amount: Decimal) -> GroupInput:
    cadres = []
    for c in g.current.cadres:
        if c.code == code:
            amounts = dict(c.rule_amounts)
            amounts[rule_code] = amounts.get(rule_code, Decimal(0)) + amount
            counts = dict(c.rule_counts)
            counts[rule_code] = counts.get(rule_code, 0) + 1
            c = replace(c, rule_amounts=amounts, rule_counts=counts)
        cadres.append(c)
    return replace(g, current=replace(g.current, cadres=tuple(cadres)))


@settings(FAST, max_examples=150)
@given(groups(), st.data())
def test_an_extra_positive_entry_never_lowers_q(g, data):
    before = _ranked(g)
    assume(before)
    code = data.draw(st.sampled_from(sorted(before)))
    positive = [r for r in g.scheme.rules if r.category not in ("base", "deduction")]
    assume(positive)
    r = data.draw(st.sampled_from(positive))
    quantity = data.draw(st.sampled_from((Decimal(1), Decimal("0.5"), Decimal(3), Decimal("0.01"))))
    after = _ranked(_with_extra(g, code, r.code, r.points * quantity))
    assert after[code].quantitative >= before[code].quantitative
    # and it can only lower everyone else's Qn (maxQ cannot fall)
    assert after[code].breakdown.max_quantitative >= before[code].breakdown.max_quantitative
    for other, row in before.items():
        if other != code:
            assert after[other].quantitative == row.quantitative
            assert after[other].normalized <= row.normalized or row.quantitative < 0


@settings(FAST, max_examples=60)
@given(groups(), st.data())
def test_an_extra_deduction_entry_never_raises_q(g, data):
    before = _ranked(g)
    assume(before)
    code = data.draw(st.sampled_from(sorted(before)))
    deductions = [r for r in g.scheme.rules if r.category == "deduction"]
    assume(deductions)
    r = data.draw(st.sampled_from(deductions))
    after = _ranked(_with_extra(g, code, r.code, r.points))
    assert after[code].quantitative <= before[code].quantitative
    assert after[code].deductions <= before[code].deductions
    if r.veto:
        assert after[code].vetoed


# --- ranks, ties, tiers, vetoes, checked on the core's output ---------------------------------


def _key(r):
    return (r.vetoed, -r.composite, -r.quantitative, -r.deductions)


def check_competition_ranks_and_listing_order(g, ranking):
    rows = ranking.rows
    for r in rows:
        assert r.rank == 1 + sum(1 for o in rows if _key(o) < _key(r))
        for o in rows:
            assert (o.rank == r.rank) == (_key(o) == _key(r))
    # listed by rank, then by cadre code as plain strings
    assert [(r.rank, r.cadre) for r in rows] == sorted((r.rank, r.cadre) for r in rows)
    assert len({r.cadre for r in rows}) == len(rows)


def check_tiers_follow_the_floor_rule_and_vetoes_go_last(g, ranking):
    rows = ranking.rows
    n, tiers = len(rows), g.scheme.tiers
    last = len(tiers) - 1
    taken: set[str] = set()
    for i, t in enumerate(tiers[:-1]):
        bound = math.floor(Fraction(t.cumulative) * n)
        expected = {r.cadre for r in rows if not r.vetoed and r.rank <= bound} - taken
        assert {r.cadre for r in rows if r.tier_index == i} == expected
        taken |= expected
    assert {r.cadre for r in rows if r.tier_index == last} == {r.cadre for r in rows} - taken
    for r in rows:
        assert r.tier == tiers[r.tier_index].name
        if r.vetoed:
            assert r.tier_index == last
            assert "recommend" not in r.actions
        for o in rows:
            if o.rank == r.rank:
                assert o.tier_index == r.tier_index  # ties never split across tiers
    assert [r.tier_index for r in rows] == sorted(r.tier_index for r in rows)


def check_vetoed_come_last_and_share_no_rank_with_the_others(g, ranking):
    rows = ranking.rows
    flags = [r.vetoed for r in rows]
    assert flags == sorted(flags)
    clean_ranks = {r.rank for r in rows if not r.vetoed}
    vetoed_ranks = {r.rank for r in rows if r.vetoed}
    assert not clean_ranks & vetoed_ranks
    if clean_ranks and vetoed_ranks:
        assert min(vetoed_ranks) == sum(1 for r in rows if not r.vetoed) + 1


def check_actions_are_ordered_and_consistent(g, ranking):
    last = len(g.scheme.tiers) - 1
    order = ("recommend", "retrain", "adjust")
    for r in ranking.rows:
        assert list(r.actions) == sorted(r.actions, key=order.index)
        assert len(set(r.actions)) == len(r.actions)
        assert ("retrain" in r.actions) == (r.tier_index == last)
        if "adjust" in r.actions:
            assert "retrain" in r.actions
        if r.rank == 1 and not r.vetoed:
            assert "recommend" in r.actions
    if g.previous is None:
        for r in ranking.rows:
            assert "adjust" not in r.actions
            assert ("recommend" in r.actions) == (r.rank == 1 and not r.vetoed)


def check_qn_and_composite_shape(g, ranking):
    rows = ranking.rows
    max_q = max((r.quantitative for r in rows), default=None)
    for r in rows:
        for value in (r.normalized, r.composite, r.qualitative):
            if value is not None:
                assert value.as_tuple().exponent == -2, value
        if max_q is not None and max_q <= 0:
            assert r.normalized == 0
        if r.quantitative == max_q and max_q > 0:
            assert r.normalized == Decimal("100.00")
        if r.qualitative is None:
            assert r.composite == r.normalized
    # L is all or nothing within one ranking
    assert len({r.qualitative is None for r in rows}) <= 1


def check_unranked_are_sorted_by_code_and_below_min_days(g, ranking):
    codes = [u.cadre for u in ranking.unranked]
    assert codes == sorted(codes)
    for u in ranking.unranked:
        assert 1 <= u.days < g.scheme.min_days
    for r in ranking.rows:
        assert g.scheme.min_days <= r.breakdown.days <= g.current.period.days
    assert not {u.cadre for u in ranking.unranked} & {r.cadre for r in ranking.rows}


@MANY
@given(groups())
def test_ranking_invariants(g):
    """Ranks, ties, listing order, tiers, vetoes, actions, Qn/C shape and unranked — on one ranking."""
    ranking = rank_group(g)
    check_competition_ranks_and_listing_order(g, ranking)
    check_tiers_follow_the_floor_rule_and_vetoes_go_last(g, ranking)
    check_vetoed_come_last_and_share_no_rank_with_the_others(g, ranking)
    check_actions_are_ordered_and_consistent(g, ranking)
    check_qn_and_composite_shape(g, ranking)
    check_unranked_are_sorted_by_code_and_below_min_days(g, ranking)


@FAST
@given(groups(), st.data())
def test_duplicated_cadres_tie_on_every_key(g, data):
    """A copy of a ranked cadre under another code shares its rank, tier and numbers."""
    rows = rank_group(g).rows
    assume(rows)
    original = data.draw(st.sampled_from([r.cadre for r in rows]))
    taken = {c.code for c in g.current.cadres}
    clone_code = data.draw(st.sampled_from(["A0", "A99", "ZZ", "0", "甲"]).filter(lambda c: c not in taken))
    source = next(c for c in g.current.cadres if c.code == original)
    cur = replace(g.current, cadres=(*g.current.cadres, replace(source, code=clone_code)))
    prev = g.previous
    psource = next((c for c in prev.cadres if c.code == original), None) if prev is not None else None
    if psource is not None:
        prev = replace(prev, cadres=(*prev.cadres, replace(psource, code=clone_code)))
    by_code = {r.cadre: r for r in rank_group(replace(g, current=cur, previous=prev)).rows}
    a, b = by_code[original], by_code[clone_code]
    assert (a.rank, a.tier_index, a.quantitative, a.normalized, a.qualitative, a.composite, a.actions) == (
        b.rank,
        b.tier_index,
        b.quantitative,
        b.normalized,
        b.qualitative,
        b.composite,
        b.actions,
    )


# --- the reference itself is sane (so that agreement means something) --------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(1, 8), Fraction(13, 100)),
        (Fraction(-1, 8), Fraction(-13, 100)),
        (Fraction(1, 3), Fraction(33, 100)),
        (Fraction(2, 3), Fraction(67, 100)),
        (Fraction(-1, 200), Fraction(-1, 100)),
        (Fraction(-1, 201), Fraction(0)),
    ],
)
def test_reference_half_up(value, expected):
    assert half_up(value) == expected


def test_reference_quarter_dates():
    assert [len(quarter_dates(2024, n)) for n in range(1, 5)] == [91, 91, 92, 92]
    assert [len(quarter_dates(2026, n)) for n in range(1, 5)] == [90, 91, 92, 92]
    assert quarter_dates(2026, 3)[0] == date(2026, 7, 1)
    assert quarter_dates(2026, 3)[-1] == date(2026, 9, 30)
    assert quarter_dates(2026, 3)[-1] - quarter_dates(2026, 3)[0] == timedelta(days=91)
    assert Quarter(2026, 3).days == len(quarter_dates(2026, 3))
