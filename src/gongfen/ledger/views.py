"""The ledger pages: 我的工分, 申报, 我的申报, one entry and its evidence, 待审核.

Views parse, call a selector or a service, render. Objects come only from the
scoped querysets of ``accounts.permissions``: out of scope answers 404, a
four-eyes refusal (``review_refusal``) answers 403 with its reason.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from gongfen.accounts.permissions import (
    REVIEWERS,
    Action,
    cadres_for,
    entries_for,
    principal,
    review_refusal,
    schemes_for,
)
from gongfen.common import Actor, DomainError
from gongfen.dbrouting import replica_reads
from gongfen.scoring import PeriodError, Quarter
from gongfen.uploads import refuse_in

from . import evidence as evidence_files
from . import page_selectors as pages
from . import services
from .forms import AdjustForm, DecideForm, DeclarationFilter, DeclareForm, DraftForm, ReasonForm
from .models import EntryKind, EntryStatus, Evidence


def _refused(request, reason: str):
    return render(request, "ledger/refused.html", {"reason": reason}, status=403)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    # a path only: redirect() would take anything else without a "/" for a view name (NoReverseMatch: a 500)
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def _htmx_target(request) -> str | None:
    return request.htmx.target if request.htmx else None


# --- 我的工分 -----------------------------------------------------------------


def _quarter(code: str | None, today: date) -> Quarter:
    try:
        return Quarter.parse(code) if code else Quarter.containing(today)
    except PeriodError:
        return Quarter.containing(today)


@login_required
@replica_reads  # read-only: served by the read replica when there is one
def mine(request):
    if principal(request.user).cadre_id is None:
        raise Http404("no cadre")
    cadre = request.user.cadre
    today = timezone.localdate()
    period = _quarter(request.GET.get("period"), today)
    context = {
        "cadre": cadre,
        "period": period,
        "periods": sorted(set(pages.quarters_so_far(period.year, today)) | {period}),
        "standings": pages.my_standings(cadre, period, today),
        "entries": pages.quarter_entries(request.user, cadre, period.code),
    }
    return render(request, "ledger/mine.html", context)


# --- 申报 ---------------------------------------------------------------------


def _day(value: str | None, today: date) -> date:
    try:
        return forms.DateField().clean(value) if value else today
    except ValidationError:
        return today


def _selected_rule(form: DeclareForm):
    value = form["rule"].value()
    if not value:
        return None
    try:
        return form.fields["rule"].queryset.filter(pk=value).first()
    except (ValueError, TypeError):
        return None


def _declaring_for(request):
    """(cadre, may declare for others, None), or (None, _, a response): the picker or a refusal."""
    p = principal(request.user)
    candidates = cadres_for(request.user, Action.DECLARE)
    for_others = (candidates.exclude(pk=p.cadre_id) if p.cadre_id else candidates).exists()
    code = request.POST.get("cadre") or request.GET.get("cadre")
    if code:
        return get_object_or_404(candidates, code=code), for_others, None
    if for_others:
        return None, for_others, _cadre_picker(request)
    if p.cadre_id:
        return request.user.cadre, for_others, None
    raise Http404("nobody to declare for")


@login_required
def declare(request):
    cadre, for_others, response = _declaring_for(request)
    if response is not None:
        return response
    data = request.POST if request.method == "POST" else request.GET
    day = _day(data.get("occurred_on"), timezone.localdate())
    query = data.get("rule_q", "").strip()
    if request.method == "POST":
        rules = pages.rules_for_declaring(request.user, cadre, day)
        form = DeclareForm(request.POST, request.FILES, rules=rules)
        refuse_in(request, form, "evidence")  # more files or bytes than a request may send: none kept
        duplicates = _duplicates(request, form, cadre) if form.is_valid() else []
        if form.is_valid() and not duplicates and (entry := _declare(request, form, cadre)) is not None:
            from gongfen.intake.services import form_timing_record  # 填报用时, for the burden figure

            form_timing_record(user=request.user, entry=entry, stamp=request.POST.get("form_opened"))
            return redirect("ledger:entry", entry.code)
    else:  # a first view, or the rule list redrawn for a search, a date or a chosen rule
        duplicates = []
        initial = {key: data.get(key) for key in ("rule", "quantity", "description") if data.get(key)}
        rules = pages.rules_for_declaring(request.user, cadre, day, query)
        form = DeclareForm(initial={"occurred_on": day, "quantity": 1, **initial}, rules=rules)
    selected = _selected_rule(form)
    context = {
        "form": form,
        "cadre": cadre,
        "for_others": for_others,
        "rule_q": query,
        "selected_rule": selected,
        "selected_points": pages.plain(selected.points) if selected else "",
        "selected_cap": pages.plain(selected.cap) if selected else "",
        "no_rules": not query and not rules.exists(),
        "duplicates": duplicates,
    }
    if _htmx_target(request) == "rule-field":
        return render(request, "ledger/_rule_field.html", context)
    return render(request, "ledger/declare.html", context)


def _duplicates(request, form: DeclareForm, cadre) -> list:
    """Live entries this declaration repeats, unless the user has confirmed it is new work (重复申报提醒).

    Also what stops Back + resubmit of a form already sent from making a second entry unnoticed.
    """
    if request.POST.get("confirm_duplicate") == "1":
        return []
    data = form.cleaned_data
    digests = [hashlib.sha256(item.read()).hexdigest() for item in data.get("evidence") or []]
    for item in data.get("evidence") or []:
        item.seek(0)
    return pages.duplicate_candidates(
        request.user,
        cadre=cadre,
        rule=data["rule"],
        occurred_on=data["occurred_on"],
        quantity=data["quantity"],
        description=data["description"],
        digests=digests,
    )


def _declare(request, form: DeclareForm, cadre):
    data = form.cleaned_data
    submit = request.POST.get("intent") != "draft"
    try:
        entry = services.entry_declare(
            actor=Actor(request.user),
            cadre=cadre,
            rule=data["rule"],
            occurred_on=data["occurred_on"],
            quantity=data["quantity"],
            description=data["description"],
            submit=submit,
            files=form.evidence_contents(),
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    if submit:
        messages.success(request, _("已提交 %(code)s，等待审核") % {"code": entry.code})
    else:
        messages.success(request, _("已保存为草稿 %(code)s，提交后才会进入审核") % {"code": entry.code})
    return entry


def _cadre_picker(request):
    query = request.GET.get("q", "").strip()
    shown = list(pages.declarable_cadres(request.user, query)[: pages.CADRE_PICK_LIMIT + 1])
    context = {"cadres": shown[: pages.CADRE_PICK_LIMIT], "more": len(shown) > pages.CADRE_PICK_LIMIT, "q": query}
    if _htmx_target(request) == "cadre-list":
        return render(request, "ledger/_cadre_list.html", context)
    return render(request, "ledger/declare_pick.html", context)


# --- 我的申报 -----------------------------------------------------------------


@login_required
def declarations(request):
    filters = DeclarationFilter(request.GET or None, periods=pages.my_declaration_periods(request.user))
    chosen: dict = {}
    if filters.is_bound:
        filters.is_valid()  # a stale choice drops that filter only
        chosen = filters.cleaned_data
    entries = pages.my_declarations(request.user, status=chosen.get("status") or "", period=chosen.get("period") or "")
    context = {"filters": filters, "page": Paginator(entries, pages.PAGE_SIZE).get_page(request.GET.get("page"))}
    if _htmx_target(request) == "declarations-results":
        return render(request, "ledger/_declarations_results.html", context)
    return render(request, "ledger/declarations.html", context)


# --- one entry ----------------------------------------------------------------


@login_required
def entry(request, code):
    user = request.user
    item = get_object_or_404(pages.entry_detail(user), code=code)
    reviewer = pages.can_review(user, item)
    refusal = review_refusal(user, item) if reviewer else None
    decides = reviewer and refusal is None
    context = {
        "entry": item,
        "can_submit": item.status == EntryStatus.DECLARED and pages.is_own(user, item),
        "can_withdraw": item.status == EntryStatus.PENDING
        and item.kind == EntryKind.NORMAL
        and pages.is_own(user, item),
        "can_edit": item.status == EntryStatus.DECLARED and item.kind == EntryKind.NORMAL and pages.is_own(user, item),
        "duplicates": pages.duplicates_of(user, item) if item.status in pages.LIVE_STATUSES else [],
        "can_decide": decides and item.status == EntryStatus.PENDING,
        "can_revoke": decides and item.status == EntryStatus.APPROVED and item.kind != EntryKind.REVERSAL,
        "refusal": refusal,
        "would_get": item.sign * item.rule.points * item.quantity if item.points is None else None,
        "adjust_form": AdjustForm(initial={"sign": -1, "quantity": item.quantity}) if _adjustable(user, item) else None,
    }
    return render(request, "ledger/entry.html", context)


@login_required
@xframe_options_sameorigin  # a PDF opened from the entry page may be framed by the browser viewer
def evidence(request, code, token):
    item = get_object_or_404(
        Evidence.objects.filter(entry__in=entries_for(request.user)), entry__code=code, token=token
    )
    return evidence_files.file_response(item.token, item.content_type, item.original_name)


def _to_decide(request, code: str):
    """(entry, None) when the user may decide it; (entry, a 403 response) when they see it but may not.

    An entry the user cannot see is a 404; one they see but do not review,
    or one ``review_refusal`` forbids (four eyes), a 403 with the reason.
    """
    item = get_object_or_404(pages.visible(request.user), code=code)
    if not pages.can_review(request.user, item):
        return item, _refused(request, _("您没有审核这条记录的权限"))
    if refusal := review_refusal(request.user, item):
        return item, _refused(request, refusal)
    return item, None


@login_required
@require_POST
def submit(request, code):
    item = get_object_or_404(pages.visible(request.user), code=code)
    if not pages.is_own(request.user, item):
        return _refused(request, _("只有本人或录入人可以提交这条记录"))
    try:
        services.entry_submit(actor=Actor(request.user), entry=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交，等待审核"))
    return redirect("ledger:entry", item.code)


@login_required
@require_POST
def revoke(request, code):
    item, refused = _to_decide(request, code)
    if refused:
        return refused
    form = ReasonForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        reversal = services.entry_revoke(actor=Actor(request.user), entry=item, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销，冲销记录为 %(code)s") % {"code": reversal.code})
    return redirect("ledger:entry", item.code)


# --- the author's safeguards: 撤回, 修改草稿, 删除草稿 ----------------------------------------


def _authored(request, code: str):
    """(entry, None) for its cadre or recorder; (entry, a 403) for anyone else who sees it; 404 if unseen."""
    item = get_object_or_404(pages.visible(request.user), code=code)
    if not pages.is_own(request.user, item):
        return item, _refused(request, _("只有本人或录入人可以撤回、修改或删除这条记录"))
    return item, None


@login_required
@require_POST
def withdraw(request, code):
    item, refused = _authored(request, code)
    if refused:
        return refused
    try:
        services.entry_withdraw(actor=Actor(request.user), entry=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤回，这条记录回到草稿：可以修改后再提交，也可以删除"))
    return redirect("ledger:entry", item.code)


@login_required
def draft_edit(request, code):
    item, refused = _authored(request, code)
    if refused:
        return refused
    if request.method == "POST":
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                services.entry_draft_update(actor=Actor(request.user), entry=item, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("草稿已修改"))
                return redirect("ledger:entry", item.code)
    else:
        form = DraftForm(
            initial={"occurred_on": item.occurred_on, "quantity": item.quantity, "description": item.description}
        )
    return render(request, "ledger/draft_edit.html", {"entry": item, "form": form})


@login_required
@require_POST
def draft_delete(request, code):
    item, refused = _authored(request, code)
    if refused:
        return refused
    try:
        services.entry_draft_delete(actor=Actor(request.user), entry=item)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:entry", item.code)
    messages.success(request, _("草稿已删除"))
    return redirect("ledger:declarations")


# --- 更正调整 -----------------------------------------------------------------


def _may_adjust(user, item) -> bool:
    """Administrators of the entry's scheme (unit administrator, 组织部) record adjustments."""
    return schemes_for(user, Action.ADMINISTER).filter(pk=item.scheme_id).exists()


