"""Rows of tests/audit/test_coverage.py's tables for the grades domain (kept apart so each domain adds its own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

Driver = Callable[[], object]

G = "gongfen.grades.services"
PUBLISHED_ON, FINAL_ON, FILED_ON = date(2026, 9, 28), date(2026, 10, 12), date(2026, 10, 13)


def _t():
    from tests.audit import test_coverage as t  # lazily: test_coverage imports this module

    return t


def _s():
    from gongfen.grades import services as s  # looked up at call time: the test patches the module's functions

    return s


def _unit(code: str):
    from gongfen.org.models import Unit

    return Unit.objects.get(code=code)


def _cadre(code: str):
    from gongfen.org.models import Cadre

    return Cadre.objects.get(code=code)


def _plan():
    """A 平时考核 plan over 齐溪镇 and its office; every grade open to 复核 (as tests/grades/matrix_objects.py)."""
    from gongfen.org.models import Unit

    return _s().quota_plan_save(
        actor=_t().by("org"),
        year=2026,
        population="grassroots",
        kind="pingshi",
        share="0.4",
        min_seats=1,
        reviewable="好,较好,一般,较差",
        units=list(Unit.objects.filter(code__in=["QX", "QX-WL"])),
    )


def _override():
    return _s().seat_override_propose(
        actor=_t().by("org"), plan=_plan(), unit=_unit("QX"), seats=3, reason="部务会研究"
    )


def _org2():
    """A second 组织部 user (四眼原则), as tests/grades/conftest.py makes one."""
    from gongfen.accounts.models import RoleKind
    from gongfen.accounts.services import role_grant, user_create
    from gongfen.common import Actor
    from tests.web_fixtures import ACTOR, PASSWORD

    user = user_create(actor=ACTOR, username="org2", password=PASSWORD)
    role_grant(actor=ACTOR, user=user, kind=RoleKind.ORG_ADMIN, unit=_unit("KH"))
    return Actor(user)


def _proposed():
    return _s().sheet_propose(actor=_t().by("org"), plan=_plan(), unit=_unit("QX"), period="2026Q3", group=_t().qx())


def _confirmed():
    sheet = _proposed()
    _s().sheet_confirm(actor=_t().by("org"), sheet=sheet)
    return sheet


def _published():
    sheet = _confirmed()
    _s().sheet_publish(actor=_t().by("org"), sheet=sheet, today=PUBLISHED_ON)
    return sheet


def _final():
    sheet = _published()
    _s().sheet_finalize(actor=_t().by("org"), sheet=sheet, today=FINAL_ON)
    return sheet


def _filed():
    """qx_reviewer (cadre A02) applies for 复核 of A02's final grade."""
    line = _final().lines.get(cadre__code="A02")
    return _s().review_file(actor=_t().by("qx_reviewer"), line=line, text="请复核", today=FILED_ON)


def _adjusted():
    line = _proposed().lines.get(cadre__code="A05")
    return _s().line_adjust(actor=_t().by("qx_admin"), line=line, grade="一般", reason="任务完成较差")


# service -> (the audit action its call must write, a driver making one legal call on the county fixture)
WRITES: dict[str, tuple[str, Driver]] = {
    f"{G}.quota_plan_save": ("grades.plan_save", _plan),
    f"{G}.seat_override_propose": ("grades.seats_propose", _override),
    f"{G}.seat_override_confirm": (
        "grades.seats_confirm",
        lambda: (o := _override(), _s().seat_override_confirm(actor=_org2(), override=o)),
    ),
    f"{G}.influence_set": (
        "grades.influence_set",
        lambda: _s().influence_set(
            actor=_t().by("org"), kind="jinggao", first="bar:优秀", years=1, pingshi_months=6, pingshi_bars="好"
        ),
    ),
    f"{G}.sanction_record": (
        "grades.sanction_record",
        lambda: _s().sanction_record(
            actor=_t().by("org"), cadre=_cadre("A05"), kind="jinggao", decided_on=date(2026, 6, 1)
        ),
    ),
    f"{G}.not_graded_record": (
        "grades.not_graded",
        lambda: _s().not_graded_record(actor=_t().by("org"), cadre=_cadre("A06"), year=2026, reason="probation"),
    ),
    f"{G}.sheet_propose": ("grades.sheet_propose", _proposed),
    f"{G}.line_adjust": ("grades.line_adjust", _adjusted),
    f"{G}.sheet_confirm": ("grades.sheet_confirm", _confirmed),
    f"{G}.sheet_publish": ("grades.sheet_publish", _published),
    f"{G}.sheet_finalize": ("grades.sheet_finalize", _final),
    f"{G}.review_file": ("grades.review_file", _filed),
    f"{G}.review_decide": (
        "grades.review_decide",
        lambda: _s().review_decide(
            actor=_t().by("org"), review=_filed(), grade="较好", reason="核实", today=date(2026, 10, 14)
        ),
    ),
    f"{G}.follow_up_record": (
        "grades.follow_up",
        lambda: _s().follow_up_record(
            actor=_t().by("org"), cadre=_cadre("A05"), year=2026, list_kind=_list_kind(), action=_action()
        ),
    ),
}


def _list_kind() -> str:
    from gongfen.grades.models import FollowUpList

    return FollowUpList.values[0]


def _action() -> str:
    from gongfen.grades.models import FollowUpAction

    return FollowUpAction.values[0]


# service -> why it is not an audited write of its own (a read, a helper, a step of an audited service)
NOT_WRITES: dict[str, str] = {
    f"{G}.review_deadline": "read: the last day to apply for 复核 (final date + 30 days); writes nothing",
}
