"""The grades pages: parse, call a service or a selector, render.

组织部 and unit administrators (the committees) see the plans and sheets in scope; 组织部 alone the
registers and 复核 queue; a cadre their own published grades. Anything out of scope answers 404; a move
the service refuses for the user (forbidden) answers 403, any other refusal a message on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import administrators_only, principal, roles_required, units_for
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre, Unit
from gongfen.outputs.xlsx import INTEGER, Column, Sheet, xlsx_response
from gongfen.schemes.models import RankingGroup

from . import forms, influence, selectors, services
from .models import SeatOverride, SheetState

org_only = roles_required(RoleKind.ORG_ADMIN)


def _refused(request, error: DomainError, back):
    if error.code == "forbidden":
        return HttpResponseForbidden(error.message)
    messages.error(request, error.message)
    return back


def _invalid(request, form, back):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errors)}")
    return back


def _cadre(code: str) -> Cadre:
    found = Cadre.objects.filter(code=code).first()
    if found is None:
        raise DomainError(_("没有干部代码“%(code)s”") % {"code": code}, field="cadre")
    return found


@administrators_only
def index(request):
    p = principal(request.user)
    context = {
        "plans": selectors.plans_for(request.user).prefetch_related("units"),
        "sheets": selectors.sheets_for(request.user).order_by("-period", "unit__path"),
        "is_org": p.is_org_admin,
        "plan_form": forms.PlanForm(initial={"year": timezone.localdate().year}),
        "year": timezone.localdate().year,
    }
    return render(request, "grades/index.html", context)


@require_POST
@org_only
def plan_save(request):
    form = forms.PlanForm(request.POST)
    back = redirect("grades:index")
    if not form.is_valid():
        return _invalid(request, form, back)
    d = form.cleaned_data
    codes = [c.strip() for c in d["units"].replace("，", ",").split(",") if c.strip()]
    units = list(Unit.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {u.code for u in units})
    if missing:
        messages.error(request, _("没有这些单位代码：%(codes)s") % {"codes": "、".join(missing)})
        return back
    try:
        plan = services.quota_plan_save(
            actor=Actor(request.user), **{k: v for k, v in d.items() if k != "units"}, units=units
        )
    except DomainError as error:
        return _refused(request, error, back)
    messages.success(request, _("名额方案已保存。"))
    return redirect("grades:plan", plan.pk)


def _plan(request, pk: int):
    return get_object_or_404(selectors.plans_for(request.user), pk=pk)


@administrators_only
def plan(request, pk: int):
    the_plan = _plan(request, pk)
    periods, period = _plan_period(request, the_plan)
    lines, pools = selectors.allocation(the_plan, period)
    context = {
        "plan": the_plan,
        "period": period,
        "periods": periods,
        "lines": lines,
        "pools": pools.values(),
        "overrides": SeatOverride.objects.filter(plan=the_plan).select_related("unit", "proposed_by", "confirmed_by"),
        "is_org": principal(request.user).is_org_admin,
        "seats_form": forms.SeatsForm(),
        "sheet_form": forms.SheetForm(initial={"plan": the_plan.pk, "period": period}),
        "share": selectors.share_text(the_plan.share),
        "top": selectors.ladder(the_plan.kind)[0],
    }
    return render(request, "grades/plan.html", context)


def _plan_period(request, the_plan):
    periods = [f"{the_plan.year}Y"] if the_plan.kind == "annual" else [f"{the_plan.year}Q{q}" for q in range(1, 5)]
    today = timezone.localdate()
    current = f"{today.year}Q{(today.month - 1) // 3 + 1}" if the_plan.kind != "annual" else f"{today.year}Y"
    period = request.GET.get("period") or (current if current in periods else periods[0])
    if period not in periods:
        raise Http404("no such period in the plan")
    return periods, period


@administrators_only
def plan_export(request, pk: int):
    """The quota usage of a plan in a period (名额使用情况), as the plan page shows it."""
    the_plan = _plan(request, pk)
    _periods, period = _plan_period(request, the_plan)
    lines, _pools = selectors.allocation(the_plan, period)
    top = selectors.ladder(the_plan.kind)[0]
    rows = [
        [
            line.unit.code,
            line.unit.name,
            line.allocation.headcount,
            line.pool.seats if line.pool else line.allocation.seats,
            _("合并计算") if line.pool else (_("已调整") if line.allocation.overridden else ""),
            line.used,
            line.left,
        ]
        for line in lines
    ]
    columns = [
        Column(_("单位代码"), 12),
        Column(_("单位"), 20),
        Column(_("参加考核人数"), 10, INTEGER),
        Column(_("名额"), 8, INTEGER),
        Column(_("说明"), 12),
        Column(_("已用"), 8, INTEGER),
        Column(_("剩余"), 8, INTEGER),
    ]
    caption = f"{the_plan} {period} {top} {selectors.share_text(the_plan.share)}"
    return xlsx_response(
        f"{the_plan}-{period}-名额.xlsx", [Sheet(title=_("名额"), columns=columns, rows=rows, caption=caption)]
    )


@require_POST
@org_only
def seats_propose(request, pk: int):
    the_plan = _plan(request, pk)
    form, back = forms.SeatsForm(request.POST), redirect("grades:plan", the_plan.pk)
    if not form.is_valid():
        return _invalid(request, form, back)
    unit = the_plan.units.filter(code=form.cleaned_data["unit"]).first()
    try:
        if unit is None:
            raise DomainError(_("该单位不在名额方案中"), field="unit")
        services.seat_override_propose(
            actor=Actor(request.user),
            plan=the_plan,
            unit=unit,
            seats=form.cleaned_data["seats"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        return _refused(request, error, back)
    messages.success(request, _("名额调整已提出，须另一位组织部管理员确认后生效。"))
    return back


@require_POST
@org_only
def seats_confirm(request, pk: int):
    row = get_object_or_404(SeatOverride, pk=pk)
    back = redirect("grades:plan", row.plan_id)
    try:
        services.seat_override_confirm(actor=Actor(request.user), override=row)
    except DomainError as error:
        return _refused(request, error, back)
    messages.success(request, _("名额调整已确认生效。"))
    return back


@org_only
def sanctions(request):
    rules = selectors.influence_rules()
    context = {
        "sanctions": selectors.sanctions_for(request.user),
        "rules": [(r, influence.KINDS[r.kind], influence.describe) for r in rules.values()],
        "labels": {k: r.label for k, r in rules.items()},
        "sanction_form": forms.SanctionForm(),
        "not_graded_form": forms.NotGradedForm(initial={"year": timezone.localdate().year}),
        "influence_form": forms.InfluenceForm(),
    }
    return render(request, "grades/sanctions.html", context)


def _post(request, form_class, back, call):
    form = form_class(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    try:
        call(form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, back)
    messages.success(request, _("已保存，已记入审计。"))
    return back


@require_POST
@org_only
def sanction_add(request):
    def call(d):
        cadre = _cadre(d.pop("cadre"))
        services.sanction_record(actor=Actor(request.user), cadre=cadre, **d)

    return _post(request, forms.SanctionForm, redirect("grades:sanctions"), call)


@require_POST
@org_only
def not_graded_add(request):
    def call(d):
        cadre = _cadre(d.pop("cadre"))
        services.not_graded_record(actor=Actor(request.user), cadre=cadre, **d)

    return _post(request, forms.NotGradedForm, redirect("grades:sanctions"), call)


@require_POST
@org_only
def influence_set(request):
    return _post(
        request,
        forms.InfluenceForm,
        redirect("grades:sanctions"),
        lambda d: services.influence_set(actor=Actor(request.user), **d),
    )


@require_POST
@administrators_only
def sheet_new(request):
    form = forms.SheetForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, redirect("grades:index"))
    d = form.cleaned_data
    the_plan = _plan(request, d["plan"])
    back = redirect(f"{reverse('grades:plan', args=[the_plan.pk])}?period={d['period']}")
    unit = units_for(request.user).filter(code=d["unit"]).first()
    group = RankingGroup.objects.filter(code=d["group"]).first() if d["group"] else None
    try:
        if unit is None:
            raise DomainError(_("没有单位代码“%(code)s”") % {"code": d["unit"]}, field="unit")
        if d["group"] and group is None:
            raise DomainError(_("没有排名组“%(code)s”") % {"code": d["group"]}, field="group")
        sheet = services.sheet_propose(
            actor=Actor(request.user), plan=the_plan, unit=unit, period=d["period"], group=group
        )
    except DomainError as error:
        return _refused(request, error, back)
    return redirect("grades:sheet", sheet.pk)


def _sheet(request, pk: int):
    return get_object_or_404(selectors.sheets_for(request.user), pk=pk)


@administrators_only
def sheet(request, pk: int):
    the_sheet = _sheet(request, pk)
    ladder = selectors.ladder(the_sheet.plan.kind)
    lines = list(selectors.sheet_lines(the_sheet))
    used = sum(1 for line in lines if line.grade == ladder[0])
    context = {
        "sheet": the_sheet,
        "lines": lines,
        "ladder": ladder,
        "used": used,
        "is_org": principal(request.user).is_org_admin,
        "adjust_form": forms.AdjustForm(),
        "proposed": the_sheet.state == SheetState.PROPOSED,
        "versions": the_sheet.versions.order_by("version"),
        "top": ladder[0],
    }
    return render(request, "grades/sheet.html", context)


@require_POST
@administrators_only
def adjust(request, pk: int):
    the_sheet = _sheet(request, pk)
    form, back = forms.AdjustForm(request.POST), redirect("grades:sheet", the_sheet.pk)
    if not form.is_valid():
        return _invalid(request, form, back)
    line = the_sheet.lines.filter(cadre__code=form.cleaned_data["cadre"]).first()
    try:
        if line is None:
            raise DomainError(_("此人不在本单位的等次评定表中"), field="cadre")
        services.line_adjust(
            actor=Actor(request.user), line=line, grade=form.cleaned_data["grade"], reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        return _refused(request, error, back)
    messages.success(request, _("等次已调整，调整理由已存档。"))
    return back


MOVES = {"confirm": services.sheet_confirm, "publish": services.sheet_publish, "finalize": services.sheet_finalize}


@require_POST
@administrators_only
def sheet_move(request, pk: int, move: str):
    the_sheet = _sheet(request, pk)
    if move not in MOVES:
        raise Http404("no such move")
    back = redirect("grades:sheet", the_sheet.pk)
    try:
        MOVES[move](actor=Actor(request.user), sheet=the_sheet)
    except DomainError as error:
        return _refused(request, error, back)
    messages.success(request, {"confirm": _("已确认。"), "publish": _("已公示。"), "finalize": _("等次已确定。")}[move])
    return back


@administrators_only
def sheet_export(request, pk: int):
    the_sheet = _sheet(request, pk)
    rows = [
        [
            line.rank,
            line.cadre.code,
            line.cadre.name,
            line.score,
            line.proposed or _("不定等次"),
            line.grade or _("不定等次"),
            "；".join(line.notes),
            line.reason,
        ]
        for line in selectors.sheet_lines(the_sheet)
    ]
    columns = [
        Column(_("名次"), 6, INTEGER),
        Column(_("代码"), 10),
        Column(_("姓名"), 10),
        Column(_("得分"), 8),
        Column(_("建议等次"), 10),
        Column(_("等次"), 10),
        Column(_("说明"), 40),
        Column(_("调整理由"), 30),
    ]
    caption = f"{the_sheet.unit.name} {the_sheet.period} {the_sheet.plan.get_kind_display()} · {the_sheet.get_state_display()}"
    sheet_ = Sheet(title=_("等次"), columns=columns, rows=rows, caption=caption)
    return xlsx_response(f"{the_sheet.unit.name}-{the_sheet.period}-等次.xlsx", [sheet_])


@administrators_only
def diff(request, pk: int, old: int, new: int):
    the_sheet = _sheet(request, pk)
    try:
        changes = selectors.version_diff(the_sheet, old, new)
    except DomainError as error:
        raise Http404(error.message) from error
    return render(request, "grades/diff.html", {"sheet": the_sheet, "changes": changes, "old": old, "new": new})


@login_required
def mine(request):
    if principal(request.user).cadre_id is None:
        raise Http404("not a cadre")
    lines = list(selectors.my_lines(request.user))
    for line in lines:
        line.deadline = services.review_deadline(line.sheet)
        line.open = line.sheet.state == SheetState.FINAL and line.grade in line.sheet.plan.reviewable.split(",")
    reviews = selectors.reviews_for(request.user)
    return render(request, "grades/mine.html", {"lines": lines, "reviews": reviews, "form": forms.ReviewForm()})


@require_POST
@login_required
def review_file(request, pk: int):
    line = get_object_or_404(selectors.my_lines(request.user), pk=pk)
    form, back = forms.ReviewForm(request.POST), redirect("grades:mine")
    if not form.is_valid():
        return _invalid(request, form, back)
    try:
        services.review_file(actor=Actor(request.user), line=line, text=form.cleaned_data["text"])
    except DomainError as error:
        return _refused(request, error, back)
    messages.success(request, _("复核申请已提交，组织部作出决定后会通知您。"))
    return back


@org_only
def reviews(request):
    rows = selectors.reviews_for(request.user)
    return render(request, "grades/reviews.html", {"reviews": rows, "form": forms.DecideForm()})


@require_POST
@org_only
def review_decide(request, pk: int):
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    form, back = forms.DecideForm(request.POST), redirect("grades:reviews")
    if not form.is_valid():
        return _invalid(request, form, back)
    try:
        services.review_decide(
            actor=Actor(request.user),
            review=review,
            grade=form.cleaned_data["grade"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        return _refused(request, error, back)
    messages.success(request, _("复核决定已记录。"))
    return back


@login_required
def record(request, cadre: str, year: int):
    """The printable record of one person's year (年度考核登记表), for the person and their administrators."""
    found = selectors.person_record(request.user, get_object_or_404(Cadre, code=cadre), year)
    if found is None:
        raise Http404("not in scope")
    return render(request, "grades/record.html", {"record": found})


@org_only
def consequences(request, year: int):
    lists = selectors.consequences(request.user, year)
    return render(request, "grades/consequences.html", {"year": year, "lists": lists, "form": forms.FollowUpForm()})


@require_POST
@org_only
def follow_up(request, year: int):
    def call(d):
        cadre = _cadre(d.pop("cadre"))
        services.follow_up_record(actor=Actor(request.user), cadre=cadre, year=year, **d)

    return _post(request, forms.FollowUpForm, redirect("grades:consequences", year), call)
