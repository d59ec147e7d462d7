"""The grades workflow through its services: plans, overrides, eligibility, adjust, confirm, 公示, 复核."""

from __future__ import annotations

from datetime import date

import pytest

from gongfen.accounts.models import User
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.grades import selectors, services
from gongfen.grades.models import GradeLine, GradeVersion, SheetState
from gongfen.org.models import Cadre, Unit
from gongfen.rankings.selectors import group_by_code


def actor(name: str) -> Actor:
    return Actor(User.objects.get(username=name))


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def line(sheet, code: str) -> GradeLine:
    return sheet.lines.get(cadre__code=code)


def propose_qx(org, plan, **kw):
    return services.sheet_propose(
        actor=org, plan=plan, unit=unit("QX"), period="2026Q3", group=group_by_code("QX-ALL"), **kw
    )


def test_the_plan_counts_seats_per_unit_and_pools_small_ones(plan):
    lines, pools = selectors.allocation(plan, "2026Q3")
    by = {seat.unit.code: seat for seat in lines}
    assert by["QX"].allocation.headcount == 6 and by["QX"].allocation.seats == 2  # floor(2.4)
    assert by["QX-WL"].pool is by["TC"].pool is pools["county"]
    assert pools["county"].headcount == 3 and pools["county"].seats == 1  # floor(1.2)
    assert by["QX"].used is None and by["QX"].left is None
    assert AuditEvent.objects.filter(action="grades.plan_save", object_id="2026-grassroots-pingshi").count() == 1


def test_a_plan_with_a_bad_share_changes_nothing(county, org):
    with pytest.raises(DomainError, match="0 到 1") as error:
        services.quota_plan_save(actor=org, year=2026, population="organs", kind="annual", share="1.5")
    assert error.value.field == "share"
    with pytest.raises(DomainError, match="组织部"):
        services.quota_plan_save(actor=actor("qx_admin"), year=2026, population="organs", kind="annual", share="0.2")


def test_an_override_needs_a_reason_and_a_second_org_user(plan, org, org2):
    with pytest.raises(DomainError, match="理由"):
        services.seat_override_propose(actor=org, plan=plan, unit=unit("QX"), seats=3, reason=" ")
    row = services.seat_override_propose(
        actor=org, plan=plan, unit=unit("QX"), seats=3, reason="工作突出，经部务会研究"
    )
    assert selectors.overrides_in_force(plan) == {}
    with pytest.raises(DomainError, match="另一位"):
        services.seat_override_confirm(actor=org, override=row)
    services.seat_override_confirm(actor=Actor(org2), override=row)
    lines, _ = selectors.allocation(plan, "2026Q3")
    assert next(s for s in lines if s.unit.code == "QX").allocation.seats == 3
    assert AuditEvent.objects.filter(action__startswith="grades.seats_").count() == 2


def test_proposal_applies_quota_by_rank(plan, org):
    sheet = propose_qx(org, plan)
    grades = dict(sheet.lines.values_list("cadre__code", "grade"))
    # QX's people in 2026Q3 by rank: A02 2, A04 3, A03 4, A08 5, A05 6; A06 unranked
    assert grades == {"A02": "好", "A04": "好", "A03": "较好", "A08": "较好", "A05": "较好", "A06": "较好"}
    assert sheet.seats == 2
    assert "超出好名额" in line(sheet, "A03").notes[0]
    assert line(sheet, "A06").notes == ["未参加排名，由考核委员会确定"]


def test_a_pooled_unit_gets_its_pool_seats_by_rank(plan, org):
    sheet = services.sheet_propose(
        actor=org, plan=plan, unit=unit("TC"), period="2026Q3", group=group_by_code("QX-ALL")
    )
    # the county pool (QX-WL: A01 rank 1; TC: A07 unranked, A08 rank 5) has 1 seat: A01's unit takes it
    assert sheet.pool == "county" and sheet.seats == 0
    assert set(sheet.lines.values_list("grade", flat=True)) == {"较好"}


