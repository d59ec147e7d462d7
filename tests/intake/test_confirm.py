"""Confirm instead of declare: the cadre's 待确认 list, one tap to confirm or dispute, review under four eyes."""

from decimal import Decimal

import pytest

from gongfen.accounts.models import User
from gongfen.accounts.permissions import review_refusal
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.intake import services
from gongfen.intake.models import Proposal, ProposalStatus
from gongfen.ledger import services as ledger
from gongfen.ledger.models import EntryEvent, EntryStatus, RuleTotal
from gongfen.notices.models import Notice

from .conftest import post, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(client, source):
    post(client, source.token_text, [record(1), record(2), record(3, person="zzd-A01")])
    return {p.source_record_id: p for p in Proposal.objects.all()}


def test_the_cadre_is_told_and_sees_only_their_own(proposals, login):
    assert Notice.objects.filter(user__username="a04", title__contains="2 条").exists()
    page = login("a04").get("/intake/pending/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="card proposal"') == 2 and "基层治理一件事" in text and "yjs://case/1" in text


def test_confirming_declares_a_pending_entry_with_the_source_as_evidence(proposals, login):
    client = login("a04")
    response = client.post(f"/intake/pending/{proposals['YJS-1'].pk}/confirm/")
    assert response.status_code == 302
    proposal = Proposal.objects.get(pk=proposals["YJS-1"].pk)
    entry = proposal.entry
    assert proposal.status == ProposalStatus.CONFIRMED and entry.status == EntryStatus.PENDING
    assert entry.cadre.code == "A04" and entry.recorded_by.username == "a04" and entry.quantity == 1
    assert "来源：基层治理一件事（记录号 YJS-1）" in entry.description and "yjs://case/1" in entry.description
    declare = EntryEvent.objects.get(entry=entry, action="declare")
    assert declare.data["source"] == "YJS:YJS-1"
    assert AuditEvent.objects.filter(action="intake.proposal.confirm", object_id="YJS/YJS-1").exists()


def test_evidence_is_optional_where_the_source_vouches(county, source, client):
    from gongfen.schemes.models import Rule

    rule = Rule.objects.get(scheme__code="QX-2026", code="S-INV")  # evidence_required in the fixture
    source.rules.add(rule)
    post(client, source.token_text, [record(9, rule="S-INV")])
    entry = services.proposal_confirm(actor=Actor(User.objects.get(username="a04")), proposal=Proposal.objects.get())
    assert entry.status == EntryStatus.PENDING and not entry.evidence.exists()


def test_nobody_else_confirms_and_nothing_is_confirmed_twice(proposals, login):
    proposal = proposals["YJS-1"]
    for username in ("a01", "qx_admin", "org"):
        with pytest.raises(DomainError, match="本人"):
            services.proposal_confirm(actor=Actor(User.objects.get(username=username)), proposal=proposal)
        assert login(username).post(f"/intake/pending/{proposal.pk}/confirm/").status_code == 404
    a04 = Actor(User.objects.get(username="a04"))
    services.proposal_confirm(actor=a04, proposal=proposal)
    with pytest.raises(DomainError, match="已确认"):
        services.proposal_confirm(actor=a04, proposal=proposal)


def test_review_follows_four_eyes_and_moves_the_total(proposals):
    a04 = User.objects.get(username="a04")
    entry = services.proposal_confirm(actor=Actor(a04), proposal=proposals["YJS-1"])
    assert review_refusal(a04, entry) is not None
    reviewer = User.objects.get(username="qx_reviewer")
    assert review_refusal(reviewer, entry) is None
    ledger.entry_approve(actor=Actor(reviewer), entry=entry)
    total = RuleTotal.objects.get(cadre__code="A04", rule__code="R-TASK", period="2026Q3")
    assert total.amount >= Decimal("1.5")


def test_declining_needs_a_reason_and_tells_the_owner(proposals, login):
    proposal = proposals["YJS-2"]
    client = login("a04")
    client.post(f"/intake/pending/{proposal.pk}/decline/", {"reason": ""})
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.PROPOSED
    response = client.post(
        f"/intake/pending/{proposal.pk}/decline/", {"reason": "当天我在外培训"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="pending"' in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED and proposal.decline_reason == "当天我在外培训"
    assert proposal.entry is None
    assert Notice.objects.filter(user__username="qx_admin", body="当天我在外培训").exists()
    assert AuditEvent.objects.get(action="intake.proposal.decline").reason == "当天我在外培训"
    page = login("qx_admin").get("/intake/sources/YJS/").content.decode()
    assert "当天我在外培训" in page


def test_the_pending_list_takes_the_same_queries_whatever_its_length(client, source, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = login("a04")
    post(client, source.token_text, [record(n) for n in range(2)])
    with CaptureQueriesContext(connection) as few:
        assert page.get("/intake/pending/").content.decode().count('class="card proposal"') == 2
    post(client, source.token_text, [record(n) for n in range(2, 12)])
    with CaptureQueriesContext(connection) as many:
        assert page.get("/intake/pending/").content.decode().count('class="card proposal"') == 12
    assert len(many.captured_queries) == len(few.captured_queries) > 0
