"""Every write service leaves its audit row, in the same transaction.

``WRITES`` maps each public function of every service module to the audit
action it must write and a driver that calls it on the county fixture;
``NOT_WRITES`` names the public functions that are reads, helpers or steps of
an audited service, each with the reason. A new public service function that
is in neither table fails ``test_every_service_function_is_classified``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

import gongfen
from gongfen.accounts import services as accounts
from gongfen.accounts.models import Role, RoleKind, User
from gongfen.api import services as api
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor
from gongfen.evaluations import services as evaluations
from gongfen.evaluations.models import EvaluationRound
from gongfen.interchange import services as interchange
from gongfen.interchange.jobs import services as import_jobs
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.org import services as org
from gongfen.org.models import Cadre, Post, Unit
from gongfen.publication import holidays, objections
from gongfen.publication import services as publication
from gongfen.publication.models import Objection
from gongfen.rankings.selectors import group_by_code
from gongfen.results import services as results
from gongfen.schemes import services as schemes
from gongfen.schemes.models import Rule, Scheme
from gongfen.webhooks import services as webhooks
from tests.factories import example_bundle
from tests.web_fixtures import *  # noqa: F403

EXTRA_SERVICE_MODULES = ["gongfen.publication.holidays", "gongfen.publication.objections"]
Q3, FRI, MON = "2026Q3", date(2026, 11, 20), date(2026, 11, 23)
CLASSES = [{"name": "leader", "mode": "account"}, {"name": "public", "mode": "code"}]


def service_functions() -> set[str]:
    names = [m.name for m in pkgutil.walk_packages(gongfen.__path__, "gongfen.")]
    modules = [n for n in names if n.endswith(".services") or ".services." in n] + EXTRA_SERVICE_MODULES
    found = set()
    for name in modules:
        module = importlib.import_module(name)
        for fn_name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == name and not fn_name.startswith("_"):
                found.add(f"{name}.{fn_name}")
    return found


def override_confirmed():
    """组织部 proposes an override of a final quarter; a second 组织部 administrator confirms it."""
    finalised()
    proposal = results.action_override(
        actor=by("org"),
        group=qx(),
        period=Q3,
        cadre=Cadre.objects.get(code="A02"),
        action="recommend",
        include=True,
        reason="表现突出",
    )
    second = accounts.user_create(actor=Actor(None, "test"), username="org2", password="correct horse battery 2")
    accounts.role_grant(
        actor=Actor(None, "test"), user=second, kind=RoleKind.ORG_ADMIN, unit=Unit.objects.get(code="KH")
    )
    return results.action_override_confirm(actor=Actor(second), override=proposal)


def user(name: str) -> User:
    return User.objects.get(username=name)


def by(name: str) -> Actor:
    return Actor(user(name))


def rule(code: str) -> Rule:
    return Rule.objects.get(scheme__code="QX-2026", code=code)


def qx():
    return group_by_code("QX-ALL")


def published():
    publication.period_close(actor=by("org"), group=qx(), period=Q3)
    ledger.entry_reject(actor=by("org"), entry=Entry.objects.get(code="E10"), reason="佐证不足")
    publication.period_publish(actor=by("org"), group=qx(), period=Q3, today=FRI)


def filed() -> Objection:
    published()
    a01 = user("a01")
    return objections.objection_file(
        actor=Actor(a01),
        group=qx(),
        period=Q3,
        cadre=a01.cadre,
        text="驻村天数少算了",
        now=timezone.make_aware(timezone.datetime(2026, 11, 23, 10), ZoneInfo("Asia/Shanghai")),
    )


def pending() -> Entry:
    return ledger.entry_declare(
        actor=by("a04"), cadre=Cadre.objects.get(code="A04"), rule=rule("R-TASK"), occurred_on=date(2026, 8, 3)
    )


def evaluation_round(open_: bool = False) -> EvaluationRound:
    now = timezone.now()
    round_ = evaluations.round_create(
        actor=by("qx_admin"),
        group=qx(),
        period=Q3,
        classes=CLASSES,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    if open_:
        evaluations.voters_set(
            actor=by("qx_admin"), round=round_, evaluator_class="leader", users=[user("qx_reviewer")]
        )
        round_._codes = evaluations.codes_issue(actor=by("qx_admin"), round=round_, evaluator_class="public", count=1)
        evaluations.round_open(actor=by("qx_admin"), round=round_)
    return round_


def grades(round_, who=None) -> dict[str, str]:
    from gongfen.evaluations.selectors import candidates

    return {c.code: "良好" for c in candidates(round_, who)}


def vote_public() -> None:
    round_ = evaluation_round(open_=True)
    evaluations.vote_submit_public(round=round_, code=round_._codes[0], grades=grades(round_))


def round_closed() -> EvaluationRound:
    round_ = evaluation_round(open_=True)
    evaluations.round_close(actor=by("qx_admin"), round=round_)
    return round_


def rule_changed() -> Rule:
    r = rule("R-TASK")
    return schemes.rule_edit(
        actor=by("org"), rule=r, rule_dict=schemes.rule_as_bundle(r) | {"points": "2"}, reason="提高"
    )


def import_job(planned: bool = False):
    from gongfen.interchange.jobs.runner import run_next

    csv = "单位编码,单位名称,单位类型,上级单位编码\nQX-NEW,新办公室,乡镇,QX\n".encode()
    job = import_jobs.import_job_create(actor=by("qx_admin"), kind="units", filename="单位.csv", upload=csv)
    if planned:
        run_next()
        job.refresh_from_db()
    return job


def webhook_endpoint():
    return webhooks.endpoint_create(actor=by("org"), name="OA", url="http://127.0.0.1:9/", events=["entry.approved"])


def webhook_resend():
    from gongfen.webhooks.models import Delivery, DeliveryStatus

    webhook_endpoint()
    ledger.entry_approve(actor=by("org"), entry=pending())
    Delivery.objects.update(status=DeliveryStatus.FAILED)
    return webhooks.delivery_resend(actor=by("org"), delivery=Delivery.objects.get())


def finalised():
    published()
    publication.period_finalize(actor=by("org"), group=qx(), period=Q3, today=date(2026, 11, 30))


def api_token():
    from gongfen.api.models import Scope

    return api.token_create(actor=by("org"), user=user("org"), name="报表", scopes=[Scope.values[0]])


def bundle_with_new_cadre() -> dict:
    bundle = example_bundle()
    bundle["cadres"][0]["name"] = "改名"
    return bundle


Driver = Callable[[], object]

# service -> (the audit action its call must write, a driver making one legal call)
WRITES: dict[str, tuple[str, Driver]] = {
    "gongfen.accounts.services.user_create": (
        "user.create",
        lambda: accounts.user_create(actor=by("org"), username="new-user", password="x-2026-long-enough"),
    ),
    "gongfen.accounts.services.user_password_set": (
        "user.password_reset",
        lambda: accounts.user_password_set(actor=by("org"), user=user("a01"), password="a-new-pass-2026-for-a01"),
    ),
    "gongfen.accounts.services.role_grant": (
        "role.grant",
        lambda: accounts.role_grant(
            actor=by("org"), user=user("a01"), kind=RoleKind.REVIEWER, unit=Unit.objects.get(code="QX")
        ),
    ),
    "gongfen.accounts.services.role_revoke": (
        "role.revoke",
        lambda: accounts.role_revoke(actor=by("org"), role=Role.objects.get(user__username="tc_admin"), reason="调离"),
    ),
    "gongfen.org.services.cadre_create": (
        "cadre.create",
        lambda: org.cadre_create(
            actor=by("qx_admin"),
            code="A99",
            name="甲九",
            unit=Unit.objects.get(code="QX-WL"),
            position="一般干部",
            start=date(2026, 10, 1),
        ),
    ),
    "gongfen.org.services.post_add": (
        "post.add",
        lambda: org.post_add(
            actor=by("qx_admin"),
            cadre=Cadre.objects.get(code="A01"),
            unit=Unit.objects.get(code="QX"),
            position="一般干部",
            start=date(2027, 1, 1),
        ),
    ),
    "gongfen.org.services.post_end": (
        "post.end",
        lambda: org.post_end(
            actor=by("qx_admin"),
            post=Post.objects.filter(cadre__code="A01", end__isnull=True).first(),
            end=date(2026, 12, 31),
        ),
    ),
    "gongfen.schemes.services.scheme_save": (
        "scheme.save",
        lambda: schemes.scheme_save(
            actor=by("org"), scheme_dict=schemes.scheme_as_bundle(Scheme.objects.get(code="QX-2026")) | {"min_days": 40}
        ),
    ),
    "gongfen.schemes.services.rule_add": (
        "scheme.save",
        lambda: schemes.rule_add(
            actor=by("qx_admin"),
            scheme=Scheme.objects.get(code="QX-2026"),
            rule_dict={"code": "L-FIRE", "name": "森林防火巡查", "category": "routine", "points": "0.5", "unit": "次"},
        ),
    ),
    "gongfen.schemes.services.rule_edit": ("scheme.save", rule_changed),
    "gongfen.schemes.services.scheme_params_put": (
        "scheme.save",
        lambda: schemes.scheme_params_put(
            actor=by("qx_admin"), scheme=Scheme.objects.get(code="QX-2026"), params={"min_days": 45}, reason="改"
        ),
    ),
    "gongfen.schemes.services.scheme_contact_set": (
        "scheme.save",
        lambda: schemes.scheme_contact_set(
            actor=by("qx_admin"), scheme=Scheme.objects.get(code="QX-2026"), office="党政办", phone="", address=""
        ),
    ),
    "gongfen.schemes.services.scheme_derive": (
        "scheme.derive",
        lambda: schemes.scheme_derive(
            actor=by("org"),
            template=Scheme.objects.get(code="QX-2026"),
            unit=Unit.objects.get(code="QX"),
            code="QX-2027",
            name="二〇二七",
            year=2027,
        ),
    ),
    "gongfen.schemes.services.rule_remove": (
        "rule.remove",
        lambda: schemes.rule_remove(actor=by("qx_admin"), rule=rule("B-MID"), reason="不再使用"),
    ),
    "gongfen.schemes.services.group_publication_put": (
        "group.publication",
        lambda: schemes.group_publication_put(actor=by("qx_admin"), group=qx(), scope="unit", units=[], reason="扩大"),
    ),
    "gongfen.ledger.services.entry_declare": ("entry.declare", pending),
    "gongfen.ledger.services.entry_submit": (
        "entry.submit",
        lambda: ledger.entry_submit(
            actor=by("a04"),
            entry=ledger.entry_declare(
                actor=by("a04"),
                cadre=Cadre.objects.get(code="A04"),
                rule=rule("R-TASK"),
                occurred_on=date(2026, 8, 3),
                submit=False,
            ),
        ),
    ),
    "gongfen.ledger.services.entry_approve": (
        "entry.approve",
        lambda: ledger.entry_approve(actor=by("qx_reviewer"), entry=pending()),
    ),
    "gongfen.ledger.services.entry_reject": (
        "entry.reject",
        lambda: ledger.entry_reject(actor=by("qx_reviewer"), entry=pending(), reason="不实"),
    ),
    "gongfen.ledger.services.entries_decide": (
        "entry.approve",
        lambda: ledger.entries_decide(actor=by("qx_reviewer"), entries=[pending()], decision="approve"),
    ),
    "gongfen.ledger.services.entry_revoke": (
        "entry.revoke",
        lambda: ledger.entry_revoke(actor=by("qx_reviewer"), entry=Entry.objects.get(code="E01"), reason="核查不实"),
    ),
    "gongfen.ledger.services.rule_rescore": (
        "rule.rescore",
        lambda: (rule_changed(), ledger.rule_rescore(actor=by("org"), rule=rule("R-TASK"), reason="按新标准")),
    ),
    "gongfen.ledger.services.adjustment_declare": (
        "entry.adjust",
        lambda: (
            finalised(),
            ledger.adjustment_declare(
                actor=by("qx_admin"),
                original=Entry.objects.get(code="E01"),
                sign=-1,
                quantity=Decimal(1),
                reason="重复登记",
            ),
        ),
    ),
    "gongfen.interchange.jobs.services.import_job_create": ("import.upload", lambda: import_job()),
    "gongfen.interchange.jobs.services.import_job_confirm": (
        "import.confirm",
        lambda: import_jobs.import_job_confirm(actor=by("qx_admin"), job=import_job(planned=True)),
    ),
    "gongfen.interchange.jobs.services.import_job_discard": (
        "import.discard",
        lambda: import_jobs.import_job_discard(actor=by("qx_admin"), job=import_job(planned=True)),
    ),
    "gongfen.interchange.services.bundle_load": (
        "bundle.load",
        lambda: interchange.bundle_load(actor=by("org"), bundle=bundle_with_new_cadre(), source="test"),
    ),
    "gongfen.publication.services.period_close": (
        "period.close",
        lambda: publication.period_close(actor=by("qx_admin"), group=qx(), period=Q3),
    ),
    "gongfen.publication.services.period_publish": ("period.publish", published),
    "gongfen.publication.services.quarter_publish_all": (
        "period.publish",
        lambda: (
            ledger.entry_reject(actor=by("org"), entry=Entry.objects.get(code="E10"), reason="佐证不足"),
            publication.quarter_publish_all(actor=by("org"), groups=[qx()], period=Q3, today=FRI),
        ),
    ),
    "gongfen.publication.services.period_republish": (
        "period.republish",
        lambda: (
            published(),
            publication.period_republish(actor=by("org"), group=qx(), period=Q3, reason="更正", today=FRI),
        ),
    ),
    "gongfen.publication.services.period_finalize": ("period.finalize", finalised),
    "gongfen.publication.objections.objection_file": ("objection.file", filed),
    "gongfen.publication.objections.objection_dismiss": (
        "objection.dismiss",
        lambda: objections.objection_dismiss(actor=by("qx_admin"), objection=filed(), reason="核对无误"),
    ),
    "gongfen.publication.objections.objection_uphold": (
        "objection.uphold",
        lambda: objections.objection_uphold(
            actor=by("org"),
            objection=filed(),
            reason="核实",
            grant=objections.Grant(rule("R-TASK"), date(2026, 9, 10), Decimal(2)),
            today=date(2026, 11, 24),
        ),
    ),
    "gongfen.publication.holidays.holidays_load": (
        "holiday.load",
        lambda: holidays.holidays_load(
            actor=by("org"), rows=holidays.holidays_parse("2026-10-01,休息,国庆\n"), source="a.csv"
        ),
    ),
    "gongfen.publication.holidays.holidays_load_file": (
        "holiday.load",
        lambda: holidays.holidays_load_file(actor=by("org"), path=holidays.OFFICIAL_2026),
    ),
    "gongfen.publication.holidays.holiday_year_record": (
        "holiday.year.record",
        lambda: holidays.holiday_year_record(
            actor=by("org"), year=2027, rows=holidays.holidays_parse("2027-01-01,休息,元旦\n"), source="test"
        ),
    ),
    "gongfen.results.services.action_override": (
        "results.override",
        lambda: (
            finalised(),
            results.action_override(
                actor=by("org"),
                group=qx(),
                period=Q3,
                cadre=Cadre.objects.get(code="A02"),
                action="recommend",
                include=True,
                reason="表现突出",
            ),
        ),
    ),
    "gongfen.results.services.action_override_confirm": ("results.override_confirm", lambda: override_confirmed()),
    "gongfen.evaluations.services.rounds.round_create": ("evaluation.round_create", evaluation_round),
    "gongfen.evaluations.services.rounds.round_update": (
        "evaluation.round_update",
        lambda: (
            r := evaluation_round(),
            evaluations.round_update(
                actor=by("qx_admin"),
                round=r,
                classes=CLASSES,
                opens_at=r.opens_at,
                closes_at=r.closes_at,
                allow_self=True,
            ),
        ),
    ),
    "gongfen.evaluations.services.rounds.voters_set": ("evaluation.voters_set", lambda: evaluation_round(open_=True)),
    "gongfen.evaluations.services.rounds.codes_issue": ("evaluation.codes_issue", lambda: evaluation_round(open_=True)),
    "gongfen.evaluations.services.rounds.round_open": ("evaluation.round_open", lambda: evaluation_round(open_=True)),
    "gongfen.evaluations.services.rounds.round_close": ("evaluation.round_close", round_closed),
    "gongfen.evaluations.services.rounds.round_reopen": (
        "evaluation.round_reopen",
        lambda: evaluations.round_reopen(actor=by("org"), round=round_closed(), reason="补充投票"),
    ),
    "gongfen.evaluations.services.ballots.vote_save_draft": (
        "evaluation.vote_draft",
        lambda: (
            r := evaluation_round(open_=True),
            evaluations.vote_save_draft(actor=by("qx_reviewer"), round=r, grades={}),
        ),
    ),
    "gongfen.evaluations.services.ballots.vote_submit": (
        "evaluation.vote_submit",
        lambda: (
            r := evaluation_round(open_=True),
            evaluations.vote_submit(actor=by("qx_reviewer"), round=r, grades=grades(r, user("qx_reviewer"))),
        ),
    ),
    "gongfen.evaluations.services.ballots.vote_submit_public": ("evaluation.vote_public", vote_public),
    "gongfen.api.services.token_create": ("api_token.create", lambda: api_token()),
    "gongfen.api.services.token_revoke": (
        "api_token.revoke",
        lambda: api.token_revoke(actor=by("org"), token=api_token()[0]),
    ),
    "gongfen.webhooks.services.endpoint_create": ("webhook.endpoint.create", lambda: webhook_endpoint()),
    "gongfen.webhooks.services.endpoint_set_active": (
        "webhook.endpoint.disable",
        lambda: webhooks.endpoint_set_active(actor=by("org"), endpoint=webhook_endpoint(), active=False),
    ),
    "gongfen.webhooks.services.delivery_resend": ("webhook.delivery.resend", lambda: webhook_resend()),
}

NOT_WRITES = {
    "gongfen.webhooks.services.webhook_enqueue": "queues deliveries inside the audited service of the event",
    "gongfen.api.services.token_digest": "read",
    "gongfen.api.services.token_authenticate": "read; stamps the token's last use (access metadata, not a record)",
    "gongfen.api.services.request_fingerprint": "read",
    "gongfen.api.services.idempotent_write": "runs an API write (an audited service) once per idempotency key",
    "gongfen.trust.services.log_entry_event": "appends to the tamper-evident log inside an audited ledger service",
    "gongfen.trust.services.log_entry_events": "appends to the tamper-evident log inside an audited service",
    "gongfen.trust.services.log_entry_event_hashes": "appends to the log inside the audited lean ledger loader",
    "gongfen.trust.services.snapshot_save_logged": "a step of the audited publication services",
    "gongfen.trust.services.log_lock": "takes the log's lock at the start of an audited ledger service; writes nothing",
    "gongfen.trust.services.unlogged": "a preview's rolled-back writes skip the log; writes nothing itself",
    "gongfen.audit.services.audit_record": "writes the audit row itself",
    "gongfen.audit.services.model_snapshot": "read: a row as JSON for before/after",
    "gongfen.evaluations.services._common.audit": "writes the audit row of an evaluation service",
    "gongfen.evaluations.services._common.locked": "read: locks a round inside an audited service",
    "gongfen.evaluations.services._common.require_admin": "check inside an audited service",
    "gongfen.evaluations.services._common.scheme_classes": "read",
    "gongfen.evaluations.services._common.scheme_grades": "read",
    "gongfen.interchange.services.read_bundle": "read: parses a file",
    "gongfen.interchange.services.workspace_for": "read",
    "gongfen.ledger.services.new_entry_code": "read: the next free code",
    "gongfen.ledger.services.workspace_has_people": "read",
    "gongfen.ledger.services.decision_refusal": "read: the four-eyes check of the audited deciding services",
    "gongfen.ledger.services.granted_points": "read: the points an audited approval grants",
    "gongfen.evaluations.services.ballots.votes_reshuffle": "re-keys the votes inside the audited ballot services",
    "gongfen.ledger.services.totals_apply": "maintained totals: a step of the audited ledger services",
    "gongfen.ledger.services.reversal_for": "a step of entry_revoke, rule_rescore and bundle_load (audited there)",
    "gongfen.notices.services.notify": "in-app notices, written inside the audited service that tells",
    "gongfen.notices.services.notices_read": "a user's own read marks on their notices: no record of the product",
    "gongfen.publication.services.canonical_json": "read",
    "gongfen.publication.services.fingerprint": "read",
    "gongfen.publication.services.snapshot_data": "read",
    "gongfen.publication.services.ledger_position": "read",
    "gongfen.publication.services.working_days_after": "read",
    "gongfen.publication.holidays.holidays_of": "read",
    "gongfen.publication.holidays.holidays_parse": "read: parses a file",
    "gongfen.publication.holidays.year_calendar": "read",
    "gongfen.publication.holidays.known_years": "read",
    "gongfen.publication.holidays.missing_years": "read",
    "gongfen.publication.holidays.calendar_rows": "read",
    "gongfen.publication.holidays.reach": "read: a bound on a window's end",
    "gongfen.publication.objections.objection_may_file": "read",
    "gongfen.results.services.may_override": "read",
    "gongfen.schemes.services.rule_position": "read",
    "gongfen.schemes.services.scheme_derive_proposal": "read",
}


for _domain in ("grades", "intake"):  # the newer domains keep their rows in tests/audit/coverage_<domain>.py
    _rows = importlib.import_module(f"tests.audit.coverage_{_domain}")
    WRITES |= _rows.WRITES
    NOT_WRITES |= _rows.NOT_WRITES


def test_every_service_function_is_classified():
    found = service_functions()
    assert not set(WRITES) & set(NOT_WRITES)
    unclassified = found - set(WRITES) - set(NOT_WRITES)
    assert not unclassified, f"add these services to WRITES (with their audit action) or NOT_WRITES: {unclassified}"
    assert not (set(WRITES) | set(NOT_WRITES)) - found, "stale entries in the tables"


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_leaves_its_audit_row(name, county, monkeypatch):
    """Call the service (wrapped: the rows it writes are those added during its call) and find its action."""
    action, driver = WRITES[name]
    module_name, fn_name = name.rsplit(".", 1)
    module = importlib.import_module(module_name)
    original = getattr(module, fn_name)
    seen: list[list[AuditEvent]] = []

    def wrapped(*args, **kwargs):
        start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        result = original(*args, **kwargs)
        seen.append(list(AuditEvent.objects.filter(id__gt=start)))
        return result

    # patch where drivers look it up: the defining module and the package re-exporting it
    monkeypatch.setattr(module, fn_name, wrapped)
    package = importlib.import_module(module_name.rsplit(".", 1)[0]) if ".services." in name else None
    if package is not None and getattr(package, fn_name, None) is original:
        monkeypatch.setattr(package, fn_name, wrapped)
    with transaction.atomic():
        driver()
    assert seen, f"the driver of {name} did not call it"
    rows = seen[-1]
    assert action in {r.action for r in rows}, f"{name} wrote {[r.action for r in rows]}, not {action}"
    assert all(r.actor_label for r in rows)
