"""Every write of webhooks: enqueue (inside the event's transaction), endpoints, re-sending.

``webhook_enqueue`` is called by the services that make events (ledger, publication) in their
own transaction, so a rolled-back approval leaves no delivery behind. Nothing is sent here: the
worker (``gongfen webhooks run``, ``dispatch.py``) sends after commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gongfen.audit.services import audit_record, model_snapshot
from gongfen.common import Actor, DomainError

from .dispatch import host_allowed
from .models import Delivery, DeliveryStatus, Endpoint, Event
from .signing import new_secret

Payload = dict[str, Any] | Callable[[], dict[str, Any]]


# --- enqueue -----------------------------------------------------------------------------------


def _subscribers() -> dict[str, list[int]]:
    """Active endpoints by event: one query, remembered until the current transaction ends.

    The cache lives on the connection beside a marker queued in ``run_on_commit``; a commit or a
    rollback empties that list, so the marker is gone and the next transaction asks again.
    """
    cached = getattr(connection, "_gongfen_webhooks", None)
    if cached is not None:
        index, marker, subscribers = cached
        pending = connection.run_on_commit
        if index < len(pending) and pending[index][1] is marker:
            return subscribers
    subscribers: dict[str, list[int]] = {}
    for pk, events in Endpoint.objects.filter(active=True).values_list("pk", "events"):
        for event in events:
            subscribers.setdefault(event, []).append(pk)
    if connection.in_atomic_block:

        def marker() -> None:
            connection._gongfen_webhooks = None

        transaction.on_commit(marker)
        connection._gongfen_webhooks = (len(connection.run_on_commit) - 1, marker, subscribers)
    return subscribers


def webhook_enqueue(*, event: str, payload: Payload, now: datetime | None = None) -> list[Delivery]:
    """A pending delivery of ``event`` for each active endpoint subscribed to it, in the caller's transaction.

    ``payload`` may be a callable, built only when someone subscribes (no endpoint: one query, no payload).
    """
    if event not in Event.values:
        raise DomainError(f"未知的推送事件 {event}", field="event")
    endpoints = _subscribers().get(event)
    if not endpoints:
        return []
    data = payload() if callable(payload) else payload
    now = now or timezone.now()
    rows = [
        Delivery(endpoint_id=pk, event=event, payload=data, next_attempt_at=now, created_at=now, updated_at=now)
        for pk in endpoints
    ]
    Delivery.objects.bulk_create(rows)
    if settings.GONGFEN_WEBHOOKS_INLINE:
        ids = [row.uuid for row in rows]
        transaction.on_commit(lambda: _send_in_background(ids))
    return rows


def _send_in_background(uuids) -> None:
    """GONGFEN_WEBHOOKS_INLINE=1: send right after commit in a thread, not holding up the request."""
    from .dispatch import run_due

    def work() -> None:
        try:
            run_due(uuids=uuids)
        finally:
            connection.close()

    threading.Thread(target=work, name="gongfen-webhooks", daemon=True).start()


# --- endpoints ---------------------------------------------------------------------------------


def _forget_subscribers() -> None:
    """An endpoint changed: the transaction's remembered subscribers are stale."""
    connection._gongfen_webhooks = None


def _clean_events(events) -> list[str]:
    chosen = sorted(set(events or []))
    unknown = [e for e in chosen if e not in Event.values]
    if unknown:
        raise DomainError(f"未知的推送事件：{'、'.join(unknown)}", field="events")
    if not chosen:
        raise DomainError("至少订阅一个事件", field="events")
    return chosen


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError(f"推送地址“{url}”无效：须以 http:// 或 https:// 开头并包含主机名", field="url")
    if not host_allowed(url):
        raise DomainError(
            f"推送地址的主机“{parts.hostname}”不在本系统允许的范围内（GONGFEN_WEBHOOK_HOSTS："
            f"{'、'.join(settings.GONGFEN_WEBHOOK_HOSTS)}），请联系系统管理员",
            field="url",
        )
    return url


@transaction.atomic
def endpoint_create(*, actor: Actor, name: str, url: str, events: list[str]) -> Endpoint:
    """A new active endpoint with a fresh random ``whsec_`` secret (shown to 组织部 on the endpoint's page)."""
    name = (name or "").strip()
    if not name:
        raise DomainError("推送地址须有名称", field="name")
    endpoint = Endpoint.objects.create(
        name=name[:100],
        url=_clean_url(url),
        events=_clean_events(events),
        secret=new_secret(),
        created_by=actor.user,
        created_by_label=actor.label,
    )
    _forget_subscribers()
    after = model_snapshot(endpoint) | {"secret": "***"}
    audit_record(actor=actor, action="webhook.endpoint.create", obj=endpoint, summary=endpoint.url, after=after)
    return endpoint


@transaction.atomic
def endpoint_set_active(*, actor: Actor, endpoint: Endpoint, active: bool) -> Endpoint:
    """Enable or disable an endpoint; a disabled endpoint gets no new deliveries (queued ones are still sent)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.active == active:
        state = "启用" if active else "停用"
        raise DomainError(f"推送地址“{endpoint.name}”已是{state}状态")
    endpoint.active = active
    endpoint.save(update_fields=["active"])
    _forget_subscribers()
    audit_record(
        actor=actor,
        action="webhook.endpoint.enable" if active else "webhook.endpoint.disable",
        obj=endpoint,
        summary=endpoint.url,
        before={"active": not active},
        after={"active": active},
    )
    return endpoint


@transaction.atomic
def delivery_resend(*, actor: Actor, delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Queue a delivered or failed delivery again, with the same delivery id (receivers may drop a repeat)."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        raise DomainError(f"推送 {delivery.uuid} 状态为“{delivery.get_status_display()}”，尚在队列中，无须重发")
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status, delivery.attempts, delivery.next_attempt_at, delivery.updated_at = (
        DeliveryStatus.PENDING,
        0,
        now,
        now,
    )
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit_record(
        actor=actor,
        action="webhook.delivery.resend",
        object_type="webhooks.delivery",
        object_id=str(delivery.uuid),
        summary=f"{delivery.event} → {delivery.endpoint.url}",
        before=before,
        after={"status": delivery.status, "attempts": 0},
    )
    return delivery
