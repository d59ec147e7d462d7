"""What the dashboard shows each role (what needs me now)."""

from __future__ import annotations

from django.utils import timezone

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import Action, cadres_for, entries_for, groups_for, principal
from gongfen.ledger.models import EntryStatus
from gongfen.scoring import period_of


def dashboard(user) -> dict:
    p = principal(user)
    today = timezone.localdate()
    panels: dict = {"today": today, "period": period_of(today).code}
    if p.cadre_id:
        mine = entries_for(user).filter(cadre_id=p.cadre_id)
        panels["cadre"] = {
            "pending": mine.filter(status__in=[EntryStatus.PENDING, EntryStatus.DECLARED]).count(),
            "rejected": mine.filter(status=EntryStatus.REJECTED, period=panels["period"]).count(),
        }
    if p.has(RoleKind.ORG_ADMIN, RoleKind.REVIEWER):
        queue = entries_for(user, Action.REVIEW).filter(status=EntryStatus.PENDING).exclude(cadre_id=p.cadre_id)
        queue = queue.exclude(recorded_by_id=p.user_id)  # four eyes: not one's own, not one's own recording
        oldest = queue.order_by("recorded_at").first()
        panels["review"] = {"waiting": queue.count(), "oldest": oldest and oldest.recorded_at}
    if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN):
        panels["admin"] = {
            "cadres": cadres_for(user, Action.ADMINISTER).count(),
            "groups": groups_for(user, Action.ADMINISTER).count(),
            "pending": entries_for(user).filter(status=EntryStatus.PENDING).count(),
        }
    if p.is_org_admin:
        from gongfen.publication.holidays import missing_years

        # a window that would reach into a year nobody has recorded is refused: tell 组织部 before it comes to that
        panels["calendar"] = {"missing": missing_years(today)}
    if p.has(RoleKind.TASK_FORCE_LEAD):
        panels["task_force"] = {"members": cadres_for(user, Action.DECLARE).exclude(pk=p.cadre_id).count()}
    return panels
