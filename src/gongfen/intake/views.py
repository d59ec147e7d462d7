"""The intake pages: 待确认 (a cadre's records from other systems), 来源系统 (组织部; a source's owner sees its
disputes), 集体申报 (declare for several cadres, decide once) and 填报负担 (the burden figure).

Views parse, call a selector or a service, render; out of scope answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import ADMINS, Action, cadres_for, principal, roles_required
from gongfen.common import Actor, DomainError
from gongfen.ledger.models import EntryStatus
from gongfen.org.models import Cadre
from gongfen.schemes.models import Category, Rule
from gongfen.scoring import PeriodError, Quarter

from . import groups as group_services
from . import selectors, services
from .burden import burden_for
from .forms import DeclineForm, GroupDecideForm, GroupForm, LinkForm, SourceForm

DECLARERS = (RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.TASK_FORCE_LEAD)


# --- 待确认 ------------------------------------------------------------------------------------


@login_required
def pending(request):
    if principal(request.user).cadre_id is None:
        raise Http404
    rows = list(selectors.pending_for(request.user)[:200])
    for row in rows:
        row.evidence = services.evidence_line(row)
    return render(request, "intake/pending.html", {"rows": rows, "form": DeclineForm()})


def _own_or_404(request, pk: int):
    found = selectors.own_proposal(request.user, pk)
    if found is None:
        raise Http404
    return found


def _after(request, message: str | None = None, error: str | None = None):
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    if request.htmx:
        rows = list(selectors.pending_for(request.user)[:200])
        for row in rows:
            row.evidence = services.evidence_line(row)
        return render(request, "intake/_pending_list.html", {"rows": rows, "form": DeclineForm()})
    return redirect("intake:pending")


@login_required
@require_POST
def confirm(request, pk: int):
    proposal = _own_or_404(request, pk)
    try:
        entry = services.proposal_confirm(actor=Actor(request.user), proposal=proposal)
    except DomainError as exc:
        return _after(request, error=exc.message)
    return _after(request, _("已确认，记录 %(code)s 已提交审核") % {"code": entry.code})


@login_required
@require_POST
def decline(request, pk: int):
    proposal = _own_or_404(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _after(request, error=_("提出异议须说明理由"))
    try:
        services.proposal_decline(actor=Actor(request.user), proposal=proposal, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _after(request, error=exc.message)
    return _after(request, _("已提出异议，来源系统负责人会看到您的理由"))


# --- 来源系统 ----------------------------------------------------------------------------------


@login_required
def sources(request):
    p = principal(request.user)
    rows = selectors.sources_for(request.user)
    if not p.is_org_admin and not p.has(*ADMINS) and not rows.exists():
        raise Http404
    form, token = None, None
    if p.is_org_admin:
        form = SourceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                source, token = services.source_register(
                    actor=Actor(request.user),
                    code=data["code"],
                    name=data["name"],
                    owner=data["owner"],
                    rules=list(data["rules"]),
                    units=list(data["units"]),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已登记来源系统 %(name)s") % {"name": source.name})
                form = SourceForm()
    elif request.method == "POST":
        raise Http404
    if not p.is_org_admin and p.has(*ADMINS):
        from gongfen.intake.models import Source

        rows = Source.objects.filter(active=True).select_related("owner")  # to maintain person links
    return render(request, "intake/sources.html", {"rows": rows, "form": form, "token": token})


@login_required
def source_detail(request, code: str):
    from gongfen.intake.models import Source

    p = principal(request.user)
    source = get_object_or_404(Source.objects.select_related("owner"), code=code)
    owner = p.is_org_admin or source.owner_id == p.user_id
    if not owner and not p.has(*ADMINS):
        raise Http404
    cadres = cadres_for(request.user, Action.ADMINISTER)
    form = LinkForm(request.POST or None, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_link_set(
                actor=Actor(request.user),
                source=source,
                identifier=form.cleaned_data["identifier"],
                cadre=form.cleaned_data["cadre"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存人员对应"))
            return redirect("intake:source", code=source.code)
    context = {
        "source": source,
        "disputes": selectors.disputes_of(source)[:100] if owner else [],
        "links": selectors.links_for(request.user, source),
        "form": form if cadres.exists() else None,
        "owner": owner,
    }
    return render(request, "intake/source.html", context)


# --- 集体申报 ----------------------------------------------------------------------------------


@login_required
def groups(request):
    rows = selectors.group_declarations_for(request.user)[:100]
    can_declare = principal(request.user).has(*DECLARERS)
    return render(request, "intake/groups.html", {"rows": rows, "can_declare": can_declare})


@roles_required(*DECLARERS)
def group_new(request):
    cadres = cadres_for(request.user, Action.DECLARE).order_by("code")
    rules = Rule.objects.exclude(category=Category.BASE).select_related("scheme").order_by("scheme__code", "sort_order")
    form = GroupForm(request.POST or None, rules=rules, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            declaration = group_services.group_declare(
                actor=Actor(request.user),
                rule=data["rule"],
                cadres=list(data["cadres"]),
                occurred_on=data["occurred_on"],
                quantity=data["quantity"],
                description=data["description"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已提交集体申报，共 %(n)s 人") % {"n": declaration.members.count()})
            return redirect("intake:group", code=declaration.code)
    return render(request, "intake/group_new.html", {"form": form})


def _group(request, code: str):
    return get_object_or_404(selectors.group_declarations_for(request.user), code=code)


@login_required
def group_detail(request, code: str):
    declaration = _group(request, code)
    members = declaration.members.select_related("cadre", "entry")
    pending = any(m.entry.status == EntryStatus.PENDING for m in members)
    return render(request, "intake/group.html", {"d": declaration, "members": members, "pending": pending})


@login_required
@require_POST
def group_decide(request, code: str):
    declaration = _group(request, code)
    form = GroupDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择通过或退回"))
        return redirect("intake:group", code=code)
    data = form.cleaned_data
    cadres = None
    if data["cadre"]:
        cadres = list(Cadre.objects.filter(code=data["cadre"]))
    try:
        decided = group_services.group_decide(
            actor=Actor(request.user),
            declaration=declaration,
            decision=data["decision"],
            reason=data["reason"],
            cadres=cadres,
        )
    except DomainError as exc:
        if exc.code in ("forbidden", "four_eyes"):
            return render(request, "ledger/refused.html", {"reason": exc.message}, status=403)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已审核 %(n)s 条记录") % {"n": len(decided)})
    return redirect("intake:group", code=code)


# --- 填报负担 ----------------------------------------------------------------------------------


@roles_required(*ADMINS)
def burden(request):
    today = timezone.localdate()
    try:
        quarter = Quarter.parse(request.GET["period"]) if request.GET.get("period") else Quarter.containing(today)
    except PeriodError:
        quarter = Quarter.containing(today)
    report = burden_for(request.user, quarter.code)
    return render(request, "intake/burden.html", {"report": report, "period": quarter.code})
