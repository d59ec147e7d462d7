"""Sessions: a login lasts at most SESSION_COOKIE_AGE (8 hours by default), the cookie dies with the
browser and is out of reach of scripts; an expired session is sent back to the login page.

The sessions are rows of the database on PostgreSQL and files on SQLite (settings.SESSION_ENGINE);
the tests hold for both."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD

pytestmark = pytest.mark.usefixtures("product_sessions")


def log_in(client):
    response = client.post(reverse("login"), {"username": "a01", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    return response


def in_files() -> bool:
    return settings.SESSION_ENGINE.endswith(".file")


def session_file(key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore()._key_to_file(key)


def server_expiry(key: str) -> datetime:
    """When the server forgets the session."""
    if in_files():
        written = datetime.fromtimestamp(os.path.getmtime(session_file(key)), tz=timezone.get_current_timezone())
        return written + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return Session.objects.get(session_key=key).expire_date


def expire(key: str) -> None:
    if in_files():
        past = (timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)).timestamp()
        os.utime(session_file(key), (past, past))
    else:
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))


def on_the_server(key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def test_the_session_cookie_is_http_only_same_site_and_dies_with_the_browser(county, client):
    cookie = log_in(client).cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie


def filesystem_now(tmp_path) -> datetime:
    """The file system's clock (a file's modification time is the kernel's, not the suite's pinned clock)."""
    probe = tmp_path / "now"
    probe.write_text("")
    return datetime.fromtimestamp(os.path.getmtime(probe), tz=timezone.get_current_timezone())


def test_a_session_lasts_eight_hours_on_the_server(county, client, tmp_path):
    log_in(client)
    now = filesystem_now(tmp_path) if in_files() else timezone.now()
    lasts = server_expiry(client.session.session_key) - now
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert timedelta(hours=7, minutes=59) < lasts <= timedelta(hours=8)


def test_an_expired_session_is_sent_to_the_login_page(county, client):
    log_in(client)
    assert client.get(reverse("ledger:mine")).status_code == 200
    expire(client.session.session_key)
    response = client.get(reverse("ledger:mine"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('ledger:mine')}"


def test_logging_out_ends_the_session_on_the_server(county, client):
    log_in(client)
    key = client.session.session_key
    assert on_the_server(key)
    client.post(reverse("logout"))
    assert not on_the_server(key)
    assert client.get(reverse("ledger:mine")).status_code == 302


def test_sessions_are_files_on_sqlite_and_rows_on_postgresql():
    """On SQLite a session is a file, so signing in never waits for the write lock of a long import."""
    from django.db import connection

    assert in_files() == (connection.vendor == "sqlite")
    if in_files():
        assert settings.SESSION_FILE_PATH.is_dir() and settings.SESSION_FILE_PATH.stat().st_mode & 0o077 == 0
