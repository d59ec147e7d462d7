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
from tests.grades.matrix_objects import grades_objects
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF, USERS

ROLES = ["anonymous", *USERS]
# "api-v1": the JSON API answers bearer tokens, not sessions; tests/api/test_endpoints.py runs its reads and
# writes for every role with a token (out of scope 404, missing scope 403), tests/api/test_schemathesis.py all of it
NOT_IN_MATRIX = {"login", "logout", "set_language", "admin", "api-v1"}


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
    "password_change": ("GET", None, everyone("ok")),  # every signed-in user changes their own password
    "display_set": ("POST", None, everyone("ok", anonymous="ok")),  # 大字模式 / 高对比度, signed in or not
    "ledger:mine": ("GET", None, only(**dict.fromkeys(CADRE_USERS, "ok"))),
    "ledger:declare": ("GET", None, everyone("ok", tc_reviewer=404)),
    "ledger:declarations": ("GET", None, everyone("ok")),
    "ledger:review": ("GET", None, only(org="ok", qx_reviewer="ok", tc_reviewer="ok")),
    "ledger:entry": ("GET", "pending", only(**QX_VIEWERS, a04="ok")),
    "ledger:evidence": ("GET", "evidence", only(**QX_VIEWERS, a01="ok")),
    "ledger:review_decide": ("POST", "pending", only(org="ok", qx_reviewer="ok", qx_admin=403, a04=403)),
    "ledger:review_bulk": ("POST", "bulk", only(org="ok", qx_reviewer="ok")),
    "ledger:submit": ("POST", "draft", only(a04="ok", org=403, qx_admin=403, qx_reviewer=403)),
    # the author's own safeguards: withdraw a pending declaration, edit or delete a draft
    "ledger:withdraw": ("POST", "pending", only(a04="ok", org=403, qx_admin=403, qx_reviewer=403)),
    "ledger:draft_edit": ("GET", "draft", only(a04="ok", org=403, qx_admin=403, qx_reviewer=403)),
    "ledger:draft_delete": ("POST", "draft", only(a04="ok", org=403, qx_admin=403, qx_reviewer=403)),
    "ledger:revoke": ("POST", "approved", only(org="ok", qx_reviewer="ok", qx_admin=403, a01=403)),
    # E01's quarter is not final in the fixture: administrators reach the service, which refuses (a message)
    "ledger:adjust": ("POST", "approved", only(**QX_ADMINS, qx_reviewer=403, a01=403)),
    "rankings:boards": ("GET", None, only(**ADMINS, qx_reviewer="ok", tc_reviewer="ok")),
    "rankings:board": ("GET", "board", only(**QX_VIEWERS)),
    "rankings:row": ("GET", "row", only(**QX_VIEWERS)),
    # lifecycle moves of the fixture's open quarter: closing is legal; the others are refused there (400)
    # for administrators in scope (tests/rankings/test_lifecycle_views.py runs every legal move)
    "rankings:close": ("POST", "board", only(**QX_ADMINS, qx_reviewer=403)),
    "rankings:publish": ("POST", "board", only(org=400, qx_admin=400, qx_reviewer=403)),
    "rankings:republish": ("POST", "board", only(org=400, qx_admin=400, qx_reviewer=403)),
    "rankings:finalize": ("POST", "board", only(org=400, qx_admin=400, qx_reviewer=403)),
    "schemes:list": ("GET", None, only(**ADMINS)),
    "schemes:derive": ("GET", None, only(**ADMINS)),
    "schemes:detail": ("GET", "scheme", only(**QX_ADMINS)),
    "schemes:params": ("GET", "scheme", only(**QX_ADMINS)),
    "schemes:group_publication": ("GET", "scheme_group", only(**QX_ADMINS)),
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
    # printable notice, exports, charts of QX-ALL 2026Q3 before publication: administrators in scope get
    # the marked preview and the live board (tests/outputs/test_views.py runs them after publication too)
    "outputs:notice": ("GET", "board", only(**QX_VIEWERS)),
    "outputs:notice_pdf": ("GET", "board", only(**QX_VIEWERS)),
    "outputs:snapshot_json": ("GET", "board", only()),
    "outputs:board_xlsx": ("GET", "board", only(**QX_VIEWERS)),
    "outputs:ledger_xlsx": ("GET", "cadre", only(**QX_VIEWERS, a01="ok", sk_lead="ok")),
    "outputs:chart_distribution": ("GET", "board", only(**QX_VIEWERS)),
    "outputs:chart_trend": ("GET", "row", only(**QX_VIEWERS, a01="ok")),
    "outputs:chart_units": ("GET", "quarter", only(org="ok")),
    # publication (公示) of QX-ALL 2026Q3, scope "group", published as v1 and v2, with a01's objection
    # (tests/publication/test_views.py runs every scope and every step)
    "publication:list": ("GET", None, everyone("ok")),
    "publication:board": ("GET", "pub_board", only(**QX_VIEWERS, a01="ok", a04="ok")),
    "publication:diff": ("GET", "pub_diff", only(**QX_VIEWERS, a01="ok", a04="ok")),
    "publication:object": ("GET", "pub_board", only(qx_reviewer="ok", a01="ok", a04="ok")),
    "publication:mine": ("GET", None, only(**dict.fromkeys(CADRE_USERS, "ok"))),
    "publication:queue": ("GET", None, only(**ADMINS)),
    "publication:objection": ("GET", "pub_objection", only(**QX_ADMINS, a01="ok")),
    "publication:evidence": ("GET", "pub_objection", only(**QX_ADMINS, a01="ok")),
    "publication:uphold": ("POST", "pub_uphold", only(**QX_ADMINS)),
    "publication:dismiss": ("POST", "pub_dismiss", only(**QX_ADMINS)),
    # the holiday calendar: 组织部 only (tests/publication/test_calendar_2027.py enters a year)
    "publication:holidays": ("GET", None, only(org="ok")),
    "publication:holidays_year": ("GET", "holiday_year", only(org="ok")),
    # a cadre's inclusion proof against the published head: the cadre and administrators in scope of the cadre
    "trust:proof": ("GET", "pub_proof", only(**QX_ADMINS, a01="ok")),
    "trust:proof_json": ("GET", "pub_proof", only(**QX_ADMINS, a01="ok")),
    "notices:inbox": ("GET", None, everyone("ok")),
    "notices:read": ("POST", "pub_notice", only(a01="ok")),
    "notices:read_all": ("POST", None, everyone("ok")),
    # results (tests/results/test_views.py runs the same roles against published and final quarters);
    # the fixture's quarter is open, so 组织部's override is refused there (400), anyone else's is 403/404
    "results:index": ("GET", None, only(**ADMINS)),
    "results:years": ("GET", None, only(**ADMINS)),
    "results:actions": ("GET", "board", only(**QX_ADMINS)),
    "results:actions_export": ("GET", "board", only(**QX_ADMINS)),
    "results:override": ("POST", "override", only(org=400, qx_admin=403)),
    # no proposal in the fixture: 组织部 finds nothing to confirm (404); tests/results confirm real ones
    "results:override_confirm": ("POST", "override_confirm", only(qx_admin=403)),
    "results:year": ("GET", "year", only(**QX_ADMINS)),
    "results:year_export": ("GET", "year", only(**QX_ADMINS)),
    "results:county_index": ("GET", None, only(**ADMINS)),
    "results:county": ("GET", "county", only(**QX_ADMINS)),
    "results:county_export": ("GET", "county", only(**QX_ADMINS)),
    # 考核等次 (tests/grades/matrix_objects.py: a final 2026Q3 sheet of 齐溪镇, one 复核 decided, one filed;
    # tests/grades/test_views.py runs the workflow): moves the service refuses in that state answer with a message
    "grades:index": ("GET", None, only(**ADMINS)),
    "grades:plan_save": ("POST", "gr_plan_save", only(org="ok")),
    "grades:plan": ("GET", "gr_plan", only(**QX_ADMINS)),
    "grades:plan_export": ("GET", "gr_plan", only(**QX_ADMINS)),
    "grades:seats_propose": ("POST", "gr_plan", only(org="ok")),
    "grades:seats_confirm": ("POST", "gr_override", only(org=403)),  # the proposer may not confirm
    "grades:sanctions": ("GET", None, only(org="ok")),
    "grades:sanction_add": ("POST", "gr_sanction", only(org="ok")),
    "grades:not_graded_add": ("POST", "gr_not_graded", only(org="ok")),
    "grades:influence_set": ("POST", "gr_influence", only(org="ok")),
    "grades:sheet_new": ("POST", "gr_sheet_new", only(**QX_ADMINS)),
    "grades:sheet": ("GET", "gr_sheet", only(**QX_ADMINS)),
    "grades:sheet_export": ("GET", "gr_sheet", only(**QX_ADMINS)),
    "grades:adjust": ("POST", "gr_sheet", only(**QX_ADMINS)),
    "grades:sheet_move": ("POST", "gr_move", only(org="ok", qx_admin=403)),
    "grades:diff": ("GET", "gr_diff", only(**QX_ADMINS)),
    "grades:mine": ("GET", None, only(**dict.fromkeys(CADRE_USERS, "ok"))),
    "grades:record": ("GET", "gr_record", only(**QX_ADMINS, a04="ok")),  # A04's own, and 齐溪镇's administrators
    "grades:review_file": ("POST", "gr_line", only(a04="ok")),
    "grades:reviews": ("GET", None, only(org="ok")),
    "grades:review_decide": ("POST", "gr_review", only(org="ok")),
    "grades:consequences": ("GET", "gr_year", only(org="ok")),
    "grades:follow_up": ("POST", "gr_year", only(org="ok")),
    "audit:list": ("GET", None, only(**ADMINS)),
    "audit:export": ("GET", None, only(**ADMINS)),
    # personal access tokens (API 令牌): every user manages their own; another's token does not exist for them
    "api:tokens": ("GET", None, everyone("ok")),
    "api:token_revoke": ("POST", "api_token", only(a01="ok")),
    # webhooks: 组织部 only (county-wide); a unit administrator finds nothing here either
    # (tests/webhooks/test_views.py runs each page and action)
    "webhooks:endpoints": ("GET", None, only(org="ok")),
    "webhooks:endpoint_add": ("GET", None, only(org="ok")),
    "webhooks:endpoint": ("GET", "webhook_endpoint", only(org="ok")),
    "webhooks:endpoint_active": ("POST", "webhook_endpoint", only(org="ok")),
    "webhooks:resend": ("POST", "webhook_delivery", only(org="ok")),
    # 表格导入: administrators; exports are county-wide (组织部); a job is its uploader's alone
    # (tests/interchange/jobs/test_views.py runs upload, preview and confirm)
    "interchange:index": ("GET", None, only(**ADMINS)),
    "interchange:upload": ("GET", None, only(**ADMINS)),
    "interchange:template": ("GET", "import_kind", only(**ADMINS)),
    "interchange:export": ("GET", "import_kind", only(org="ok")),
    "interchange:job": ("GET", "import_job", only(qx_admin="ok")),
    "interchange:progress": ("GET", "import_job", only(qx_admin="ok")),
    "interchange:confirm": ("POST", "import_job", only(qx_admin="ok")),
    "interchange:discard": ("POST", "import_job", only(qx_admin="ok")),
    # 方案试算: administrators, over the schemes they administer (tests/analytics/test_views.py runs a replay)
    "analytics:whatif": ("GET", None, only(**ADMINS)),
    "analytics:fairness": ("GET", None, only(**ADMINS)),
    "analytics:warnings": ("GET", None, only(**ADMINS)),
    # a follow-up names a computed warning (A05, vetoed, is in 齐溪镇's last tier): its administrators record one
    # (tests/analytics/test_warnings.py sends the notice and shows the follow-through)
    "analytics:warning_follow_up": ("POST", "warning", only(**QX_ADMINS)),
    # records from other systems (tests/intake/ runs each): the cadre confirms or disputes their own; 组织部
    # registers sources, unit administrators map their cadres; a group declaration is seen by its declarer,
    # its members and reviewers in scope, and decided by a reviewer only (four eyes for the others)
    "intake:pending": ("GET", None, only(**dict.fromkeys(CADRE_USERS, "ok"))),
    "intake:confirm": ("POST", "proposal", only(a04="ok")),
    "intake:decline": ("POST", "proposal", only(a04="ok")),
    "intake:sources": ("GET", None, only(**ADMINS)),
    "intake:source": ("GET", "source", only(**QX_ADMINS)),  # 齐溪镇's source: not 桐村镇's administrator
    "intake:groups": ("GET", None, everyone("ok")),
    "intake:group_new": ("GET", None, only(**ADMINS, sk_lead="ok")),
    "intake:group": ("GET", "group", only(org="ok", qx_admin="ok", qx_reviewer="ok", a01="ok", a04="ok")),
    "intake:group_decide": ("POST", "group", only(org="ok", qx_reviewer="ok", qx_admin=403, a01=403, a04=403)),
    "intake:burden": ("GET", None, only(**ADMINS)),
    "reminders:settings": ("GET", None, everyone("ok")),
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
        "api_token": {"args": [api_token_of("a01")]},
        **webhook_objects(),
        **import_objects("qx_admin"),
        **intake_objects(),
        "row": {"args": ["QX-ALL", "2026Q3", "A01"]},
        "scheme": {"args": ["QX-2026"]},
        "scheme_group": {"args": ["QX-2026", "QX-ALL"]},
        "rule": {"args": ["QX-2026", "R-TASK"]},
        "removable_rule": {"args": ["QX-2026", "B-MID"], "data": {"reason": "不再使用"}},
        "cadre": {"args": ["A01"]},
        "quarter": {"args": ["2026Q3"]},
        "warning": {"args": [], "data": warning_of("A05", "QX-ALL")},
        "year": {"args": ["QX-ALL", 2026]},
        "county": {"args": ["2026"]},
        "holiday_year": {"args": [2027]},
        "override": {
            "args": ["QX-ALL", "2026Q3"],
            "data": {"cadre": "A02", "action": "recommend", "include": "1", "reason": "表现突出"},
        },
        "override_confirm": {"args": ["QX-ALL", "2026Q3", 999999]},
        "post": {
            "args": ["A01", Post.objects.filter(cadre__code="A01").order_by("start").first().pk],
            "data": {"end": "2026-09-30", "reason": "调动"},
        },
    }


