"""Action policies: 首位推荐 (recommend), 末位回炉 (retrain), 调整 (adjust).

The default ``streak`` policy follows the spec: rank 1 or two first tiers in a
row → recommend; last tier → retrain; two last tiers in a row → adjust.
"""

from __future__ import annotations

from collections.abc import Callable

from .types import ADJUST, RECOMMEND, RETRAIN, SchemeDef

ActionPolicy = Callable[[SchemeDef, int, int, bool, int | None], tuple[str, ...]]


def streak(scheme: SchemeDef, rank: int, tier: int, vetoed: bool, previous_tier: int | None) -> tuple[str, ...]:
    last = len(scheme.tiers) - 1
    actions = []
    if not vetoed and (rank == 1 or (tier == 0 and previous_tier == 0)):
        actions.append(RECOMMEND)
    if tier == last:
        actions.append(RETRAIN)
        if previous_tier == last:
            actions.append(ADJUST)
    return tuple(actions)


ACTION_POLICIES: dict[str, ActionPolicy] = {"streak": streak}
