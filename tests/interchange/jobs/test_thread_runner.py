"""The default runner: a daemon thread with its own connection plans and applies a job, and the page sees
the import's progress while its transaction is still open (SQLite file in WAL mode and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.interchange.jobs import runner
from gongfen.interchange.jobs.services import import_job_confirm, import_job_create
from gongfen.interchange.models import ImportJob, JobStatus
from gongfen.ledger.models import Entry
from tests.faults.test_concurrency import in_memory_sqlite
from tests.interchange.excel.conftest import entry_row, headers, workbook
from tests.web_fixtures import *  # noqa: F403

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(in_memory_sqlite(), reason="run against a SQLite file by tests/faults/test_sqlite_file.py"),
]
GOOD = {"cadre": "A04", "scheme": "QX-2026", "rule": "Z-DAY", "occurred_on": "2026-07-20", "quantity": 2}
CODES = ["T1", "T2", "T3"]


def test_the_worker_thread_runs_the_job_and_its_progress_shows_during_the_import(
    county, settings, tmp_path, monkeypatch, client
):
    settings.GONGFEN_IMPORT_RUNNER, settings.GONGFEN_HOME = "thread", tmp_path
    user = User.objects.get(username="qx_admin")
    client.force_login(user)  # before the import holds the write lock (SQLite): a login writes a session
    data = workbook({"工分明细": [headers("entries"), *(entry_row(**GOOD | {"id": c}) for c in CODES)]})
    job = import_job_create(actor=Actor(user), kind="entries", filename="明细.xlsx", upload=data)
    runner.kick()  # no transaction open: the thread starts now
    runner.join(60)
    job.refresh_from_db()
    assert job.status == JobStatus.PLANNED and job.summary["created"] == {"entries": 3}

    inside, release = threading.Event(), threading.Event()
    original = runner.Progress.__call__

    def held(self, step, done, total):  # stop the worker inside the import's transaction, at its first write
        if step.startswith("写入") and not inside.is_set():
            self.last = 0.0
            original(self, step, done, total)
            inside.set()
            release.wait(30)
        else:
            original(self, step, done, total)

    monkeypatch.setattr(runner.Progress, "__call__", held)
    import_job_confirm(actor=Actor(user), job=job)
    runner.kick()
    assert inside.wait(30), "the worker did not reach the import"
    try:
        seen = ImportJob.objects.get(pk=job.pk)  # this thread's own connection, beside the open transaction
        assert seen.status == JobStatus.APPLYING
        assert runner.progress_of(seen)["step"].startswith("写入")
        assert not Entry.objects.filter(code__in=CODES).exists()  # not committed yet
        page = client.get(reverse("interchange:progress", args=[job.uuid])).content.decode()
        assert "导入中" in page and "写入" in page and 'hx-trigger="every 1s"' in page
    finally:
        release.set()
    runner.join(60)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Entry.objects.filter(code__in=CODES).count() == 3
