"""Every view and every action × every role: anonymous, each role in scope and out of scope.

The matrix must name every URL of the product: a view added without an entry here fails
``test_every_view_is_in_the_matrix``. Expectations: "ok" (200, or a redirect that is not to
the login page), "login" (redirect to the login page), 404 (out of scope: the object does
not exist for that user), 403 (in scope, refused with a reason: four eyes).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.org.models import Cadre, Post
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF, USERS

ROLES = ["anonymous", *USERS]
NOT_IN_MATRIX = {"login", "logout", "set_language", "admin"}


def everyone(result, **overrides):
    return {role: overrides.get(role, result) for role in ROLES} | {"anonymous": overrides.get("anonymous", "login")}


CADRE_USERS = {"qx_reviewer", "sk_lead", "a01", "a04"}
QX_ADMINS = {"org": "ok", "qx_admin": "ok"}
QX_VIEWERS = QX_ADMINS | {"qx_reviewer": "ok"}
ADMINS = {"org": "ok", "qx_admin": "ok", "tc_admin": "ok"}


def only(**allowed):
    return everyone(404, **allowed)


# name -> (method, args builder key, expectations)
MATRIX = {
    "dashboard": ("GET", None, everyone("ok")),
    "ledger:mine": ("GET", None, only(**dict.fromkeys(CADRE_USERS, "ok"))),
    "ledger:declare": ("GET", None, everyone("ok", tc_reviewer=404)),
    "ledger:declarations": ("GET", None, everyone("ok")),
    "ledger:review": ("GET", None, only(org="ok", qx_reviewer="ok", tc_reviewer="ok")),
    "ledger:entry": ("GET", "pending", only(**QX_VIEWERS, a04="ok")),
    "ledger:evidence": ("GET", "evidence", only(**QX_VIEWERS, a01="ok")),
    "ledger:review_decide": ("POST", "pending", only(org="ok", qx_reviewer="ok", qx_admin=403, a04=403)),
    "ledger:review_bulk": ("POST", "bulk", only(org="ok", qx_reviewer="ok")),
    "ledger:submit": ("POST", "draft", only(a04="ok", org=403, qx_admin=403, qx_reviewer=403)),
    "ledger:revoke": ("POST", "approved", only(org="ok", qx_reviewer="ok", qx_admin=403, a01=403)),
    "rankings:boards": ("GET", None, only(**ADMINS, qx_reviewer="ok", tc_reviewer="ok")),
    "rankings:board": ("GET", "board", only(**QX_VIEWERS)),
    "rankings:row": ("GET", "row", only(**QX_VIEWERS)),
    "schemes:list": ("GET", None, only(**ADMINS)),
    "schemes:derive": ("GET", None, only(**ADMINS)),
    "schemes:detail": ("GET", "scheme", only(**QX_ADMINS)),
    "schemes:params": ("GET", "scheme", only(**QX_ADMINS)),
    "schemes:rule_add": ("GET", "scheme", only(**QX_ADMINS)),
    "schemes:rule_edit": ("GET", "rule", only(**QX_ADMINS)),
    "schemes:rule_remove": ("POST", "removable_rule", only(**QX_ADMINS)),
    "org:people": ("GET", None, only(**ADMINS)),
    "org:cadre_add": ("GET", None, only(**ADMINS)),
    "org:cadre": ("GET", "cadre", only(**QX_ADMINS)),
    "org:post_add": ("GET", "cadre", only(**QX_ADMINS)),
    "org:post_end": ("POST", "post", only(**QX_ADMINS)),
    # evaluation rounds, known by group and quarter; the county fixture has no round yet, so the pages of a
    # round answer 404 to everyone (tests/evaluations/test_views.py runs the same roles against a real round)
    "evaluations:list": ("GET", None, everyone("ok")),
    "evaluations:new": ("GET", None, only(**ADMINS)),
    "evaluations:round": ("GET", "board", only(**QX_ADMINS)),
    "evaluations:edit": ("GET", "board", only(**QX_ADMINS)),
    "evaluations:open": ("POST", "board", only()),
    "evaluations:close": ("POST", "board", only()),
    "evaluations:reopen": ("GET", "board", only()),
    "evaluations:voters": ("GET", "board", only()),
    "evaluations:codes": ("GET", "board", only()),
    "evaluations:turnout": ("GET", "board", only()),
    "evaluations:vote": ("GET", "board", only()),
    "evaluations:vote_public": ("GET", None, everyone("ok", anonymous="ok")),
}


def url_names() -> set[str]:
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                if p.namespace in NOT_IN_MATRIX or (p.app_name or "") == "admin":
                    continue
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif p.name and p.name not in NOT_IN_MATRIX:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_view_is_in_the_matrix():
    assert url_names() == set(MATRIX), "add the new view to MATRIX (or remove the stale entry)"


def make_objects() -> dict:
    """Objects every case points at, made through the services."""
    actor = Actor(None, "test")
    a01, a04 = Cadre.objects.get(code="A01"), Cadre.objects.get(code="A04")
    task = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    day = date(2026, 8, 3)
    from gongfen.accounts.models import User

    a04_user = User.objects.get(username="a04")
    pending = ledger.entry_declare(actor=Actor(a04_user), cadre=a04, rule=task, occurred_on=day, quantity=Decimal(2))
    draft = ledger.entry_declare(actor=Actor(a04_user), cadre=a04, rule=task, occurred_on=day, submit=False)
    with_pdf = ledger.entry_declare(
        actor=actor,
        cadre=a01,
        rule=Rule.objects.get(scheme__code="QX-2026", code="S-INV"),
        occurred_on=day,
        files=[("合同.pdf", MINIMAL_PDF)],
    )
    evidence = with_pdf.evidence.get()
    return {
        "pending": {"args": [pending.code], "data": {"action": "approve", "decision": "approve", "reason": "核实"}},
        "draft": {"args": [draft.code], "data": {}},
        "approved": {"args": ["E01"], "data": {"reason": "核查不实"}},
        "evidence": {"args": [with_pdf.code, evidence.token]},
        "bulk": {
            "args": [],
            "data": {
                "action": "approve",
                "decision": "approve",
                "entries": [pending.code],
                "codes": [pending.code],
                "reason": "批量",
            },
        },
        "board": {"args": ["QX-ALL", "2026Q3"]},
        "row": {"args": ["QX-ALL", "2026Q3", "A01"]},
        "scheme": {"args": ["QX-2026"]},
        "rule": {"args": ["QX-2026", "R-TASK"]},
        "removable_rule": {"args": ["QX-2026", "B-MID"], "data": {"reason": "不再使用"}},
        "cadre": {"args": ["A01"]},
        "post": {
            "args": ["A01", Post.objects.filter(cadre__code="A01").order_by("start").first().pk],
            "data": {"end": "2026-09-30", "reason": "调动"},
        },
    }


def outcome(response) -> object:
    if response.status_code in (301, 302):
        return "login" if "/login/" in response["Location"] else "ok"
    if response.status_code == 200:
        return "ok"
    return response.status_code


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(name, county, client):
    method, key, expected = MATRIX[name]
    from gongfen.accounts.models import User

    got = {}
    for role in ROLES:
        with transaction.atomic():  # each role starts from the same state: actions change it
            spec = make_objects()[key] if key else {"args": []}
            url = reverse(name, args=spec["args"])
            client.logout()
            if role != "anonymous":
                client.force_login(User.objects.get(username=role))
            response = client.post(url, spec.get("data", {})) if method == "POST" else client.get(url)
            got[role] = outcome(response)
            transaction.set_rollback(True)
    assert got == expected


def test_four_eyes_nobody_approves_their_own_entry(county, client):
    from gongfen.accounts.models import User

    reviewer = User.objects.get(username="qx_reviewer")  # is cadre A02
    own = ledger.entry_declare(
        actor=Actor(reviewer),
        cadre=Cadre.objects.get(code="A02"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        occurred_on=date(2026, 8, 3),
    )
    recorded = ledger.entry_declare(
        actor=Actor(reviewer),
        cadre=Cadre.objects.get(code="A04"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        occurred_on=date(2026, 8, 3),
    )
    client.force_login(reviewer)
    for entry in (own, recorded):
        response = client.post(
            reverse("ledger:review_decide", args=[entry.code]), {"action": "approve", "decision": "approve"}
        )
        assert response.status_code == 403
        assert Entry.objects.get(pk=entry.pk).status == EntryStatus.PENDING
