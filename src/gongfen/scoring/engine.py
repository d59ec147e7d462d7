"""Ranking a group for a period, exactly as ``shared/spec/scoring-v2.md`` says (v1 is its special case, §4.5).

One engine: the scheme is compiled once per ranking into a :class:`~.tree.Plan`
(the flat tree) and a :class:`~.qualitative.Qualitative`; each member's row is
one pass over the plan; then Qn, C, the order (§9), tiers (§10) and actions (§11).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .actions import ACTION_POLICIES
from .decimals import ZERO, in_exact_context, round2, round2_ratio
from .periods import Period
from .qualitative import Qualitative
from .tiers import assign_tiers
from .tree import Plan, days_of
from .types import (
    BOTTOM,
    Breakdown,
    CadreData,
    ClassMean,
    GroupInput,
    PeriodData,
    Post,
    Ranking,
    Row,
    SchemeDef,
    Selector,
    Unranked,
)

_CENTS_ZERO = Decimal("0.00")
# rank_group enters the exact context once; inside it the rounding needs no context switch of its own
_round2 = round2.__wrapped__
_round2_ratio = round2_ratio.__wrapped__


class RankingError(ValueError):
    """The input cannot be ranked (a period the scheme does not have, a cadre given twice…)."""


@dataclass
class Scored:
    """One ranked member of one period, before the rows are built."""

    cadre: CadreData
    posts: tuple[Post, ...]
    days: int
    quantitative: Decimal
    deductions: Decimal
    veto: str | None
    values: list
    raws: list
    coefficients: tuple[Decimal, ...]
    normalized: Decimal = _CENTS_ZERO
    qualitative: Decimal | None = None
    classes: tuple[ClassMean, ...] = ()
    composite: Decimal = _CENTS_ZERO
    rank: int = 0
    tier: int = 0


@dataclass
class PeriodRanking:
    """A period computed: members in rank order (ranks and tiers set), unranked, the shared context."""

    period: Period
    scored: list[Scored]
    unranked: list[Unranked]
    max_quantitative: Decimal
    context: object


def check_period(scheme: SchemeDef, group_code: str, period: Period) -> None:
    if period.kind != scheme.period_kind:
        raise RankingError(
            f"group {group_code} uses scheme {scheme.code}, scored by {scheme.period_kind}; it has no period {period}"
        )
    if period.year != scheme.year:
        raise RankingError(f"group {group_code} uses scheme {scheme.code} of {scheme.year}; it has no period {period}")


@in_exact_context
def rank_group(group: GroupInput) -> Ranking:
    """Rank ``group.current``; ``group.previous`` (the period before, same year) feeds the streak actions."""
    scheme = group.scheme
    check_period(scheme, group.code, group.current.period)
    plan, qual = Plan(scheme), Qualitative(scheme)
    previous_tiers: Mapping[str, int] = {}
    if group.previous is not None:
        if group.previous.period != group.current.period.previous():
            raise RankingError(f"{group.previous.period} is not the period before {group.current.period}")
        before = score_period(plan, qual, group.selector, group.previous, group.code)
        previous_tiers = {s.cadre.code: s.tier for s in before.scored}
    now = score_period(plan, qual, group.selector, group.current, group.code)
    return build_ranking(plan, group.code, now, previous_tiers)


def rank_groups(groups: Iterable[GroupInput]) -> list[Ranking]:
    return [rank_group(group) for group in groups]


def members_of(scheme: SchemeDef, selector: Selector, data: PeriodData, group_code: str = ""):
    """(ranked members as (cadre, member posts, days), unranked) of one period, by cadre code (§3)."""
    seen: set[str] = set()
    members, unranked = [], []
    period = data.period
    least = max(scheme.min_days, 1)
    for cadre in sorted(data.cadres, key=lambda c: c.code):
        if cadre.code in seen:
            raise RankingError(f"cadre {cadre.code} is given twice for {period}")
        seen.add(cadre.code)
        posts = tuple(p for p in cadre.posts if selector.matches(p))
        if not posts:
            continue
        days = days_of(posts, period)
        if days == 0:
            continue
        if days < least:
            unranked.append(Unranked(cadre.code, days))
        else:
            members.append((cadre, posts, days))
    return members, unranked


@in_exact_context
def score_period(plan: Plan, qual: Qualitative, selector: Selector, data: PeriodData, group_code: str = ""):
    """Every member's Q, L, C, rank and tier for one period (§3–§10)."""
    scheme = plan.scheme
    period = data.period
    members, unranked = members_of(scheme, selector, data, group_code)
    ctx = plan.context(members, period, selector)
    scored = []
    evaluate = plan.evaluate
    for cadre, posts, days in members:
        total, deductions, veto, values, raws, ks = evaluate(cadre, posts, days, period, ctx)
        scored.append(Scored(cadre, posts, days, total, deductions, veto, values, raws, ks))
    max_q = max((s.quantitative for s in scored), default=ZERO)
    with_ballots = any(any(grades for grades in s.cadre.ballots.values()) for s in scored)
    wq, wl = Decimal(scheme.weight_quantitative), Decimal(scheme.weight_qualitative)
    if max_q > 0:
        m_num, m_den = max_q.as_integer_ratio()
    for s in scored:
        if max_q > 0:  # round2(100 × Q / max Q), on the decimals' exact integer ratios
            q_num, q_den = s.quantitative.as_integer_ratio()
            s.normalized = _round2_ratio(100 * q_num * m_den, q_den * m_num)
        if with_ballots:
            s.qualitative, s.classes = qual.score(s.cadre.ballots)
            # decimal products and sums are exact in the core's context (400 digits): no fraction needed
            s.composite = _round2(wq * s.normalized + wl * s.qualitative)
        else:
            s.composite = s.normalized
    scored.sort(key=_order_key)  # stable: equal keys stay in cadre-code order
    rank_rows(scored)
    tiers = assign_tiers(scheme.tier_policy, scheme.tiers, [(s.rank, s.composite, s.veto) for s in scored])
    for s, tier in zip(scored, tiers, strict=True):
        s.tier = tier
    return PeriodRanking(period, scored, unranked, max_q, ctx)


