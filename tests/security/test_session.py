"""Sessions: a login lasts at most SESSION_COOKIE_AGE (8 hours by default), the cookie dies with the
browser and is out of reach of scripts; an expired session is sent back to the login page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD


def log_in(client):
    response = client.post(reverse("login"), {"username": "a01", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    return response


def test_the_session_cookie_is_http_only_same_site_and_dies_with_the_browser(county, client):
    cookie = log_in(client).cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie


def test_a_session_lasts_eight_hours_on_the_server(county, client):
    log_in(client)
    session = Session.objects.get(session_key=client.session.session_key)
    lasts = session.expire_date - timezone.now()
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert timedelta(hours=7, minutes=59) < lasts <= timedelta(hours=8)


def test_an_expired_session_is_sent_to_the_login_page(county, client):
    log_in(client)
    assert client.get(reverse("ledger:mine")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("ledger:mine"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('ledger:mine')}"


def test_logging_out_ends_the_session_on_the_server(county, client):
    log_in(client)
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("ledger:mine")).status_code == 302
