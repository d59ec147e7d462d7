"""The audit search (/audit/), its Excel export, logins in the trail, and audited Django admin edits."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongfen.accounts.models import User
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD


def rows_of(response) -> list[AuditEvent]:
    return [event for event, _changes in response.context["events"]]


@pytest.fixture
def decided(county):
    """A QX entry rejected by qx_reviewer with a reason; a TC-only row: tc_admin's role granted."""
    entry = Entry.objects.get(code="E10")
    ledger.entry_reject(actor=Actor(User.objects.get(username="qx_reviewer")), entry=entry, reason="佐证不足，请补充")
    return entry


# --- who sees what ----------------------------------------------------------------------------------


def test_org_admin_sees_every_row(decided, login):
    response = login("org").get(reverse("audit:list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == AuditEvent.objects.count()


def test_a_unit_admin_sees_the_rows_of_their_scope_only(decided, login):
    qx = {e.pk for e in rows_of(login("qx_admin").get(reverse("audit:list"), {"action": "entry"}))}
    assert AuditEvent.objects.get(action="entry.reject").pk in qx
    tc_rows = rows_of(login("tc_admin").get(reverse("audit:list")))
    assert not any(e.object_id == "E10" for e in tc_rows)
    assert {e.object_id for e in tc_rows if e.object_type == "accounts.user"} == {"tc_admin", "tc_reviewer", "sk_lead"}
    # the bundle load is the county's: 组织部 only
    assert not any(e.action == "bundle.load" for e in rows_of(login("qx_admin").get(reverse("audit:list"))))


def test_cadres_and_reviewers_find_no_audit_page(county, login):
    for username in ("a01", "qx_reviewer", "sk_lead"):
        assert login(username).get(reverse("audit:list")).status_code == 404
        assert login(username).get(reverse("audit:export")).status_code == 404


# --- filters, diff, htmx, paging --------------------------------------------------------------------


def test_filters_narrow_the_rows(decided, login):
    client = login("org")
    url = reverse("audit:list")
    assert [e.action for e in rows_of(client.get(url, {"q": "补充"}))] == ["entry.reject"]
    assert {e.action for e in rows_of(client.get(url, {"action": "role"}))} == {"role.grant"}
    assert [e.object_id for e in rows_of(client.get(url, {"object_type": "ledger.entry", "object_id": "E10"}))] == [
        "E10"
    ]
    assert {e.actor_label for e in rows_of(client.get(url, {"actor": "qx_rev"}))} == {"qx_reviewer"}
    today = timezone.localdate()
    assert rows_of(client.get(url, {"until": (today - timedelta(days=1)).isoformat()})) == []
    assert len(rows_of(client.get(url, {"since": today.isoformat(), "action": "entry.reject"}))) == 1


def test_a_reversed_date_range_is_an_error_not_a_crash(decided, login):
    response = login("org").get(reverse("audit:list"), {"since": "2026-12-01", "until": "2026-01-01"})
    assert response.status_code == 200
    assert "起始日期晚于截止日期" in response.content.decode()


def test_before_and_after_are_shown_as_a_diff(decided, login):
    response = login("org").get(reverse("audit:list"), {"action": "entry.reject"})
    [(_event, changes)] = response.context["events"]
    status = next(c for c in changes if c.field == "status")
    assert status.changed and (status.before, status.after) == ("pending", "rejected")
    assert changes[0].changed  # changed fields first
    html = response.content.decode()
    assert "<del>pending</del>" in html and "<ins>rejected</ins>" in html


def test_htmx_gets_the_results_fragment(decided, login):
    response = login("org").get(reverse("audit:list"), {"q": "补充"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="audit"' in html and "<html" not in html


def test_the_page_is_paged_with_a_pinned_query_count(decided, login, django_assert_num_queries):
    for n in range(60):
        AuditEvent.objects.create(actor_label="test", action="test.row", object_type="x", object_id=str(n))
    client = login("qx_admin")
    client.get(reverse("audit:list"))  # session, principal: warm
    # session, user, roles, the scope's scheme and group codes, count, page of rows, the unread badge
    with django_assert_num_queries(8):
        client.get(reverse("audit:list"))
    org = login("org")
    page2 = org.get(reverse("audit:list"), {"action": "test", "page": 2})
    assert page2.context["page"].number == 2 and len(rows_of(page2)) == 10


# --- export -----------------------------------------------------------------------------------------


def test_export_holds_the_filtered_rows(decided, login):
    response = login("qx_admin").get(reverse("audit:export"), {"action": "entry"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[2]]
    assert header[:4] == ["时间", "操作人", "动作", "对象类型"]
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=3) if row[0].value is not None]
    expected = AuditEvent.objects.filter(action__startswith="entry.", object_id__in=Entry.objects.values("code"))
    assert len(data) == expected.count() > 0
    reject = next(row for row in data if row[2] == "entry.reject")
    assert reject[4] == "E10" and reject[6] == "佐证不足，请补充" and '"rejected"' in reject[9]
    assert not any(row[2] == "bundle.load" for row in data)


# --- logins -----------------------------------------------------------------------------------------


def test_logins_logouts_and_failed_logins_are_audited_without_the_password(county, client):
    wrong = "not-the-password-xyzzy"
    client.post(reverse("login"), {"username": "a01", "password": wrong}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "nobody", "password": wrong}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "a01", "password": PASSWORD}, REMOTE_ADDR="10.1.2.4")
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.4")
    rows = list(AuditEvent.objects.filter(action__startswith="auth.").order_by("id"))
    assert [(r.action, r.object_id, r.ip) for r in rows] == [
        ("auth.login_failed", "a01", "10.1.2.3"),
        ("auth.login_failed", "nobody", "10.1.2.3"),
        ("auth.login", "a01", "10.1.2.4"),
        ("auth.logout", "a01", "10.1.2.4"),
    ]
    assert rows[0].actor is None and rows[2].actor.username == "a01"
    for row in AuditEvent.objects.all():
        text = f"{row.summary} {row.reason} {row.before} {row.after} {row.actor_label}"
        assert wrong not in text and PASSWORD not in text


# --- the Django admin -------------------------------------------------------------------------------


def test_editing_a_cadre_in_the_admin_is_audited_in_the_same_transaction(county, login):
    client = login("org")
    cadre = Cadre.objects.get(code="A01")
    url = reverse("admin:org_cadre_change", args=[cadre.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None} | {"name": "甲一改", "_save": "1"}
    posts = list(cadre.posts.all())
    data |= {
        "posts-TOTAL_FORMS": str(len(posts)),
        "posts-INITIAL_FORMS": str(len(posts)),
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "1000",
    }
    for i, post in enumerate(posts):
        data |= {
            f"posts-{i}-id": post.pk,
            f"posts-{i}-cadre": cadre.pk,
            f"posts-{i}-unit": post.unit_id,
            f"posts-{i}-position": post.position,
            f"posts-{i}-start": post.start.isoformat(),
            f"posts-{i}-end": post.end.isoformat() if post.end else "",
        }
    data["posts-0-end"] = "2026-12-31"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    rows = list(AuditEvent.objects.filter(action="admin.change", object_type="org.cadre", object_id="A01"))
    [change] = [r for r in rows if "name" in r.after]
    assert (change.before["name"], change.after["name"]) == (cadre.name, "甲一改")
    [post_row] = [r for r in rows if "position" in r.after]
    assert post_row.before["end"] is None and post_row.after["end"] == "2026-12-31"
    assert change.actor.username == "org"


def test_admin_user_edits_and_password_changes_never_store_the_hash(county, login):
    client = login("org")
    target = User.objects.get(username="a04")
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "A-new-long-password-2026", "password2": "A-new-long-password-2026", "usable_password": "true"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.object_id == "a04" and event.actor.username == "org"
    target.refresh_from_db()
    assert target.must_change_password  # reset by an administrator: changed at the next login
    client.post(
        reverse("admin:accounts_user_delete", args=[User.objects.get(username="tc_reviewer").pk]), {"post": "yes"}
    )
    deleted = AuditEvent.objects.get(action="admin.delete", object_id="tc_reviewer")
    assert "password" not in deleted.before and deleted.before["username"] == "tc_reviewer"
    for row in AuditEvent.objects.all():
        assert target.password not in f"{row.before} {row.after}"


def test_the_audit_table_stays_append_only(decided):
    event = AuditEvent.objects.first()
    with pytest.raises(DomainError):
        event.save()
    with pytest.raises(DomainError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    from gongfen.audit.admin import AuditEventAdmin

    admin = AuditEventAdmin(AuditEvent, None)
    assert not admin.has_change_permission(None) and not admin.has_delete_permission(None)
