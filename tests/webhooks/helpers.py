"""An approvable entry of the county fixture, and an endpoint."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule
from gongfen.webhooks.services import endpoint_create

ACTOR = Actor(None, "test")


def pending_entry():
    a04 = User.objects.get(username="a04")
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    return ledger.entry_declare(
        actor=Actor(a04),
        cadre=Cadre.objects.get(code="A04"),
        rule=rule,
        occurred_on=date(2026, 8, 3),
        quantity=Decimal(2),
    )


def endpoint(url="http://127.0.0.1:9/hook", events=("entry.approved", "ranking.published", "objection.decided")):
    return endpoint_create(actor=ACTOR, name="OA", url=url, events=list(events))
