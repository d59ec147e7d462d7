"""The grades pages: 组织部 sets a plan, the committee adjusts within it, 组织部 confirms and publishes,
a cadre sees the grade and applies for 复核; the refusals say what and where and change nothing."""

from __future__ import annotations

from django.urls import reverse

from gongfen.audit.models import AuditEvent
from gongfen.grades.models import GradeLine, GradeReview, GradeSheet, QuotaPlan, SheetState

PLAN = {
    "year": 2026,
    "population": "grassroots",
    "kind": "pingshi",
    "share": "0.4",
    "rounding": "floor",
    "min_seats": 1,
    "pool_below": 0,
    "pool_at": "parent",
    "publicity_days": 5,
    "reviewable": "一般,较差",
    "units": "QX，QX-WL",
}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def make_plan(login) -> QuotaPlan:
    response = login("org").post(reverse("grades:plan_save"), PLAN)
    plan = QuotaPlan.objects.get(year=2026, kind="pingshi")
    assert response.status_code == 302 and response["Location"] == reverse("grades:plan", args=[plan.pk])
    return plan


def make_sheet(login, plan, user="qx_admin") -> GradeSheet:
    data = {"plan": plan.pk, "unit": "QX", "period": "2026Q3", "group": "QX-ALL"}
    response = login(user).post(reverse("grades:sheet_new"), data)
    sheet = GradeSheet.objects.get(unit__code="QX", period="2026Q3")
    assert response["Location"] == reverse("grades:sheet", args=[sheet.pk])
    return sheet


