"""SQLite must not lock everyone out (issue 14, finding 8), with real concurrent connections.

The attack: while one administrator previewed a 120,000-row import (132 s), every login failed
with a 500 after 32 s — the preview ran the real load in a rolled-back transaction, which holds
SQLite's one write lock. Here an import is stopped half-way, inside its transaction, by its
progress callback, while another connection signs in, fails to sign in and declares:

- during a preview (it runs on a private copy): all of them go through;
- during the import itself (one all-or-nothing transaction, holding the lock): signing in and a
  wrong password are answered at once (the session is a file; the login's audit and django-axes
  rows wait in gongfen.writequeue and are written once the import ends), and a declaration is
  answered 503 "正在导入，请稍后再试" (the API: {"code": "busy"}) instead of a 500.

On PostgreSQL the same holds (a preview takes no lock on the log's head; the import holds it,
so other ledger writes are told to wait). On SQLite this runs against a database file
(tests/faults/test_sqlite_file.py).
"""

from __future__ import annotations

import json
import threading

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.urls import reverse

from gongfen import writequeue
from gongfen.accounts.models import User
from gongfen.api.services import token_create
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor
from gongfen.interchange.excel import import_plan
from gongfen.interchange.jobs import runner
from gongfen.interchange.jobs.services import import_job_confirm, import_job_create
from gongfen.interchange.models import JobStatus
from gongfen.ledger.models import Entry
from gongfen.schemes.models import Rule
from tests.faults.test_concurrency import in_memory_sqlite
from tests.interchange.excel.conftest import entry_row, headers, workbook
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("product_sessions"),  # on SQLite in files, as the product keeps them
    pytest.mark.skipif(in_memory_sqlite(), reason="run against a SQLite file by tests/faults/test_sqlite_file.py"),
]
ROW = {"cadre": "A04", "scheme": "QX-2026", "rule": "Z-DAY", "occurred_on": "2026-07-20", "quantity": 2}
CODES = [f"L{n}" for n in range(40)]


def entries_file() -> bytes:
    return workbook({"工分明细": [headers("entries"), *(entry_row(**ROW | {"id": c}) for c in CODES)]})


class Held:
    """A progress callback that stops the import at its first step named ``prefix``, until released."""

    def __init__(self, prefix: str):
        self.prefix, self.inside, self.release = prefix, threading.Event(), threading.Event()

    def __call__(self, step: str, done: int, total: int) -> None:
        if step.startswith(self.prefix) and not self.inside.is_set():
            self.inside.set()
            self.release.wait(120)


def sign_in(password: str = PASSWORD, username: str = "a01") -> tuple[Client, object]:
    client = Client()
    return client, client.post(reverse("login"), {"username": username, "password": password})


def declare(client: Client, description: str):
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    data = {"rule": rule.pk, "occurred_on": "2026-08-10", "quantity": "1", "description": description}
    return client.post(reverse("ledger:declare"), data | {"intent": "submit"})


def test_a_preview_holds_no_lock_signing_in_and_declaring_go_on(county):
    org = User.objects.get(username="org")
    held = Held("预检")
    result: dict = {}

    def preview():
        try:
            result["plan"] = import_plan("entries", entries_file(), Actor(org), name="明细.xlsx", progress=held)
        except BaseException as exc:  # reported to the test
            result["plan"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=preview)
    thread.start()
    assert held.inside.wait(60), "the preview did not reach its load"
    try:
        client, response = sign_in()
        assert response.status_code == 302, response.content[:500]
        declared = declare(client, "预检期间申报")
        assert declared.status_code == 302, declared.content[:500]
        assert not held.release.is_set()  # all of it while the preview is still inside its transaction
    finally:
        held.release.set()
        thread.join(120)
    assert not isinstance(result["plan"], BaseException), result["plan"]
    assert result["plan"].created == {"entries": len(CODES)} and not result["plan"].problems
    assert not Entry.objects.filter(code__in=CODES).exists()  # a preview keeps nothing
    assert Entry.objects.filter(description="预检期间申报").count() == 1
    assert AuditEvent.objects.filter(action="auth.login", actor__username="a01").exists()


def test_during_an_import_logins_go_on_and_other_writers_are_told_to_wait(county, settings, tmp_path, monkeypatch):
    settings.GONGFEN_IMPORT_RUNNER, settings.GONGFEN_HOME = "thread", tmp_path
    admin = User.objects.get(username="qx_admin")
    token = token_create(actor=Actor(admin), user=admin, name="t", scopes=["declare"])[1]
    job = import_job_create(actor=Actor(admin), kind="entries", filename="明细.xlsx", upload=entries_file())
    runner.kick()
    runner.join(60)
    job.refresh_from_db()
    assert job.status == JobStatus.PLANNED, (job.status, job.error, job.problems)

    held = Held("写入")
    original = runner.Progress.__call__

    def progress(self, step, done, total):
        original(self, step, done, total)
        held(step, done, total)

    monkeypatch.setattr(runner.Progress, "__call__", progress)
    import_job_confirm(actor=Actor(admin), job=job)
    runner.kick()
    assert held.inside.wait(60), "the import did not reach its first write"
    try:
        client, response = sign_in()
        assert response.status_code == 302, response.content[:500]
        assert client.get(reverse("dashboard")).status_code == 200  # signed in
        _, wrong = sign_in(password="not the password", username="a04")
        assert wrong.status_code == 200 and "用户名或密码不正确" in wrong.content.decode()
        declared = declare(client, "导入期间申报")
        payload = {"cadre": "A04", "scheme": "QX-2026", "rule": "R-TASK", "occurred_on": "2026-08-03"}
        api = Client().post(
            "/api/v1/entries", json.dumps(payload), "application/json", headers={"Authorization": f"Bearer {token}"}
        )
        # the import holds SQLite's one write lock (PostgreSQL: the log's head): told to come back, at once
        assert declared.status_code == 503 and "正在导入，请稍后再试" in declared.content.decode()
        assert declared["Retry-After"] == "60"
        assert api.status_code == 503 and api.json()["code"] == "busy", api.content
        assert not held.release.is_set()
    finally:
        held.release.set()
        runner.join(120)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Entry.objects.filter(code__in=CODES).count() == len(CODES)
    assert writequeue.flush(60)  # the login's bookkeeping, queued while the import held the lock, is written
    assert AuditEvent.objects.filter(action="auth.login", actor__username="a01").exists()
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id="a04").exists()
    assert User.objects.get(username="a01").last_login is not None
    assert AccessAttempt.objects.filter(username="a04", failures_since_start=1).exists()
    assert not Entry.objects.filter(description="导入期间申报").exists()
    assert client.post(reverse("logout")).status_code == 302 and writequeue.flush(60)
