"""The lean bulk load: totals equal a recomputation, the log verifies, bad input changes nothing."""

from datetime import date
from decimal import Decimal

import pytest

from gongfen.audit.models import AuditEvent
from gongfen.common import DomainError
from gongfen.ledger import services
from gongfen.ledger.bulkload import entries_bulk_load
from gongfen.ledger.models import Entry, EntryEvent, EntryKind, EntryStatus, RuleTotal
from gongfen.ledger.selectors import totals_mismatches
from gongfen.trust.models import LogLeaf
from gongfen.trust.selectors import log_head, log_verify
from tests.factories import ACTOR, example_bundle, load

pytestmark = pytest.mark.django_db

CADRES = ["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08"]
RULES = ["Z-DAY", "R-TASK", "S-RES", "S-INV", "D-ERR"]
STATUSES = ["approved", "approved", "approved", "pending", "rejected", "revoked", "declared"]


@pytest.fixture
def qixi():
    load(example_bundle())


def rows(n: int, prefix: str = "BL"):
    """A generator (read once), mixing tuples and bundle-style dicts, every status, quarters 1–4."""
    for i in range(n):
        day = date(2026, 1 + (i * 7) % 12, 1 + i % 28)
        row = (f"{prefix}{i:05d}", CADRES[i % 8], "QX-2026", RULES[i % 5], day, 1 + i % 3, STATUSES[i % 7])
        if i % 4 == 0:
            yield dict(zip(("id", "cadre", "scheme", "rule", "occurred_on", "quantity", "status"), row, strict=True))
        else:
            yield row


def test_load_keeps_totals_log_and_audit_right(qixi):
    events_before = EntryEvent.objects.count()
    totals_before = {(t.cadre_id, t.rule_id, t.period): t.amount for t in RuleTotal.objects.all()}
    seen = []
    report = entries_bulk_load(actor=ACTOR, rows=rows(700), chunk_size=128, progress=seen.append)
    assert report.entries == 700 and seen[-1] == 700 and len(seen) == 6  # 5 full chunks and a last one
    revoked = sum(1 for i in range(700) if STATUSES[i % 7] == "revoked")
    assert report.reversals == revoked == Entry.objects.filter(kind=EntryKind.REVERSAL, code__startswith="BL").count()
    assert EntryEvent.objects.count() - events_before == 700 + revoked == report.events
    assert totals_mismatches() == []  # gongfen check: maintained totals == recomputation from the ledger
    result = log_verify()  # gongfen verify: every leaf recomputed from the stored rows
    assert result.intact, result.problems[:3]
    assert log_head()[0] == LogLeaf.objects.count()
    # a posted row counts at the rule's points; a pending one not at all; a revoked one nets to nothing
    e = Entry.objects.get(code="BL00001")  # A02 R-TASK ×2 approved
    assert e.posted and e.amount == Decimal("3") and e.status == EntryStatus.APPROVED
    assert not Entry.objects.get(code="BL00003").posted  # pending
    r = Entry.objects.get(code="BL00005~R1")
    assert r.reverses.code == "BL00005" and r.amount == -r.reverses.amount
    assert {(t.cadre_id, t.rule_id, t.period) for t in RuleTotal.objects.all()} >= set(totals_before)
    assert AuditEvent.objects.filter(action="entries.bulk_load").count() == 1


def test_loaded_entries_move_on_through_the_services(qixi):
    entries_bulk_load(actor=ACTOR, rows=rows(30))
    pending = Entry.objects.get(code="BL00003")
    services.entry_approve(actor=ACTOR, entry=pending)
    services.entry_revoke(actor=ACTOR, entry=Entry.objects.get(code="BL00001"), reason="测试撤销")
    assert totals_mismatches() == []
    assert log_verify().intact


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (("X1", "NOBODY", "QX-2026", "R-TASK", date(2026, 8, 1), 1, "approved"), "没有干部 NOBODY"),
        (("X1", "A01", "QX-2026", "B-GEN", date(2026, 8, 1), 1, "approved"), "岗位分规则"),
        (("X1", "A01", "QX-2026", "NO-RULE", date(2026, 8, 1), 1, "approved"), "没有规则 NO-RULE"),
        (("X1", "A01", "QX-2026", "R-TASK", date(2025, 8, 1), 1, "approved"), "不在考核方案"),
        (("X1", "A01", "QX-2026", "R-TASK", "2026-13-01", 1, "approved"), "不是 YYYY-MM-DD"),
        (("X1", "A01", "QX-2026", "R-TASK", date(2026, 8, 1), 0, "approved"), "须大于 0"),
        (("X1", "A01", "QX-2026", "R-TASK", date(2026, 8, 1), 1, "done"), "状态 'done' 无效"),
        (("BL00002", "A01", "QX-2026", "R-TASK", date(2026, 8, 1), 1, "approved"), "重复"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_loaded(qixi, bad, message):
    before = (Entry.objects.count(), EntryEvent.objects.count(), LogLeaf.objects.count())
    totals = sorted(RuleTotal.objects.values_list("cadre_id", "rule_id", "period", "amount", "count"))
    with pytest.raises(DomainError) as caught:
        entries_bulk_load(actor=ACTOR, rows=[*rows(5), bad], chunk_size=4)
    assert message in caught.value.message
    if message != "重复":
        assert "第 6 行" in caught.value.message
    assert (Entry.objects.count(), EntryEvent.objects.count(), LogLeaf.objects.count()) == before
    assert sorted(RuleTotal.objects.values_list("cadre_id", "rule_id", "period", "amount", "count")) == totals