def _adjustable(user, item) -> bool:
    """Whether the entry page offers the adjustment form: an entry of a final quarter, to its administrators."""
    from gongfen.publication.selectors import period_is_final

    return (
        item.kind in services.ADJUSTABLE_KINDS
        and item.status in (EntryStatus.APPROVED, EntryStatus.REJECTED)
        and period_is_final(item.scheme_id, item.period)
        and _may_adjust(user, item)
    )


@login_required
@require_POST
def adjust(request, code):
    item = get_object_or_404(pages.visible(request.user), code=code)
    if not _may_adjust(request.user, item):
        return _refused(request, _("只有本单位管理员或组织部可以登记更正调整"))
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写调整方向、数量和更正理由"))
        return redirect("ledger:entry", item.code)
    data = form.cleaned_data
    try:
        adjustment = services.adjustment_declare(
            actor=Actor(request.user),
            original=item,
            sign=data["sign"],
            quantity=data["quantity"],
            reason=data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:entry", item.code)
    messages.success(request, _("已登记更正调整 %(code)s，等待审核") % {"code": adjustment.code})
    return redirect("ledger:entry", adjustment.code)


# --- 待审核 -------------------------------------------------------------------


@login_required
def review(request):
    if not principal(request.user).has(*REVIEWERS):
        raise Http404("not a reviewer")
    page = Paginator(pages.review_queue(request.user), pages.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = pages.decidable(request.user, page.object_list)
    pages.flag_duplicates(rows)
    pages.really_adds(rows)
    return render(request, "ledger/review.html", {"page": page, "rows": rows})


def _decide(actor: Actor, item, decision: str, reason: str, points=None):
    if decision == "approve":
        return services.entry_approve(actor=actor, entry=item, reason=reason, points=points)
    return services.entry_reject(actor=actor, entry=item, reason=reason)


@login_required
@require_POST
def review_decide(request, code):
    item, refused = _to_decide(request, code)
    if refused:
        return refused
    form = DecideForm(request.POST)
    error, done = None, None
    if not form.is_valid():
        error = _("请选择通过或退回")
    else:
        try:
            data = form.cleaned_data
            done = _decide(Actor(request.user), item, data["decision"], data["reason"], data.get("points"))
        except DomainError as exc:
            error = exc.message
    if request.htmx:
        rows = [] if done else pages.decidable(request.user, pages.review_queue(request.user).filter(pk=item.pk))
        context = {"row": rows[0] if rows else None, "done": done, "error": error, "entry": item}
        return render(request, "ledger/_review_row.html", context)
    if error:
        messages.error(request, f"{item.code}: {error}")
    else:
        messages.success(request, _("%(code)s：%(status)s") % {"code": item.code, "status": done.get_status_display()})
    return redirect(_next_url(request, reverse("ledger:review")))


@login_required
@require_POST
def review_bulk(request):
    codes = list(dict.fromkeys(request.POST.getlist("entries")))
    form = DecideForm(request.POST)
    if not codes or not form.is_valid():
        messages.error(request, _("请先勾选记录，再选择通过或退回"))
        return redirect("ledger:review")
    items = list(pages.reviewable(request.user).filter(code__in=codes).order_by("recorded_at", "id"))
    if len(items) != len(codes):
        raise Http404("an entry is out of scope")
    refusals = [f"{item.code}：{reason}" for item in items if (reason := review_refusal(request.user, item))]
    if refusals:
        return _refused(request, "；".join(refusals))
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        services.entries_decide(actor=Actor(request.user), entries=items, decision=decision, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if decision == "approve":
            text = ngettext("已通过 %(n)d 条记录", "已通过 %(n)d 条记录", len(items))
        else:
            text = ngettext("已退回 %(n)d 条记录", "已退回 %(n)d 条记录", len(items))
        messages.success(request, text % {"n": len(items)})
    return redirect("ledger:review")
