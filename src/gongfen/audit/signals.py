"""Logins, logouts and failed logins in the audit trail, from Django's auth signals.

A failed login records the user name that was tried and the client address,
never the password (Django passes the credentials with the password masked;
only the user name is read from them). The rows are written through
gongfen.writequeue: while a long import holds SQLite's write lock they are
queued, and the login goes on.
"""

from __future__ import annotations

import ipaddress

from django.contrib.auth import get_user_model

from gongfen.common import Actor
from gongfen.writequeue import write_soon

from .services import audit_record


def client_ip(request) -> str | None:
    """The address the request came from (REMOTE_ADDR: the reverse proxy must pass the client's on)."""
    raw = (request.META.get("REMOTE_ADDR") or "").strip() if request is not None else ""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def on_login(sender, request, user, **kwargs) -> None:
    username, ip = user.get_username(), client_ip(request)
    write_soon(
        lambda: audit_record(
            actor=Actor(user),
            action="auth.login",
            object_type="accounts.user",
            object_id=username,
            summary=f"登录 {username}",
            ip=ip,
        ),
        "audit row of a login",
    )


def on_logout(sender, request, user, **kwargs) -> None:
    if user is None:  # logging out without a session: nothing happened
        return
    username, ip = user.get_username(), client_ip(request)
    write_soon(
        lambda: audit_record(
            actor=Actor(user),
            action="auth.logout",
            object_type="accounts.user",
            object_id=username,
            summary=f"退出 {username}",
            ip=ip,
        ),
        "audit row of a logout",
    )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    field = get_user_model().USERNAME_FIELD
    tried = str(credentials.get(field) or credentials.get("username") or "")[:150]
    ip = client_ip(request)
    write_soon(
        lambda: audit_record(
            actor=Actor(None, "anonymous"),
            action="auth.login_failed",
            object_type="accounts.user",
            object_id=tried[:64],
            summary=f"登录失败 {tried}",
            after={"username": tried},
            ip=ip,
        ),
        "audit row of a failed login",
    )


def connect() -> None:
    from django.contrib.auth import signals

    signals.user_logged_in.connect(on_login, dispatch_uid="gongfen.audit.login")
    signals.user_logged_out.connect(on_logout, dispatch_uid="gongfen.audit.logout")
    signals.user_login_failed.connect(on_login_failed, dispatch_uid="gongfen.audit.login_failed")
