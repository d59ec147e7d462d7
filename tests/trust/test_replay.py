"""Issue 14 item 3: `gongfen verify` replays every entry from its events and names one changed with SQL.

The log's leaves fix what each event said, but not an entry's status or whether it is posted, and an
entry with no event has no leaf: these are the direct database edits that passed `verify` and `check`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryEvent, RuleTotal
from gongfen.ledger.selectors import totals_mismatches
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule
from gongfen.trust.replay import fold
from gongfen.trust.selectors import log_verify
from tests.trust.test_log import activity, run
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
DAY = date(2026, 8, 3)
ENTRY = Entry._meta.db_table
TOTAL = RuleTotal._meta.db_table


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def pending(county) -> Entry:
    task = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    return ledger.entry_declare(
        actor=Actor(county["a01"]), cadre=Cadre.objects.get(code="A01"), rule=task, occurred_on=DAY
    )


def test_a_workspace_changed_only_through_the_services_replays_clean(county, capsys):
    activity()
    a01, reviewer = Actor(county["a01"]), Actor(county["qx_reviewer"])
    approved = pending(county)
    ledger.entry_approve(actor=reviewer, entry=approved, reason="核实")
    ledger.entry_revoke(actor=reviewer, entry=approved, reason="重复")
    ledger.entry_reject(actor=reviewer, entry=pending(county), reason="佐证不足")
    withdrawn = ledger.entry_withdraw(actor=a01, entry=pending(county))
    withdrawn = ledger.entry_draft_update(actor=a01, entry=withdrawn, occurred_on=DAY, quantity=Decimal(3))
    ledger.entry_draft_delete(actor=a01, entry=withdrawn)
    assert totals_mismatches() == []
    result = log_verify()
    assert result.intact, result.problems
    code, out, _ = run(capsys, "verify")
    assert code == 0 and "intact" in out


def test_a_pending_entry_flipped_to_approved_with_its_total_adjusted_is_named(county, capsys):
    entry = pending(county)
    assert run(capsys, "verify")[0] == 0
    # the attack: approve by hand and keep the maintained total in step, so `check` passes
    sql(
        f"UPDATE {ENTRY} SET status = 'approved', posted = %s, points = 9999, amount = 9999, rule_version = 1 "
        "WHERE id = %s",
        [True, entry.pk],
    )
    key = [entry.cadre_id, entry.scheme_id, entry.rule_id, entry.period]
    where = "cadre_id = %s AND scheme_id = %s AND rule_id = %s AND period = %s"
    if RuleTotal.objects.filter(cadre_id=key[0], scheme_id=key[1], rule_id=key[2], period=key[3]).exists():
        sql(f"UPDATE {TOTAL} SET amount = amount + 9999, count = count + 1, quantity = quantity + 1 WHERE {where}", key)
    else:
        sql(
            f"INSERT INTO {TOTAL} (cadre_id, scheme_id, rule_id, period, amount, count, quantity) "
            "VALUES (%s, %s, %s, %s, 9999, 1, 1)",
            key,
        )
    assert run(capsys, "check")[0] == 0  # the totals agree with the ledger: `check` cannot see it
    code, out, err = run(capsys, "verify")
    assert code == 1 and "intact" not in out
    assert f"记录 {entry.code}" in err and "状态为“已通过”，而其事件重放得“待审核”" in err


def test_a_new_approved_entry_inserted_with_no_event_is_named(county, capsys):
    model = Entry.objects.get(code="E03")
    sql(
        f"INSERT INTO {ENTRY} (code, cadre_id, scheme_id, rule_id, occurred_on, period, quantity, description, "
        "status, kind, sign, posted, rule_version, points, amount, veto, recorded_by_label, recorded_at, "
        "decided_by_label, decision_reason) "
        "SELECT 'GHOST1', cadre_id, scheme_id, rule_id, occurred_on, period, quantity, '', 'approved', 'normal', "
        "1, posted, rule_version, 5000, 5000 * quantity, veto, recorded_by_label, recorded_at, '', '' "
        f"FROM {ENTRY} WHERE id = %s",
        [model.pk],
    )
    sql(
        f"UPDATE {TOTAL} SET amount = amount + 5000 * %s, count = count + 1, quantity = quantity + %s "
        "WHERE cadre_id = %s AND scheme_id = %s AND rule_id = %s AND period = %s",
        [model.quantity, model.quantity, model.cadre_id, model.scheme_id, model.rule_id, model.period],
    )
    assert run(capsys, "check")[0] == 0
    code, _, err = run(capsys, "verify")
    assert code == 1 and "记录 GHOST1" in err and "没有任何事件" in err


def test_a_ghost_reversal_and_a_total_changed_alone_are_named(county, capsys):
    original = Entry.objects.get(code="E03")
    sql(
        f"INSERT INTO {ENTRY} (code, cadre_id, scheme_id, rule_id, occurred_on, period, quantity, description, "
        "status, kind, reverses_id, sign, posted, rule_version, points, amount, veto, recorded_by_label, "
        "recorded_at, decided_by_label, decision_reason) "
        "SELECT 'E03~R9', cadre_id, scheme_id, rule_id, occurred_on, period, quantity, '', 'approved', 'reversal', "
        "id, 1, posted, rule_version, -points, -amount, veto, recorded_by_label, recorded_at, '', '' "
        f"FROM {ENTRY} WHERE id = %s",
        [original.pk],
    )
    sql(f"UPDATE {TOTAL} SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM {TOTAL})", [])
    code, _, err = run(capsys, "verify")
    assert code == 1 and "记录 E03~R9" in err and "原记录没有撤销或重算事件" in err
    assert "工分小计" in err


def test_posted_and_points_changed_on_entries_whose_leaves_do_not_hold_them_are_named(county, capsys):
    rejected = pending(county)
    ledger.entry_reject(actor=Actor(county["qx_reviewer"]), entry=rejected, reason="不符")
    draft = pending(county)
    sql(f"UPDATE {ENTRY} SET posted = %s WHERE code = 'E03'", [False])
    sql(f"UPDATE {ENTRY} SET points = 3 WHERE id = %s", [draft.pk])
    sql(f"UPDATE {ENTRY} SET status = 'approved' WHERE id = %s", [rejected.pk])
    code, _, err = run(capsys, "verify")
    assert code == 1
    assert "记录 E03" in err and "入账标记" in err
    assert f"记录 {draft.code}" in err and "未入账却带有分值" in err
    assert f"记录 {rejected.code}" in err and "重放得“已退回”" in err


def test_fold_follows_the_lifecycle_and_refuses_an_impossible_order():
    assert fold([("declare", {}), ("submit", {}), ("approve", {"points": "2"})]) == {
        "status": "approved",
        "posted": True,
        "points": Decimal("2"),
        "quantity": None,
        "error": None,
    }
    assert fold([("import", {"status": "revoked"})])["posted"] is True
    assert fold([("declare", {}), ("submit", {}), ("withdraw", {}), ("delete", {})])["status"] == "deleted"
    assert fold([("declare", {}), ("approve", {"points": "1"})])["error"]  # approved without being submitted
    assert fold([("declare", {}), ("submit", {}), ("approve", {}), ("rescore", {"to_version": 2})])["status"] == (
        "revoked"
    )
    assert EntryEvent.Action.values  # every action the model knows is one fold knows
    for action in EntryEvent.Action.values:
        assert "未知" not in (fold([(action, {})])["error"] or "")


def test_an_edited_draft_keeps_its_log_and_a_quantity_changed_after_is_named(county, capsys):
    a01 = Actor(county["a01"])
    draft = ledger.entry_withdraw(actor=a01, entry=pending(county))
    draft = ledger.entry_draft_update(actor=a01, entry=draft, occurred_on=date(2026, 7, 1), quantity=Decimal(2))
    draft = ledger.entry_draft_update(actor=a01, entry=draft, occurred_on=DAY, quantity=Decimal(4), description="改")
    ledger.entry_submit(actor=a01, entry=draft)
    assert log_verify().intact, log_verify().problems
    sql(f"UPDATE {ENTRY} SET quantity = 40 WHERE id = %s", [draft.pk])
    code, _, err = run(capsys, "verify")
    assert code == 1 and draft.code in err and "数量为 40" in err
