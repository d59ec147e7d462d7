"""The inbox (站内通知): the user's notices, newest first; mark one or all read (htmx or a plain POST)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services

PAGE_SIZE = 30


@login_required
def inbox(request):
    page = Paginator(selectors.notices_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page})


@login_required
@require_POST
def read(request, pk: int):
    notice = get_object_or_404(selectors.notices_of(request.user), pk=pk)
    services.notices_read(user=request.user, ids=[notice.pk])
    notice.refresh_from_db()
    if request.htmx:
        return render(request, "notices/_notice.html", {"notice": notice})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notices:inbox")


@login_required
@require_POST
def read_all(request):
    services.notices_read(user=request.user)
    return redirect("notices:inbox")
