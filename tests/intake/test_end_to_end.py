"""The issue's walk-through: a source posts 50 records (3 for unknown people, 2 for a rule outside its scope),
posts them again (nothing new), cadres confirm 40 and dispute 5, reviewers approve, totals equal a recomputation."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.intake.models import Proposal, ProposalStatus
from gongfen.ledger import services as ledger
from gongfen.ledger.models import RuleTotal
from gongfen.ledger.selectors import totals_mismatches

from .conftest import LINKED, post, record

pytestmark = pytest.mark.django_db
USERNAMES = {"A01": "a01", "A02": "qx_reviewer", "A04": "a04"}


def fifty() -> list[dict]:
    batch = []
    for n in range(45):
        cadre = LINKED[n % len(LINKED)]
        batch.append(record(n, person=f"zzd-{cadre}", day="2026-09-15", quantity=str(1 + n % 3)))
    batch += [record(45 + n, person=f"zzd-X{n}", day="2026-09-15") for n in range(3)]
    batch += [record(48 + n, rule="S-RES", day="2026-09-15") for n in range(2)]
    return batch


def test_fifty_records_from_a_source(client, source, county):
    from gongfen.accounts.services import user_create
    from gongfen.org.models import Cadre
    from tests.web_fixtures import ACTOR, PASSWORD

    for code in ("A03", "A05", "A06", "A08"):  # every linked cadre has an account to confirm with
        USERNAMES[code] = code.lower()
        user_create(actor=ACTOR, username=code.lower(), password=PASSWORD, cadre=Cadre.objects.get(code=code))
    before = RuleTotal.objects.aggregate(s=Sum("amount"))["s"]

    first = post(client, source.token_text, fifty(), partial=True).json()
    assert first["created"] == 45
    refused = {(r["index"], r["code"]) for r in first["refused"]}
    assert refused == {(45, "unknown_person"), (46, "unknown_person"), (47, "unknown_person")} | {
        (48, "rule_out_of_scope"),
        (49, "rule_out_of_scope"),
    }
    again = post(client, source.token_text, fifty(), partial=True).json()
    assert again["created"] == 0 and again["unchanged"] == 45 and len(again["refused"]) == 5
    assert Proposal.objects.count() == 45

    proposals = list(Proposal.objects.order_by("pk"))
    disputed, confirmed = proposals[:5], proposals[5:]
    for p in disputed:
        client.force_login(User.objects.get(username=USERNAMES[p.cadre.code]))
        assert client.post(f"/intake/pending/{p.pk}/decline/", {"reason": "数量不对"}).status_code == 302
    for p in confirmed:
        client.force_login(User.objects.get(username=USERNAMES[p.cadre.code]))
        assert client.post(f"/intake/pending/{p.pk}/confirm/").status_code == 302
    assert Proposal.objects.filter(status=ProposalStatus.DECLINED).count() == 5
    assert Proposal.objects.filter(status=ProposalStatus.CONFIRMED).count() == 40

    org, reviewer = User.objects.get(username="org"), User.objects.get(username="qx_reviewer")
    for p in Proposal.objects.filter(status=ProposalStatus.CONFIRMED).select_related("entry"):
        decider = org if p.cadre.code == "A02" else reviewer  # the reviewer is A02: never their own
        ledger.entry_approve(actor=Actor(decider), entry=p.entry)

    expected = sum((p.quantity * p.rule.points for p in confirmed), Decimal(0))
    assert RuleTotal.objects.aggregate(s=Sum("amount"))["s"] - before == expected
    assert totals_mismatches() == []
    # the source's owner sees the five disputes
    page = client.get("/intake/sources/YJS/")
    assert page.status_code == 404  # the last user logged in is a cadre, not the owner
    client.force_login(User.objects.get(username="qx_admin"))
    assert client.get("/intake/sources/YJS/").content.decode().count("数量不对") == 5
