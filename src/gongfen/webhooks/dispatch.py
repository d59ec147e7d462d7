"""The worker: claim due deliveries, POST them signed, record each attempt, back off on failure.

Sending never happens inside a request's transaction. A delivery is claimed (status ``sending``,
``next_attempt_at`` pushed a lease ahead) in a short transaction of its own — on PostgreSQL with
``SELECT … FOR UPDATE SKIP LOCKED``, on SQLite by a conditional UPDATE that only one worker wins —
then sent outside any transaction, then its result recorded. A worker that dies mid-send leaves a
``sending`` row whose lease runs out, and another worker takes it again (at least once).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Attempt, Delivery, DeliveryStatus
from .signing import sign, sign_legacy

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
LEASE = timedelta(minutes=2)  # longer than a send can take (timeout 10 s)
# the wait after the 1st, 2nd, … failed attempt; after the last one the delivery is given up (failed)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
USER_AGENT = "gongfen-webhooks/1"


@dataclass
class RunReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    uuids: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.failed


def _due(now: datetime, uuids=None):
    waiting = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_attempt_at__lte=now)
    rows = Delivery.objects.filter(waiting).select_related("endpoint").order_by("next_attempt_at", "pk")
    return rows.filter(uuid__in=uuids) if uuids is not None else rows


def claim(*, now: datetime, limit: int = 20, uuids=None) -> list[Delivery]:
    """Take up to ``limit`` due deliveries for this worker; no two workers get the same one."""
    lease = {"status": DeliveryStatus.SENDING, "next_attempt_at": now + LEASE, "updated_at": now}
    if connection.vendor == "postgresql":
        with transaction.atomic():
            rows = list(_due(now, uuids).select_for_update(skip_locked=True, of=("self",))[:limit])
            Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(**lease)
        return [_leased(r, now) for r in rows]
    claimed = []
    for row in _due(now, uuids)[:limit]:
        # compare-and-set: only the worker that still sees the row as it read it wins
        won = Delivery.objects.filter(
            pk=row.pk, status=row.status, next_attempt_at=row.next_attempt_at, attempts=row.attempts
        ).update(**lease)
        if won:
            claimed.append(_leased(row, now))
    return claimed


def _leased(row: Delivery, now: datetime) -> Delivery:
    row.status, row.next_attempt_at, row.updated_at = DeliveryStatus.SENDING, now + LEASE, now
    return row


def body_of(delivery: Delivery) -> bytes:
    """The request body: the same bytes on every attempt of a delivery."""
    envelope = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def headers_of(delivery: Delivery, body: bytes, now: datetime) -> dict[str, str]:
    """Standard Webhooks' three headers; for one release the old ``X-Gongfen-*`` ones too (docs/webhooks.md)."""
    timestamp, msg_id, secret = str(int(now.timestamp())), str(delivery.uuid), delivery.endpoint.secret
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "X-Gongfen-Event": delivery.event,
        # the transition: dropped in the release after this one
        "X-Gongfen-Delivery": msg_id,
        "X-Gongfen-Timestamp": timestamp,
        "X-Gongfen-Signature": sign_legacy(secret, timestamp, body),
    }


def host_allowed(url: str) -> bool:
    """Whether ``url``'s host is one webhooks may go to (settings.GONGFEN_WEBHOOK_HOSTS; empty: any)."""
    allowed = settings.GONGFEN_WEBHOOK_HOSTS
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not allowed:
        return bool(host)
    return any(host == a or (a.startswith(".") and (host.endswith(a) or host == a[1:])) for a in allowed)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is a failed delivery, never followed: a redirect could lead anywhere (e.g. the intranet)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST once: (HTTP status, "") or (status or None, what went wrong); never to a host no longer allowed."""
    if not host_allowed(url):
        return None, f"主机 {urlsplit(url).hostname} 不在 GONGFEN_WEBHOOK_HOSTS 允许的范围内，未发送"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(4096)
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"[:500]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"[:500]


def send(delivery: Delivery, *, now: datetime) -> Delivery:
    """One attempt at a claimed delivery, recorded: delivered, retry later, or given up."""
    body = body_of(delivery)
    started = time.monotonic()
    code, error = post(delivery.endpoint.url, body, headers_of(delivery, body, now))
    elapsed = int((time.monotonic() - started) * 1000)
    ok = code is not None and 200 <= code < 300
    if not ok and not error:
        error = f"HTTP {code}"
    return _record(delivery, now=now, code=code, error=error, ok=ok, elapsed=elapsed)


@transaction.atomic
def _record(delivery: Delivery, *, now: datetime, code: int | None, error: str, ok: bool, elapsed: int) -> Delivery:
    number = Attempt.objects.filter(delivery=delivery).count() + 1
    Attempt.objects.create(delivery=delivery, number=number, at=now, status_code=code, error=error, duration_ms=elapsed)
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error, delivery.updated_at = code, error, now
    if ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        log.warning(
            "webhook %s to %s given up after %s attempts: %s",
            delivery.uuid,
            delivery.endpoint.url,
            delivery.attempts,
            error,
        )
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    delivery.save()
    return delivery


def run_due(*, now: datetime | None = None, limit: int = 20, uuids=None) -> RunReport:
    """Send every delivery due at ``now`` (batches of ``limit``), until none is left for this worker."""
    report = RunReport()
    while True:
        at = now or timezone.now()
        batch = claim(now=at, limit=limit, uuids=uuids)
        if not batch:
            return report
        for delivery in batch:
            done = send(delivery, now=now or timezone.now())
            report.uuids.append(str(done.uuid))
            if done.status == DeliveryStatus.DELIVERED:
                report.delivered += 1
            elif done.status == DeliveryStatus.FAILED:
                report.failed += 1
            else:
                report.retrying += 1


def run_forever(*, interval: float = 5.0, on_report=None) -> None:
    """``gongfen webhooks run``: poll every ``interval`` seconds until interrupted."""
    while True:
        report = run_due()
        if on_report and report.attempted:
            on_report(report)
        connection.close_if_unusable_or_obsolete()
        time.sleep(interval)
