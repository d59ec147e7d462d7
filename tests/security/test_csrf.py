"""CSRF: a POST without the token is refused (403) and changes nothing, on forms and on htmx requests;
with the token (in the form, or in the X-CSRFToken header app.js adds to every htmx request) it passes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongfen.audit.models import AuditEvent
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.notices.models import Notice
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403

HTMX = {"HTTP_HX_REQUEST": "true"}


def cases():
    """(user, url name, args, data, htmx?) of representative writes of several apps."""
    decide = {"action": "approve", "decision": "approve", "reason": "核实"}
    return [
        ("qx_reviewer", "ledger:review_decide", ["E10"], decide, True),
        ("qx_reviewer", "ledger:review_bulk", [], {**decide, "entries": ["E10"], "codes": ["E10"]}, False),
        ("org", "ledger:revoke", ["E01"], {"reason": "核查不实"}, False),
        ("qx_admin", "schemes:rule_remove", ["QX-2026", "B-MID"], {"reason": "不再使用"}, False),
        ("qx_admin", "rankings:close", ["QX-ALL", "2026Q3"], {}, False),
        ("a01", "notices:read_all", [], {}, True),
    ]


def state() -> tuple:
    return (
        Entry.objects.get(code="E10").status,
        Entry.objects.get(code="E01").status,
        Rule.objects.filter(scheme__code="QX-2026", code="B-MID").exists(),
        Entry.objects.count(),
        AuditEvent.objects.count(),
        Notice.objects.filter(read_at__isnull=True).count(),
    )


@pytest.mark.parametrize("case", range(6))
def test_a_post_without_the_token_is_refused_and_changes_nothing(county, case):
    username, name, args, data, htmx = cases()[case]
    client = Client(enforce_csrf_checks=True)
    client.force_login(county[username])
    before = state()
    response = client.post(reverse(name, args=args), data, **(HTMX if htmx else {}))
    assert response.status_code == 403
    assert state() == before


def test_the_declaration_form_and_the_login_form_need_the_token_too(county):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("login"), {"username": "a01", "password": "x"}).status_code == 403
    client.force_login(county["a01"])
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    data = {"rule": rule.pk, "occurred_on": "2026-08-10", "quantity": "1", "intent": "submit"}
    count = Entry.objects.count()
    assert client.post(reverse("ledger:declare"), data).status_code == 403
    assert Entry.objects.count() == count


def test_with_the_token_in_the_htmx_header_the_same_request_passes(county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county["qx_reviewer"])
    page = client.get(reverse("ledger:review")).content.decode()
    token = client.cookies["csrftoken"].value
    assert '<meta name="csrf-token" content="' in page  # what app.js reads
    response = client.post(
        reverse("ledger:review_decide", args=["E10"]),
        {"action": "approve", "decision": "approve"},
        HTTP_X_CSRFTOKEN=token,
        **HTMX,
    )
    assert response.status_code == 200
    assert Entry.objects.get(code="E10").status == EntryStatus.APPROVED


def test_every_post_form_on_the_main_pages_carries_the_token(county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county["org"])
    for url in (
        "/",
        "/ledger/declare/",
        "/ledger/review/",
        "/schemes/QX-2026/",
        "/people/A01/",
        "/rankings/QX-ALL/2026Q3/",
    ):
        page = client.get(url).content.decode()
        forms = page.lower().split("<form")[1:]
        posts = [f for f in forms if 'method="post"' in f.split(">", 1)[0]]
        assert posts, url
        assert all('name="csrfmiddlewaretoken"' in f.split("</form>", 1)[0] for f in posts), url
