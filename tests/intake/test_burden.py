"""The burden figure: declarations made, records confirmed, median form-open→submit time, share from sources."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.intake import services
from gongfen.intake.burden import burden_for
from gongfen.intake.models import FormTiming, Proposal
from gongfen.intake.timing import stamp_now
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.schemes.models import Rule

from .conftest import NOW, post, record

pytestmark = pytest.mark.django_db


def declare_in(client, seconds: int, description: str):
    """Open the declaration form, wait ``seconds``, submit it."""
    page = client.get(reverse("ledger:declare")).content.decode()
    assert 'name="form_opened"' in page
    stamp = page.split('name="form_opened" value="')[1].split('"')[0]
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    with time_machine.travel(NOW + timedelta(seconds=seconds), tick=False):
        data = {"rule": rule.pk, "occurred_on": "2026-09-01", "quantity": "2", "description": description}
        response = client.post(reverse("ledger:declare"), data | {"intent": "submit", "form_opened": stamp})
    assert response.status_code == 302
    return Entry.objects.get(description=description)


def test_the_burden_of_one_cadre(client, source, login):
    cadre_client = login("a04")
    first = declare_in(cadre_client, 90, "一")
    second = declare_in(cadre_client, 30, "二")
    third = declare_in(cadre_client, 600, "三")
    assert [
        FormTiming.objects.get(entry=e).submitted_at - FormTiming.objects.get(entry=e).opened_at
        for e in (first, second, third)
    ] == [
        timedelta(seconds=90),
        timedelta(seconds=30),
        timedelta(seconds=600),
    ]
    post(client, source.token_text, [record(1, quantity="4"), record(2)])
    a04, reviewer = User.objects.get(username="a04"), User.objects.get(username="qx_reviewer")
    confirmed = services.proposal_confirm(actor=Actor(a04), proposal=Proposal.objects.get(source_record_id="YJS-1"))
    for entry in (first, confirmed):
        ledger.entry_approve(actor=Actor(reviewer), entry=entry)

    report = burden_for(User.objects.get(username="qx_admin"), "2026Q3")
    row = next(b for b in report.cadres if "A04" in b.label)
    assert (row.declared, row.confirmed, row.median_seconds) == (3, 1, 90)
    # approved A04 points of the quarter: the fixture's, 2 × 1.5 declared, 4 × 1.5 from the source
    fixture = sum(
        e.amount for e in Entry.objects.filter(cadre__code="A04", period="2026Q3", posted=True) if e.amount > 0
    )
    assert row.source_share == (Decimal(6) * 100 / fixture).quantize(Decimal("0.1"))
    assert report.total.confirmed == 1 and report.total.declared == 3
    assert any(u.label == "齐溪镇" and u.declared == 3 for u in report.units)

    page = login("qx_admin").get(reverse("intake:burden"), {"period": "2026Q3"}).content.decode()
    assert 'id="burden-cadres"' in page and "甲四" in page


def test_a_forged_or_missing_stamp_records_nothing(county, login):
    client = login("a04")
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    data = {"rule": rule.pk, "occurred_on": "2026-09-01", "quantity": "1", "description": "x", "intent": "submit"}
    client.post(reverse("ledger:declare"), data | {"form_opened": stamp_now()[:-2] + "xx"})
    client.post(reverse("ledger:declare"), data)
    assert Entry.objects.filter(description="x").count() == 2 and not FormTiming.objects.exists()


def test_the_page_is_for_administrators(county, login):
    assert login("a04").get(reverse("intake:burden")).status_code == 404
    assert login("tc_admin").get(reverse("intake:burden")).status_code == 200
