"""Changing an id in a URL to someone else's object answers 404, for every role and every URL that
names an object (insecure direct object references).

``tests/test_permission_matrix.py`` already sends every role to 齐溪镇 (QX)'s objects: the roles of
桐村镇 (TC), the task-force lead and the other cadre get 404 there. This module adds the other
direction: 桐村镇 gets its own scheme, group, cadre (T01, with a login), entries, evidence, a published
board and an objection, and each role of 齐溪镇 — unit administrator, reviewer, task-force lead, cadres —
edits those ids into every URL of the matrix and gets 404 (and changes nothing). The TC roles are run
against QX's objects here too, so each role has its one test. 组织部 (``org``) sees the whole county by
design; an installation serves one county, so there is no "other county" to reach.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.accounts.services import user_create
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre, Post
from gongfen.schemes.models import Rule
from tests.factories import example_bundle, load
from tests.test_permission_matrix import MATRIX, make_objects, publication_objects
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF, PASSWORD

ACTOR = Actor(None, "test")
# keys of the matrix that name no object of a unit or a person (a quarter, a year of the county, the
# county's holiday calendar of a year, which only 组织部 edits: the matrix checks the other roles)
NOT_AN_OBJECT = {"quarter", "county", "import_kind", "holiday_year"}
QX_SIDE = ["qx_admin", "qx_reviewer", "sk_lead", "a01", "a04"]
TC_SIDE = ["tc_admin", "tc_reviewer"]
OBJECT_URLS = sorted(name for name, (_m, key, _e) in MATRIX.items() if key and key not in NOT_AN_OBJECT)


def tc_bundle() -> dict:
    """桐村镇's own scheme (a copy of 齐溪镇's), group TC-ALL, cadre T01 and two approved entries."""
    bundle = example_bundle()
    scheme = copy.deepcopy(bundle["schemes"][0]) | {"code": "TC-2026", "name": "桐村镇2026年实施细则", "unit": "TC"}
    cadre = {
        "code": "T01",
        "name": "乙一",
        "posts": [{"unit": "TC", "position": "一般干部", "start": "2024-01-01", "end": None}],
    }
    entry = {"cadre": "T01", "scheme": "TC-2026", "rule": "R-TASK", "quantity": "3", "status": "approved"}
    return {
        "format": bundle["format"],
        "units": bundle["units"],
        "cadres": [*bundle["cadres"], cadre, cadre | {"code": "T02", "name": "乙二"}],
        "schemes": [scheme],
        "groups": [{"code": "TC-ALL", "name": "桐村镇全体干部", "scheme": "TC-2026", "select": {"unit": "TC"}}],
        "entries": [
            entry | {"id": "T-E01", "occurred_on": "2026-07-15"},
            entry | {"id": "T-E02", "occurred_on": "2026-08-15"},
        ],
        "ballots": [],
    }


@pytest.fixture
def towns(county):
    load(tc_bundle())
    user_create(actor=ACTOR, username="t01", password=PASSWORD, cadre=Cadre.objects.get(code="T01"))
    return county


def tc_objects() -> dict:
    """The objects of 桐村镇, under the matrix's keys."""
    t01, rule = Cadre.objects.get(code="T01"), Rule.objects.get(scheme__code="TC-2026", code="R-TASK")
    t01_user, day = User.objects.get(username="t01"), date(2026, 8, 3)
    pending = ledger.entry_declare(actor=Actor(t01_user), cadre=t01, rule=rule, occurred_on=day, quantity=Decimal(2))
    draft = ledger.entry_declare(actor=Actor(t01_user), cadre=t01, rule=rule, occurred_on=day, submit=False)
    with_pdf = ledger.entry_declare(
        actor=ACTOR, cadre=t01, rule=rule, occurred_on=day, files=[("合同.pdf", MINIMAL_PDF)]
    )
    decide = {"action": "approve", "decision": "approve", "reason": "核实"}
    return {
        "pending": {"args": [pending.code], "data": decide},
        "draft": {"args": [draft.code], "data": {}},
        "approved": {"args": ["T-E01"], "data": {"reason": "核查不实"}},
        "evidence": {"args": [with_pdf.code, with_pdf.evidence.get().token]},
        "bulk": {"args": [], "data": {**decide, "entries": [pending.code], "codes": [pending.code]}},
        "board": {"args": ["TC-ALL", "2026Q3"]},
        "row": {"args": ["TC-ALL", "2026Q3", "T01"]},
        "scheme": {"args": ["TC-2026"]},
        "scheme_group": {"args": ["TC-2026", "TC-ALL"]},
        "rule": {"args": ["TC-2026", "R-TASK"]},
        "removable_rule": {"args": ["TC-2026", "B-MID"], "data": {"reason": "不再使用"}},
        "cadre": {"args": ["T01"]},
        "year": {"args": ["TC-ALL", 2026]},
        "override": {
            "args": ["TC-ALL", "2026Q3"],
            "data": {"cadre": "T01", "action": "recommend", "include": "1", "reason": "表现突出"},
        },
        "override_confirm": {"args": ["TC-ALL", "2026Q3", 999999]},
        "holiday_year": {
            "args": [2027]
        },  # not a unit's: only 组织部 edits the calendar, every other role finds nothing
        "post": {"args": ["T01", Post.objects.get(cadre=t01).pk], "data": {"end": "2026-09-30", "reason": "调动"}},
        "warning": {"args": [], "data": tc_last_tier_warning()},
        **tc_intake_objects(),
        **api_token("t01"),
        **webhook_objects(),  # county-wide: an endpoint and a delivery only 组织部 reaches
        **import_objects("tc_admin"),  # 桐村镇's administrator's upload: its uploader's alone
    }