def warning_of(cadre: str, group: str) -> dict:
    """The follow-up form of the 2026Q3 last-tier warning of ``cadre`` in ``group``."""
    return {
        "subject_kind": "cadre",
        "subject": cadre,
        "group": group,
        "period": "2026Q3",
        "reason": "last_tier",
        "action": "talked",
        "note": "已谈话提醒",
    }


def webhook_objects() -> dict:
    """An endpoint with one delivered delivery (re-sendable); county-wide, 组织部's alone."""
    from gongfen.webhooks.models import Delivery, DeliveryStatus
    from gongfen.webhooks.services import endpoint_create, webhook_enqueue

    endpoint = endpoint_create(
        actor=Actor(None, "test"), name="OA", url="http://127.0.0.1:9/", events=["entry.approved"]
    )
    (delivery,) = webhook_enqueue(event="entry.approved", payload={"entry": "E01"})
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DELIVERED)
    return {
        "webhook_endpoint": {"args": [endpoint.pk], "data": {"active": "0"}},
        "webhook_delivery": {"args": [delivery.uuid]},
    }


def import_objects(username: str) -> dict:
    """A queued spreadsheet import job of ``username`` (nobody runs it here), and a kind.

    The row only, without its upload: this runs for every URL and role, and a rolled-back test would
    leave the file behind (tests/interchange/jobs/ makes jobs through ``import_job_create``)."""
    from gongfen.accounts.models import User
    from gongfen.interchange.models import ImportJob

    job = ImportJob.objects.create(user=User.objects.get(username=username), kind="units", filename="单位.csv")
    return {"import_job": {"args": [job.uuid]}, "import_kind": {"args": ["units"]}}


