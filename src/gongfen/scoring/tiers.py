"""Tier policies (分档, spec v2 §10): ``proportional`` (v1), ``cutoffs`` and ``pingshi``.

A policy takes the tiers and the ranked rows in rank order as
(rank, composite, veto mode) and returns each row's tier index. A cadre vetoed
``bottom`` is in the last tier under every policy; a ``bar_top`` cadre is never
in the first tier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction

from .decimals import floor_int
from .types import BAR_TOP, BOTTOM, TierDef

TierRow = tuple[int, Decimal, str | None]  # rank, composite C, veto mode
TierPolicy = Callable[[Sequence[TierDef], Sequence[TierRow]], list[int]]


def proportional(tiers: Sequence[TierDef], rows: Sequence[TierRow]) -> list[int]:
    """Tier i holds ranks r ≤ floor(cumulative_i × N), first match wins; the rest and ``bottom`` → last.

    A ``bar_top`` cadre this puts in the first tier goes to the second (its place stays empty).
    """
    n = len(rows)
    last = len(tiers) - 1
    bounds = [floor_int(Fraction(t.cumulative) * n) for t in tiers]
    result = []
    for rank, _, veto in rows:
        tier = last
        if veto != BOTTOM:
            tier = next((i for i, bound in enumerate(bounds) if rank <= bound), last)
            if tier == 0 and veto == BAR_TOP:
                tier = min(1, last)
        result.append(tier)
    return result


def seats(tier: TierDef, n: int) -> int | None:
    """K_i: max(min_seats, R(max_share × N)), at most N; None (unlimited) without ``max_share``."""
    if tier.max_share is None:
        return None
    share = Fraction(tier.max_share) * n
    num, den = share.numerator, share.denominator
    if tier.seat_rounding == "ceil":
        k = -((-num) // den)
    elif tier.seat_rounding == "half_up":
        k = (2 * num + den) // (2 * den)
    elif tier.seat_rounding == "floor":
        k = num // den
    else:
        raise ValueError(f"unknown seat_rounding {tier.seat_rounding!r}")
    return min(max(tier.min_seats, k), n)


def cutoffs(tiers: Sequence[TierDef], rows: Sequence[TierRow]) -> list[int]:
    """Tiers filled one after another: tie groups admitted whole while C ≥ min and the tier holds ≤ K_i.

    Admission stops at the first tie group that fails either test, so a share ceiling is never exceeded
    and a tie never split; ``bar_top`` cadres are not candidates for the first tier (their place goes
    to the next candidate); everyone left after the last-but-one tier is in the last tier.
    """
    n = len(rows)
    last = len(tiers) - 1
    result = [last] * n
    waiting = [j for j, (_, _, veto) in enumerate(rows) if veto != BOTTOM]
    for i, tier in enumerate(tiers[:-1]):
        if not waiting:
            break
        limit = seats(tier, n)
        least = tier.min
        candidates = [j for j in waiting if not (i == 0 and rows[j][2] == BAR_TOP)]
        admitted: set[int] = set()
        k = 0
        while k < len(candidates):
            rank, composite, _ = rows[candidates[k]]
            end = k
            while end < len(candidates) and rows[candidates[end]][0] == rank:
                end += 1
            if least is not None and composite < least:
                break
            if limit is not None and len(admitted) + (end - k) > limit:
                break
            admitted.update(candidates[k:end])
            k = end
        for j in admitted:
            result[j] = i
        waiting = [j for j in waiting if j not in admitted]
    return result


TIER_POLICIES: dict[str, TierPolicy] = {"proportional": proportional, "cutoffs": cutoffs, "pingshi": cutoffs}


def assign_tiers(policy: str, tiers: Sequence[TierDef], rows: Sequence[TierRow]) -> list[int]:
    function = TIER_POLICIES.get(policy)
    if function is None:
        raise ValueError(f"unknown tier policy {policy!r}")
    return function(tiers, rows)
