"""On a phone: a cadre confirms records another system pushed, and disputes one with a reason, by tapping."""

from datetime import date

import pytest
from playwright.sync_api import expect

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.intake import services
from gongfen.intake.models import Proposal, ProposalStatus
from gongfen.ledger.models import EntryStatus
from gongfen.org.models import Cadre, Unit
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403

from .test_flows import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_confirm_and_dispute_on_a_phone(county, phone, shot):
    org = User.objects.get(username="org")
    source, _ = services.source_register(
        actor=Actor(org),
        code="YJS",
        name="基层治理一件事",
        owner=User.objects.get(username="qx_admin"),
        rules=[Rule.objects.get(scheme__code="QX-2026", code="R-TASK")],
        units=[Unit.objects.get(code="QX")],
    )
    services.person_link_set(actor=Actor(org), source=source, identifier="zzd-4", cadre=Cadre.objects.get(code="A04"))
    records = [
        {"source_record_id": f"R{n}", "person": "zzd-4", "scheme": "QX-2026", "rule": "R-TASK"}
        | {"occurred_on": date(2026, 8, n + 1), "quantity": 1, "description": f"办结事项 {n}"}
        for n in range(5)
    ]
    services.batch_receive(source=source, records=records)

    log_in(phone, "a04")
    phone.goto("/intake/pending/")
    assert phone.locator("article.proposal").count() == 5
    shot(phone, "intake-01-pending")
    for _ in range(4):
        before = phone.locator("article.proposal").count()
        phone.locator("article.proposal").first.locator("button.confirm").tap()
        expect(phone.locator("article.proposal")).to_have_count(before - 1)
    last = phone.locator("article.proposal").first
    last.locator("input[name=reason]").fill("那天我在县里开会")
    last.locator(".decline button").tap()
    phone.wait_for_selector("#pending-empty")
    shot(phone, "intake-02-done")

    statuses = list(Proposal.objects.order_by("source_record_id").values_list("status", flat=True))
    assert statuses == [ProposalStatus.CONFIRMED] * 4 + [ProposalStatus.DECLINED]
    entries = [p.entry for p in Proposal.objects.filter(status=ProposalStatus.CONFIRMED)]
    assert all(e.status == EntryStatus.PENDING and e.recorded_by.username == "a04" for e in entries)
    assert Proposal.objects.get(status=ProposalStatus.DECLINED).decline_reason == "那天我在县里开会"