def intake_objects() -> dict:
    """Source YJS (owned by qx_admin) with a record proposed for A04; a group declaration for A01 and A04."""
    from gongfen.accounts.models import User
    from gongfen.intake.groups import group_declare
    from gongfen.intake.services import batch_receive, person_link_set, source_register
    from gongfen.org.models import Unit

    org, qx_admin = User.objects.get(username="org"), User.objects.get(username="qx_admin")
    task = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    source, _ = source_register(
        actor=Actor(org), code="YJS", name="一件事", owner=qx_admin, rules=[task], units=[Unit.objects.get(code="QX")]
    )
    person_link_set(actor=Actor(org), source=source, identifier="zzd-4", cadre=Cadre.objects.get(code="A04"))
    record = {"source_record_id": "1", "person": "zzd-4", "scheme": "QX-2026", "rule": "R-TASK"}
    ((_, proposal),) = batch_receive(
        source=source, records=[record | {"occurred_on": date(2026, 8, 3), "quantity": 1}]
    ).created
    group = group_declare(
        actor=Actor(qx_admin),
        rule=task,
        cadres=list(Cadre.objects.filter(code__in=["A01", "A04"])),
        occurred_on=date(2026, 8, 3),
        quantity=Decimal(1),
        description="联合巡查",
    )
    return {
        "proposal": {"args": [proposal.pk], "data": {"reason": "不是我办的"}},
        "source": {"args": [source.code]},
        "group": {"args": [group.code], "data": {"decision": "approve"}},
    }


