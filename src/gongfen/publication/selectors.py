"""Reads of the quarter lifecycle."""

from __future__ import annotations

from .models import GroupPeriod, PeriodState


def period_is_open(scheme_id: int, period: str) -> bool:
    """Whether entries may still be declared into ``period`` of a scheme (no group of it has closed it)."""
    return not (
        GroupPeriod.objects.filter(group__scheme_id=scheme_id, period=period).exclude(state=PeriodState.OPEN).exists()
    )


def closed_periods() -> set[tuple[int, str]]:
    """(scheme id, period) pairs that are closed for declarations."""
    return set(GroupPeriod.objects.exclude(state=PeriodState.OPEN).values_list("group__scheme_id", "period").distinct())
