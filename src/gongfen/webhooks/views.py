"""Webhook 推送 for 组织部: endpoints (list, add, enable/disable), the delivery log, re-sending.

Only 组织部 administrators: anyone else (a unit administrator too) finds nothing here (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import roles_required
from gongfen.common import Actor, DomainError

from . import selectors, services
from .dispatch import BACKOFF, MAX_ATTEMPTS
from .forms import EndpointForm

org_admins_only = roles_required(RoleKind.ORG_ADMIN)
PAGE_SIZE = 50


@org_admins_only
def endpoints(request):
    recent = selectors.deliveries_for(request.user)[:PAGE_SIZE]
    context = {"endpoints": selectors.endpoints_for(request.user), "deliveries": recent}
    return render(request, "webhooks/endpoints.html", context)


@org_admins_only
def endpoint_add(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.endpoint_create(actor=Actor(request.user), **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已新增推送地址 %(name)s，请把签名密钥交给接收方") % {"name": new.name})
            return redirect("webhooks:endpoint", pk=new.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form}, status=400 if form.errors else 200)


@org_admins_only
def endpoint(request, pk: int):
    the_endpoint = get_object_or_404(selectors.endpoints_for(request.user), pk=pk)
    rows = selectors.deliveries_for(request.user).filter(endpoint=the_endpoint)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "endpoint": the_endpoint,
        "page": page,
        "backoff": [int(b.total_seconds() // 60) for b in BACKOFF],
        "max_attempts": MAX_ATTEMPTS,
    }
    return render(request, "webhooks/endpoint.html", context)


@org_admins_only
@require_POST
def endpoint_active(request, pk: int):
    the_endpoint = get_object_or_404(selectors.endpoints_for(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.endpoint_set_active(actor=Actor(request.user), endpoint=the_endpoint, active=active)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已启用推送地址") if active else _("已停用推送地址"))
    return redirect("webhooks:endpoint", pk=the_endpoint.pk)


@org_admins_only
@require_POST
def resend(request, uuid):
    delivery = get_object_or_404(selectors.deliveries_for(request.user), uuid=uuid)
    try:
        services.delivery_resend(actor=Actor(request.user), delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新排入发送队列"))
    return redirect("webhooks:endpoint", pk=delivery.endpoint_id)
