"""The results pages: tiers and action lists per quarter, 组织部's overrides, the county summary, the year's account.

Administrators only (组织部 and 单位管理员), each within their scope: a group
out of scope, an unknown group or a period the scheme does not have answer 404;
an override by anyone but 组织部 answers 403 with the reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import administrators_only, roles_required
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre
from gongfen.publication.models import ActionOverride

from . import exports, selectors, services
from .forms import OverrideForm


def _group(request, code: str):
    return get_object_or_404(selectors.scoped_groups(request.user), code=code)


def _quarter(group, period: str):
    try:
        return selectors.quarter_results(group, period)
    except DomainError as error:
        raise Http404(error.message) from error


@administrators_only
def index(request):
    return render(request, "results/index.html", {"groups": selectors.index(request.user), "mode": "lists"})


@administrators_only
def years(request):
    return render(request, "results/index.html", {"groups": selectors.index(request.user), "mode": "years"})


def _actions_context(request, results, form=None):
    return {
        "results": results,
        "may_override": results.final and services.may_override(request.user, results.group),
        "form": form or OverrideForm(),
        "board_url": selectors.reverse_or_none("rankings:board", results.group.code, results.period),
        "publication_url": selectors.reverse_or_none("publication:board", results.group.code, results.period),
        "periods": selectors.periods_of(results.group.scheme),
    }


@administrators_only
def actions(request, group: str, period: str):
    results = _quarter(_group(request, group), period)
    return render(request, "results/actions.html", _actions_context(request, results))


@administrators_only
def actions_export(request, group: str, period: str):
    results = _quarter(_group(request, group), period)
    return exports.actions_xlsx(results)


@require_POST
@administrators_only
def override(request, group: str, period: str):
    the_group = _group(request, group)
    results = _quarter(the_group, period)
    if not services.may_override(request.user, the_group):
        return HttpResponseForbidden(_("只有组织部管理员可以调整名单"))
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return render(request, "results/actions.html", _actions_context(request, results, form), status=400)
    cadre = Cadre.objects.filter(code=form.cleaned_data["cadre"]).first()
    try:
        if cadre is None:
            raise DomainError(_("没有这个干部代码"), field="cadre")
        services.action_override(
            actor=Actor(request.user),
            group=the_group,
            period=period,
            cadre=cadre,
            action=form.cleaned_data["action"],
            include=form.cleaned_data["include"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return render(request, "results/actions.html", _actions_context(request, results, form), status=400)
    messages.success(request, _("名单调整已提出，须由另一位组织部管理员复核后生效。"))
    return redirect("results:actions", the_group.code, period)


@require_POST
@administrators_only
def override_confirm(request, group: str, period: str, pk: int):
    the_group = _group(request, group)
    _quarter(the_group, period)
    if not services.may_override(request.user, the_group):
        return HttpResponseForbidden(_("只有组织部管理员可以复核名单调整"))
    proposal = get_object_or_404(ActionOverride, pk=pk, group=the_group, period=period)
    try:
        services.action_override_confirm(actor=Actor(request.user), override=proposal)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("名单调整已复核生效。"))
    return redirect("results:actions", the_group.code, period)


def _year(request, group: str, year: int):
    try:
        return selectors.year_account(_group(request, group), year)
    except DomainError as error:
        raise Http404(error.message) from error


@administrators_only
def year(request, group: str, year: int):
    return render(request, "results/year.html", {"account": _year(request, group, year)})


@administrators_only
def year_export(request, group: str, year: int):
    return exports.year_xlsx(_year(request, group, year))


@roles_required(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN)
def county_index(request):
    return redirect("results:county", str(timezone.localdate().year))


def _summary(request, key: str):
    try:
        period = selectors.summary_period(request.user, key)
    except DomainError as error:
        raise Http404(error.message) from error
    summary = selectors.county_summary(request.user, period)
    if summary is None:
        raise Http404("no group of that year in scope")
    return summary


@administrators_only
def county(request, key: str):
    summary = _summary(request, key)
    context = {"summary": summary, "chart": exports.county_chart(summary), "key": key}
    return render(request, "results/county.html", context)


@administrators_only
def county_export(request, key: str):
    return exports.county_xlsx(_summary(request, key))
