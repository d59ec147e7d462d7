"""Group declarations: one declaration for eight cadres of three units; each gets an entry; one decision for all."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

import tests.web_fixtures
from gongfen.accounts.models import User
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.intake.groups import group_decide, group_declare
from gongfen.intake.models import GroupMember
from gongfen.ledger.models import EntryStatus, RuleTotal
from gongfen.ledger.selectors import totals_mismatches
from gongfen.notices.models import Notice
from gongfen.org.models import Cadre, Post, Unit
from gongfen.org.services import cadre_create
from gongfen.schemes.models import Rule

pytestmark = pytest.mark.django_db
DAY = date(2026, 9, 15)
MEMBERS = ["A01", "A02", "A03", "A04", "A05", "A06", "A08", "A09"]


@pytest.fixture(autouse=True)
def _three_units(monkeypatch):
    """The county with office 齐溪镇农办 (QX-NB) under 齐溪镇, where A05 and A06 work."""
    original = tests.web_fixtures.example_bundle

    def bundle():
        data = original()
        data["units"].append({"code": "QX-NB", "name": "齐溪镇农办", "kind": "office", "parent": "QX"})
        for cadre in data["cadres"]:
            if cadre["code"] in ("A05", "A06"):
                cadre["posts"][0]["unit"] = "QX-NB"
        return data

    monkeypatch.setattr(tests.web_fixtures, "example_bundle", bundle)


@pytest.fixture
def declaration(county):
    cadre_create(
        actor=Actor(None, "test"),
        code="A09",
        name="甲九",
        unit=Unit.objects.get(code="QX-NB"),
        position="干部",
        start=date(2026, 1, 1),
    )
    return group_declare(
        actor=Actor(User.objects.get(username="qx_admin")),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        cadres=list(Cadre.objects.filter(code__in=MEMBERS)),
        occurred_on=DAY,
        quantity=Decimal(2),
        description="森林防火联合巡查",
    )


def quantitative(code: str) -> Decimal:
    """The cadre's maintained total of the quarter (A06 starts too late in it to be ranked)."""
    found = RuleTotal.objects.filter(cadre__code=code, period="2026Q3").aggregate(s=Sum("amount"))["s"]
    return found or Decimal(0)


def test_each_member_gets_their_own_entry_and_is_told(declaration):
    members = list(declaration.members.select_related("cadre", "entry__cadre"))
    assert sorted(m.cadre.code for m in members) == MEMBERS
    held = Post.objects.filter(cadre__code__in=MEMBERS, end__isnull=True).exclude(unit__code="SK")  # A01's task force
    assert set(held.values_list("unit__code", flat=True)) == {"QX", "QX-WL", "QX-NB"}
    assert all(m.entry.cadre_id == m.cadre_id and m.entry.status == EntryStatus.PENDING for m in members)
    assert all(declaration.code in m.entry.description for m in members)
    assert (
        Notice.objects.filter(title__contains="集体申报", user__username__in=["a01", "a04", "qx_reviewer"]).count() == 3
    )


def test_one_decision_for_all_moves_every_total(declaration, login):
    before = {code: quantitative(code) for code in MEMBERS}
    response = login("org").post(
        f"/intake/groups/{declaration.code}/decide/", {"decision": "approve", "reason": "属实"}
    )
    assert response.status_code == 302
    assert all(m.entry.status == EntryStatus.APPROVED for m in declaration.members.select_related("entry"))
    for code in MEMBERS:
        assert quantitative(code) - before[code] == Decimal(3), code  # 2 × 1.5 points each
    assert totals_mismatches() == []
    assert AuditEvent.objects.filter(action="intake.group.approve", object_id=declaration.code).exists()


def test_four_eyes_for_the_group_too(declaration, login):
    reviewer = User.objects.get(username="qx_reviewer")  # is A02, a member
    with pytest.raises(DomainError, match="本人"):
        group_decide(actor=Actor(reviewer), declaration=declaration, decision="approve")
    assert not declaration.members.filter(entry__status=EntryStatus.APPROVED).exists()
    declarer = User.objects.get(username="qx_admin")
    with pytest.raises(DomainError):
        group_decide(actor=Actor(declarer), declaration=declaration, decision="approve")
    assert (
        login("qx_admin").post(f"/intake/groups/{declaration.code}/decide/", {"decision": "approve"}).status_code == 403
    )


def test_per_person_then_the_rest(declaration, login):
    client = login("qx_reviewer")
    client.post(
        f"/intake/groups/{declaration.code}/decide/", {"decision": "reject", "cadre": "A04", "reason": "未参加"}
    )
    member = GroupMember.objects.get(declaration=declaration, cadre__code="A04")
    assert member.entry.status == EntryStatus.REJECTED
    login("org").post(f"/intake/groups/{declaration.code}/decide/", {"decision": "approve"})
    statuses = dict(declaration.members.values_list("cadre__code", "entry__status"))
    assert statuses.pop("A04") == EntryStatus.REJECTED
    assert set(statuses.values()) == {EntryStatus.APPROVED}


def test_the_declarer_must_be_allowed_for_every_member(county):
    lead = User.objects.get(username="sk_lead")  # may declare special-task rules for task-force members only
    with pytest.raises(DomainError, match="甲四"):
        group_declare(
            actor=Actor(lead),
            rule=Rule.objects.get(scheme__code="QX-2026", code="S-RES"),
            cadres=list(Cadre.objects.filter(code__in=["A01", "A04"])),
            occurred_on=DAY,
            quantity=Decimal(1),
            description="征迁攻坚",
        )
    assert not GroupMember.objects.exists()


def test_the_form_declares_for_the_chosen_members(county, login):
    client = login("qx_admin")
    assert client.get("/intake/groups/new/").status_code == 200
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    cadres = [Cadre.objects.get(code=c).pk for c in ("A01", "A04", "A05")]
    response = client.post(
        "/intake/groups/new/",
        {"rule": rule.pk, "cadres": cadres, "occurred_on": "2026-09-15", "quantity": "1", "description": "防汛值守"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(GroupMember.objects.values_list("cadre__code", flat=True)) == ["A01", "A04", "A05"]
