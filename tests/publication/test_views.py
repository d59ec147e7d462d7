"""The publication pages: who sees a published board (per scope), the board drawn from its snapshot, versions,
the diff, filing and deciding objections through the pages, objection evidence, query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.accounts.services import user_create
from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.notices.models import Notice, NoticeKind
from gongfen.org.models import Unit
from gongfen.org.services import cadre_create
from gongfen.publication.models import Objection, ObjectionStatus, Snapshot
from gongfen.publication.objections import objection_file, objection_uphold
from gongfen.schemes.models import Rule
from tests.clock import at
from tests.publication.helpers import Q3, cadre_user, close_q3, publish_q3, qx, state_of_db
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import ACTOR, MINIMAL_PDF, PASSWORD

BOARD = reverse("publication:board", args=["QX-ALL", Q3])
ADMINS_AND_VIEWERS = {"org", "qx_admin", "qx_reviewer"}
MEMBERS = {"a01", "a04", "qx_reviewer"}
IN_THE_WINDOW = date(2026, 11, 23)  # Monday: publish_q3's window runs Fri 20 – Fri 27 November


@pytest.fixture(autouse=True)
def _inside_the_objection_window(clock):
    """The pages file and decide objections "now": these tests act while publish_q3's window is open."""
    clock.move_to(at(IN_THE_WINDOW))


@pytest.fixture
def a09(county):
    """A09 joins 齐溪镇 in Q4: in the unit's scope, not a member of the group in Q3."""
    cadre = cadre_create(
        actor=ACTOR,
        code="A09",
        name="甲九",
        unit=Unit.objects.get(code="QX"),
        position="一般干部",
        start=date(2026, 10, 5),
    )
    return user_create(actor=ACTOR, username="a09", password=PASSWORD, cadre=cadre)


def seen_by(client) -> set[str]:
    seen = set()
    for user in User.objects.all():
        client.force_login(user)
        status = client.get(BOARD).status_code
        assert status in (200, 404), (user.username, status)
        if status == 200:
            seen.add(user.username)
    return seen


SCOPES = {
    "group": ADMINS_AND_VIEWERS | MEMBERS,
    "unit": ADMINS_AND_VIEWERS | MEMBERS | {"a09"},
    "county": ADMINS_AND_VIEWERS | MEMBERS | {"a09", "sk_lead"},
    "units": ADMINS_AND_VIEWERS | {"sk_lead"},  # named unit: 桐村镇 only
}


@pytest.mark.parametrize("scope", sorted(SCOPES))
def test_who_sees_the_published_board_and_who_is_told(county, a09, client, scope):
    group = qx()
    group.publish_scope = scope
    group.save()
    if scope == "units":
        group.publish_units.set([Unit.objects.get(code="TC")])
    assert seen_by(client) == set()  # before publication: nobody (a plain cadre, and no snapshot for anyone)
    publish_q3()
    assert seen_by(client) == SCOPES[scope]
    told = set(Notice.objects.filter(kind=NoticeKind.PUBLISHED).values_list("user__username", flat=True))
    assert told == SCOPES[scope]  # everyone who may see it, nobody else
    client.logout()
    assert client.get(BOARD).status_code == 302


def test_before_publication_the_cadre_finds_nothing_but_the_administrator_has_the_provisional_board(county, login):
    close_q3()
    assert login("a01").get(BOARD).status_code == 404
    assert login("qx_admin").get(reverse("rankings:board", args=["QX-ALL", Q3])).status_code == 200
    assert login("qx_admin").get(BOARD).status_code == 404  # no snapshot yet
    assert login("a01").get(reverse("publication:list")).context["items"] == []


def test_unknown_group_or_period_is_404(county, login):
    publish_q3()
    client = login("org")
    assert client.get(reverse("publication:board", args=["NOPE", Q3])).status_code == 404
    assert client.get(reverse("publication:board", args=["QX-ALL", "2025Q3"])).status_code == 404
    assert client.get(BOARD + "?v=7").status_code == 404


