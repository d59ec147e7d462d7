"""The ledger's services: legal moves, illegal ones refused with nothing changed, rule versions, audit."""

from datetime import date
from decimal import Decimal

import pytest

from gongfen.audit.models import AuditEvent
from gongfen.common import DomainError
from gongfen.ledger import services
from gongfen.ledger.models import Entry, EntryEvent, EntryKind, EntryStatus, RuleTotal
from gongfen.org.models import Cadre
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import Rule
from tests.factories import ACTOR, example_bundle, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def qixi():
    load(example_bundle())


def rule(code):
    return Rule.objects.get(scheme__code="QX-2026", code=code)


def declare(code="R-TASK", cadre="A04", day=date(2026, 8, 1), quantity=Decimal(2), **kw):
    return services.entry_declare(
        actor=ACTOR, cadre=Cadre.objects.get(code=cadre), rule=rule(code), occurred_on=day, quantity=quantity, **kw
    )


def row(cadre, period="2026Q3"):
    ranking = group_ranking(group_by_code("QX-ALL"), period)
    return next(r for r in ranking.rows if r.cadre == cadre)


def test_declare_approve_moves_the_total_and_the_ranking(qixi):
    before = row("A04").quantitative
    entry = declare()
    assert entry.status == EntryStatus.PENDING and entry.period == "2026Q3"
    assert row("A04").quantitative == before  # pending counts for nothing
    services.entry_approve(actor=ACTOR, entry=entry)
    assert row("A04").quantitative == before + Decimal(3)
    actions = list(EntryEvent.objects.filter(entry=entry).values_list("action", flat=True))
    assert actions == ["declare", "submit", "approve"]
    assert AuditEvent.objects.filter(action="entry.approve", object_id=entry.code).exists()


def test_declared_entry_must_be_submitted_or_decided(qixi):
    entry = declare(submit=False)
    assert entry.status == EntryStatus.DECLARED
    services.entry_submit(actor=ACTOR, entry=entry)
    with pytest.raises(DomainError):
        services.entry_submit(actor=ACTOR, entry=entry)


def test_reject_needs_a_reason_and_counts_nothing(qixi):
    entry = declare()
    with pytest.raises(DomainError, match="理由"):
        services.entry_reject(actor=ACTOR, entry=entry, reason="  ")
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.PENDING
    services.entry_reject(actor=ACTOR, entry=entry, reason="佐证材料不全")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED and entry.decision_reason == "佐证材料不全"
    with pytest.raises(DomainError):
        services.entry_approve(actor=ACTOR, entry=entry)
    total = RuleTotal.objects.get(cadre=entry.cadre, rule=entry.rule, period="2026Q3")
    assert (total.amount, total.count) == (Decimal(9), 1)  # E11 alone (6 × 1.5)


def test_revoke_posts_a_reversing_entry_never_edits(qixi):
    entry = Entry.objects.get(code="E14")  # A05's veto
    assert row("A05").vetoed
    amount = entry.amount
    reversal = services.entry_revoke(actor=ACTOR, entry=entry, reason="处分已撤销")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVOKED and entry.amount == amount and entry.posted
    assert reversal.kind == EntryKind.REVERSAL and reversal.reverses == entry and reversal.amount == -amount
    assert not row("A05").vetoed
    with pytest.raises(DomainError):
        services.entry_revoke(actor=ACTOR, entry=entry, reason="again")
    with pytest.raises(DomainError):
        services.entry_revoke(actor=ACTOR, entry=reversal, reason="reverse the reversal")


def test_base_rules_and_nonpositive_quantities_are_refused(qixi):
    count = Entry.objects.count()
    with pytest.raises(DomainError):
        declare(code="B-GEN")
    with pytest.raises(DomainError):
        declare(quantity=Decimal(0))
    assert Entry.objects.count() == count


def test_an_approved_entry_keeps_its_points_when_the_rule_changes(qixi):
    first = declare()
    services.entry_approve(actor=ACTOR, entry=first)
    r = rule("R-TASK")
    r.points, r.version = Decimal("2.5"), r.version + 1
    r.save()
    second = declare()
    services.entry_approve(actor=ACTOR, entry=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.points, first.rule_version) == (Decimal("1.5"), 1)
    assert (second.points, second.rule_version) == (Decimal("2.5"), 2)


def test_rescore_is_explicit_and_audited(qixi):
    before = row("A04").quantitative  # 60 base + 6 × 1.5
    r = rule("R-TASK")
    r.points, r.version = Decimal(2), r.version + 1
    r.save()
    assert row("A04").quantitative == before  # nothing changes by itself
    created = services.rule_rescore(actor=ACTOR, rule=r, periods=["2026Q3"], reason="细则修订，按新标准重算")
    assert {e.reverses.code for e in created} >= {"E11"}
    assert row("A04").quantitative == before + Decimal(3)  # 6 × (2 − 1.5)
    event = AuditEvent.objects.get(action="rule.rescore")
    assert event.reason == "细则修订，按新标准重算" and set(event.after["entries"]) == {e.code for e in created}
    with pytest.raises(DomainError):
        services.rule_rescore(actor=ACTOR, rule=r, reason="")
