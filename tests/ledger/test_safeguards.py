"""The author's safeguards (issue 18): withdraw a pending declaration, edit or delete a draft, and the
duplicate warning on the form, on the entry page and in the review queue.

Each write goes through its ledger service: it checks who asks, changes state by an event (never a delete),
audits, and leaves the maintained totals alone (nothing it touches was ever posted).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.ledger import services
from gongfen.ledger.models import Entry, EntryStatus, RuleTotal
from gongfen.ledger.page_selectors import my_declarations
from tests.ledger.test_views import BUNDLE_ENTRIES, declare, pinned, post_declare, rule, user  # noqa: F401
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF


def totals() -> list[tuple]:
    return sorted(RuleTotal.objects.values_list("cadre_id", "rule_id", "period", "amount", "count"))


def events(entry: Entry) -> list[str]:
    return list(entry.events.order_by("id").values_list("action", flat=True))


# --- services ---------------------------------------------------------------------------------


def test_withdraw_sends_a_pending_declaration_back_to_a_draft_by_an_event(county):
    entry, before = declare(), totals()
    services.entry_withdraw(actor=Actor(user("a01")), entry=entry, reason="数量填错")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DECLARED
    assert events(entry) == ["declare", "submit", "withdraw"]
    audit = AuditEvent.objects.get(action="entry.withdraw", object_id=entry.code)
    assert audit.before["status"] == "pending" and audit.after["status"] == "declared" and audit.reason == "数量填错"
    assert totals() == before  # nothing was posted, nothing moves
    services.entry_submit(actor=Actor(user("a01")), entry=entry)  # and it may be submitted again
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_only_the_author_withdraws_and_only_while_pending(county):
    entry = declare()
    for other in ("qx_reviewer", "qx_admin", "a04"):
        with pytest.raises(DomainError) as refused:
            services.entry_withdraw(actor=Actor(user(other)), entry=entry)
        assert refused.value.code == "not_author"
    services.entry_approve(actor=Actor(user("qx_reviewer")), entry=entry)
    with pytest.raises(DomainError) as decided:
        services.entry_withdraw(actor=Actor(user("a01")), entry=entry)
    assert decided.value.code == "wrong_state" and "已通过" in decided.value.message
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED and entry.posted
    assert not AuditEvent.objects.filter(action="entry.withdraw").exists()


def test_a_draft_is_edited_as_a_new_declaration_would_be_checked(county):
    draft = declare(submit=False)
    services.entry_draft_update(
        actor=Actor(user("a01")), entry=draft, occurred_on=date(2026, 9, 30), quantity=Decimal(3), description="改"
    )
    draft.refresh_from_db()
    assert (draft.occurred_on, draft.period, draft.quantity, draft.description) == (
        date(2026, 9, 30),
        "2026Q3",
        Decimal(3),
        "改",
    )
    audit = AuditEvent.objects.get(action="entry.edit")
    assert audit.before["quantity"] == "2.0000" and audit.after["quantity"] == "3"
    assert events(draft) == ["declare", "edit"]
    for day, quantity, field in ((date(2026, 12, 1), 1, "occurred_on"), (date(2026, 10, 1), 0, "quantity")):
        with pytest.raises(DomainError) as bad:
            services.entry_draft_update(actor=Actor(user("a01")), entry=draft, occurred_on=day, quantity=quantity)
        assert bad.value.field == field
    pending = declare()
    with pytest.raises(DomainError, match="请先撤回"):
        services.entry_draft_update(actor=Actor(user("a01")), entry=pending, occurred_on=date(2026, 10, 1), quantity=1)


def test_a_deleted_draft_leaves_the_lists_but_not_the_ledger(county):
    draft = declare(submit=False)
    with pytest.raises(DomainError):
        services.entry_draft_delete(actor=Actor(user("qx_admin")), entry=draft)
    services.entry_draft_delete(actor=Actor(user("a01")), entry=draft)
    draft.refresh_from_db()
    assert draft.status == EntryStatus.DELETED and events(draft) == ["declare", "delete"]
    assert Entry.objects.filter(pk=draft.pk).exists()  # a status, never a DELETE
    assert draft not in my_declarations(user("a01"))
    assert draft in my_declarations(user("a01"), status=EntryStatus.DELETED)
    assert AuditEvent.objects.filter(action="entry.delete", object_id=draft.code).exists()
    with pytest.raises(DomainError, match="只有草稿可以删除"):
        services.entry_draft_delete(actor=Actor(user("a01")), entry=declare())


# --- pages ------------------------------------------------------------------------------------


def test_the_entry_page_offers_withdraw_then_edit_and_delete(county, login):
    client = login("a01")
    entry = declare()
    url = reverse("ledger:entry", args=[entry.code])
    page = client.get(url).content.decode()
    assert "撤回申报" in page and "删除草稿" not in page
    assert "撤回申报" not in login("qx_reviewer").get(url).content.decode()
    client = login("a01")
    assert client.post(reverse("ledger:withdraw", args=[entry.code])).status_code == 302
    page = client.get(url).content.decode()
    assert "修改草稿" in page and "删除草稿" in page and "撤回申报" not in page
    edit = reverse("ledger:draft_edit", args=[entry.code])
    assert client.get(edit).status_code == 200
    refused = client.post(edit, {"occurred_on": "2026-10-09", "quantity": "0", "description": "x"})
    assert refused.status_code == 200 and refused.context["form"].errors["quantity"]
    saved = client.post(edit, {"occurred_on": "2026-10-09", "quantity": "1.5", "description": "走访 2 户"})
    assert saved.status_code == 302
    entry.refresh_from_db()
    assert (entry.quantity, entry.description) == (Decimal("1.5"), "走访 2 户")
    assert client.post(reverse("ledger:draft_delete", args=[entry.code])).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DELETED
    assert entry.code not in client.get(reverse("ledger:declarations")).content.decode()


def test_a_repeated_declaration_is_flagged_and_needs_a_confirmation(county, login):
    client = login("a01")
    first = post_declare(client, rule=rule("R-TASK").pk)
    assert first.status_code == 302
    again = post_declare(client, rule=rule("R-TASK").pk)  # Back + resubmit, or the same work twice
    assert again.status_code == 200 and 'id="duplicate-warning"' in again.content.decode()
    assert Entry.objects.count() == BUNDLE_ENTRIES + 1
    other_work = post_declare(client, rule=rule("R-TASK").pk, description="走访 5 户")
    assert other_work.status_code == 302  # a different description is different work
    confirmed = post_declare(client, rule=rule("R-TASK").pk, confirm_duplicate="1")
    assert confirmed.status_code == 302 and Entry.objects.count() == BUNDLE_ENTRIES + 3


def test_the_same_evidence_file_is_flagged_whatever_else_differs(county, login):
    client = login("a01")

    def pdf():
        return SimpleUploadedFile("合同.pdf", MINIMAL_PDF, content_type="application/pdf")

    assert post_declare(client, rule=rule("S-INV").pk, quantity="1", evidence=[pdf()]).status_code == 302
    again = post_declare(client, rule=rule("S-INV").pk, quantity="3", description="另一份", evidence=[pdf()])
    assert again.status_code == 200 and 'id="duplicate-warning"' in again.content.decode()
    assert Entry.objects.count() == BUNDLE_ENTRIES + 1


def test_the_reviewer_sees_the_duplicate_flag(county, login):
    one, two = declare(), declare()  # the same work declared twice (through the service: no form to warn)
    third = declare(day=date(2026, 10, 9))
    page = login("qx_reviewer").get(reverse("ledger:review"))
    rows = {row.code: row.duplicates for row in page.context["rows"]}
    assert rows[one.code] == [two.code] and rows[two.code] == [one.code] and rows[third.code] == []
    assert "疑似重复" in page.content.decode()
    entry_page = login("qx_reviewer").get(reverse("ledger:entry", args=[one.code])).content.decode()
    assert 'id="duplicate-warning"' in entry_page and two.code in entry_page
    services.entry_withdraw(actor=Actor(user("a01")), entry=two)
    services.entry_draft_delete(actor=Actor(user("a01")), entry=two)
    rows = {row.code: row.duplicates for row in login("qx_reviewer").get(reverse("ledger:review")).context["rows"]}
    assert rows[one.code] == []  # a deleted draft repeats nothing


# --- what a pending entry really adds after the caps ------------------------------------------------


def test_the_review_queue_shows_what_an_entry_really_adds_after_the_caps(county, login):
    from gongfen.rankings.selectors import group_by_code, group_ranking

    def q_of_a01() -> Decimal:
        return next(r for r in group_ranking(group_by_code("QX-ALL"), "2026Q3").rows if r.cadre == "A01").quantitative

    capped = declare(by="qx_admin", code="S-RES", day=date(2026, 9, 1), quantity="1")  # S-RES is at its cap of 12
    free = declare(by="qx_admin", code="R-TASK", day=date(2026, 9, 1), quantity="2")  # R-TASK has no cap
    page = login("qx_reviewer").get(reverse("ledger:review"))
    rows = {row.code: row for row in page.context["rows"]}
    assert rows[capped.code].would_get == Decimal(4) and rows[capped.code].held_by_caps
    assert not rows[free.code].held_by_caps and rows[free.code].really_adds == Decimal(3)
    assert "受上限限制" in page.content.decode()
    for entry in (capped, free):  # what the queue promised is what approving does to the ranking
        before = q_of_a01()
        services.entry_approve(actor=Actor(user("qx_reviewer")), entry=entry)
        assert q_of_a01() - before == rows[entry.code].really_adds
