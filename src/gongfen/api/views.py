"""The page where a logged-in user creates, lists and revokes their personal access tokens (API 令牌)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongfen.common import Actor, DomainError

from . import selectors, services
from .forms import TokenForm


@login_required
def tokens(request):
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row, secret = services.token_create(
                actor=Actor(request.user),
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            created = {"row": row, "secret": secret}  # shown on this response only, never stored
            form = TokenForm()
    now = timezone.now()
    rows = list(selectors.tokens_of(request.user))
    for row in rows:
        row.expired = row.expires_at is not None and row.expires_at <= now
    context = {"form": form, "created": created, "tokens": rows}
    response = render(request, "api/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request, pk: int):
    token = get_object_or_404(selectors.tokens_of(request.user), pk=pk)
    try:
        services.token_revoke(actor=Actor(request.user), token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销令牌“%(name)s”") % {"name": token.name})
    return redirect("api:tokens")
