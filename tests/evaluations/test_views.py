"""The evaluation pages: who reaches what (with a real round), voting through the forms, codes, reopen, queries."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.evaluations import services
from gongfen.evaluations.codes import code_digest
from gongfen.evaluations.models import Ballot, Draft, EvaluationRound, Participation, PublicCode, RoundState, Vote
from tests.web_fixtures import USERS

from .conftest import admin_actor, all_grades, counts, make_round

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", *USERS]
ROUND = ("QX-ALL", "2026Q3")


def expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES} | {"anonymous": overrides.get("anonymous", "login")}


ADMINS_OK = {"org": "ok", "qx_admin": "ok"}
VOTERS_OK = {"qx_reviewer": "ok", "a01": "ok", "a04": "ok"}
# name -> (method, data, expectations) with the open round of the ``evaluation`` fixture
CASES = {
    "list": ("GET", None, expect("ok")),
    "round": ("GET", None, expect(404, **ADMINS_OK)),
    "edit": ("GET", None, expect(404, **ADMINS_OK)),
    "voters": ("GET", None, expect(404, **ADMINS_OK)),
    "codes": ("GET", None, expect(404, **ADMINS_OK)),
    "turnout": ("GET", None, expect(404, **ADMINS_OK)),
    "close": ("POST", {}, expect(404, **ADMINS_OK)),
    "open": ("POST", {}, expect(404, **ADMINS_OK)),  # refused with a message (already open), but reachable
    "reopen": ("GET", None, expect(404, org="ok", qx_admin=403)),
    "vote": ("GET", None, expect(404, **VOTERS_OK)),
    "vote_public": ("GET", None, expect("ok", anonymous="ok")),
}


def outcome(response):
    if response.status_code in (301, 302):
        return "login" if "/login/" in response["Location"] else "ok"
    return "ok" if response.status_code == 200 else response.status_code


@pytest.mark.parametrize("name", sorted(CASES))
def test_who_reaches_each_page_of_a_round(name, evaluation, client):
    method, data, expected = CASES[name]
    takes_round = name not in ("list", "vote_public")
    url = reverse(f"evaluations:{name}", args=ROUND if takes_round else [])
    got = {}
    for role in ROLES:
        with transaction.atomic():
            client.logout()
            if role != "anonymous":
                client.force_login(User.objects.get(username=role))
            response = client.post(url, data) if method == "POST" else client.get(url)
            got[role] = outcome(response)
            transaction.set_rollback(True)
    assert got == expected


def test_out_of_scope_and_unknown_rounds_answer_404(evaluation, client):
    client.force_login(User.objects.get(username="qx_admin"))
    assert client.get(reverse("evaluations:round", args=["QX-ALL", "2025Q3"])).status_code == 404
    assert client.get(reverse("evaluations:round", args=["QX-ALL", "bogus"])).status_code == 404
    assert client.get(reverse("evaluations:voters", args=["QX-ALL", "2026Q2"])).status_code == 404
    assert client.get(reverse("evaluations:round", args=["NOPE", "2026Q3"])).status_code == 404
    client.force_login(User.objects.get(username="tc_admin"))
    assert client.post(reverse("evaluations:close", args=ROUND)).status_code == 404
    assert EvaluationRound.objects.get().state == RoundState.OPEN


# --- administrators -----------------------------------------------------------------------


def test_an_administrator_sets_up_and_runs_a_round_through_the_pages(county, client):
    client.force_login(User.objects.get(username="qx_admin"))
    response = client.get(reverse("evaluations:new"), {"group": "QX-ALL", "period": "2026Q3"})
    assert response["Location"] == reverse("evaluations:edit", args=ROUND)
    assert "创建评价轮次" in client.get(reverse("evaluations:round", args=ROUND)).content.decode()
    form = {
        "class_leader": "account",
        "class_peer": "account",
        "class_public": "code",
        "opens_at": "2026-11-01T08:00",
        "closes_at": "2026-11-01T08:00",
    }
    response = client.post(reverse("evaluations:edit", args=ROUND), form)
    assert "截止时间必须晚于开始时间" in response.content.decode()
    assert not EvaluationRound.objects.exists()
    response = client.post(reverse("evaluations:edit", args=ROUND), form | {"closes_at": "2099-12-31T18:00"})
    assert response.status_code == 302
    round_ = EvaluationRound.objects.get()
    assert round_.classes == [
        {"name": "leader", "mode": "account"},
        {"name": "peer", "mode": "account"},
        {"name": "public", "mode": "code"},
    ]
    assert round_.opens_at.isoformat() == "2026-11-01T00:00:00+00:00"  # 08:00 in Asia/Shanghai

    voters_page = client.get(reverse("evaluations:voters", args=ROUND)).content.decode()
    for username in ("a01", "a04", "qx_reviewer", "qx_admin", "org"):
        assert f"（{username}）" in voters_page
    assert "tc_admin" not in voters_page and "sk_lead" not in voters_page
    reviewer = User.objects.get(username="qx_reviewer")
    response = client.post(
        reverse("evaluations:voters", args=ROUND), {"class": "leader", "leader-users": [reviewer.pk]}
    )
    assert response.status_code == 302
    assert list(round_.voters.values_list("user__username", "evaluator_class")) == [("qx_reviewer", "leader")]
    outsider = User.objects.get(username="tc_admin")
    response = client.post(reverse("evaluations:voters", args=ROUND), {"class": "peer", "peer-users": [outsider.pk]})
    assert response.status_code == 200 and not round_.voters.filter(user=outsider).exists()

    client.post(reverse("evaluations:open", args=ROUND))
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN and round_.cadres.count() == 7
    page = client.get(reverse("evaluations:round", args=ROUND)).content.decode()
    assert 'id="cadre-count">7 人' in page and "结束并计票" in page and "重新开启" not in page
    client.post(reverse("evaluations:close", args=ROUND))
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
    page = client.get(reverse("evaluations:round", args=ROUND)).content.decode()
    assert reverse("rankings:board", args=ROUND) in page and "重新开启" not in page  # only 组织部 reopens
    assert client.get(reverse("evaluations:reopen", args=ROUND)).status_code == 403


def test_codes_are_shown_once_on_a_printable_sheet_and_stored_hashed(evaluation, client):
    client.force_login(User.objects.get(username="qx_admin"))
    url = reverse("evaluations:codes", args=ROUND)
    response = client.post(url, {"evaluator_class": "public", "count": 5})
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    codes = re.findall(r'data-code="([A-Z0-9-]+)"', html)
    assert len(codes) == 5 and html.count("<svg") == 5
    assert all(PublicCode.objects.filter(digest=code_digest(c), used_at__isnull=True).exists() for c in codes)
    assert all(f"/evaluations/vote/public/?code={c}" in html for c in codes)
    stored = " ".join(PublicCode.objects.values_list("digest", flat=True))
    assert not any(c.replace("-", "") in stored or c in stored for c in codes)  # only digests are kept
    assert " style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # CSP-ready
    page = client.get(url).content.decode()
    assert not any(c in page for c in codes)  # never shown again
    response = client.post(url, {"evaluator_class": "public", "count": 501})
    assert PublicCode.objects.count() == 6 + 5


def test_reopen_needs_the_organisation_department_and_a_reason(evaluation, client):
    services.round_close(actor=admin_actor(), round=evaluation["round"])
    url = reverse("evaluations:reopen", args=ROUND)
    client.force_login(User.objects.get(username="qx_admin"))
    response = client.post(url, {"reason": "想改"})
    assert response.status_code == 403 and "只有组织部管理员" in response.content.decode()
    client.force_login(User.objects.get(username="org"))
    assert "重新开启" in client.get(reverse("evaluations:round", args=ROUND)).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 200
    assert EvaluationRound.objects.get().state == RoundState.CLOSED
    assert client.post(url, {"reason": "补充两名出差同志的评价"}).status_code == 302
    assert EvaluationRound.objects.get().state == RoundState.OPEN
    history = client.get(reverse("evaluations:round", args=ROUND)).content.decode()
    assert "补充两名出差同志的评价" in history


def test_turnout_polls_while_open_only(evaluation, client):
    client.force_login(User.objects.get(username="qx_admin"))
    url = reverse("evaluations:turnout", args=ROUND)
    services.vote_submit_public(
        round=evaluation["round"], code=evaluation["codes"][0], grades=all_grades(evaluation["round"])
    )
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="turnout"') and 'hx-trigger="every 5s"' in fragment
    assert re.search(r'data-class="public">.*?1 / 6', fragment, re.S)
    assert re.search(r'data-class="peer">.*?0 / 2', fragment, re.S)
    services.round_close(actor=admin_actor(), round=evaluation["round"])
    assert "hx-trigger" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()


# --- voters ---------------------------------------------------------------------------------


def test_a_voter_drafts_then_submits_once_on_the_form(evaluation, client):
    client.force_login(User.objects.get(username="a01"))
    url = reverse("evaluations:vote", args=ROUND)
    page = client.get(url).content.decode()
    assert page.count('<fieldset class="rate"') == 6 and 'data-cadre="A01"' not in page  # not themselves

    client.post(url, {"intent": "draft", "c_A02": "优秀", "c_A03": "一般"})
    assert Draft.objects.get().grades == {"A02": "优秀", "A03": "一般"}
    page = client.get(url).content.decode()
    assert re.search(r'value="优秀"[^>]*name="c_A02"[^>]*checked|name="c_A02" value="优秀"[^>]*checked', page)

    response = client.post(url, {"intent": "submit", "c_A02": "优秀"})
    assert "还有 5 名干部未评价" in response.content.decode()
    assert counts()["votes"] == 0

    full = {
        f"c_{code}": grade for code, grade in all_grades(evaluation["round"], User.objects.get(username="a01")).items()
    }
    assert client.post(url, {"intent": "submit", **full}).status_code == 302
    assert (Participation.objects.count(), Vote.objects.count(), Draft.objects.count()) == (1, 6, 0)
    page = client.get(url).content.decode()
    assert 'id="voted"' in page and "<fieldset" not in page
    before = counts()
    client.post(url, {"intent": "submit", **full})
    assert counts() == before


def test_the_public_votes_with_a_code_and_no_account(evaluation, client):
    url = reverse("evaluations:vote_public")
    code = evaluation["codes"][0]
    assert 'name="code"' in client.get(url).content.decode()
    assert "票码无效" in client.get(url, {"code": "AAAA-BBBB-CCCC"}).content.decode()
    page = client.get(url, {"code": code}).content.decode()
    assert page.count('<fieldset class="rate"') == 7
    ballot = {f"c_{c}": g for c, g in all_grades(evaluation["round"], grade="一般").items()}

    other = make_round("2026Q2")
    services.round_open(actor=admin_actor(), round=other)
    before = counts()
    response = client.post(url, {"code": code, "round": other.pk, **ballot})  # this code, posted to another round
    assert "票码无效" in response.content.decode() and counts() == before

    response = client.post(url, {"code": code, "round": evaluation["round"].pk, **ballot})
    assert 'id="public-done"' in response.content.decode()
    assert Vote.objects.filter(evaluator_class="public").count() == 7
    before = counts()
    response = client.post(url, {"code": code, "round": evaluation["round"].pk, **ballot})
    assert "已经使用过" in response.content.decode() and counts() == before
    assert "已经使用过" in client.get(url, {"code": code.lower()}).content.decode()


def test_after_closing_the_forms_are_gone(evaluation, client):
    services.round_close(actor=admin_actor(), round=evaluation["round"])
    client.force_login(User.objects.get(username="a04"))
    page = client.get(reverse("evaluations:vote", args=ROUND)).content.decode()
    assert "评价已结束" in page and "<fieldset" not in page
    client.logout()
    page = client.get(reverse("evaluations:vote_public"), {"code": evaluation["codes"][1]}).content.decode()
    assert "评价已结束" in page and "<fieldset" not in page
    before = counts()
    client.post(reverse("evaluations:vote_public"), {"code": evaluation["codes"][1], "c_A01": "优秀"})
    assert counts() == before and Ballot.objects.count() == 0


def test_list_and_round_pages_pin_their_queries(evaluation, client, django_assert_num_queries):
    client.force_login(User.objects.get(username="org"))
    client.get(reverse("evaluations:list"))  # warm the session
    with django_assert_num_queries(6):  # 5 + the unread-notices badge of the top nav
        client.get(reverse("evaluations:list"))
    with django_assert_num_queries(11):
        client.get(reverse("evaluations:round", args=ROUND))
    client.force_login(User.objects.get(username="a01"))
    with django_assert_num_queries(6):
        client.get(reverse("evaluations:list"))


def test_a_tampered_public_form_is_refused_quietly(evaluation, client):
    url = reverse("evaluations:vote_public")
    before = counts()
    for round_value in ("abc", "", "999999"):
        response = client.post(url, {"code": evaluation["codes"][0], "round": round_value, "c_A01": "优秀"})
        assert response.status_code == 200 and "票码无效" in response.content.decode()
    assert counts() == before
