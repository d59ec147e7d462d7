"""Reads of a user's notices."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Notice


def notices_of(user) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()