def api_token_of(username: str) -> int:
    from gongfen.accounts.models import User
    from gongfen.api.services import token_create

    user = User.objects.get(username=username)
    return token_create(actor=Actor(user), user=user, name="OA", scopes=["read"])[0].pk


def publication_objects() -> dict:
    """QX-ALL 2026Q3 published (v1, then v2), a01's objection against E01 with evidence, a notice for a01."""
    from gongfen.accounts.models import User
    from gongfen.notices.models import Notice
    from gongfen.publication import services as publication
    from gongfen.publication.objections import objection_file
    from gongfen.rankings.selectors import group_by_code

    actor, group, period = Actor(None, "test"), group_by_code("QX-ALL"), "2026Q3"
    publication.period_close(actor=actor, group=group, period=period)
    ledger.entry_reject(actor=actor, entry=Entry.objects.get(code="E10"), reason="佐证不足")
    publication.period_publish(actor=actor, group=group, period=period)
    publication.period_republish(actor=actor, group=group, period=period, reason="更正")
    a01 = User.objects.get(username="a01")
    objection = objection_file(
        actor=Actor(a01),
        group=group,
        period=period,
        cadre=a01.cadre,
        text="驻村天数重复登记",
        entry=Entry.objects.get(code="E01"),
        evidence=("说明.pdf", MINIMAL_PDF),
    )
    return {
        "pub_board": {"args": ["QX-ALL", period]},
        "pub_diff": {"args": ["QX-ALL", period, 1, 2]},
        "pub_proof": {"args": ["QX-ALL", period, "A01"]},
        "pub_objection": {"args": [objection.pk]},
        "pub_uphold": {"args": [objection.pk], "data": {"u-reason": "核实", "u-revoke": "on"}},
        "pub_dismiss": {"args": [objection.pk], "data": {"d-reason": "核对无误"}},
        "pub_notice": {"args": [Notice.objects.filter(user=a01).first().pk]},
    }


def outcome(response) -> object:
    if response.status_code in (301, 302):
        return "login" if "/login/" in response["Location"] else "ok"
    if response.status_code == 200:
        return "ok"
    return response.status_code


def object_spec(key: str | None) -> dict:
    """The object a URL of the matrix names (its args, and the data a POST sends), made in the test database."""
    if not key:
        return {"args": []}
    if key.startswith("pub_"):
        return publication_objects()[key]
    if key.startswith("gr_"):
        return grades_objects()[key]
    return make_objects()[key]


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(name, county, client):
    method, key, expected = MATRIX[name]
    from gongfen.accounts.models import User

    got = {}
    for role in ROLES:
        with transaction.atomic():  # each role starts from the same state: actions change it
            spec = object_spec(key)
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
