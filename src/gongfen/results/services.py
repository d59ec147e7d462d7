"""组织部's overrides of the action lists (名单调整): the one write of this app.

An override is an append-only :class:`~gongfen.publication.models.ActionOverride`
row; the latest for (group, quarter, cadre, action) wins, earlier ones stay as
history. Only final quarters take overrides: before that the lists are not
settled, and a final quarter's computed lists never change, so an override is
always read against the same computed list.
"""

from __future__ import annotations

from django.db import transaction

from gongfen.accounts.permissions import Action, groups_for, principal
from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre
from gongfen.publication.models import ActionOverride, GroupPeriod, PeriodState
from gongfen.publication.selectors import snapshot_current
from gongfen.schemes.models import RankingGroup
from gongfen.scoring.types import ADJUST, RECOMMEND, RETRAIN

ACTIONS = (RECOMMEND, RETRAIN, ADJUST)
ACTION_NAMES = {RECOMMEND: "首位推荐", RETRAIN: "末位回炉", ADJUST: "调整"}


def may_override(user, group: RankingGroup) -> bool:
    """组织部 administrators whose scope holds the group may override its lists."""
    return (
        user is not None
        and principal(user).is_org_admin
        and groups_for(user, Action.ADMINISTER).filter(pk=group.pk).exists()
    )


@transaction.atomic
def action_override(
    *,
    actor: Actor,
    group: RankingGroup,
    period: str,
    cadre: Cadre,
    action: str,
    include: bool,
    reason: str,
) -> ActionOverride:
    """Put ``cadre`` on (``include``) or take them off one action list of a final quarter, with a reason."""
    where = f"{group.name} {period}"
    if not may_override(actor.user, group):
        raise DomainError(f"只有组织部管理员可以调整{where}的名单", code="forbidden")
    if action not in ACTIONS:
        raise DomainError(f"没有名单“{action}”（可选：首位推荐、末位回炉、调整）", field="action")
    if not (reason or "").strip():
        raise DomainError(f"调整{where}的{ACTION_NAMES[action]}名单必须说明理由", field="reason")
    row = GroupPeriod.objects.select_for_update().filter(group=group, period=period).first()
    if row is None or row.state != PeriodState.FINAL:
        state = PeriodState.OPEN.label if row is None else row.get_state_display()
        raise DomainError(f"{where} 处于“{state}”状态，只有已定稿季度的名单可以调整")
    snapshot = snapshot_current(group, period)
    computed_row = next((r for r in snapshot.data["ranking"]["rows"] if r["cadre"] == cadre.code), None)
    if computed_row is None:
        raise DomainError(f"{cadre.name}（{cadre.code}）不在{where}的排名中，不能列入或移出名单", field="cadre")
    computed = action in computed_row["actions"]
    latest = ActionOverride.objects.filter(group=group, period=period, cadre=cadre, action=action).last()
    current = computed if latest is None else latest.include
    if current == include:
        state = "已在" if include else "不在"
        raise DomainError(f"{cadre.name}（{cadre.code}）{state}{where}的{ACTION_NAMES[action]}名单中，无需调整")
    override = ActionOverride.objects.create(
        group=group,
        period=period,
        cadre=cadre,
        action=action,
        include=include,
        reason=reason.strip(),
        created_by=actor.user,
        created_by_label=actor.label,
    )
    audit_record(
        actor=actor,
        action="results.override",
        obj=override,
        object_id=f"{group.code}/{period}/{cadre.code}/{action}",
        before={"included": current, "computed": computed, "version": snapshot.version},
        after={"included": include},
        reason=override.reason,
    )
    return override