def test_an_adjustment_beyond_the_quota_is_refused_and_changes_nothing(plan, org):
    sheet = propose_qx(org, plan)
    committee = actor("qx_admin")
    with pytest.raises(DomainError, match="名额为 2 名") as error:
        services.line_adjust(actor=committee, line=line(sheet, "A03"), grade="好", reason="表现突出")
    assert error.value.code == "over_quota"
    assert line(sheet, "A03").grade == "较好"
    services.line_adjust(actor=committee, line=line(sheet, "A04"), grade="较好", reason="年中请假较多")
    services.line_adjust(actor=committee, line=line(sheet, "A03"), grade="好", reason="专项任务突出")
    assert line(sheet, "A03").grade == "好" and line(sheet, "A03").reason == "专项任务突出"
    assert AuditEvent.objects.filter(action="grades.line_adjust").count() == 2
    with pytest.raises(DomainError, match="考核委员会"):
        services.line_adjust(actor=actor("tc_admin"), line=line(sheet, "A05"), grade="一般", reason="x")


def test_a_sanction_in_its_period_bars_exactly_the_table_grades(plan, org):
    a02 = Cadre.objects.get(code="A02")
    services.sanction_record(
        actor=org, cadre=a02, kind="jinggao", decided_on=date(2026, 6, 1), document="X纪〔2026〕1号"
    )
    sheet = propose_qx(org, plan)
    a02_line = line(sheet, "A02")
    assert a02_line.grade == "较好"  # 好 barred: the seat goes to nobody else (proposals never promote)
    assert a02_line.eligibility["barred"] == ["好"]
    assert "2026-06-01 受警告（政务处分），影响期内不得确定为好" in a02_line.notes
    with pytest.raises(DomainError, match="不能确定为“好”"):
        services.line_adjust(actor=org, line=a02_line, grade="好", reason="x")
    services.line_adjust(actor=org, line=a02_line, grade="一般", reason="受处分")  # other grades stay open


def test_an_ungraded_cadre_is_never_graded(plan, org):
    a05 = Cadre.objects.get(code="A05")
    services.sanction_record(actor=org, cadre=a05, kind="jiguo", decided_on=date(2026, 2, 1))
    sheet = propose_qx(org, plan)
    assert line(sheet, "A05").grade == "一般"  # 记过 bars 好 and 较好 in 平时考核 within 12 months
    annual = services.quota_plan_save(
        actor=org, year=2026, population="grassroots", kind="annual", share="0.2", units=[unit("QX")]
    )
    services.not_graded_record(actor=org, cadre=Cadre.objects.get(code="A06"), year=2026, reason="probation")
    year_sheet = services.sheet_propose(
        actor=org, plan=annual, unit=unit("QX"), period="2026Y", group=group_by_code("QX-ALL")
    )
    assert line(year_sheet, "A05").grade == "" and line(year_sheet, "A06").grade == ""
    assert line(year_sheet, "A06").notes[0] == "不定等次：试用期内"
    for code in ("A05", "A06"):
        for grade in ("优秀", "称职", "不称职"):
            with pytest.raises(DomainError, match="不能确定为"):
                services.line_adjust(actor=org, line=line(year_sheet, code), grade=grade, reason="x")


def test_the_workflow_to_final_and_a_review_that_republishes_with_a_diff(plan, org, time_machine):
    sheet = propose_qx(org, plan)
    services.line_adjust(actor=actor("qx_admin"), line=line(sheet, "A05"), grade="一般", reason="任务完成较差")
    with pytest.raises(DomainError, match="组织部"):
        services.sheet_confirm(actor=actor("qx_admin"), sheet=sheet)
    services.sheet_confirm(actor=org, sheet=sheet)
    v1 = services.sheet_publish(actor=org, sheet=sheet, today=date(2026, 9, 28))
    sheet.refresh_from_db()
    # five working days from Mon 28 Sep on the 2026 calendar: 29, 30 Sep, then 国庆 1–7 Oct, 8, 9, 10 (调休 Sat)
    assert sheet.window_ends_on == date(2026, 10, 10) and v1.version == 1
    with pytest.raises(DomainError, match="公示期到 2026-10-10"):
        services.sheet_finalize(actor=org, sheet=sheet, today=date(2026, 10, 10))
    services.sheet_finalize(actor=org, sheet=sheet, today=date(2026, 10, 12))
    sheet.refresh_from_db()
    assert sheet.state == SheetState.FINAL
    a05 = line(sheet, "A05")
    user = User.objects.create(username="a05", cadre=Cadre.objects.get(code="A05"))
    with pytest.raises(DomainError, match="本人"):
        services.review_file(actor=actor("a01"), line=a05, text="x", today=date(2026, 10, 20))
    review = services.review_file(actor=Actor(user), line=a05, text="请复核", today=date(2026, 10, 20))
    with pytest.raises(DomainError, match="已有一份"):
        services.review_file(actor=Actor(user), line=a05, text="再次", today=date(2026, 10, 21))
    services.review_decide(actor=org, review=review, grade="较好", reason="核实后变更", today=date(2026, 10, 30))
    sheet.refresh_from_db()
    assert sheet.version == 2 and GradeVersion.objects.filter(sheet=sheet).count() == 2
    (change,) = selectors.version_diff(sheet, 1, 2)
    assert (change.cadre, change.old, change.new, change.reason) == ("A05", "一般", "较好", "复核：核实后变更")
    assert line(sheet, "A05").grade == "较好"
    assert [m.grade for m in selectors.my_lines(user)] == ["较好"]
    assert AuditEvent.objects.filter(action="grades.review_decide", object_id="QX/2026Q3/A05").exists()


