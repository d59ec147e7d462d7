"""The publication pages: 公示 (published boards, versions, diffs) and 异议 (file, queue, decide, my objections).

Views parse, call a selector or a service, render. A published board is seen
only by the people in its scope (``can_see_publication``); anyone else, and
anyone before publication, finds nothing (404). Objections are seen by the
objector and by the group's administrators (the deciders) only.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from gongfen.accounts.permissions import ADMINS, can_see_publication, principal
from gongfen.common import Actor, DomainError
from gongfen.dbrouting import replica_reads
from gongfen.ledger import evidence as evidence_files
from gongfen.rankings.selectors import group_period
from gongfen.schemes.models import RankingGroup
from gongfen.uploads import refuse_in

from . import objections as services
from . import page_selectors as pages
from .forms import DismissForm, HolidayYearForm, ObjectionForm, UpholdForm
from .holidays import SHIPPED, HolidaysInvalid, calendar_rows, holiday_year_record, holidays_parse, missing_years
from .models import HolidayYear, ObjectionStatus
from .selectors import SnapshotTampered, objection_window


def _publication(request, group: str, period: str) -> RankingGroup:
    """The group, if ``period`` is one of its scheme and the user may see its ranking; else 404."""
    the_group = get_object_or_404(RankingGroup.objects.select_related("scheme__unit", "select_unit"), code=group)
    try:
        group_period(the_group, period)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if not can_see_publication(request.user, the_group, period):
        raise Http404("not in the publication's scope")
    return the_group


def _version(request) -> int | None:
    try:
        return int(request.GET["v"])
    except (KeyError, ValueError):
        return None


@login_required
def publications(request):
    context = {
        "items": pages.publications_for(request.user),
        "decider": principal(request.user).has(*ADMINS),
        "cadre": principal(request.user).cadre_id is not None,
    }
    return render(request, "publication/list.html", context)


def snapshot_refused(request, error: SnapshotTampered):
    """The page shown instead of a snapshot that fails its check (409: the stored state conflicts with the log)."""
    context = {"snapshot": error.snapshot}
    return render(request, "publication/tampered.html", context, status=409)


def refuses_tampered_snapshots(view):
    """Every page or file drawn from a published snapshot answers :func:`snapshot_refused` if it fails the check."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SnapshotTampered as error:
            return snapshot_refused(request, error)

    return wrapped


@login_required
@replica_reads  # read-only: served by the read replica when there is one
@refuses_tampered_snapshots
def board(request, group: str, period: str):
    the_group = _publication(request, group, period)
    the_board = pages.published_board(request.user, the_group, period, _version(request))
    if the_board is None:
        raise Http404("not published")
    p = principal(request.user)
    refusal = None
    if p.cadre_id:
        refusal = services.objection_may_file(group=the_group, period=period, cadre=request.user.cadre)
    context = {
        "board": the_board,
        "may_object": p.cadre_id is not None and refusal is None,
        "own_window": the_board.own_line.window if the_board.own_line else None,
    }
    return render(request, "publication/board.html", context)


@login_required
@refuses_tampered_snapshots
def diff(request, group: str, period: str, old: int, new: int):
    the_group = _publication(request, group, period)
    page = pages.diff_page(the_group, period, old, new)
    if page is None:
        raise Http404("no such version")
    return render(request, "publication/diff.html", {"page": page})


# --- objections -----------------------------------------------------------------------------------


@login_required
def object_file(request, group: str, period: str):
    p = principal(request.user)
    if p.cadre_id is None:
        raise Http404("only a cadre objects")
    the_group = _publication(request, group, period)
    cadre = request.user.cadre
    refusal = services.objection_may_file(group=the_group, period=period, cadre=cadre)
    if refusal is not None:
        raise Http404(refusal)
    entries = pages.objectable_entries(the_group, period, cadre.pk)
    if request.method == "POST":
        form = ObjectionForm(request.POST, request.FILES, entries=entries)
        refuse_in(request, form, "evidence")
        if form.is_valid():
            try:
                objection = services.objection_file(
                    actor=Actor(request.user),
                    group=the_group,
                    period=period,
                    cadre=cadre,
                    text=form.cleaned_data["text"],
                    entry=form.cleaned_data["entry"],
                    evidence=form.evidence_content(),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("异议已提交，处理结果会通知您"))
                return redirect("publication:objection", objection.pk)
    else:
        initial = {}
        if code := request.GET.get("entry"):
            initial["entry"] = entries.filter(code=code).first()
        form = ObjectionForm(entries=entries, initial=initial)
    context = {"form": form, "group": the_group, "period": period}
    return render(request, "publication/object.html", context)


@login_required
def my_objections(request):
    if principal(request.user).cadre_id is None:
        raise Http404("no cadre")
    return render(request, "publication/mine.html", {"objections": pages.my_objections(request.user)})


