"""The worker against a real HTTP receiver on loopback: headers, signature, retries with backoff, giving up.

Time is driven with ``now=``; nothing sleeps.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from gongfen.ledger import services as ledger
from gongfen.webhooks import signing
from gongfen.webhooks.dispatch import BACKOFF, MAX_ATTEMPTS, run_due
from gongfen.webhooks.models import Attempt, Delivery, DeliveryStatus
from tests.web_fixtures import *  # noqa: F403
from tests.webhooks.helpers import ACTOR, endpoint, pending_entry

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented(name: str = "verify"):
    """A receiver's function exactly as docs/webhooks.md prints it (``verify``, ``verify_with_library``, ``verify_legacy``)."""
    for code in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        if f"def {name}(" in code:
            assert len(code.strip().splitlines()) <= 12
            namespace: dict = {}
            exec(code, namespace)
            return namespace[name]
    raise AssertionError(f"docs/webhooks.md shows no {name}()")


def assert_verified_every_way(secret: str, legacy_secret: str, got) -> None:
    """The library, the documented code (new and old) and ours all accept the request."""
    assert Webhook(secret).verify(got.body, got.headers) == json.loads(got.body)
    assert documented("verify_with_library")(secret, got.headers, got.body) == json.loads(got.body)
    assert documented("verify")(secret, got.headers, got.body)
    assert documented("verify_legacy")(legacy_secret, got.headers, got.body)
    h = {k.lower(): v for k, v in got.headers.items()}
    assert signing.verify(secret, h["webhook-id"], h["webhook-timestamp"], got.body, h["webhook-signature"])
    assert signing.verify_legacy(legacy_secret, h["x-gongfen-timestamp"], got.body, h["x-gongfen-signature"])


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
    # Standard Webhooks: the delivery id and timestamp in the headers, a v1 signature, a whsec_ secret
    h = {k.lower(): v for k, v in got.headers.items()}
    assert h["webhook-id"] == h["x-gongfen-delivery"] == str(delivery.uuid)
    assert h["webhook-timestamp"] == h["x-gongfen-timestamp"] == str(int(now.timestamp()))
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", h["webhook-signature"])
    assert re.fullmatch(r"sha256=[0-9a-f]{64}", h["x-gongfen-signature"])
    assert hook.secret.startswith("whsec_") and hook.standard_secret == hook.secret
    assert_verified_every_way(hook.standard_secret, hook.legacy_secret, got)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert run_due(now=now + timedelta(days=1)).attempted == 0  # delivered once, never again


def test_tampered_requests_fail_verification(approved, receiver):
    hook, _, _ = approved
    run_due()
    (got,) = receiver.requests
    verify, legacy, library = documented("verify"), documented("verify_legacy"), Webhook(hook.secret)
    assert verify(hook.secret, got.headers, got.body) and legacy(hook.legacy_secret, got.headers, got.body)
    tampered = got.body.replace(b'"amount":"', b'"amount":"9')
    other = signing.new_secret()
    h = {k.lower(): v for k, v in got.headers.items()}
    later = dict(h, **{"webhook-timestamp": str(int(h["webhook-timestamp"]) + 1)})
    replayed_as = dict(h, **{"webhook-id": "another-delivery"})  # the id is signed: a copy under a new id fails
    for headers, body, secret in [(h, tampered, hook.secret), (h, got.body, other), (later, got.body, hook.secret)]:
        assert not verify(secret, headers, body)
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        library.verify(got.body, replayed_as)
    assert not verify(hook.secret, replayed_as, got.body)
    assert not legacy(hook.legacy_secret, got.headers, tampered)
    stale = int(h["webhook-timestamp"]) + 301
    assert not signing.verify(
        hook.secret, h["webhook-id"], h["webhook-timestamp"], got.body, h["webhook-signature"], now=stale
    )
    assert not signing.verify_legacy(
        hook.secret, h["x-gongfen-timestamp"], got.body, h["x-gongfen-signature"], now=stale
    )


def test_an_endpoint_from_before_the_transition_keeps_its_secret(county, receiver):
    """An endpoint registered with an old-style secret: the old receiver still verifies, and so does a new one."""
    from gongfen.webhooks.models import Endpoint

    hook = endpoint(url=receiver.url)
    old = "Zq3v0pV9bq1fQ-lWm3TjW0nE5Yp8rK2sLx7dA4cHuGo"  # a secrets.token_urlsafe(32) of the old endpoint_create
    Endpoint.objects.filter(pk=hook.pk).update(secret=old)
    hook.refresh_from_db()
    assert hook.legacy_secret == old
    assert hook.standard_secret == "whsec_" + base64.b64encode(old.encode()).decode()
    ledger.entry_approve(actor=ACTOR, entry=pending_entry())
    assert run_due().delivered == 1
    (got,) = receiver.requests
    assert_verified_every_way(hook.standard_secret, old, got)
    with pytest.raises(WebhookVerificationError):  # the old string itself is not a whsec_ key
        Webhook("whsec_" + base64.b64encode(b"wrong").decode()).verify(got.body, got.headers)


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
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"] == str(delivery.uuid)  # urllib title-cases
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
