"""Ranking a group for a period, exactly as ``shared/spec/scoring.md`` says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .actions import ACTION_POLICIES
from .decimals import ZERO, in_exact_context, round2, round2_ratio
from .periods import Quarter
from .qualitative import qualitative
from .quantitative import Quantitative, days_held, quantitative
from .tiers import TIER_POLICIES
from .types import Breakdown, CadreData, ClassMean, GroupInput, PeriodData, Ranking, Row, Unranked


class RankingError(ValueError):
    """The input cannot be ranked (a period outside the scheme's year, a cadre given twice…)."""


@dataclass(frozen=True)
class _Scored:
    cadre: CadreData
    days: int
    quant: Quantitative
    normalized: Decimal
    qualitative: Decimal | None
    classes: tuple[ClassMean, ...]
    composite: Decimal

    def order_key(self) -> tuple:
        return (self.quant.vetoed, -self.composite, -self.quant.total, -self.quant.deductions)


@in_exact_context
def rank_group(group: GroupInput) -> Ranking:
    """Rank ``group.current``; ``group.previous`` (same year) feeds the streak actions."""
    _check_period(group, group.current.period)
    previous_tiers: Mapping[str, int] = {}
    if group.previous is not None:
        if group.previous.period != group.current.period.previous():
            raise RankingError(f"{group.previous.period} is not the quarter before {group.current.period}")
        previous_tiers = {row.cadre: row.tier_index for row in _rank(group, group.previous, {}).rows}
    return _rank(group, group.current, previous_tiers)


def rank_groups(groups: Iterable[GroupInput]) -> list[Ranking]:
    return [rank_group(group) for group in groups]


def _check_period(group: GroupInput, period: Quarter) -> None:
    if period.year != group.scheme.year:
        raise RankingError(
            f"group {group.code} uses scheme {group.scheme.code} of {group.scheme.year}; it has no period {period}"
        )


def _rank(group: GroupInput, data: PeriodData, previous_tiers: Mapping[str, int]) -> Ranking:
    scheme, period = group.scheme, data.period
    members, unranked = _members(group, data)
    quants = [quantitative(scheme, cadre, posts, period) for cadre, posts, _ in members]
    max_q = max((q.total for q in quants), default=ZERO)
    with_ballots = any(any(grades for grades in cadre.ballots.values()) for cadre, _, _ in members)
    scored = [
        _score(group, cadre, days, quant, max_q, with_ballots)
        for (cadre, _, days), quant in zip(members, quants, strict=True)
    ]
    scored.sort(key=lambda s: (s.order_key(), s.cadre.code))
    ranks = competition_ranks([s.order_key() for s in scored])
    tiers = TIER_POLICIES[scheme.tier_policy](scheme, [(r, s.quant.vetoed) for r, s in zip(ranks, scored, strict=True)])
    act = ACTION_POLICIES[scheme.action_policy]
    rows = tuple(
        Row(
            cadre=s.cadre.code,
            rank=rank,
            tier=scheme.tiers[tier].name,
            tier_index=tier,
            quantitative=s.quant.total,
            deductions=s.quant.deductions,
            normalized=s.normalized,
            qualitative=s.qualitative,
            composite=s.composite,
            vetoed=s.quant.vetoed,
            actions=act(scheme, rank, tier, s.quant.vetoed, previous_tiers.get(s.cadre.code)),
            breakdown=Breakdown(s.days, period.days, s.quant.rules, s.quant.categories, max_q, s.classes),
        )
        for s, rank, tier in zip(scored, ranks, tiers, strict=True)
    )
    return Ranking(group.code, period, rows, tuple(sorted(unranked, key=lambda u: u.cadre)))


def _members(group: GroupInput, data: PeriodData):
    seen: set[str] = set()
    members, unranked = [], []
    for cadre in sorted(data.cadres, key=lambda c: c.code):
        if cadre.code in seen:
            raise RankingError(f"cadre {cadre.code} is given twice for {data.period}")
        seen.add(cadre.code)
        posts = tuple(p for p in cadre.posts if group.selector.matches(p))
        days = days_held(posts, data.period)
        if days == 0:
            continue
        if days < group.scheme.min_days:
            unranked.append(Unranked(cadre.code, days))
        else:
            members.append((cadre, posts, days))
    return members, unranked


def _score(group: GroupInput, cadre: CadreData, days: int, quant: Quantitative, max_q: Decimal, with_ballots: bool):
    scheme = group.scheme
    normalized = Decimal("0.00")
    if max_q > 0:  # round2(100 × Q / max Q), on the decimals' exact integer ratios
        (q_num, q_den), (m_num, m_den) = quant.total.as_integer_ratio(), max_q.as_integer_ratio()
        normalized = round2_ratio(100 * q_num * m_den, q_den * m_num)
    level, classes = (None, ())
    if with_ballots:
        level, classes = qualitative(scheme, cadre.ballots)
    if level is None:
        composite = normalized
    else:
        # decimal products and sums are exact in the core's context (400 digits): no fraction needed
        composite = round2(scheme.weight_quantitative * normalized + scheme.weight_qualitative * level)
    return _Scored(cadre, days, quant, normalized, level, classes, composite)


def competition_ranks(keys: list[tuple]) -> list[int]:
    """1, 2, 2, 4: equal keys (already sorted) share a rank and the next rank is skipped."""
    ranks: list[int] = []
    for i, key in enumerate(keys):
        ranks.append(ranks[-1] if i and key == keys[i - 1] else i + 1)
    return ranks


def period_data(period: Quarter, cadres: Iterable[CadreData]) -> PeriodData:
    return PeriodData(period, tuple(cadres))
