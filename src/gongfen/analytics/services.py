"""The writes of analytics: only its own table, what was done about a warning (亮灯处置)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError

from .models import FollowUpAction, WarningFollowUp
from .warnings import Warning


@transaction.atomic
def warning_follow_up(*, actor: Actor, warning: Warning, action: str, note: str = "") -> WarningFollowUp:
    """Record what was done about ``warning`` (a warning the caller found among those it may see).

    ``notified`` also sends the notice: to the cadre's own account, or to the administrators of the
    scheme's unit; the notice names the reason, never another person's data.
    """
    if action not in FollowUpAction.values:
        raise DomainError(f"未知的处置方式 {action!r}", field="action")
    note = (note or "").strip()
    if action != FollowUpAction.NOTIFIED and not note:
        raise DomainError("请写明处置情况", field="note")
    row = WarningFollowUp.objects.create(
        subject_kind=warning.subject_kind,
        subject=warning.subject,
        group=warning.group,
        period=warning.period,
        reason=warning.reason,
        light=warning.light,
        action=action,
        note=note[:2000],
        by=actor.user,
        by_label=actor.label,
        at=timezone.now(),
    )
    if action == FollowUpAction.NOTIFIED:
        _notify(warning, note)
    audit_record(
        actor=actor,
        action="warning.follow_up",
        obj=row,
        summary=f"{warning.period} {warning.subject} {warning.reason}: {action}",
        after={"light": warning.light, "action": action, "note": note},
    )
    return row


def _notify(warning: Warning, note: str) -> None:
    from django.urls import reverse

    from gongfen.accounts.models import RoleKind, User
    from gongfen.notices.services import notify
    from gongfen.schemes.models import Scheme

    if warning.subject_kind == "cadre":
        users = list(User.objects.filter(cadre__code=warning.subject))
        url = reverse("ledger:mine")
    else:
        scheme = Scheme.objects.select_related("unit").get(code=warning.subject)
        users = list(User.objects.filter(roles__kind=RoleKind.UNIT_ADMIN, roles__unit=scheme.unit).distinct())
        url = reverse("analytics:warnings") + f"?period={warning.period}"
    title = f"{warning.period} 预警提醒：{warning.reason_label}"
    notify(users, kind="other", title=title, body=note, url=url)  # NoticeKind.OTHER: no notices migration
