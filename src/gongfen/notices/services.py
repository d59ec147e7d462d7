"""Telling people what concerns them (站内通知), in the app and, when configured, by e-mail.

``notify`` is called by other services inside their transaction: the notices
are written with the change, and e-mail leaves only after the commit.
E-mail is sent when ``settings.GONGFEN_NOTICE_EMAIL`` is true (Django's mail
settings say how); a user without an address gets the in-app notice only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notice

log = logging.getLogger(__name__)


def notify(users: Iterable, *, kind: str, title: str, body: str = "", url: str = "") -> list[Notice]:
    """One notice per distinct user (users or user ids; None is skipped); e-mail after commit when configured."""
    ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    if not ids:
        return []
    notices = Notice.objects.bulk_create(
        [Notice(user_id=uid, kind=kind, title=title[:200], body=body, url=url[:300]) for uid in ids]
    )
    if getattr(settings, "GONGFEN_NOTICE_EMAIL", False):
        transaction.on_commit(lambda: _email(ids, title, body, url))
    return notices


def _email(user_ids: list[int], title: str, body: str, url: str) -> None:
    base = getattr(settings, "GONGFEN_BASE_URL", "").rstrip("/")
    text = "\n\n".join(part for part in (body, f"{base}{url}" if url else "") if part)
    users = get_user_model().objects.filter(pk__in=user_ids).exclude(email="")
    sent = []
    for user in users:
        try:
            send_mail(f"[工分] {title}", text, None, [user.email])
            sent.append(user.pk)
        except Exception:  # the in-app notice stands; mail trouble never undoes the change
            log.warning("notice e-mail to user %s failed", user.pk, exc_info=True)
    Notice.objects.filter(user_id__in=sent, title=title[:200], emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


def notices_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all unread ones when ``ids`` is None); returns how many."""
    unread = Notice.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
