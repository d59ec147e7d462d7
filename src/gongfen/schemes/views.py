"""The scheme editor (考核方案): list, detail with the diff against the template, derive, rules, parameters.

Only administrators (组织部, unit administrators) come here; a scheme is
found only among ``schemes_for(user, Action.ADMINISTER)``, so one out of
scope answers 404. Every change goes through ``schemes.services``, which
checks it exactly as ``gongfen load`` does.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongfen.accounts.permissions import ADMINS, Action, administrators_only, principal, schemes_for, units_for
from gongfen.common import Actor, DomainError
from gongfen.interchange.selectors import dec
from gongfen.interchange.validate import BundleInvalid
from gongfen.ledger.models import Entry, EntryStatus

from . import services
from .forms import (
    GroupPublicationForm,
    RuleForm,
    RuleRemoveForm,
    SchemeDeriveForm,
    SchemeParamsForm,
    add_problems,
    derive_field_of,
    group_field_of,
    params_field_of,
    rule_field_of,
)
from .models import Category, Rule, RuleVersion, Scheme
from .selectors import scheme_diff

REMOVE_IDS = "id_remove_%s"  # the remove form shares the rule page with the rule form
FIELD_LABELS = {
    "name": gettext_lazy("名称"),
    "category": gettext_lazy("类别"),
    "points": gettext_lazy("分值"),
    "unit_label": gettext_lazy("计量单位"),
    "cap": gettext_lazy("季度上限"),
    "veto": gettext_lazy("一票否决"),
    "positions": gettext_lazy("适用职务"),
    "evidence_required": gettext_lazy("需佐证"),
    "manual_min": gettext_lazy("人工核定分值下限"),
    "manual_max": gettext_lazy("人工核定分值上限"),
    "weight_quantitative": gettext_lazy("定量权重"),
    "weight_qualitative": gettext_lazy("定性权重"),
    "grades": gettext_lazy("评价等次"),
    "evaluator_classes": gettext_lazy("评价主体"),
    "tiers": gettext_lazy("分档"),
    "category_caps": gettext_lazy("类别上限"),
    "min_days": gettext_lazy("最少在岗天数"),
    "objection_days": gettext_lazy("异议期（工作日）"),
    "objection_contact": gettext_lazy("异议受理"),
}


def _actor(request) -> Actor:
    return Actor(request.user)


def _scheme(request, code: str) -> Scheme:
    return get_object_or_404(
        schemes_for(request.user, Action.ADMINISTER).select_related("unit", "derived_from__unit"), code=code
    )


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _position_choices(user) -> list[str]:
    """Positions named by the base rules of the schemes the user administers (suggestions for a rule)."""
    lists = Rule.objects.filter(scheme__in=schemes_for(user, Action.ADMINISTER), category=Category.BASE)
    return sorted({p for positions in lists.values_list("positions", flat=True) for p in positions or ()})


# --- list and detail ------------------------------------------------------------------------


@administrators_only
def scheme_list(request):
    schemes = (
        schemes_for(request.user, Action.ADMINISTER)
        .select_related("unit", "derived_from")
        .annotate(rule_count=Count("rules"))
        .order_by("-year", "unit__path", "code")
    )
    return render(request, "schemes/list.html", {"schemes": schemes})


@administrators_only
def scheme_detail(request, code: str):
    scheme = _scheme(request, code)
    return render(request, "schemes/detail.html", _detail_context(scheme))


def _detail_context(scheme: Scheme) -> dict:
    rules = list(scheme.rules.order_by("sort_order", "id"))
    versions = defaultdict(list)
    for version in RuleVersion.objects.filter(rule__scheme=scheme).select_related("created_by").order_by("version"):
        versions[version.rule_id].append(version)
    approved = {
        row["rule_id"]: row
        for row in Entry.objects.filter(scheme=scheme, status=EntryStatus.APPROVED)
        .values("rule_id")
        .annotate(count=Count("id"), older=Count("id", filter=~Q(rule_version=F("rule__version"))))
    }
    for item in [*rules, *(v for vs in versions.values() for v in vs)]:
        item.shown_points, item.shown_cap = dec(item.points), dec(item.cap)
    rows = [
        {
            "rule": r,
            "versions": versions.get(r.pk, []),
            "approved": approved.get(r.pk, {}).get("count", 0),
            "older": approved.get(r.pk, {}).get("older", 0),
        }
        for r in rules
    ]
    return {
        "scheme": scheme,
        "groups": scheme.groups.select_related("select_unit").prefetch_related("publish_units").order_by("code"),
        "rows": rows,
        "changed_after_approval": [row for row in rows if row["older"]],
        "diff": _diff(scheme),
        "weights": (dec(scheme.weight_quantitative), dec(scheme.weight_qualitative)),
        "category_caps": [
            (label, scheme.category_caps.get(value))
            for value, label in Category.choices
            if value in scheme.category_caps
        ],
    }


def _diff(scheme: Scheme) -> dict | None:
    """The diff against the template, as rows ready to show (kind, rule, field label, template, this scheme)."""
    if scheme.derived_from_id is None:
        return None
    diff = scheme_diff(scheme)
    parameters = [
        {"label": FIELD_LABELS.get(name, name), "old": _show(old), "new": _show(new)}
        for name, (old, new) in diff.parameters.items()
    ]
    rules = [
        {
            "kind": change.kind,
            "code": change.code,
            "name": change.name,
            "fields": [
                {"label": FIELD_LABELS.get(name, name), "old": _show(old), "new": _show(new)}
                for name, (old, new) in change.fields.items()
            ],
        }
        for change in diff.rules
    ]
    return {"template": diff.template, "parameters": parameters, "rules": rules, "unchanged": diff.unchanged}


# --- rules ------------------------------------------------------------------------------------


def _rule_codes(scheme: Scheme) -> list[str]:
    """Rule codes in the order of the scheme's bundle fragment (the index in a problem's JSON path)."""
    return list(scheme.rules.order_by("sort_order", "id").values_list("code", flat=True))


def _apply_rule_error(form: RuleForm, exc: DomainError, index: int) -> None:
    if isinstance(exc, BundleInvalid):
        add_problems(form, exc.problems, rule_field_of(index))
    else:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@administrators_only
def rule_add(request, code: str):
    scheme = _scheme(request, code)
    positions = _position_choices(request.user)
    form = RuleForm(request.POST or None, positions=positions)
    if request.method == "POST" and form.is_valid():
        index = len(_rule_codes(scheme))
        try:
            rule = services.rule_add(
                actor=_actor(request), scheme=scheme, rule_dict=form.rule_dict(), reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _apply_rule_error(form, exc, index)
        else:
            messages.success(request, _("已新增规则 %(code)s %(name)s") % {"code": rule.code, "name": rule.name})
            return redirect("schemes:detail", code=scheme.code)
    return render(request, "schemes/rule_form.html", {"scheme": scheme, "form": form, "rule": None})


def _rule(scheme: Scheme, rule_code: str) -> Rule:
    return get_object_or_404(scheme.rules, code=rule_code)


def _approved_counts(rule: Rule) -> dict:
    return Entry.objects.filter(rule=rule, status=EntryStatus.APPROVED).aggregate(
        count=Count("id"), older=Count("id", filter=~Q(rule_version=rule.version))
    )


def _rule_page(request, scheme, rule, form, remove_form, status=200):
    context = {
        "scheme": scheme,
        "rule": rule,
        "form": form,
        "remove_form": remove_form,
        "approved": _approved_counts(rule),
        "entries": Entry.objects.filter(rule=rule).count(),
    }
    return render(request, "schemes/rule_form.html", context, status=status)


@administrators_only
def rule_edit(request, code: str, rule_code: str):
    scheme = _scheme(request, code)
    rule = _rule(scheme, rule_code)
    positions = _position_choices(request.user)
    form = RuleForm(request.POST or None, initial=RuleForm.initial_for(rule), editing=True, positions=positions)
    if request.method == "POST" and form.is_valid():
        index = _rule_codes(scheme).index(rule.code)
        try:
            rule = services.rule_edit(
                actor=_actor(request), rule=rule, rule_dict=form.rule_dict(), reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _apply_rule_error(form, exc, index)
        else:
            messages.success(
                request, _("规则 %(code)s 已保存，现为第 %(version)s 版") % {"code": rule.code, "version": rule.version}
            )
            older = _approved_counts(rule)["older"]
            if older:
                messages.warning(request, _rescore_notice(older))
            return redirect("schemes:detail", code=scheme.code)
    return _rule_page(request, scheme, rule, form, RuleRemoveForm(auto_id=REMOVE_IDS))


def _rescore_notice(count: int) -> str:
    return _(
        "已有 %(n)s 条记录按旧版本审核通过：它们保持原分值。如需按现行版本重算历史，"
        "请由组织部执行留痕的 gongfen rescore 命令。"
    ) % {"n": count}


@administrators_only
@require_POST
def rule_remove(request, code: str, rule_code: str):
    scheme = _scheme(request, code)
    rule = _rule(scheme, rule_code)
    remove_form = RuleRemoveForm(request.POST, auto_id=REMOVE_IDS)
    if remove_form.is_valid():
        try:
            services.rule_remove(actor=_actor(request), rule=rule, reason=remove_form.cleaned_data["reason"])
        except DomainError as exc:
            remove_form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(request, _("已删除规则 %(code)s %(name)s") % {"code": rule_code, "name": rule.name})
            return redirect("schemes:detail", code=scheme.code)
    form = RuleForm(initial=RuleForm.initial_for(rule), editing=True, positions=_position_choices(request.user))
    return _rule_page(request, scheme, rule, form, remove_form, status=400)


# --- parameters -------------------------------------------------------------------------------


@administrators_only
def scheme_params(request, code: str):
    scheme = _scheme(request, code)
    form = SchemeParamsForm(request.POST or None, initial=SchemeParamsForm.initial_for(scheme))
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_params_put(
                actor=_actor(request), scheme=scheme, params=form.params(), reason=form.cleaned_data["reason"]
            )
        except BundleInvalid as exc:
            add_problems(form, exc.problems, params_field_of)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("方案参数已保存"))
            return redirect("schemes:detail", code=scheme.code)
    # ballot secrecy: while a round is open the grades and classes are frozen (the bundle check refuses a change)
    frozen = scheme.groups.filter(evaluation_rounds__state="open").exists()
    return render(request, "schemes/params_form.html", {"scheme": scheme, "form": form, "frozen": frozen})


# --- publication scope of the scheme's groups -------------------------------------------------


@administrators_only
def group_publication(request, code: str, group: str):
    scheme = _scheme(request, code)
    the_group = get_object_or_404(scheme.groups.select_related("select_unit"), code=group)
    form = GroupPublicationForm(request.POST or None, initial=GroupPublicationForm.initial_for(the_group))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.group_publication_put(
                actor=_actor(request),
                group=the_group,
                scope=data["publish_scope"],
                units=data["publish_units"],
                reason=data["reason"],
            )
        except BundleInvalid as exc:
            add_problems(form, exc.problems, group_field_of)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("公示范围已保存"))
            return redirect("schemes:detail", code=scheme.code)
    context = {"scheme": scheme, "group": the_group, "form": form}
    return render(request, "schemes/group_publication.html", context)


# --- derive -----------------------------------------------------------------------------------


def _templates(user):
    """Schemes a unit in the user's scope may be derived from: those of the units in scope and of the units above."""
    above = set()
    for path in principal(user).paths(*ADMINS):
        parts = [p for p in path.split("/") if p]
        above.update("".join(f"{p}/" for p in parts[:i]) for i in range(1, len(parts)))
    return (
        Scheme.objects.filter(Q(unit__path__in=above) | Q(pk__in=schemes_for(user, Action.ADMINISTER).values("pk")))
        .select_related("unit")
        .order_by("-year", "unit__path", "code")
    )