def test_the_plan_page_shows_allocated_used_and_left(county, login):
    plan = make_plan(login)
    page = login("qx_admin").get(reverse("grades:plan", args=[plan.pk]), {"period": "2026Q3"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-unit="QX"' in html
    lines = {line.unit.code: line for line in page.context["lines"]}
    assert (lines["QX"].allocation.seats, lines["QX-WL"].allocation.seats) == (2, 1)
    make_sheet(login, plan)
    page = login("qx_admin").get(reverse("grades:plan", args=[plan.pk]), {"period": "2026Q3"})
    qx = next(line for line in page.context["lines"] if line.unit.code == "QX")
    assert (qx.used, qx.left) == (2, 0)
    assert login("tc_admin").get(reverse("grades:plan", args=[plan.pk])).status_code == 404
    assert login("org").get(reverse("grades:plan", args=[plan.pk]), {"period": "2026Q9"}).status_code == 404


def test_a_plan_with_an_unknown_unit_is_refused_by_name(county, login):
    response = login("org").post(reverse("grades:plan_save"), PLAN | {"units": "QX,NOPE"}, follow=True)
    assert "没有这些单位代码：NOPE" in messages_of(response)
    assert not QuotaPlan.objects.exists()


def test_the_committee_adjusts_within_the_quota_and_is_refused_beyond_it(county, login):
    sheet = make_sheet(login, make_plan(login))
    url = reverse("grades:adjust", args=[sheet.pk])
    committee = login("qx_admin")
    response = committee.post(url, {"cadre": "A03", "grade": "好", "reason": "表现突出"}, follow=True)
    assert any("好名额为 2 名" in m for m in messages_of(response))
    assert GradeLine.objects.get(sheet=sheet, cadre__code="A03").grade == "较好"
    committee.post(url, {"cadre": "A04", "grade": "较好", "reason": "请假较多"})
    committee.post(url, {"cadre": "A03", "grade": "好", "reason": "专项突出"})
    assert GradeLine.objects.get(sheet=sheet, cadre__code="A03").grade == "好"
    page = committee.get(reverse("grades:sheet", args=[sheet.pk])).content.decode()
    assert "专项突出" in page and "已用 2 名，名额 2 名" in page
    assert login("tc_admin").post(url, {"cadre": "A03", "grade": "较好", "reason": "x"}).status_code == 404
    assert login("qx_admin").post(reverse("grades:sheet_move", args=[sheet.pk, "confirm"])).status_code == 403


def test_confirm_publish_final_and_a_cadre_applies_for_review(county, login, time_machine):
    sheet = make_sheet(login, make_plan(login))
    login("qx_admin").post(reverse("grades:adjust", args=[sheet.pk]), {"cadre": "A04", "grade": "一般", "reason": "x"})
    org = login("org")
    for move in ("confirm", "publish"):
        org.post(reverse("grades:sheet_move", args=[sheet.pk, move]))
    sheet.refresh_from_db()
    assert sheet.state == SheetState.PUBLISHED and str(sheet.window_ends_on) == "2026-10-19"
    a04 = login("a04")
    page = a04.get(reverse("grades:mine")).content.decode()
    assert "一般" in page and "公示至 2026-10-19" in page and "review-form" not in page
    response = login("org").post(reverse("grades:sheet_move", args=[sheet.pk, "finalize"]), follow=True)
    assert any("公示期到 2026-10-19" in m for m in messages_of(response))
    time_machine.move_to("2026-10-20 09:00 +08:00", tick=False)
    login("org").post(reverse("grades:sheet_move", args=[sheet.pk, "finalize"]))
    page = login("a04").get(reverse("grades:mine")).content.decode()
    assert "review-form" in page and "2026-11-19 前申请复核" in page
    line = GradeLine.objects.get(sheet=sheet, cadre__code="A04")
    assert login("a01").post(reverse("grades:review_file", args=[line.pk]), {"text": "x"}).status_code == 404
    login("a04").post(reverse("grades:review_file", args=[line.pk]), {"text": "本人全年无缺勤"})
    review = GradeReview.objects.get()
    assert review.filed_on.isoformat() == "2026-10-20"
    login("org").post(reverse("grades:review_decide", args=[review.pk]), {"grade": "较好", "reason": "核实"})
    diff = login("qx_admin").get(reverse("grades:diff", args=[sheet.pk, 1, 2]))
    assert [(c.cadre, c.old, c.new) for c in diff.context["changes"]] == [("A04", "一般", "较好")]
    actions = set(AuditEvent.objects.filter(action__startswith="grades.").values_list("action", flat=True))
    assert actions >= {
        "grades.plan_save",
        "grades.sheet_propose",
        "grades.line_adjust",
        "grades.sheet_confirm",
        "grades.sheet_publish",
        "grades.sheet_finalize",
        "grades.review_file",
        "grades.review_decide",
    }


def test_the_sheet_page_queries_do_not_grow_with_people(county, login, django_assert_max_num_queries):
    sheet = make_sheet(login, make_plan(login))
    client = login("qx_admin")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("grades:sheet", args=[sheet.pk])).status_code == 200


def test_the_sheet_exports_to_excel(county, login):
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = make_sheet(login, make_plan(login))
    response = login("org").get(reverse("grades:sheet_export", args=[sheet.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "名次"))
    body = [r for r in rows[header + 1 :] if r and r[1]]
    assert [(r[1], r[5]) for r in body] == [
        ("A02", "好"),
        ("A04", "好"),
        ("A03", "较好"),
        ("A08", "较好"),
        ("A05", "较好"),
        ("A06", "较好"),
    ]


def test_sanctions_page_marks_the_rows_a_county_must_confirm(county, login):
    page = login("org").get(reverse("grades:sanctions")).content.decode()
    assert page.count("须县里确认") >= 10
    login("org").post(
        reverse("grades:influence_set"),
        {"kind": "jiemian", "first": "bar:优秀", "years": 1, "pingshi_months": 6, "pingshi_bars": "好"},
    )
    page = login("org").get(reverse("grades:sanctions"))
    rules = {r.kind: r for r, _default, _describe in page.context["rules"]}
    assert not rules["jiemian"].confirm and rules["jiguo"].confirm
    response = login("org").post(
        reverse("grades:sanction_add"), {"cadre": "ZZ9", "kind": "jinggao", "decided_on": "2026-06-01"}, follow=True
    )
    assert "没有干部代码“ZZ9”" in messages_of(response)


def test_the_quota_usage_exports_to_excel(county, login):
    from io import BytesIO

    from openpyxl import load_workbook

    plan = make_plan(login)
    make_sheet(login, plan)
    response = login("qx_admin").get(reverse("grades:plan_export", args=[plan.pk]), {"period": "2026Q3"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    body = [r for r in rows if r and r[0] in ("QX", "QX-WL")]
    assert [(r[0], r[2], r[3], r[5], r[6]) for r in body] == [("QX", 6, 2, 2, 0), ("QX-WL", 1, 1, None, None)]


def test_the_person_record_shows_the_year_to_the_person_and_their_administrators(county, login):
    sheet = make_sheet(login, make_plan(login))
    url = reverse("grades:record", args=["A04", 2026])
    assert login("a04").get(url).status_code == 200
    assert "2026Q3" not in [p for p, line in login("a04").get(url).context["record"].quarters if line]  # not 公示 yet
    page = login("qx_admin").get(url)
    quarters = dict(page.context["record"].quarters)
    assert quarters["2026Q3"].sheet == sheet and quarters["2026Q3"].grade == "好" and quarters["2026Q1"] is None
    assert [p.unit.code for p in page.context["record"].posts] == ["QX"]
    for user in ("a01", "tc_admin", "qx_reviewer"):
        assert login(user).get(url).status_code == 404
