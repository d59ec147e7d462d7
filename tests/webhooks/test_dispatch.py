"""The worker against a real HTTP receiver on loopback: headers, signature, retries with backoff, giving up.

Time is driven with ``now=``; nothing sleeps.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gongfen.ledger import services as ledger
from gongfen.webhooks import signing
from gongfen.webhooks.dispatch import BACKOFF, MAX_ATTEMPTS, run_due
from gongfen.webhooks.models import Attempt, Delivery, DeliveryStatus
from tests.web_fixtures import *  # noqa: F403
from tests.webhooks.helpers import ACTOR, endpoint, pending_entry

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_verify():
    """The receiver's ``verify`` exactly as docs/webhooks.md prints it."""
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    assert len(code.strip().splitlines()) <= 10
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify"]


@pytest.fixture
def approved(county, receiver):
    hook = endpoint(url=receiver.url)
    entry = ledger.entry_approve(actor=ACTOR, entry=pending_entry())
    return hook, entry, Delivery.objects.get()


def test_receiver_gets_the_signed_post(approved, receiver):
    hook, entry, delivery = approved
    now = timezone.now()
    report = run_due(now=now)
    assert (report.delivered, report.retrying, report.failed) == (1, 0, 0)
    (got,) = receiver.requests
    assert got.path == "/hook"
    assert got.headers["X-Gongfen-Event"] == "entry.approved"
    assert got.headers["X-Gongfen-Delivery"] == str(delivery.uuid)
    assert got.headers["X-Gongfen-Timestamp"] == str(int(now.timestamp()))
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(got.body)
    assert body == {
        "id": str(delivery.uuid),
        "event": "entry.approved",
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    assert body["data"]["entry"] == entry.code
    verify = documented_verify()
    assert verify(hook.secret, got.headers, got.body)
    assert signing.verify(hook.secret, got.headers["X-Gongfen-Timestamp"], got.body, got.headers["X-Gongfen-Signature"])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert run_due(now=now + timedelta(days=1)).attempted == 0  # delivered once, never again


def test_tampered_requests_fail_verification(approved, receiver):
    hook, _, _ = approved
    run_due()
    (got,) = receiver.requests
    verify = documented_verify()
    assert verify(hook.secret, got.headers, got.body)
    assert not verify(hook.secret, got.headers, got.body.replace(b'"amount":"', b'"amount":"9'))
    assert not verify("another secret", got.headers, got.body)
    later = dict(got.headers, **{"X-Gongfen-Timestamp": str(int(got.headers["X-Gongfen-Timestamp"]) + 1)})
    assert not verify(hook.secret, later, got.body)
    stale = int(got.headers["X-Gongfen-Timestamp"]) + 301
    assert not signing.verify(
        hook.secret, got.headers["X-Gongfen-Timestamp"], got.body, got.headers["X-Gongfen-Signature"], now=stale
    )


def test_500_then_200_is_retried_after_the_backoff(approved, receiver):
    _, _, delivery = approved
    receiver.answers.append(500)
    t0 = timezone.now()
    assert run_due(now=t0).retrying == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert delivery.next_attempt_at == t0 + BACKOFF[0]
    assert run_due(now=t0 + BACKOFF[0] - timedelta(seconds=1)).attempted == 0  # not before its time
    assert run_due(now=t0 + BACKOFF[0]).delivered == 1
    first, second = receiver.requests
    assert first.body == second.body  # the same bytes on every attempt
    assert first.headers["X-Gongfen-Delivery"] == second.headers["X-Gongfen-Delivery"] == str(delivery.uuid)
    log = list(Attempt.objects.filter(delivery=delivery).values_list("number", "status_code"))
    assert log == [(1, 500), (2, 200)]


def test_gives_up_after_max_attempts(approved, receiver):
    _, _, delivery = approved
    receiver.answers.extend([503] * MAX_ATTEMPTS)
    now = timezone.now()
    waits = []
    for _ in range(MAX_ATTEMPTS):
        report = run_due(now=now)
        assert report.attempted == 1
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
    assert waits[:-1] == list(BACKOFF)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, MAX_ATTEMPTS, 503)
    assert run_due(now=now + timedelta(days=30)).attempted == 0
    assert len(receiver.requests) == MAX_ATTEMPTS == Attempt.objects.filter(delivery=delivery).count()


def test_unreachable_receiver_is_an_attempt_with_the_error(county):
    endpoint(url="http://127.0.0.1:9/hook")  # the discard port: nothing listens, connection refused
    ledger.entry_approve(actor=ACTOR, entry=pending_entry())
    assert run_due().retrying == 1
    delivery = Delivery.objects.get()
    assert delivery.last_status_code is None and "refused" in delivery.last_error.lower()


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(approved, receiver):
    receiver.answers.append(302)
    assert run_due().retrying == 1
    assert [r.path for r in receiver.requests] == ["/hook"]  # never /elsewhere
    assert Delivery.objects.get().last_status_code == 302


def test_a_host_no_longer_allowed_gets_nothing(approved, receiver, settings):
    settings.GONGFEN_WEBHOOK_HOSTS = [
        "oa.kaihua.gov.cn"
    ]  # the deployment narrowed the list after the endpoint was made
    assert run_due().retrying == 1
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.last_status_code is None and "GONGFEN_WEBHOOK_HOSTS" in delivery.last_error


def test_a_dead_workers_claim_is_taken_again_after_its_lease(approved, receiver):
    from gongfen.webhooks.dispatch import LEASE, claim

    now = timezone.now()
    assert len(claim(now=now)) == 1  # a worker claims it, then dies before sending
    assert run_due(now=now + timedelta(seconds=30)).attempted == 0
    assert run_due(now=now + LEASE).delivered == 1
    assert len(receiver.requests) == 1