def _order_key(s: Scored) -> tuple:
    return (s.veto == BOTTOM, -s.composite, -s.quantitative, -s.deductions)


def rank_rows(scored: Sequence) -> None:
    """Competition ranks (1, 2, 2, 4) on the order key of rows already sorted by it."""
    previous = None
    for i, s in enumerate(scored):
        key = _order_key(s)
        s.rank = scored[i - 1].rank if i and key == previous else i + 1
        previous = key


def build_ranking(plan: Plan, group_code: str, now: PeriodRanking, previous_tiers: Mapping[str, int]) -> Ranking:
    scheme = plan.scheme
    act = ACTION_POLICIES[scheme.action_policy]
    tiers = scheme.tiers
    period_days = now.period.days
    rows = tuple(
        Row(
            cadre=s.cadre.code,
            rank=s.rank,
            tier=tiers[s.tier].name,
            tier_index=s.tier,
            quantitative=s.quantitative,
            deductions=s.deductions,
            normalized=s.normalized,
            qualitative=s.qualitative,
            composite=s.composite,
            vetoed=s.veto is not None,
            actions=act(scheme, s.rank, s.tier, s.veto is not None, previous_tiers.get(s.cadre.code)),
            breakdown=Breakdown(
                s.days,
                period_days,
                now.max_quantitative,
                s.classes,
                tuple(s.values),
                tuple(s.raws),
                s.coefficients,
                s.veto,
                plan,
                now.context,
                s.cadre,
            ),
            veto=s.veto,
        )
        for s in now.scored
    )
    return Ranking(
        group_code,
        now.period,
        rows,
        tuple(now.unranked),
        annual=False,
        version=scheme.version,
        item_codes=plan.codes,
        top_codes=plan.top_codes,
    )


def competition_ranks(keys: list[tuple]) -> list[int]:
    """1, 2, 2, 4: equal keys (already sorted) share a rank and the next rank is skipped."""
    ranks: list[int] = []
    for i, key in enumerate(keys):
        ranks.append(ranks[-1] if i and key == keys[i - 1] else i + 1)
    return ranks


def period_data(period: Period, cadres: Iterable[CadreData]) -> PeriodData:
    return PeriodData(period, tuple(cadres))
