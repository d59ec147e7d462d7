"""No secret and no personal identifier in the logs: a failed login, a lock-out and a server error whose
message carelessly quotes the request leave neither the password nor the ID number in a log line."""

from __future__ import annotations

import io
import logging

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse

from gongfen.logfilters import RedactFilter, redact
from tests.web_fixtures import *  # noqa: F403

SECRET = "Hunter2-xyzzy-42"
ID_NUMBER = "33082419850712301X"  # the shape of a 居民身份证号 (made up)
MOBILE = "13905701234"


def boom(request):
    raise RuntimeError(f"cannot save {request.POST!r} for {request.POST.get('id_number')}")


def fine(request):
    logging.getLogger("gongfen.test").warning("imported cadre id=%s phone %s token=%s", ID_NUMBER, MOBILE, SECRET)
    return HttpResponse("ok")


urlpatterns = [path("boom/", boom), path("fine/", fine)]


@pytest.fixture
def log_output():
    """What the project's own log handler (settings.LOGGING) writes, captured."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING must put RedactFilter on the console handler"
    stream = io.StringIO()
    old = [handler.stream for handler in handlers]
    for handler in handlers:  # not setStream(): it flushes the old stream, which pytest may have closed
        handler.stream = stream
    yield stream
    for handler, previous in zip(handlers, old, strict=True):
        handler.stream = previous


def test_the_redaction_itself():
    line = f"password={SECRET}&id={ID_NUMBER} {{'password': ['{SECRET}']}} tel {MOBILE} code 2026Q3 E01"
    assert SECRET not in redact(line) and ID_NUMBER not in redact(line) and MOBILE not in redact(line)
    assert "2026Q3 E01" in redact(line)


def test_failed_logins_and_the_lock_out_do_not_log_the_password(county, client, log_output):
    for _ in range(6):
        client.post(reverse("login"), {"username": "a01", "password": SECRET})
    text = log_output.getvalue()
    assert "AXES" in text and "Too Many Requests" in text  # the failures are logged…
    assert SECRET not in text  # …without the password


def test_a_server_error_logs_neither_the_request_body_nor_the_id_number(settings, county, log_output):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(county["a01"])
    response = client.post("/boom/", {"password": SECRET, "id_number": ID_NUMBER, "name": "甲一"})
    assert response.status_code == 500
    text = log_output.getvalue()
    assert "Internal Server Error: /boom/" in text and "RuntimeError" in text
    assert SECRET not in text and ID_NUMBER not in text


def test_our_own_log_lines_are_masked_too(settings, client, log_output):
    settings.ROOT_URLCONF = __name__
    assert client.get("/fine/").status_code == 200
    text = log_output.getvalue()
    assert "imported cadre" in text
    assert ID_NUMBER not in text and MOBILE not in text and SECRET not in text
