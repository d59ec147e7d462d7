"""Changing where a group's quarter stands (the full lifecycle comes with publication)."""

from __future__ import annotations

from django.db import transaction

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.schemes.models import RankingGroup

from .models import GroupPeriod, PeriodState


@transaction.atomic
def period_close(*, actor: Actor, group: RankingGroup, period: str, reason: str = "") -> GroupPeriod:
    """Stop declarations into ``period`` for the group's scheme (open → closing)."""
    row, _ = GroupPeriod.objects.select_for_update().get_or_create(group=group, period=period)
    if row.state != PeriodState.OPEN:
        raise DomainError(f"{group.name} {period} 已是“{row.get_state_display()}”状态，不能再关账")
    row.state, row.changed_by = PeriodState.CLOSING, actor.user
    row.save()
    audit_record(
        actor=actor,
        action="period.close",
        obj=group,
        object_id=f"{group.code}/{period}",
        after={"state": row.state},
        reason=reason,
    )
    return row