def test_the_board_is_drawn_from_the_snapshot_not_the_live_ledger(county, login):
    publish_q3()
    ledger.entry_revoke(actor=ACTOR, entry=Entry.objects.get(code="E01"), reason="重复登记")  # A01's 驻村 −15
    response = login("a01").get(BOARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "99.50" in body and "97.43" in body  # A01 as published, not the live 84.50
    assert "84.50" not in body
    assert "已公示" in body or "公示中" in body
    own = response.context["board"].own_line
    assert own.cadre == "A01" and own.rank == 1
    assert 'class="tier-0 own"' in body  # the viewer's own row is marked
    assert "驻村工作日" in body  # the snapshot's breakdown, with rule names
    assert response.context["board"].snapshot.fingerprint in body


def test_versions_and_the_diff(county, login):
    publish_q3()
    a05 = cadre_user("A05")
    objection = objection_file(
        actor=Actor(a05), group=qx(), period=Q3, cadre=a05.cadre, text="处分已撤销", entry=Entry.objects.get(code="E14")
    )
    objection_uphold(
        actor=Actor(User.objects.get(username="qx_admin")), objection=objection, reason="核实", revoke=True
    )
    client = login("a04")
    latest = client.get(BOARD)
    assert latest.context["board"].snapshot.version == 2
    assert "v1" in latest.content.decode() and "异议采纳：核实" in latest.content.decode()
    first = client.get(BOARD + "?v=1")
    assert first.context["board"].snapshot.version == 1 and not first.context["board"].is_latest
    a05_v1 = next(line for line in first.context["board"].lines if line.cadre == "A05")
    a05_v2 = next(line for line in latest.context["board"].lines if line.cadre == "A05")
    assert a05_v1.vetoed and not a05_v2.vetoed

    response = client.get(reverse("publication:diff", args=["QX-ALL", Q3, 1, 2]))
    assert response.status_code == 200
    body = response.content.decode()
    page = response.context["page"]
    assert {row.cadre for row in page.changed} == set(Snapshot.objects.get(version=2).changed)
    assert "一票否决" in body and "工分" in body and "甲五" in body
    for key in ("quantitative_normalized", "vetoed", "breakdown", "tier_index"):
        assert key not in body  # labels, never JSON keys
    assert client.get(reverse("publication:diff", args=["QX-ALL", Q3, 1, 3])).status_code == 404
    assert login("sk_lead").get(reverse("publication:diff", args=["QX-ALL", Q3, 1, 2])).status_code == 404


def test_filing_an_objection_through_the_page(county, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    publish_q3()
    client = login("a01")
    url = reverse("publication:object", args=["QX-ALL", Q3])
    form = client.get(url)
    assert form.status_code == 200
    assert "E01" in form.content.decode()  # the cadre's own entries to choose from
    assert "E11" not in form.content.decode()  # not another's
    before = state_of_db()
    empty = client.post(url, {"text": ""})
    assert empty.status_code == 200 and state_of_db() == before
    pdf = SimpleUploadedFile("日志.pdf", MINIMAL_PDF, content_type="application/pdf")
    e01 = Entry.objects.get(code="E01")
    response = client.post(url, {"entry": e01.pk, "text": "驻村天数少算", "evidence": pdf})
    objection = Objection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("publication:objection", args=[objection.pk])
    assert objection.entry == e01 and objection.evidence_name == "日志.pdf"
    # another's entry, by id in the form: not a choice
    client.post(url, {"entry": Entry.objects.get(code="E11").pk, "text": "x"})
    assert Objection.objects.count() == 1
    assert login("sk_lead").get(url).status_code == 404  # not a member
    assert login("qx_admin").get(url).status_code == 404  # not a cadre


def test_my_objections_and_the_evidence_is_for_the_objector_and_the_deciders(county, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    publish_q3()
    a01 = User.objects.get(username="a01")
    objection = objection_file(
        actor=Actor(a01), group=qx(), period=Q3, cadre=a01.cadre, text="少算", evidence=("a.pdf", MINIMAL_PDF)
    )
    mine = login("a01").get(reverse("publication:mine"))
    assert mine.status_code == 200 and "待处理" in mine.content.decode()
    assert login("a04").get(reverse("publication:mine")).context["objections"].count() == 0
    url = reverse("publication:evidence", args=[objection.pk])
    for username, status in [("a01", 200), ("qx_admin", 200), ("org", 200), ("a04", 404), ("tc_admin", 404)]:
        response = login(username).get(url)
        assert response.status_code == status, username
        if status == 200:
            assert b"".join(response.streaming_content) == MINIMAL_PDF
    detail = reverse("publication:objection", args=[objection.pk])
    for username, status in [("a01", 200), ("qx_admin", 200), ("a04", 404), ("qx_reviewer", 404), ("tc_admin", 404)]:
        assert login(username).get(detail).status_code == status, username
    assert not login("a01").get(detail).context["decides"]
    assert login("qx_admin").get(detail).context["decides"]


def test_deciding_through_the_pages(county, login):
    publish_q3()
    a04 = User.objects.get(username="a04")
    objection = objection_file(actor=Actor(a04), group=qx(), period=Q3, cadre=a04.cadre, text="漏记交办事项 2 项")
    queue = login("qx_admin").get(reverse("publication:queue"))
    assert [o.pk for o in queue.context["objections"]] == [objection.pk]
    assert login("tc_admin").get(reverse("publication:queue")).context["objections"] == []
    assert login("a01").get(reverse("publication:queue")).status_code == 404

    dismiss = reverse("publication:dismiss", args=[objection.pk])
    uphold = reverse("publication:uphold", args=[objection.pk])
    before = state_of_db()
    assert login("qx_admin").post(dismiss, {"d-reason": ""}).status_code == 400
    assert login("qx_admin").post(uphold, {"u-reason": "成立"}).status_code == 400  # no correction chosen
    assert login("a04").post(uphold, {"u-reason": "成立"}).status_code == 404  # the objector does not decide
    assert login("tc_admin").post(dismiss, {"d-reason": "x"}).status_code == 404
    assert state_of_db() == before

    task = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    response = login("qx_admin").post(
        uphold,
        {"u-reason": "核实漏记", "u-grant_rule": task.pk, "u-grant_quantity": "2", "u-grant_occurred_on": "2026-09-10"},
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and objection.resolved_version == 2
    page = login("a04").get(reverse("publication:objection", args=[objection.pk])).content.decode()
    assert "已采纳" in page and "核实漏记" in page
    assert login("qx_admin").post(dismiss, {"d-reason": "再议"}).status_code == 400  # decided already


def test_list_pages_pin_their_query_counts(county, login, django_assert_max_num_queries):
    publish_q3()
    a04 = User.objects.get(username="a04")
    for text in ("一", "二", "三"):
        objection_file(actor=Actor(a04), group=qx(), period=Q3, cadre=a04.cadre, text=text)
    client = login("qx_admin")
    with django_assert_max_num_queries(7):
        assert len(client.get(reverse("publication:queue")).context["objections"]) == 3
    with django_assert_max_num_queries(9):
        assert len(client.get(reverse("publication:list")).context["items"]) == 1
    with django_assert_max_num_queries(
        11
    ):  # whatever the group's size: one snapshot, and one query to check it (issue 14)
        client.get(BOARD)
    client = login("a04")
    with django_assert_max_num_queries(7):
        assert client.get(reverse("publication:mine")).context["objections"].count() == 3


def test_the_grant_form_lists_only_rules_of_the_scheme(county, login):
    publish_q3()
    a04 = User.objects.get(username="a04")
    objection = objection_file(actor=Actor(a04), group=qx(), period=Q3, cadre=a04.cadre, text="漏记")
    form = login("org").get(reverse("publication:objection", args=[objection.pk])).context["uphold_form"]
    codes = set(form.fields["grant_rule"].queryset.values_list("code", flat=True))
    assert "R-TASK" in codes and "B-GEN" not in codes
    assert codes == set(
        Rule.objects.filter(scheme__code="QX-2026").exclude(category="base").values_list("code", flat=True)
    )
