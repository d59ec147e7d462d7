"""Tier policies (分档). The spec's default is ``proportional``: cumulative fractions, floor rule.

A policy takes the scheme, the ranked rows' (rank, vetoed) and returns each
row's tier index; absolute cut-offs (≥ 85, 70–84 …) would be another entry
in :data:`TIER_POLICIES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from .decimals import floor_int
from .types import SchemeDef

TierPolicy = Callable[[SchemeDef, Sequence[tuple[int, bool]]], list[int]]


def proportional(scheme: SchemeDef, rows: Sequence[tuple[int, bool]]) -> list[int]:
    """Tier i holds ranks r ≤ floor(cumulative_i × N), first match wins; the rest and vetoed → last."""
    n = len(rows)
    last = len(scheme.tiers) - 1
    bounds = [floor_int(Fraction(t.cumulative) * n) for t in scheme.tiers]
    result = []
    for rank, vetoed in rows:
        tier = last
        if not vetoed:
            tier = next((i for i, bound in enumerate(bounds) if rank <= bound), last)
        result.append(tier)
    return result


TIER_POLICIES: dict[str, TierPolicy] = {"proportional": proportional}
