"""The 组织部 pages: anonymous → login, no right → 404, unit administrator → 404, 组织部 → the page and its actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongfen.audit.models import AuditEvent
from gongfen.ledger import services as ledger
from gongfen.webhooks.models import Delivery, DeliveryStatus, Endpoint
from tests.web_fixtures import *  # noqa: F403
from tests.webhooks.helpers import ACTOR, endpoint, pending_entry


@pytest.fixture
def hook(county):
    e = endpoint(url="https://oa.example.gov.cn/hook")
    ledger.entry_approve(actor=ACTOR, entry=pending_entry())
    return e


def pages(hook):
    delivery = Delivery.objects.get()
    return [
        ("GET", reverse("webhooks:endpoints"), {}),
        ("GET", reverse("webhooks:endpoint_add"), {}),
        ("GET", reverse("webhooks:endpoint", args=[hook.pk]), {}),
        ("POST", reverse("webhooks:endpoint_active", args=[hook.pk]), {"active": "0"}),
        ("POST", reverse("webhooks:resend", args=[delivery.uuid]), {}),
    ]


@pytest.mark.parametrize("username", ["a01", "qx_admin", "tc_admin", "qx_reviewer"])
def test_nobody_but_org_finds_anything(hook, login, username):
    client = login(username)
    for method, url, data in pages(hook):
        response = client.post(url, data) if method == "POST" else client.get(url)
        assert response.status_code == 404, url
    assert Endpoint.objects.get().active


def test_anonymous_is_sent_to_login(hook, client):
    for method, url, data in pages(hook):
        response = client.post(url, data) if method == "POST" else client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_org_sees_endpoints_and_the_delivery_log(hook, login):
    client = login("org")
    response = client.get(reverse("webhooks:endpoints"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "https://oa.example.gov.cn/hook" in page and "entry.approved" in page
    detail = client.get(reverse("webhooks:endpoint", args=[hook.pk])).content.decode()
    assert hook.secret in detail and str(Delivery.objects.get().uuid) in detail
    assert hook.secret.startswith("whsec_") and hook.legacy_secret in detail  # both forms during the transition


def test_org_adds_an_endpoint(county, login):
    client = login("org")
    response = client.post(
        reverse("webhooks:endpoint_add"),
        {"name": "县 OA", "url": "https://oa.example.gov.cn/in", "events": ["ranking.published", "objection.decided"]},
    )
    new = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webhooks:endpoint", args=[new.pk])
    assert (new.events, new.created_by_label, new.active) == (["objection.decided", "ranking.published"], "org", True)
    assert AuditEvent.objects.filter(action="webhook.endpoint.create", actor_label="org").exists()


def test_bad_endpoint_is_refused_with_a_message(county, login):
    response = login("org").post(
        reverse("webhooks:endpoint_add"), {"name": "OA", "url": "javascript:alert(1)", "events": ["entry.approved"]}
    )
    assert response.status_code == 400
    assert "须以 http:// 或 https:// 开头" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_org_disables_and_resends(hook, login):
    client = login("org")
    client.post(reverse("webhooks:endpoint_active", args=[hook.pk]), {"active": "0"})
    assert not Endpoint.objects.get().active
    delivery = Delivery.objects.get()
    pending = client.post(reverse("webhooks:resend", args=[delivery.uuid]), follow=True)
    assert "尚在队列中" in pending.content.decode()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=6)
    client.post(reverse("webhooks:resend", args=[delivery.uuid]))
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_log_pages_query_count_does_not_grow_with_deliveries(hook, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongfen.webhooks.services import webhook_enqueue

    client = login("org")

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = [reverse("webhooks:endpoints"), reverse("webhooks:endpoint", args=[hook.pk])]
    before = [count(url) for url in urls]
    for i in range(5):
        webhook_enqueue(event="entry.approved", payload={"entry": f"X{i}"})
    assert [count(url) for url in urls] == before
