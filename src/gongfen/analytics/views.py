"""Analytics pages (分析): the what-if replay for administrators of a scheme. Parse, call, render."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongfen.accounts.permissions import Action, administrators_only, schemes_for
from gongfen.common import Actor, DomainError
from gongfen.interchange.selectors import scheme_as_bundle
from gongfen.interchange.validate import BundleInvalid
from gongfen.outputs.charts import distribution_svg
from gongfen.outputs.xlsx import xlsx_response

from . import whatif as engine
from .charts import bars_svg
from .exports import fairness_sheets, whatif_sheets
from .fairness import DEFINITIONS, fairness_report
from .forms import WhatIfForm


def _schemes(user):
    return list(schemes_for(user, Action.ADMINISTER).filter(groups__isnull=False).distinct().select_related("unit"))


def _edited(scheme, post) -> dict:
    """The scheme as it is, with the points, caps, weights and tier shares typed on the page (not saved)."""
    draft = copy.deepcopy(scheme_as_bundle(scheme))
    for rule in draft["rules"]:
        for key in ("points", "cap"):
            value = post.get(f"{key}-{rule['code']}")
            if value is None:
                continue
            value = value.strip()
            if key == "cap" and value == "":
                rule.pop("cap", None)
            else:
                rule[key] = value
    for key in ("quantitative", "qualitative"):
        if post.get(f"weight-{key}") is not None:
            draft["weights"][key] = post[f"weight-{key}"].strip()
    for i, tier in enumerate(draft["tiers"]):
        if post.get(f"tier-{i}") is not None:
            tier["cumulative"] = post[f"tier-{i}"].strip()
    return draft


def _charts(board) -> dict:
    def svg(ranking, names, what):
        points = [(row.composite, row.tier_index, row.vetoed) for row in ranking.rows]
        title = f"{board.group_name} {board.period} {what}"
        return mark_safe(distribution_svg(points, list(names), title=title, width=480))  # the chart escapes its text

    return {
        "before": svg(board.before, board.tier_names_before, _("试算前综合得分分布")),
        "after": svg(board.after, board.tier_names, _("试算后综合得分分布")),
        "tiers": list(zip(board.tier_names, board.tier_counts("before"), board.tier_counts("after"), strict=False)),
    }


@administrators_only
def whatif(request):
    schemes = _schemes(request.user)
    drafts = list(schemes_for(request.user, Action.ADMINISTER).select_related("unit"))
    by_code = {s.code: s for s in drafts}
    data = request.POST if request.method == "POST" else None
    initial = {"scheme": request.GET.get("scheme") or (schemes[0].code if schemes else ""), "k": 3}
    form = WhatIfForm(data, request.FILES or None, schemes=schemes, drafts=drafts, initial=initial)
    chosen = by_code.get((data or request.GET).get("scheme") or initial["scheme"])
    shown = None
    if chosen is not None:  # the edits typed on the page stay in the form after a replay
        shown = _edited(chosen, data) if data is not None and data.get("source") == "edit" else scheme_as_bundle(chosen)
    context = {"form": form, "scheme": chosen, "draft": shown}
    if data is None or not form.is_valid():
        return render(request, "analytics/whatif.html", context)
    target = by_code[form.cleaned_data["scheme"]]
    try:
        draft, fmt, source = _draft(form.cleaned_data, target, by_code, request.POST)
        result = engine.whatif_replay(
            actor=Actor(request.user),
            scheme=target,
            draft=draft,
            periods=engine.period_codes(form.cleaned_data["periods"], target.period_kind),
            k=form.cleaned_data["k"],
            source=source,
            bundle_format=fmt,
        )
    except BundleInvalid as exc:
        context["problems"] = [str(p) for p in exc.problems]
        return render(request, "analytics/whatif.html", context, status=400)
    except DomainError as exc:
        context["problems"] = [exc.message]
        return render(request, "analytics/whatif.html", context, status=400)
    if request.POST.get("export") == "xlsx":
        return xlsx_response(f"方案试算-{target.code}", whatif_sheets(result))
    context |= {"result": result, "boards": [(b, _charts(b)) for b in result.boards]}
    return render(request, "analytics/whatif.html", context)


def _draft(cleaned, target, by_code, post) -> tuple[dict, str, str]:
    source = cleaned["source"]
    if source == "stored":
        stored = by_code.get(cleaned["stored"])
        if stored is None:
            raise DomainError(_("没有这个方案"), field="stored")
        return engine.draft_of_scheme(stored), engine.BUNDLE_FORMAT, stored.code
    if source == "upload":
        scheme, fmt = engine.draft_from_bundle(cleaned["bundle"], target.code)
        return scheme, fmt, cleaned["upload"].name
    return _edited(target, post), engine.BUNDLE_FORMAT, _("本页修改")


@administrators_only
def fairness(request):
    """组织部 sees the county, a unit administrator the schemes of their subtree."""
    period = (request.GET.get("period") or "").strip() or _default_period()
    schemes = schemes_for(request.user, Action.ADMINISTER)
    try:
        report = fairness_report(schemes, period)
    except DomainError as exc:
        return render(request, "analytics/fairness.html", {"period": period, "problems": [exc.message]}, status=400)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"公平性分析-{period}", fairness_sheets(report))
    charts = {
        "bursts": bars_svg(
            _("期末 10 天发生的记录占比"),
            [(b.scheme_name, b.share_occurred, b.flagged) for b in report.bursts],
            unit="%",
            top=1,
        ),
        "flat": bars_svg(
            _("最大同分占比（大锅饭）"),
            [(g.group_name, g.tie_share or 0, g.flat) for g in report.flat],
            unit="%",
            top=1,
        ),
        "outlier": bars_svg(
            _("最高工分是第二名的几倍"), [(g.group_name, g.ratio or 0, g.outlier) for g in report.groups]
        ),
        "leniency": bars_svg(
            _("审核通过率"),
            [(f"{r.reviewer}（{r.scheme}）", r.rate, r.flagged) for r in report.reviewers],
            unit="%",
            top=1,
        ),
    }
    context = {
        "period": period,
        "report": report,
        "definitions": DEFINITIONS,
        "charts": {k: mark_safe(v) for k, v in charts.items()},  # the chart escapes its text
        "inflation_periods": [p for p, _, _ in report.inflation[0].periods] if report.inflation else [],
    }
    return render(request, "analytics/fairness.html", context)


def _default_period() -> str:
    from django.utils import timezone

    from gongfen.scoring import period_of

    previous = period_of(timezone.localdate()).previous()
    return (previous or period_of(timezone.localdate())).code


@administrators_only
def warnings_list(request):
    """亮灯: red and yellow lights of the period over the schemes the user administers, with follow-ups."""
    from .models import FollowUpAction
    from .warnings import REASONS, warnings_for

    period = (request.GET.get("period") or "").strip() or _default_period()
    try:
        found = warnings_for(schemes_for(request.user, Action.ADMINISTER), period, timezone.localdate())
    except ValueError as exc:
        return render(request, "analytics/warnings.html", {"period": period, "problems": [str(exc)]}, status=400)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"预警-{period}", [_warnings_sheet(found, period)])
    context = {"period": period, "warnings": found, "reasons": REASONS, "actions": FollowUpAction.choices}
    return render(request, "analytics/warnings.html", context)


def _warnings_sheet(found, period):
    from gongfen.outputs.xlsx import Column, Sheet

    return Sheet(
        title="预警",
        caption=f"{period} 预警（亮灯）",
        columns=(
            Column("灯", 6),
            Column("对象", 16),
            Column("编码", 14),
            Column("排名组", 12),
            Column("原因", 26),
            Column("说明", 12),
            Column("最近处置", 16),
            Column("处置说明", 30),
        ),
        rows=[
            [
                "红" if w.light == "red" else "黄",
                w.name,
                w.subject,
                w.group,
                w.reason_label,
                w.detail,
                w.follow_ups[-1].get_action_display() if w.follow_ups else "",
                w.follow_ups[-1].note if w.follow_ups else "",
            ]
            for w in found
        ],
    )


@require_POST
@administrators_only
def warning_follow_up(request):
    from . import services
    from .warnings import warnings_for

    period = request.POST.get("period", "")
    key = tuple(request.POST.get(k, "") for k in ("subject_kind", "subject", "group", "period", "reason"))
    try:
        found = warnings_for(schemes_for(request.user, Action.ADMINISTER), period, timezone.localdate())
    except ValueError:
        raise Http404 from None
    warning = next((w for w in found if w.key == key), None)
    if warning is None:  # not a warning this user can see (out of scope, or gone)
        raise Http404
    try:
        services.warning_follow_up(
            actor=Actor(request.user),
            warning=warning,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录处置情况"))
    return redirect(f"{reverse('analytics:warnings')}?period={period}")