def tc_intake_objects() -> dict:
    """桐村镇's source (owned by tc_admin) with a record proposed for T01; a group declaration for T01 and T02."""
    from gongfen.intake.groups import group_declare
    from gongfen.intake.services import batch_receive, person_link_set, source_register
    from gongfen.org.models import Unit

    org, tc_admin = User.objects.get(username="org"), User.objects.get(username="tc_admin")
    task = Rule.objects.get(scheme__code="TC-2026", code="R-TASK")
    source, _ = source_register(
        actor=Actor(org),
        code="TC-YJS",
        name="一件事",
        owner=tc_admin,
        rules=[task],
        units=[Unit.objects.get(code="TC")],
    )
    person_link_set(actor=Actor(org), source=source, identifier="zzd-t01", cadre=Cadre.objects.get(code="T01"))
    record = {"source_record_id": "1", "person": "zzd-t01", "scheme": "TC-2026", "rule": "R-TASK"}
    ((_, proposal),) = batch_receive(
        source=source, records=[record | {"occurred_on": date(2026, 8, 3), "quantity": 1}]
    ).created
    group = group_declare(
        actor=Actor(tc_admin),
        rule=task,
        cadres=list(Cadre.objects.filter(code__in=["T01", "T02"])),
        occurred_on=date(2026, 8, 3),
        quantity=Decimal(1),
        description="联合巡查",
    )
    return {
        "proposal": {"args": [proposal.pk], "data": {"reason": "不是我办的"}},
        "source": {"args": [source.code]},
        "group": {"args": [group.code], "data": {"decision": "approve"}},
    }


def tc_last_tier_warning() -> dict:
    """The 2026Q3 early warning of whoever is last in 桐村镇's group (analytics:warning_follow_up)."""
    from gongfen.rankings.selectors import group_by_code, group_ranking
    from tests.test_permission_matrix import warning_of

    return warning_of(group_ranking(group_by_code("TC-ALL"), "2026Q3").rows[-1].cadre, "TC-ALL")


def webhook_objects() -> dict:
    from tests.test_permission_matrix import webhook_objects

    return webhook_objects()


def import_objects(username: str) -> dict:
    from tests.test_permission_matrix import import_objects

    return import_objects(username)


def api_token(username: str) -> dict:
    """T01's personal API token, where the API app is installed (the matrix knows how to make one)."""
    if "api_token" not in {key for _m, key, _e in MATRIX.values()}:
        return {}
    from tests.test_permission_matrix import api_token_of

    return {"api_token": {"args": [api_token_of(username)]}}


