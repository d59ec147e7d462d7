"""Property tests of the v2 engine on random valid bundles (``v2_strategies``).

- the core agrees with ``v2_reference`` (a plain re-reading of the spec) on every period and the annual grading;
- v1 bundles rewritten as v2 trees (§4.5 written out as ``items``) rank identically;
- permuting the input (cadres, posts, entries, ballots, units, maps) changes nothing;
- clamps hold at every level of every row's tree, and the tree adds up to Q;
- a share ceiling is never exceeded, a tie never split, ``bar_top`` never in the first tier, ``bottom``
  always in the last — for period tiers and annual grades alike.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongfen.scoring.bundle import rank_bundle, scheme_def
from gongfen.scoring.tiers import seats
from gongfen.scoring.types import BAR_TOP, BOTTOM, PINGSHI_TIERS

from .v2_builders import core_ranking
from .v2_reference import reference_rank
from .v2_strategies import all_periods, as_v2_tree, bundles, shuffled

SOME = settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
V2_ONLY = ("veto", "items", "coefficients", "periods")


@SOME
@given(bundles())
def test_core_matches_the_reference_on_every_period_and_the_annual_grading(bundle):
    for period in all_periods(bundle["schemes"][0]):
        assert rank_bundle(bundle, "G", period) == reference_rank(bundle, "G", period), period


@FEW
@given(bundles(v1=True))
def test_v1_bundles_match_the_reference(bundle):
    for period in all_periods(bundle["schemes"][0]):
        assert rank_bundle(bundle, "G", period) == reference_rank(bundle, "G", period), period


def _v1_keys(ranking: dict) -> dict:
    return ranking | {"rows": [{k: v for k, v in row.items() if k not in V2_ONLY} for row in ranking["rows"]]}


@SOME
@given(bundles(v1=True))
def test_v1_bundles_rewritten_as_v2_trees_rank_identically(bundle):
    tree = as_v2_tree(bundle)
    for period in all_periods(bundle["schemes"][0]):
        v1 = rank_bundle(bundle, "G", period)
        v2 = rank_bundle(tree, "G", period)
        assert _v1_keys(v2) == v1, period
        assert all("items" in row and "veto" in row for row in v2["rows"])


@SOME
@given(bundles(), st.randoms(use_true_random=False))
def test_permuting_the_input_changes_nothing(bundle, rnd):
    other = shuffled(bundle, rnd)
    for period in all_periods(bundle["schemes"][0]):
        assert rank_bundle(other, "G", period) == rank_bundle(bundle, "G", period), period


@SOME
@given(bundles())
def test_clamps_hold_at_every_level_and_the_tree_adds_up_to_q(bundle):
    scheme = bundle["schemes"][0]
    for period in all_periods(scheme):
        ranking = core_ranking(bundle, period)
        if ranking.annual:
            continue
        for row in ranking.rows:
            lines = row.breakdown.items
            by_code = {line.code: line for line in lines}
            for line in lines:
                if line.floor is not None:
                    assert line.clamped >= line.floor
                if line.cap is not None:
                    assert line.clamped <= line.cap
                assert line.raw == (line.start or 0) + line.inner
                assert (line.bound is None) == (line.clamped == line.raw)
                assert line.value == line.clamped + line.exempt
                children = [c for c in lines if c.parent == line.code]
                if line.kind is None:
                    assert line.inner == sum((c.value for c in children if not c.cap_exempt), 0)
                assert line.exempt == sum((c.value for c in children if c.cap_exempt), 0)
            tops = [line for line in lines if line.parent is None]
            assert row.quantitative == sum((t.value * t.coefficient for t in tops), 0)
            assert [line.code for line in lines] == list(ranking.item_codes)
            assert all(by_code[t.code].coefficient > 0 for t in tops)


def _check_tiers(rows, policy: str, tiers, n: int) -> None:
    last = len(tiers) - 1
    for r in rows:
        if r.veto == BOTTOM:
            assert r.tier_index == last
        if r.veto == BAR_TOP and last > 0:
            assert r.tier_index != 0
        for o in rows:
            if o.rank == r.rank and o.veto == r.veto:
                assert o.tier_index == r.tier_index  # a tie is never split
    if policy == "proportional":
        return
    for i, tier in enumerate(tiers[:-1]):
        held = [r for r in rows if r.tier_index == i]
        limit = seats(tier, n)
        if limit is not None:
            assert len(held) <= limit  # a share ceiling is never exceeded
            if tier.seat_rounding == "floor" and not tier.min_seats:
                assert len(held) <= Fraction(tier.max_share) * n  # 最多不超过
        if tier.min is not None:
            assert all(r.composite >= tier.min for r in held)


@SOME
@given(bundles())
def test_ceilings_ties_and_vetoes_in_tiers_and_annual_grades(bundle):
    scheme = bundle["schemes"][0]
    for period in all_periods(scheme):
        ranking = core_ranking(bundle, period)
        if ranking.annual:
            annual = scheme_def(scheme).annual
            _check_tiers(ranking.rows, annual.tier_policy, annual.tiers, ranking.size)
        else:
            policy = scheme.get("tier_policy", "proportional")
            tiers = PINGSHI_TIERS if policy == "pingshi" else scheme_def(scheme).tiers
            _check_tiers(ranking.rows, policy, tiers, ranking.size)
        for r in ranking.rows:
            if r.vetoed:
                assert "recommend" not in r.actions


@SOME
@given(bundles())
def test_the_generated_tree_function_equals_the_plain_loop_digit_for_digit(bundle):
    """The fast path (straight-line code generated per plan) against the slow one (a loop over the plan)."""
    for period in all_periods(bundle["schemes"][0]):
        ranking = core_ranking(bundle, period)
        if ranking.annual:
            continue
        for row in ranking.rows:
            bd = row.breakdown
            cadre = bd.cadre
            posts = tuple(p for p in cadre.posts if bd.context.selector.matches(p))
            fast = bd.plan.tree_values(cadre.rule_amounts, cadre.measures, bd.days, posts, ranking.period, bd.context)
            slow = bd.plan.tree_values_loop(
                cadre.rule_amounts, cadre.measures, bd.days, posts, ranking.period, bd.context
            )
            assert [str(v) for v in fast[0]] == [str(v) for v in slow[0]]
            assert [str(v) for v in fast[1]] == [str(v) for v in slow[1]]
            assert list(bd.values) == fast[0]


@FEW
@given(bundles())
def test_a_pickled_ranking_is_the_same_ranking_with_the_same_breakdowns(bundle):
    import pickle

    from gongfen.scoring import ranking_as_dict

    for period in all_periods(bundle["schemes"][0]):
        ranking = core_ranking(bundle, period)
        again = pickle.loads(pickle.dumps(ranking))
        assert ranking_as_dict(again) == ranking_as_dict(ranking)
        if not ranking.annual:
            assert [r.breakdown.items for r in again.rows] == [r.breakdown.items for r in ranking.rows]
            assert [r.breakdown.rules for r in again.rows] == [r.breakdown.rules for r in ranking.rows]
