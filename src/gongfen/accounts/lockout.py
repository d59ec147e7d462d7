"""Logins and django-axes: the answer to a locked-out login, and the bookkeeping of each login.

``locked_out`` (``AXES_LOCKOUT_CALLABLE``, docs/security.md): the login page again, with a Chinese
message saying why and for how long, and status 429; the password is not checked while the lock
holds, so even the right one is refused.

``QueuedAxesHandler`` (``AXES_HANDLER``) and ``queued_last_login``: django-axes's rows and the
user's last login are written through gongfen.writequeue, so that a long write holding SQLite's
lock never turns a login into a 500.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongfen.writequeue import write_soon


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None, credentials=None) -> HttpResponse:
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {
        "form": form,
        "locked_out": True,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": lockout_minutes(),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)


class QueuedAxesHandler(AxesDatabaseHandler):
    """django-axes's database handler, its writes at a login, a failed login and a logout queued when busy."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        record = super().user_login_failed
        write_soon(lambda: record(sender, credentials, request, **kwargs), "login failure (django-axes)")

    def user_logged_in(self, sender, request, user, **kwargs):
        record = super().user_logged_in
        write_soon(lambda: record(sender, request, user, **kwargs), "login (django-axes)")

    def user_logged_out(self, sender, request, user, **kwargs):
        record = super().user_logged_out
        write_soon(lambda: record(sender, request, user, **kwargs), "logout (django-axes)")


def queued_last_login(sender, user, **kwargs) -> None:
    """Django's ``update_last_login``, through the write queue."""
    user.last_login = now = timezone.now()
    model = type(user)
    write_soon(lambda: model._default_manager.filter(pk=user.pk).update(last_login=now), "last login")
