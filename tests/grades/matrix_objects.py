"""The objects the permission matrix points the grades pages at (tests/test_permission_matrix.py, keys ``gr_``).

A 平时考核 plan over 齐溪镇 and its office; a seat override proposed by ``org`` (awaiting a second user);
齐溪镇's 2026Q3 sheet made final, A02's 复核 decided (a second version), A04's 复核 filed; a second sheet
of the office still proposed. Dates are passed in: nothing depends on today.
"""

from __future__ import annotations

from datetime import date

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.grades import services
from gongfen.org.models import Unit
from gongfen.rankings.selectors import group_by_code


def grades_objects(town: str = "QX") -> dict:
    """齐溪镇's objects (``town="QX"``), or 桐村镇's for tests/security/test_idor.py (``"TC"``: T01 and t01)."""
    org = Actor(User.objects.get(username="org"))
    qx = Unit.objects.get(code=town)
    units, group = (["QX", "QX-WL"], "QX-ALL") if town == "QX" else (["TC"], "TC-ALL")
    first, second = (("A02", "qx_reviewer"), ("A04", "a04")) if town == "QX" else (("T01", "t01"), ("T01", "t01"))
    plan = services.quota_plan_save(
        actor=org,
        year=2026,
        population="grassroots",
        kind="pingshi",
        share="0.4",
        min_seats=1,
        reviewable="好,较好,一般,较差",
        units=list(Unit.objects.filter(code__in=units)),
    )
    override = services.seat_override_propose(actor=org, plan=plan, unit=qx, seats=3, reason="部务会研究")
    sheet = services.sheet_propose(actor=org, plan=plan, unit=qx, period="2026Q3", group=group_by_code(group))
    services.sheet_confirm(actor=org, sheet=sheet)
    services.sheet_publish(actor=org, sheet=sheet, today=date(2026, 9, 28))
    services.sheet_finalize(actor=org, sheet=sheet, today=date(2026, 10, 12))
    a02 = sheet.lines.get(cadre__code=first[0])
    review = services.review_file(
        actor=Actor(User.objects.get(username=first[1])), line=a02, text="请复核", today=date(2026, 10, 13)
    )
    services.review_decide(actor=org, review=review, grade="较好", reason="核实", today=date(2026, 10, 14))
    a04 = sheet.lines.get(cadre__code=second[0])
    pending = services.review_file(
        actor=Actor(User.objects.get(username=second[1])), line=a04, text="请复核", today=date(2026, 10, 14)
    )
    new_sheet = {"plan": plan.pk, "unit": units[-1], "period": "2026Q3", "group": group}
    return {
        "gr_plan": {"args": [plan.pk], "data": {"unit": town, "seats": 2, "reason": "调整"}},
        "gr_plan_save": {
            "args": [],
            "data": {
                "year": 2026,
                "population": "organs",
                "kind": "annual",
                "share": "0.2",
                "rounding": "floor",
                "min_seats": 0,
                "pool_below": 0,
                "pool_at": "parent",
                "publicity_days": 5,
                "reviewable": "不称职",
                "units": "QX",
            },
        },
        "gr_override": {"args": [override.pk]},
        "gr_sanction": {"args": [], "data": {"cadre": "A05", "kind": "jinggao", "decided_on": "2026-06-01"}},
        "gr_not_graded": {"args": [], "data": {"cadre": "A06", "year": 2026, "reason": "probation"}},
        "gr_influence": {
            "args": [],
            "data": {"kind": "jinggao", "first": "bar:优秀", "years": 1, "pingshi_months": 6, "pingshi_bars": "好"},
        },
        "gr_sheet_new": {"args": [], "data": new_sheet},
        "gr_sheet": {"args": [sheet.pk], "data": {"cadre": "A05", "grade": "一般", "reason": "x"}},
        "gr_move": {"args": [sheet.pk, "confirm"]},
        "gr_diff": {"args": [sheet.pk, 1, 2]},
        "gr_line": {"args": [a04.pk], "data": {"text": "请复核"}},
        "gr_review": {"args": [pending.pk], "data": {"grade": "较好", "reason": "核实"}},
        "gr_year": {"args": [2026], "data": {"cadre": second[0], "list_kind": "incompetent", "action": "none"}},
        "gr_record": {"args": [second[0], 2026]},
    }