def test_a_review_after_thirty_days_is_refused(plan, org):
    sheet = propose_qx(org, plan)
    services.sheet_confirm(actor=org, sheet=sheet)
    services.sheet_publish(actor=org, sheet=sheet, today=date(2026, 9, 28))
    services.sheet_finalize(actor=org, sheet=sheet, today=date(2026, 10, 12))
    a05 = line(sheet, "A05")
    user = User.objects.create(username="a05", cadre=a05.cadre)
    with pytest.raises(DomainError, match="不在可申请复核的等次"):
        services.review_file(actor=Actor(user), line=a05, text="x", today=date(2026, 10, 13))
    GradeLine.objects.filter(pk=a05.pk).update(grade="较差")
    with pytest.raises(DomainError, match="2026-11-11 届满"):
        services.review_file(actor=Actor(user), line=a05, text="x", today=date(2026, 11, 12))
    assert services.review_file(actor=Actor(user), line=a05, text="x", today=date(2026, 11, 11)).pk


def final_year(org, year: int, grades: dict[str, str]):
    plan = services.quota_plan_save(
        actor=org, year=year, population="organs", kind="annual", share="0.2", min_seats=1, units=[unit("QX")]
    )
    sheet = services.sheet_propose(actor=org, plan=plan, unit=unit("QX"), period=f"{year}Y")
    for code, grade in grades.items():
        services.line_adjust(actor=org, line=line(sheet, code), grade=grade, reason="委员会评议")
    services.sheet_confirm(actor=org, sheet=sheet)
    services.sheet_publish(actor=org, sheet=sheet, today=date(2026, 9, 28))
    services.sheet_finalize(actor=org, sheet=sheet, today=date(2026, 10, 12))
    return sheet


def test_consequences_follow_from_final_annual_grades(county, org):
    final_year(org, 2024, {"A02": "优秀", "A05": "不称职"})
    final_year(org, 2025, {"A02": "优秀", "A05": "不称职", "A04": "基本称职"})
    final_year(org, 2026, {"A02": "优秀", "A05": "不称职", "A04": "不称职"})
    lists = selectors.consequences(actor("org").user, 2026)
    names = {kind: [c.cadre.code for c in found] for kind, found in lists.items()}
    assert names == {"excellent_3": ["A02"], "incompetent_2": ["A05"], "incompetent": ["A04", "A05"]}
    services.follow_up_record(
        actor=org, cadre=Cadre.objects.get(code="A05"), year=2026, list_kind="incompetent_2", action="dismissed"
    )
    (a05,) = selectors.consequences(actor("org").user, 2026)["incompetent_2"]
    assert [f.action for f in a05.follow_ups] == ["dismissed"] and a05.grades == ("不称职", "不称职", "不称职")
    assert selectors.consequences(actor("qx_admin").user, 2026) == {}
    with pytest.raises(DomainError, match="组织部"):
        services.follow_up_record(
            actor=actor("qx_admin"), cadre=a05.cadre, year=2026, list_kind="incompetent", action="none"
        )