def _default_year() -> int:
    today = timezone.localdate()
    return today.year + 1 if today.month >= 10 else today.year


@administrators_only
def scheme_derive(request):
    units = units_for(request.user, Action.ADMINISTER).order_by("path")
    templates = _templates(request.user)
    if request.method == "POST":
        form = SchemeDeriveForm(request.POST, units=units, templates=templates)
        if form.is_valid():
            data = form.cleaned_data
            code, name = services.scheme_derive_proposal(
                template=data["template"], unit=data["unit"], year=data["year"]
            )
            try:
                scheme = services.scheme_derive(
                    actor=_actor(request),
                    template=data["template"],
                    unit=data["unit"],
                    year=data["year"],
                    code=data["code"].strip() or code,
                    name=data["name"].strip() or name,
                )
            except BundleInvalid as exc:
                add_problems(form, exc.problems, derive_field_of)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("已由 %(t)s 派生考核方案 %(code)s") % {"t": scheme.derived_from.code, "code": scheme.code},
                )
                return redirect("schemes:detail", code=scheme.code)
    else:
        form = _derive_form_for(request.GET, units, templates)
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "schemes/_derive_form.html" if partial else "schemes/derive.html", {"form": form})
    patch_vary_headers(response, ("HX-Request",))
    return response


def _derive_form_for(query, units, templates) -> SchemeDeriveForm:
    """An unbound form, pre-filled from the query (unit, template, year) with the proposed code and name."""
    initial = {"year": _default_year()}
    probe = SchemeDeriveForm(query, units=units, templates=templates)
    probe.is_valid()
    for key in ("unit", "template", "year"):
        if key in probe.cleaned_data and probe.cleaned_data[key] is not None:
            initial[key] = probe.cleaned_data[key]
    if "unit" in initial and "template" in initial:
        initial["code"], initial["name"] = services.scheme_derive_proposal(
            template=initial["template"], unit=initial["unit"], year=initial["year"]
        )
    return SchemeDeriveForm(initial=initial, units=units, templates=templates)