def tc_publication_objects() -> dict:
    """TC-ALL 2026Q3 published (v1, v2) to its group, T01's objection with evidence, a notice for t01."""
    from gongfen.notices.models import Notice
    from gongfen.publication import services as publication
    from gongfen.publication.objections import objection_file
    from gongfen.rankings.selectors import group_by_code

    group, period, t01 = group_by_code("TC-ALL"), "2026Q3", User.objects.get(username="t01")
    publication.period_close(actor=ACTOR, group=group, period=period)
    publication.period_publish(actor=ACTOR, group=group, period=period)
    publication.period_republish(actor=ACTOR, group=group, period=period, reason="更正")
    objection = objection_file(
        actor=Actor(t01),
        group=group,
        period=period,
        cadre=t01.cadre,
        text="天数有误",
        entry=Entry.objects.get(code="T-E01"),
        evidence=("说明.pdf", MINIMAL_PDF),
    )
    return {
        "pub_board": {"args": ["TC-ALL", period]},
        "pub_diff": {"args": ["TC-ALL", period, 1, 2]},
        "pub_objection": {"args": [objection.pk]},
        "pub_uphold": {"args": [objection.pk], "data": {"u-reason": "核实", "u-revoke": "on"}},
        "pub_dismiss": {"args": [objection.pk], "data": {"d-reason": "核对无误"}},
        "pub_notice": {"args": [Notice.objects.filter(user=t01).first().pk]},
        "pub_proof": {"args": ["TC-ALL", period, "T01"]},
    }


def foreign(role: str, key: str) -> dict:
    # 桐村镇's roles reach for 齐溪镇's objects; so does the task-force lead for publications, being
    # himself a cadre of 桐村镇 (A07) and so a reader of its published board
    if key.startswith("gr_"):  # 考核等次: 齐溪镇's sheet for 桐村镇's roles, 桐村镇's for 齐溪镇's
        from tests.grades.matrix_objects import grades_objects

        return grades_objects("QX" if role in TC_SIDE else "TC")[key]
    if role in TC_SIDE or (role == "sk_lead" and key.startswith("pub_")):
        return (publication_objects if key.startswith("pub_") else make_objects)()[key]
    objects = (tc_publication_objects if key.startswith("pub_") else tc_objects)()
    assert key in objects, f"a URL of the matrix names a new kind of object: give 桐村镇 one under {key!r} here"
    return objects[key]


@pytest.mark.parametrize("role", QX_SIDE + TC_SIDE)
def test_someone_elses_object_in_any_url_answers_404(role, towns, client):
    client.force_login(User.objects.get(username=role))
    answers = {}
    for name in OBJECT_URLS:
        method, key, _expected = MATRIX[name]
        with transaction.atomic():  # each URL starts from the same state
            spec = foreign(role, key)
            audit_rows = AuditEvent.objects.writes().count()
            url = reverse(name, args=spec["args"])
            response = client.post(url, spec.get("data", {})) if method == "POST" else client.get(url)
            answers[name] = response.status_code
            if response.status_code == 404:
                assert AuditEvent.objects.writes().count() == audit_rows, f"{name} wrote something before refusing"
            transaction.set_rollback(True)
    assert {name: code for name, code in answers.items() if code != 404} == {}


def test_the_foreign_objects_are_real_their_own_people_reach_them(towns, client):
    """The control: the same URLs answer the owners (so the 404s above are not broken links)."""
    with transaction.atomic():
        objects = tc_objects()
        client.force_login(User.objects.get(username="tc_admin"))
        for name, key in [("schemes:detail", "scheme"), ("org:cadre", "cadre"), ("rankings:board", "board")]:
            assert client.get(reverse(name, args=objects[key]["args"])).status_code == 200, name
        follow_up = client.post(reverse("analytics:warning_follow_up"), objects["warning"]["data"])
        assert follow_up.status_code == 302, "桐村镇's administrator records a follow-up of its own warning"
        client.force_login(User.objects.get(username="t01"))
        assert client.get(reverse("ledger:entry", args=objects["pending"]["args"])).status_code == 200
        assert client.get(reverse("ledger:evidence", args=objects["evidence"]["args"])).status_code == 200
        transaction.set_rollback(True)
    pub = tc_publication_objects()
    client.force_login(User.objects.get(username="t01"))  # the session above was rolled back with the rest
    assert client.get(reverse("publication:objection", args=pub["pub_objection"]["args"])).status_code == 200
    assert client.get(reverse("publication:board", args=pub["pub_board"]["args"])).status_code == 200
