"""The ledger pages: 我的工分, 申报, 我的申报, one entry, its evidence, 待审核.

Every view gets the permission cases (anonymous, no right, permitted, out of
scope, four eyes); writes are checked through their effect on the ledger, the
maintained totals and the board; list pages pin their query counts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.ledger import services
from gongfen.ledger.models import Entry, EntryKind, EntryStatus, Evidence, RuleTotal
from gongfen.org.models import Cadre
from gongfen.publication.services import period_close
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import Rule
from gongfen.scoring import fmt2
from tests.clock import at
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF

TODAY = date(2026, 11, 20)  # the fixture's scheme is of 2026: pin "today" inside it
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTMX = {"HTTP_HX_REQUEST": "true"}
BUNDLE_ENTRIES = 16  # E01…E16 of the qixi example
LINK_E01, LINK_E10 = '/ledger/entry/E01/"', '/ledger/entry/E10/"'  # generated codes may contain "E01"


@pytest.fixture(autouse=True)
def pinned(settings, tmp_path, clock):
    """Evidence files under a temporary folder, and a fixed "today" (late 2026)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast users for the fixture
    clock.move_to(at(TODAY))


def rule(code: str) -> Rule:
    return Rule.objects.get(scheme__code="QX-2026", code=code)


def user(name: str) -> User:
    return User.objects.get(username=name)


def declare(by="a01", cadre="A01", code="R-TASK", day=date(2026, 10, 8), quantity="2", files=(), submit=True):
    """An entry made through the service, as ``by``."""
    return services.entry_declare(
        actor=Actor(user(by)),
        cadre=Cadre.objects.get(code=cadre),
        rule=rule(code),
        occurred_on=day,
        quantity=Decimal(quantity),
        files=files,
        submit=submit,
    )


def post_declare(client, **fields):
    data = {"occurred_on": "2026-10-08", "quantity": "2", "description": "走访 3 户", "intent": "submit"}
    data.update(fields)
    return client.post(reverse("ledger:declare"), data)


def row_of(cadre: str, period: str = "2026Q4"):
    ranking = group_ranking(group_by_code("QX-ALL"), period)
    return next(r for r in ranking.rows if r.cadre == cadre)


def total(cadre: str, code: str, period: str = "2026Q4") -> tuple[Decimal, int]:
    t = RuleTotal.objects.filter(cadre__code=cadre, rule=rule(code), period=period).first()
    return (t.amount, t.count) if t else (Decimal(0), 0)


def evidence_url(entry: Entry, item: Evidence | None = None) -> str:
    item = item or entry.evidence.get()
    return reverse("ledger:evidence", args=[entry.code, item.token])


