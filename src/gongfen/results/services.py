"""组织部's overrides of the action lists (名单调整): the one write of this app.

An override is an append-only :class:`~gongfen.publication.models.ActionOverride`
row, proposed by one 组织部 administrator and taking effect only once another
confirms it (:class:`~gongfen.publication.models.ActionOverrideConfirmation`):
four eyes, and nobody proposes or confirms a change of their own row. The
latest confirmed override for (group, quarter, cadre, action) wins, earlier
ones stay as history. Only final quarters take overrides: before that the lists are not
settled, and a final quarter's computed lists never change, so an override is
always read against the same computed list.
"""

from __future__ import annotations

from django.db import transaction

from gongfen.accounts.permissions import Action, groups_for, principal
from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre
from gongfen.publication.models import ActionOverride, ActionOverrideConfirmation, GroupPeriod, PeriodState
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
    """Propose to put ``cadre`` on (``include``) or take them off one action list of a final quarter, with a
    reason; the list changes when another 组织部 administrator confirms (:func:`action_override_confirm`)."""
    where = f"{group.name} {period}"
    if not may_override(actor.user, group):
        raise DomainError(f"只有组织部管理员可以调整{where}的名单", code="forbidden")
    _not_own(actor, cadre)
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
    current = _current(group, period, cadre, action, computed)
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


def _not_own(actor: Actor, cadre: Cadre) -> None:
    if actor.user is not None and actor.user.cadre_id == cadre.pk:
        raise DomainError("不能调整本人在名单中的结果 (four eyes: not your own row)", code="four_eyes")


def _current(group: RankingGroup, period: str, cadre: Cadre, action: str, computed: bool) -> bool:
    """Whether the cadre is on the list now: the latest confirmed override, else the computed list."""
    latest = (
        ActionOverride.objects.filter(
            group=group, period=period, cadre=cadre, action=action, confirmation__isnull=False
        )
        .order_by("id")
        .last()
    )
    return computed if latest is None else latest.include


@transaction.atomic
def action_override_confirm(*, actor: Actor, override: ActionOverride) -> ActionOverrideConfirmation:
    """A second 组织部 administrator confirms a proposed override: from now on it changes the list.

    Refused for the proposer, for the cadre concerned, for a proposal already confirmed, and for one that
    no longer changes anything (another confirmed override got there first).
    """
    override = ActionOverride.objects.select_for_update().select_related("group", "cadre").get(pk=override.pk)
    group, cadre, where = override.group, override.cadre, f"{override.group.name} {override.period}"
    if not may_override(actor.user, group):
        raise DomainError(f"只有组织部管理员可以复核{where}的名单调整", code="forbidden")
    if override.created_by_id is not None and override.created_by_id == actor.user.pk:
        raise DomainError("名单调整须由另一位组织部管理员复核，不能复核自己提出的调整 (four eyes)", code="four_eyes")
    _not_own(actor, cadre)
    if ActionOverrideConfirmation.objects.filter(override=override).exists():
        raise DomainError("该名单调整已复核生效", code="state")
    snapshot = snapshot_current(group, override.period)
    row = next((r for r in snapshot.data["ranking"]["rows"] if r["cadre"] == cadre.code), None)
    computed = row is not None and override.action in row["actions"]
    current = _current(group, override.period, cadre, override.action, computed)
    if current == override.include:
        raise DomainError(f"{cadre.name}（{cadre.code}）的名单状态已是该调整的结果，无需复核", code="state")
    confirmation = ActionOverrideConfirmation.objects.create(
        override=override, confirmed_by=actor.user, confirmed_by_label=actor.label
    )
    audit_record(
        actor=actor,
        action="results.override_confirm",
        obj=override,
        object_id=f"{group.code}/{override.period}/{cadre.code}/{override.action}",
        before={"included": current, "proposed_by": override.created_by_label},
        after={"included": override.include},
        reason=override.reason,
    )
    return confirmation
