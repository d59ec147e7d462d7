"""Action policies: 首位推荐 (recommend), 末位回炉 (retrain), 调整 (adjust), spec v2 §11.

The default ``streak`` policy: not vetoed (either mode) and rank 1, or the
first tier in this and the previous period → recommend; last tier → retrain;
last tier in this and the previous period → adjust. Tiers are compared by
position in the list.
"""

from __future__ import annotations

from collections.abc import Callable

from .types import ADJUST, RECOMMEND, RETRAIN, SchemeDef

ActionPolicy = Callable[[SchemeDef, int, int, bool, int | None], tuple[str, ...]]


def streak_actions(last: int, rank: int, tier: int, vetoed: bool, previous_tier: int | None) -> tuple[str, ...]:
    actions = []
    if not vetoed and (rank == 1 or (tier == 0 and previous_tier == 0)):
        actions.append(RECOMMEND)
    if tier == last:
        actions.append(RETRAIN)
        if previous_tier == last:
            actions.append(ADJUST)
    return tuple(actions)


def streak(scheme: SchemeDef, rank: int, tier: int, vetoed: bool, previous_tier: int | None) -> tuple[str, ...]:
    return streak_actions(len(scheme.tiers) - 1, rank, tier, vetoed, previous_tier)


ACTION_POLICIES: dict[str, ActionPolicy] = {"streak": streak}
