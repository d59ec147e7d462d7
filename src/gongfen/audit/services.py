"""Writing the audit trail. Call inside the transaction of the write it records."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
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
    ip: str | None = None,
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
        ip=ip,
    )


SECRET_FIELDS = frozenset({"password"})


def model_snapshot(obj: models.Model) -> dict[str, Any]:
    """A row's fields as JSON-safe values for ``before``/``after``; never a password (hash)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name not in SECRET_FIELDS:
            data[field.name] = field.value_from_object(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(str(o.pk) for o in getattr(obj, field.name).all())
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))
