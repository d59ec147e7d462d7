"""Enqueueing in the event's transaction, endpoints, re-sending; every refusal changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from gongfen.audit.models import AuditEvent
from gongfen.common import DomainError
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.publication.models import Objection
from gongfen.publication.objections import objection_dismiss, objection_file
from gongfen.webhooks.models import Delivery, DeliveryStatus, Endpoint
from gongfen.webhooks.services import delivery_resend, endpoint_create, endpoint_set_active, webhook_enqueue
from tests.publication.helpers import Q3, publish_q3, qx
from tests.web_fixtures import *  # noqa: F403
from tests.webhooks.helpers import ACTOR, endpoint, pending_entry


class Boom(Exception):
    pass


def test_no_endpoint_no_rows(county):
    entry = pending_entry()
    ledger.entry_approve(actor=ACTOR, entry=entry)
    publish_q3()
    assert Delivery.objects.count() == 0


def test_no_endpoint_costs_one_query_per_transaction(county, django_assert_num_queries):
    with transaction.atomic():
        with django_assert_num_queries(1):
            assert webhook_enqueue(event="entry.approved", payload=lambda: pytest.fail("built for nobody")) == []
        with django_assert_num_queries(0):  # remembered for the rest of the transaction
            assert webhook_enqueue(event="ranking.published", payload={}) == []


def test_approval_enqueues_for_each_subscribed_active_endpoint(county):
    oa, _ = endpoint(), endpoint(events=["ranking.published"])
    stopped = endpoint()
    endpoint_set_active(actor=ACTOR, endpoint=stopped, active=False)
    entry = ledger.entry_approve(actor=ACTOR, entry=pending_entry())
    (delivery,) = Delivery.objects.all()
    assert (delivery.endpoint, delivery.event, delivery.status) == (oa, "entry.approved", DeliveryStatus.PENDING)
    assert delivery.payload["entry"] == entry.code
    assert delivery.payload["cadre"] == {"code": "A04", "name": entry.cadre.name}
    assert (delivery.payload["amount"], delivery.payload["period"]) == (f"{entry.amount.normalize():f}", "2026Q3")


def test_rolled_back_approval_enqueues_nothing(county):
    endpoint()
    entry = pending_entry()
    with pytest.raises(Boom), transaction.atomic():
        ledger.entry_approve(actor=ACTOR, entry=entry)
        assert Delivery.objects.count() == 1  # written inside the approval's transaction…
        raise Boom
    assert Delivery.objects.count() == 0  # …and gone with it
    assert Entry.objects.get(pk=entry.pk).status == "pending"


def test_refused_approval_enqueues_nothing(county):
    endpoint()
    entry = ledger.entry_approve(actor=ACTOR, entry=pending_entry())
    with pytest.raises(DomainError):
        ledger.entry_approve(actor=ACTOR, entry=entry)
    assert Delivery.objects.count() == 1


def test_publication_and_republication(county):
    endpoint(events=["ranking.published"])
    group = publish_q3()
    from gongfen.publication import services as publication

    publication.period_republish(actor=ACTOR, group=group, period=Q3, reason="更正", today=date(2026, 11, 23))
    payloads = [d.payload for d in Delivery.objects.order_by("pk")]
    assert [(p["group"]["code"], p["period"], p["version"], p["republication"]) for p in payloads] == [
        ("QX-ALL", Q3, 1, False),
        ("QX-ALL", Q3, 2, True),
    ]
    assert payloads[0]["rows"] > 0 and len(payloads[0]["fingerprint"]) == 64


def test_objection_decided(county):
    from gongfen.accounts.models import User
    from gongfen.common import Actor
    from tests.publication.helpers import FRI, at

    publish_q3()
    endpoint(events=["objection.decided"])
    a01 = User.objects.get(username="a01")
    objection = objection_file(actor=Actor(a01), group=qx(), period=Q3, cadre=a01.cadre, text="少算了", now=at(FRI, 15))
    objection_dismiss(actor=ACTOR, objection=objection, reason="核对无误")
    (delivery,) = Delivery.objects.all()
    assert delivery.payload == {
        "objection": objection.pk,
        "group": "QX-ALL",
        "period": Q3,
        "cadre": {"code": "A01", "name": a01.cadre.name},
        "entry": None,
        "decision": "dismissed",
        "resolved_version": None,
        "decided_at": Objection.objects.get(pk=objection.pk).decided_at.isoformat(),
    }
    assert "核对无误" not in str(delivery.payload)  # no reasons in payloads


def test_unknown_event_is_refused(county):
    with pytest.raises(DomainError, match="未知的推送事件"):
        webhook_enqueue(event="entry.deleted", payload={})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"url": "ftp://oa.example/x"}, "须以 http:// 或 https:// 开头"),
        ({"url": "http://"}, "须以 http:// 或 https:// 开头"),
        ({"events": []}, "至少订阅一个事件"),
        ({"events": ["entry.approved", "x.y"]}, "未知的推送事件：x.y"),
        ({"name": "  "}, "须有名称"),
    ],
)
def test_endpoint_create_refusals_change_nothing(county, kwargs, match):
    audit = AuditEvent.objects.count()
    with pytest.raises(DomainError, match=match):
        endpoint_create(
            actor=ACTOR, **({"name": "OA", "url": "https://oa.example/hook", "events": ["entry.approved"]} | kwargs)
        )
    assert Endpoint.objects.count() == 0 and AuditEvent.objects.count() == audit


def test_endpoint_create_is_audited_without_the_secret(county):
    e = endpoint()
    assert len(e.secret) >= 40
    row = AuditEvent.objects.get(action="webhook.endpoint.create")
    assert e.secret not in str(row.after)


def test_disable_twice_is_refused(county):
    e = endpoint()
    endpoint_set_active(actor=ACTOR, endpoint=e, active=False)
    with pytest.raises(DomainError, match="已是停用状态"):
        endpoint_set_active(actor=ACTOR, endpoint=e, active=False)


def test_resend_only_when_done(county):
    endpoint()
    ledger.entry_approve(actor=ACTOR, entry=pending_entry())
    delivery = Delivery.objects.get()
    with pytest.raises(DomainError, match="尚在队列中"):
        delivery_resend(actor=ACTOR, delivery=delivery)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=6)
    again = delivery_resend(actor=ACTOR, delivery=delivery)
    assert (again.status, again.attempts, again.uuid) == (DeliveryStatus.PENDING, 0, delivery.uuid)
    assert AuditEvent.objects.filter(action="webhook.delivery.resend", object_id=str(delivery.uuid)).exists()


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://oa.kaihua.gov.cn/hook", True),
        ("https://OA.Kaihua.gov.cn./hook", True),
        ("https://msg.dingtalk.example/x", True),
        ("https://dingtalk.example/x", True),
        ("https://evil.example/hook", False),
        ("http://127.0.0.1:8000/admin", False),
        ("https://oa.kaihua.gov.cn.evil.example/", False),
        ("https://xdingtalk.example/", False),
    ],
)
def test_only_allowed_hosts_when_the_deployment_lists_them(county, settings, url, allowed):
    settings.GONGFEN_WEBHOOK_HOSTS = ["oa.kaihua.gov.cn", ".dingtalk.example"]
    if allowed:
        assert endpoint_create(actor=ACTOR, name="OA", url=url, events=["entry.approved"]).url == url
        return
    with pytest.raises(DomainError, match="不在本系统允许的范围内"):
        endpoint_create(actor=ACTOR, name="OA", url=url, events=["entry.approved"])
    assert Endpoint.objects.count() == 0
