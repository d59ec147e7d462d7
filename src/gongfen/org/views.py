"""People and posts (人员与岗位) for administrators: who holds which post in which unit, over time.

A cadre is found only among ``cadres_for(user, Action.ADMINISTER)`` and a
unit only among ``units_for(user, Action.ADMINISTER)``: out of scope is 404
(or, for a unit picked in a form, "not a valid choice").
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongfen.accounts.permissions import Action, administrators_only, cadres_for, units_for
from gongfen.common import Actor, DomainError

from . import selectors, services
from .forms import CadreForm, PeopleFilterForm, PostEndForm, PostForm
from .models import Post

PAGE_SIZE = 30


def _units(request):
    return units_for(request.user, Action.ADMINISTER).order_by("path")


def _cadre(request, code: str):
    return get_object_or_404(cadres_for(request.user, Action.ADMINISTER), code=code)


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@administrators_only
def people(request):
    form = PeopleFilterForm(request.GET or None, units=_units(request))
    q, unit = "", None
    if form.is_bound and form.is_valid():
        q, unit = form.cleaned_data["q"].strip(), form.cleaned_data["unit"]
    page = Paginator(selectors.people(request.user, q=q, unit=unit), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "org/_people_results.html" if partial else "org/people.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _cadre_page(request, cadre, end_forms=None, status=200):
    rows = selectors.cadre_posts(request.user, cadre)
    end_forms = end_forms or {}
    for row in rows:
        if row.may_end and row.post.pk not in end_forms:
            end_forms[row.post.pk] = PostEndForm(auto_id=f"id_end_{row.post.pk}_%s")
    context = {"cadre": cadre, "rows": [(row, end_forms.get(row.post.pk)) for row in rows]}
    return render(request, "org/cadre.html", context, status=status)


@administrators_only
def cadre(request, code: str):
    return _cadre_page(request, _cadre(request, code))


@administrators_only
def cadre_add(request):
    form = CadreForm(
        request.POST or None, units=_units(request), positions=selectors.position_suggestions(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.cadre_create(actor=Actor(request.user), **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已新增干部 %(name)s（%(code)s）") % {"name": new.name, "code": new.code})
            return redirect("org:cadre", code=new.code)
    return render(request, "org/cadre_form.html", {"form": form})


@administrators_only
def post_add(request, code: str):
    the_cadre = _cadre(request, code)
    form = PostForm(request.POST or None, units=_units(request), positions=selectors.position_suggestions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.post_add(actor=Actor(request.user), cadre=the_cadre, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已为 %(name)s 新增岗位") % {"name": the_cadre.name})
            return redirect("org:cadre", code=the_cadre.code)
    return render(request, "org/post_form.html", {"cadre": the_cadre, "form": form})


@administrators_only
@require_POST
def post_end(request, code: str, post_id: int):
    the_cadre = _cadre(request, code)
    post = get_object_or_404(Post, pk=post_id, cadre=the_cadre, unit__in=units_for(request.user, Action.ADMINISTER))
    form = PostEndForm(request.POST, auto_id=f"id_end_{post.pk}_%s")
    if form.is_valid():
        try:
            services.post_end(actor=Actor(request.user), post=post, end=form.cleaned_data["end"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("岗位已于 %(end)s 结束") % {"end": form.cleaned_data["end"]})
            return redirect("org:cadre", code=the_cadre.code)
    return _cadre_page(request, the_cadre, {post.pk: form}, status=400)
