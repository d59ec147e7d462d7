"""Reading the audit trail: the rows a user may see, filtered, and a readable before/after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from gongfen.accounts.permissions import audit_for

from .models import AuditEvent


def audit_search(
    user,
    *,
    since: date | None = None,
    until: date | None = None,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    q: str = "",
) -> QuerySet[AuditEvent]:
    """The user's audit rows matching every given filter, newest first.

    ``action`` matches a whole action (``entry.approve``) or a family (``entry``);
    ``actor`` and ``q`` match anywhere in the actor's name, the summary or the reason.
    """
    rows = audit_for(user)
    if since:
        rows = rows.filter(at__date__gte=since)
    if until:
        rows = rows.filter(at__date__lte=until)
    if actor := actor.strip():
        rows = rows.filter(actor_label__icontains=actor)
    if action := action.strip():
        rows = rows.filter(Q(action=action) | Q(action__startswith=f"{action.rstrip('.')}."))
    if object_type := object_type.strip():
        rows = rows.filter(object_type=object_type)
    if object_id := object_id.strip():
        rows = rows.filter(object_id=object_id)
    if q := q.strip():
        rows = rows.filter(Q(summary__icontains=q) | Q(reason__icontains=q))
    return rows.order_by("-at", "-id")


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    changed: bool


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


MISSING = object()


def audit_diff(event: AuditEvent) -> list[Change]:
    """Before and after side by side: per field for two objects (changed fields first), else one line."""
    before, after = event.before, event.after
    if before is None and after is None:
        return []
    if isinstance(before, dict | None) and isinstance(after, dict | None):
        old, new = before or {}, after or {}
        rows = []
        for key in sorted(set(old) | set(new)):
            a, b = old.get(key, MISSING), new.get(key, MISSING)
            rows.append(Change(key, "—" if a is MISSING else _show(a), "—" if b is MISSING else _show(b), a != b))
        return sorted(rows, key=lambda c: not c.changed)
    return [Change("", _show(before), _show(after), before != after)]