@login_required
def queue(request):
    if not principal(request.user).has(*ADMINS):
        raise Http404("not a decider")
    items = list(pages.objection_queue(request.user)[:200])
    return render(request, "publication/queue.html", {"objections": items})


def _detail_context(request, objection, uphold_form=None, dismiss_form=None) -> dict:
    decider = pages.decidable_objections(request.user).filter(pk=objection.pk).exists()
    decides = decider and objection.status == ObjectionStatus.FILED and objection.cadre_id != request.user.cadre_id
    return {
        "objection": objection,
        "decides": decides,
        "uphold_form": uphold_form or UpholdForm(group=objection.group, prefix="u"),
        "dismiss_form": dismiss_form or DismissForm(prefix="d"),
        "window": objection_window(objection.group, objection.period, objection.cadre.code),
    }


def _objection(request, pk: int, deciding: bool = False):
    scope = pages.decidable_objections(request.user) if deciding else pages.visible_objections(request.user)
    return get_object_or_404(
        scope.select_related("group__scheme", "cadre", "entry__rule", "snapshot"),
        pk=pk,
    )


@login_required
def objection(request, pk: int):
    item = _objection(request, pk)
    return render(request, "publication/objection.html", _detail_context(request, item))


@login_required
@require_POST
def uphold(request, pk: int):
    item = _objection(request, pk, deciding=True)
    form = UpholdForm(request.POST, group=item.group, prefix="u")
    if form.is_valid():
        try:
            done = services.objection_uphold(
                actor=Actor(request.user),
                objection=item,
                reason=form.cleaned_data["reason"],
                revoke=form.cleaned_data["revoke"],
                grant=form.grant(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("异议已采纳，排名已重新公示为第 %(v)s 版") % {"v": done.resolved_version})
            return redirect("publication:objection", item.pk)
    context = _detail_context(request, item, uphold_form=form)
    return render(request, "publication/objection.html", context, status=400)


@login_required
@require_POST
def dismiss(request, pk: int):
    item = _objection(request, pk, deciding=True)
    form = DismissForm(request.POST, prefix="d")
    if form.is_valid():
        try:
            services.objection_dismiss(actor=Actor(request.user), objection=item, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(request, _("已不予采纳，结果已通知异议人"))
            return redirect("publication:objection", item.pk)
    context = _detail_context(request, item, dismiss_form=form)
    return render(request, "publication/objection.html", context, status=400)


@login_required
@xframe_options_sameorigin
def objection_evidence(request, pk: int):
    item = _objection(request, pk)
    if not item.evidence_token:
        raise Http404("no evidence")
    return evidence_files.file_response(item.evidence_token, item.evidence_type, item.evidence_name)


# --- the holiday calendar (节假日与调休) ----------------------------------------------------------


def _years_overview(today) -> list[dict]:
    """Last year to two years ahead: whether each is shipped, recorded (by whom, from what) or missing."""
    recorded = {y.year: y for y in HolidayYear.objects.filter(year__range=(today.year - 1, today.year + 2))}
    rows = []
    for year in range(today.year - 1, today.year + 3):
        if year in recorded:
            status = "recorded"
        elif year in SHIPPED:
            status = "shipped"
        else:
            status = "missing"
        rows.append({"year": year, "status": status, "recorded": recorded.get(year)})
    return rows


@login_required
def holidays(request, year: int | None = None):
    """组织部 enters a year's 节假日与调休 (the whole year at once); others find nothing here (404)."""
    if not principal(request.user).is_org_admin:
        raise Http404("for 组织部")
    today = timezone.localdate()
    if year is None:
        missing = missing_years(today)
        return redirect("publication:holidays_year", missing[0] if missing else today.year)
    if not 2000 <= year <= 2100:
        raise Http404("no such year")
    rows = calendar_rows(year)
    current = "\n".join(f"{r.day.isoformat()},{'上班' if r.working else '休息'},{r.name}" for r in rows)
    recorded = HolidayYear.objects.filter(year=year).first()
    form = HolidayYearForm(
        request.POST or None, initial={"days": current, "source": recorded.source if recorded else ""}
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            parsed = holidays_parse(form.cleaned_data["days"], source=f"{year}", fmt="csv")
            holiday_year_record(actor=Actor(request.user), year=year, rows=parsed, source=form.cleaned_data["source"])
        except HolidaysInvalid as exc:
            form.add_error("days", exc.message)
            problems = exc.problems
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存 %(year)s 年的节假日与调休安排") % {"year": year})
            return redirect("publication:holidays_year", year)
    context = {
        "year": year,
        "rows": rows,
        "form": form,
        "problems": problems,
        "recorded": recorded,
        "shipped": year in SHIPPED and recorded is None,
        "known": recorded is not None or year in SHIPPED,
        "years": _years_overview(today),
        "missing": missing_years(today),
    }
    return render(request, "publication/holidays.html", context)