# --- anonymous ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("mine", [], "get"),
        ("declare", [], "get"),
        ("declarations", [], "get"),
        ("review", [], "get"),
        ("entry", ["E01"], "get"),
        ("evidence", ["E01", "x" * 43], "get"),
        ("review_decide", ["E10"], "post"),
        ("review_bulk", [], "post"),
        ("revoke", ["E01"], "post"),
        ("submit", ["E10"], "post"),
        ("declare", [], "post"),
    ],
)
def test_anonymous_is_sent_to_login(county, client, name, args, method):
    url = reverse(f"ledger:{name}", args=args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert Entry.objects.get(code="E10").status == EntryStatus.PENDING


# --- 我的工分 -------------------------------------------------------------------


def test_mine_shows_my_own_row_breakdown_entries_and_trend(county, login):
    response = login("a01").get(reverse("ledger:mine"), {"period": "2026Q3"})
    assert response.status_code == 200
    html = response.content.decode()
    mine = row_of("A01", "2026Q3")
    assert f'id="q-QX-ALL">{fmt2(mine.quantitative)}<' in html
    assert f"{mine.rank}<span" in html and mine.tier in html
    assert "S-RES 水库征迁攻坚" in html and '<meter min="0" max="12" value="12"' in html  # rule cap
    assert 'aria-label="水库征迁攻坚：16.00 / 上限 12">16.00 / 12</meter> <span class="badge declared">已达上限' in html
    cells = '<td>专项加分</td><td class="num" data-label="累计">18.00</td><td class="num" data-label="计入">15.00</td>'
    assert cells in html  # category cap
    assert "在岗 92 天" in html  # base rule days
    assert html.count('class="trend-col') == 4  # Q1…Q4 of 2026 so far
    for code in ("E01", "E02", "E03", "E04", "E05"):
        assert f"/ledger/entry/{code}/" in html
    assert "E06" not in html and "甲二" not in html and "A02" not in html  # nobody else's row or entries


def test_mine_period_is_selectable_and_a_bad_one_falls_back(county, login):
    client = login("a01")
    q2 = client.get(reverse("ledger:mine"), {"period": "2026Q2"}).content.decode()
    assert '<option value="2026Q2" selected>' in q2 and "/ledger/entry/E01/" not in q2
    bad = client.get(reverse("ledger:mine"), {"period": "2026Q9"}).content.decode()
    assert '<option value="2026Q4" selected>' in bad


def test_mine_is_for_users_linked_to_a_cadre(county, login):
    assert login("org").get(reverse("ledger:mine")).status_code == 404
    assert login("tc_admin").get(reverse("ledger:mine")).status_code == 404
    assert login("qx_reviewer").get(reverse("ledger:mine")).status_code == 200


# --- 申报 -----------------------------------------------------------------------


def test_cadre_declares_with_a_pdf_then_the_file_is_served_in_scope_only(county, login):
    client = login("a01")
    page = client.get(reverse("ledger:declare"))
    assert page.status_code == 200 and 'name="cadre"' not in page.content.decode()  # only for themself
    pdf = SimpleUploadedFile("走访记录.pdf", MINIMAL_PDF, content_type="application/pdf")
    response = post_declare(client, rule=rule("R-TASK").pk, evidence=[pdf])
    entry = Entry.objects.get(cadre__code="A01", period="2026Q4")
    assert response.status_code == 302 and response["Location"] == reverse("ledger:entry", args=[entry.code])
    assert entry.status == EntryStatus.PENDING and entry.recorded_by == user("a01")
    item = entry.evidence.get()
    assert (item.original_name, item.content_type, item.size) == ("走访记录.pdf", "application/pdf", len(MINIMAL_PDF))

    served = client.get(evidence_url(entry))
    assert served.status_code == 200 and b"".join(served.streaming_content) == MINIMAL_PDF
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == "inline; filename*=UTF-8''%E8%B5%B0%E8%AE%BF%E8%AE%B0%E5%BD%95.pdf"
    assert login("qx_reviewer").get(evidence_url(entry)).status_code == 200
    assert login("tc_admin").get(evidence_url(entry)).status_code == 404
    assert login("a04").get(evidence_url(entry)).status_code == 404  # another cadre editing the URL


def test_evidence_needs_the_matching_entry_and_token(county, login):
    entry = declare(files=[("a.png", PNG)])
    other = declare(code="Z-DAY", files=[("b.pdf", MINIMAL_PDF)])
    client = login("a01")
    assert client.get(evidence_url(entry)).status_code == 200
    assert client.get(evidence_url(entry))["Content-Type"] == "image/png"
    assert client.get(reverse("ledger:evidence", args=[other.code, entry.evidence.get().token])).status_code == 404
    assert client.get(reverse("ledger:evidence", args=[entry.code, "A" * 43])).status_code == 404


def test_a_renamed_executable_is_refused_and_nothing_is_created(county, login):
    fake = SimpleUploadedFile("证明.pdf", EXE, content_type="application/pdf")
    response = post_declare(login("a01"), rule=rule("R-TASK").pk, evidence=[fake])
    assert response.status_code == 200
    assert "不是 PDF 或图片" in response.content.decode()
    assert Entry.objects.count() == BUNDLE_ENTRIES and not Evidence.objects.exists()


def test_evidence_required_rule_without_a_file_is_refused(county, login):
    response = post_declare(login("a01"), rule=rule("S-INV").pk, quantity="1")
    assert response.status_code == 200
    assert "须上传佐证材料" in response.content.decode()
    assert response.context["form"].errors["evidence"]
    assert Entry.objects.count() == BUNDLE_ENTRIES


def test_declaring_into_a_closed_quarter_is_refused(county, login):
    period_close(actor=Actor(user("org")), group=group_by_code("QX-ALL"), period="2026Q3")
    response = post_declare(login("a01"), rule=rule("R-TASK").pk, occurred_on="2026-09-01")
    assert response.status_code == 200
    assert "2026Q3 已关账" in response.content.decode()
    assert response.context["form"].errors["occurred_on"]
    assert Entry.objects.count() == BUNDLE_ENTRIES


def test_future_dates_and_zero_quantities_are_refused(county, login):
    client = login("a01")
    future = post_declare(client, rule=rule("R-TASK").pk, occurred_on="2026-11-21")
    assert "晚于今天" in future.content.decode()
    zero = post_declare(client, rule=rule("R-TASK").pk, quantity="0")
    assert "数量必须大于 0" in zero.content.decode()
    assert Entry.objects.count() == BUNDLE_ENTRIES


def test_a_draft_is_kept_then_submitted_by_its_owner_only(county, login):
    client = login("a01")
    post_declare(client, rule=rule("R-TASK").pk, intent="draft")
    draft = Entry.objects.get(period="2026Q4", cadre__code="A01")
    assert draft.status == EntryStatus.DECLARED
    assert "提交审核" in client.get(reverse("ledger:entry", args=[draft.code])).content.decode()
    url = reverse("ledger:submit", args=[draft.code])
    assert login("tc_admin").post(url).status_code == 404
    refused = login("qx_admin").post(url)  # sees it, but it is not theirs
    assert refused.status_code == 403 and "只有本人或录入人" in refused.content.decode()
    assert login("a01").post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == EntryStatus.PENDING


def test_unit_admin_picks_a_cadre_in_scope(county, login):
    client = login("qx_admin")
    picker = client.get(reverse("ledger:declare")).content.decode()
    assert "?cadre=A01" in picker and "?cadre=A04" in picker and "?cadre=A07" not in picker
    found = client.get(reverse("ledger:declare"), {"q": "甲四"}, HTTP_HX_TARGET="cadre-list", **HTMX)
    assert found.content.decode().startswith('<div id="cadre-list">') and "?cadre=A01" not in found.content.decode()
    assert client.get(reverse("ledger:declare"), {"cadre": "A07"}).status_code == 404  # 桐村镇
    form = client.get(reverse("ledger:declare"), {"cadre": "A04"})
    assert form.status_code == 200 and 'name="cadre" id="id_cadre" value="A04"' in form.content.decode()
    response = post_declare(client, cadre="A04", rule=rule("R-TASK").pk)
    assert response.status_code == 302
    entry = Entry.objects.latest("id")
    assert entry.cadre.code == "A04" and entry.recorded_by == user("qx_admin")


def test_declaring_for_someone_out_of_scope_is_404(county, login):
    assert login("tc_admin").get(reverse("ledger:declare"), {"cadre": "A01"}).status_code == 404
    assert post_declare(login("a01"), cadre="A04", rule=rule("R-TASK").pk).status_code == 404
    assert Entry.objects.count() == BUNDLE_ENTRIES
    assert login("tc_reviewer").get(reverse("ledger:declare")).status_code == 404  # nobody to declare for


def test_task_force_lead_declares_special_rules_for_members(county, login):
    client = login("sk_lead")
    page = client.get(reverse("ledger:declare"), {"cadre": "A01"}).content.decode()
    assert "S-RES" in page and "S-INV" in page and "R-TASK" not in page and "Z-DAY" not in page
    refused = post_declare(client, cadre="A01", rule=rule("R-TASK").pk)
    assert refused.status_code == 200 and refused.context["form"].errors["rule"]
    assert post_declare(client, cadre="A01", rule=rule("S-RES").pk, quantity="1").status_code == 302
    assert Entry.objects.latest("id").recorded_by == user("sk_lead")


def test_rule_list_filters_by_name_or_code_as_a_fragment(county, login):
    client = login("a01")
    response = client.get(reverse("ledger:declare"), {"rule_q": "驻村"}, HTTP_HX_TARGET="rule-field", **HTMX)
    html = response.content.decode()
    assert html.startswith('<div id="rule-field">') and "<html" not in html
    assert "Z-DAY" in html and "R-TASK" not in html
    by_code = client.get(reverse("ledger:declare"), {"rule_q": "s-inv", "rule": rule("S-INV").pk}).content.decode()
    assert "S-INV" in by_code and "S-RES" not in by_code and "须上传佐证材料" in by_code


# --- 我的申报 -------------------------------------------------------------------


def test_declarations_lists_mine_and_what_i_recorded_newest_first(county, login):
    older = declare(by="a01", code="R-TASK")
    newer = declare(by="a01", code="Z-DAY")
    recorded = declare(by="qx_admin", cadre="A04")
    html = login("a01").get(reverse("ledger:declarations")).content.decode()
    assert html.index(newer.code) < html.index(older.code) < html.index(LINK_E01)
    assert recorded.code not in html
    admin = login("qx_admin").get(reverse("ledger:declarations")).content.decode()
    assert recorded.code in admin and older.code not in admin and LINK_E01 not in admin


def test_declarations_filter_by_status_and_period_as_a_fragment(county, login):
    pending = declare()
    client = login("a01")
    page = client.get(reverse("ledger:declarations"), {"status": "pending"}).content.decode()
    assert pending.code in page and LINK_E01 not in page and "<html" in page
    fragment = client.get(
        reverse("ledger:declarations"), {"period": "2026Q3"}, HTTP_HX_TARGET="declarations-results", **HTMX
    ).content.decode()
    assert (
        fragment.startswith('<div id="declarations-results">') and LINK_E01 in fragment and pending.code not in fragment
    )


def test_declarations_are_paginated(county, login):
    for _ in range(26):
        declare()
    client = login("a01")
    first = client.get(reverse("ledger:declarations")).content.decode()
    assert "第 1 / 2 页" in first and LINK_E01 not in first
    assert LINK_E01 in client.get(reverse("ledger:declarations"), {"page": 2}).content.decode()


# --- one entry ------------------------------------------------------------------


def test_entry_detail_in_scope_only(county, login):
    url = reverse("ledger:entry", args=["E01"])
    page = login("a01").get(url)
    assert page.status_code == 200 and "Z-DAY" in page.content.decode() and "撤销" not in page.content.decode()
    assert login("qx_reviewer").get(url).status_code == 200
    assert login("org").get(url).status_code == 200
    assert login("a04").get(url).status_code == 404  # another cadre editing the URL
    assert login("tc_admin").get(url).status_code == 404
    assert login("tc_reviewer").get(url).status_code == 404
    assert login("a01").get(reverse("ledger:entry", args=["NOPE"])).status_code == 404


def test_entry_detail_shows_evidence_events_and_the_buttons_the_user_may_use(county, login):
    entry = declare(files=[("photo.png", PNG), ("scan.pdf", MINIMAL_PDF)])
    url = reverse("ledger:entry", args=[entry.code])
    own = login("a01").get(url).content.decode()
    png, pdf = entry.evidence.order_by("id")
    assert f'<img src="{evidence_url(entry, png)}"' in own and f'<a href="{evidence_url(entry, pdf)}"' in own
    assert "填报" in own and "提交" in own and "预计分值" in own and "3.00" in own
    assert reverse("ledger:review_decide", args=[entry.code]) not in own
    reviewer = login("qx_reviewer").get(url).content.decode()
    assert reverse("ledger:review_decide", args=[entry.code]) in reviewer
    refused = login("qx_reviewer").get(reverse("ledger:entry", args=[declare(by="qx_reviewer", cadre="A02").code]))
    assert "不能审核本人的工分记录" in refused.content.decode()


# --- 待审核 ---------------------------------------------------------------------


def test_review_queue_oldest_first_without_what_four_eyes_forbids(county, login):
    first = declare(cadre="A01", files=[("a.png", PNG)])
    own = declare(by="qx_reviewer", cadre="A02")  # the reviewer's own entry
    recorded = services.entry_declare(  # an entry the reviewer recorded for someone else
        actor=Actor(user("qx_reviewer")),
        cadre=Cadre.objects.get(code="A04"),
        rule=rule("R-TASK"),
        occurred_on=date(2026, 10, 9),
    )
    response = login("qx_reviewer").get(reverse("ledger:review"))
    assert response.status_code == 200
    codes = [e.code for e in response.context["rows"]]
    assert codes == ["E10", first.code]
    html = response.content.decode()
    assert own.code not in html and recorded.code not in html
    assert f'<img src="{evidence_url(first)}"' in html and 'data-label="可得分">3.00</td>' in html
    assert 'data-select-all="entries"' in html


def test_review_queue_scope(county, login):
    assert LINK_E10 not in login("tc_reviewer").get(reverse("ledger:review")).content.decode()
    assert LINK_E10 in login("org").get(reverse("ledger:review")).content.decode()
    assert login("a01").get(reverse("ledger:review")).status_code == 404  # no review role: no queue
    assert login("qx_admin").get(reverse("ledger:review")).status_code == 404


def test_approve_inline_returns_a_row_and_moves_the_total_and_the_board(county, login):
    entry = declare()
    before_total, before_q = total("A01", "R-TASK"), row_of("A01").quantitative
    response = login("qx_reviewer").post(
        reverse("ledger:review_decide", args=[entry.code]),
        {"decision": "approve"},
        HTTP_HX_TARGET=f"row-{entry.code}",
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<tr class="done"') and "<html" not in html and "已通过" in html
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED and entry.decided_by == user("qx_reviewer")
    assert total("A01", "R-TASK") == (before_total[0] + Decimal(3), before_total[1] + 1)
    assert row_of("A01").quantitative == before_q + Decimal(3)


def test_approve_without_javascript_redirects(county, login):
    entry = declare()
    response = login("qx_reviewer").post(reverse("ledger:review_decide", args=[entry.code]), {"decision": "approve"})
    assert response.status_code == 302 and response["Location"] == reverse("ledger:review")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED


def test_deciding_out_of_scope_is_404_and_without_review_right_403(county, login):
    entry = declare()
    url = reverse("ledger:review_decide", args=[entry.code])
    for name in ("tc_reviewer", "tc_admin", "a04", "sk_lead"):  # the entry does not exist for them
        assert login(name).post(url, {"decision": "approve"}).status_code == 404, name
    seen = login("qx_admin").post(url, {"decision": "approve"})  # sees it, reviews nothing
    assert seen.status_code == 403 and "没有审核这条记录的权限" in seen.content.decode()
    assert login("a01").post(url, {"decision": "approve"}).status_code == 403  # their own
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_four_eyes_refusals_are_403_with_the_reason(county, login):
    own = declare(by="qx_reviewer", cadre="A02")
    response = login("qx_reviewer").post(reverse("ledger:review_decide", args=[own.code]), {"decision": "approve"})
    assert response.status_code == 403 and "不能审核本人的工分记录" in response.content.decode()
    recorded = declare(by="org", cadre="A04")
    response = login("org").post(reverse("ledger:review_decide", args=[recorded.code]), {"decision": "approve"})
    assert response.status_code == 403 and "不能审核自己录入的记录" in response.content.decode()
    for entry in (own, recorded):
        entry.refresh_from_db()
        assert entry.status == EntryStatus.PENDING
    assert (
        login("org").post(reverse("ledger:review_decide", args=[own.code]), {"decision": "approve"}).status_code == 302
    )


def test_reject_needs_a_reason(county, login):
    entry = declare()
    client = login("qx_reviewer")
    url = reverse("ledger:review_decide", args=[entry.code])
    inline = client.post(url, {"decision": "reject", "reason": " "}, **HTMX)
    assert inline.status_code == 200 and "退回必须说明理由" in inline.content.decode()
    assert f'id="row-{entry.code}"' in inline.content.decode()  # the row again, with the message
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    client.post(url, {"decision": "reject", "reason": "佐证不足"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED and entry.decision_reason == "佐证不足"
    assert total("A01", "R-TASK") == (Decimal(0), 0)


def test_bulk_approve_all_or_nothing(county, login):
    a, b = declare(), declare(cadre="A04", by="qx_admin")
    client = login("qx_reviewer")
    url = reverse("ledger:review_bulk")
    response = client.post(url, {"entries": [a.code, b.code, "E10"], "decision": "approve"})
    assert response.status_code == 302
    assert set(Entry.objects.filter(code__in=[a.code, b.code, "E10"]).values_list("status", flat=True)) == {"approved"}
    assert total("A04", "R-TASK") == (Decimal(3), 1)


def test_bulk_refuses_out_of_scope_four_eyes_and_missing_reason_changing_nothing(county, login):
    a, own = declare(), declare(by="qx_reviewer", cadre="A02")
    client = login("qx_reviewer")
    url = reverse("ledger:review_bulk")
    assert client.post(url, {"entries": [a.code, "NOPE"], "decision": "approve"}).status_code == 404
    refused = client.post(url, {"entries": [a.code, own.code], "decision": "approve"})
    assert refused.status_code == 403 and "不能审核本人的工分记录" in refused.content.decode()
    client.post(url, {"entries": [a.code, "E10"], "decision": "reject", "reason": ""})
    assert login("tc_reviewer").post(url, {"entries": [a.code], "decision": "approve"}).status_code == 404
    statuses = Entry.objects.filter(code__in=[a.code, own.code, "E10"]).values_list("status", flat=True)
    assert set(statuses) == {"pending"}
    login("qx_reviewer").post(url, {"entries": [a.code, "E10"], "decision": "reject", "reason": "重复申报"})
    assert set(Entry.objects.filter(code__in=[a.code, "E10"]).values_list("status", flat=True)) == {"rejected"}


def test_bulk_is_one_transaction(county, login):
    a = declare()
    response = login("qx_reviewer").post(
        reverse("ledger:review_bulk"), {"entries": [a.code, "E01"], "decision": "approve"}
    )
    assert response.status_code == 302  # E01 is approved already: the service refuses it, and undoes ``a``
    a.refresh_from_db()
    assert a.status == EntryStatus.PENDING and total("A01", "R-TASK") == (Decimal(0), 0)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("E01" in m and "不能审核通过" in m for m in messages)


def test_revoke_posts_a_reversing_entry(county, login):
    before = row_of("A01", "2026Q3").quantitative
    url = reverse("ledger:revoke", args=["E05"])  # A01's R-TASK ×3 (4.50)
    assert (
        'action="/ledger/entry/E05/revoke/"'
        in login("qx_reviewer").get(reverse("ledger:entry", args=["E05"])).content.decode()
    )
    assert login("a01").post(url, {"reason": "不算"}).status_code == 403  # sees their entry, may not revoke it
    assert login("a04").post(url, {"reason": "不算"}).status_code == 404
    assert login("tc_reviewer").post(url, {"reason": "不算"}).status_code == 404
    client = login("qx_reviewer")
    client.post(url, {"reason": ""})
    assert Entry.objects.get(code="E05").status == EntryStatus.APPROVED
    response = client.post(url, {"reason": "重复计分"})
    assert response.status_code == 302
    original, reversal = Entry.objects.get(code="E05"), Entry.objects.get(code="E05~R1")
    assert original.status == EntryStatus.REVOKED and original.amount == Decimal("4.5")
    assert reversal.kind == EntryKind.REVERSAL and reversal.amount == Decimal("-4.5") and reversal.reverses == original
    assert row_of("A01", "2026Q3").quantitative == before - Decimal("4.5")
    page = client.get(reverse("ledger:entry", args=["E05"])).content.decode()
    assert "E05~R1" in page and "重复计分" in page
    own = login("qx_reviewer").post(reverse("ledger:revoke", args=["E06"]), {"reason": "x"})  # A02's own
    assert own.status_code == 403 and Entry.objects.get(code="E06").status == EntryStatus.APPROVED


def test_get_is_not_allowed_on_actions(county, login):
    client = login("qx_reviewer")
    for name in ("review_decide", "revoke", "submit"):
        assert client.get(reverse(f"ledger:{name}", args=["E10"])).status_code == 405
    assert client.get(reverse("ledger:review_bulk")).status_code == 405


# --- query counts ---------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def more_entries(n: int) -> None:
    for i in range(n):
        declare(cadre="A01", code="R-TASK", files=[("p.png", PNG)], day=date(2026, 10, 1 + i))
        declare(by="qx_admin", cadre="A04", code="Z-DAY", files=[("s.pdf", MINIMAL_PDF)], day=date(2026, 10, 1 + i))
        approved = declare(cadre="A01", code="Z-DAY", day=date(2026, 10, 1 + i))
        services.entry_approve(actor=Actor(user("org")), entry=approved)


@pytest.mark.parametrize(
    ("username", "name", "query", "pinned"),
    [
        # each full page counts the unread notices for the top nav's badge (one COUNT)
        ("a01", "declarations", "", 8),
        # + two for the duplicate flags (same work, same evidence file), three for what each really adds after caps
        ("qx_reviewer", "review", "", 13),
        ("a01", "mine", "?period=2026Q4", 21),
    ],
)
def test_list_pages_pin_their_query_counts(county, login, django_assert_num_queries, username, name, query, pinned):
    client = login(username)
    url = reverse(f"ledger:{name}") + query
    more_entries(3)
    with django_assert_num_queries(pinned):
        client.get(url)
    more_entries(5)
    assert count_queries(client, url) == pinned  # the same however many entries there are
