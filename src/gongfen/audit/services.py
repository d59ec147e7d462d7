"""Writing the audit trail. Call inside the transaction of the write it records."""

from __future__ import annotations

from typing import Any

from django.db import models

from gongfen.common import Actor

from .models import AuditEvent


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "code", None) or obj.pk)
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        before=before,
        after=after,
        reason=reason,
    )
