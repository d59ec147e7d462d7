"""Running import jobs: plan (preview) a queued upload, apply a confirmed one, report progress.

Who runs them (``GONGFEN_IMPORT_RUNNER``): ``thread`` (the default) — a daemon thread of the web
process, started on demand after the commit that queued a job, with its own database connection,
closed when the queue is empty; ``worker`` — nothing in the web process, ``gongfen jobs run`` polls;
``inline`` — in the request itself (the tests: deterministic, no thread).

Progress is written to a small JSON file beside the upload, never to the database: the import runs
in one transaction, and on SQLite a write from another connection would wait for that transaction to
end (on PostgreSQL it would work, but one way for both keeps it simple). Any process on this host —
a page polling in another web worker too — reads it; the file's age is also the job's heartbeat.

A job found planning or applying by a process that is gone (same host, its pid dead), or silent for
STALE, is marked failed: its import ran in one transaction, so nothing was written.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from gongfen.common import Actor

from ..models import RUNNING, ImportJob, JobStatus

log = logging.getLogger(__name__)
STALE = timedelta(minutes=10)
INTERRUPTED = "服务器重启，导入未完成，未作任何更改"
MAX_STORED_PROBLEMS = 1000
WORKER = f"{socket.gethostname()}:{os.getpid()}"

_lock = threading.Lock()
_wake = threading.Event()
_thread: threading.Thread | None = None


def private_dir() -> Path:
    """Uploaded spreadsheets: under GONGFEN_HOME, outside MEDIA_ROOT and STATIC_ROOT, never served."""
    return Path(settings.GONGFEN_HOME) / "private" / "imports"


def progress_path(job: ImportJob) -> Path:
    return private_dir() / str(job.uuid) / "progress.json"


class Progress:
    """The ``progress(step, done, total)`` callback of a running job: at most a write every 0.5 s."""

    def __init__(self, job: ImportJob):
        self.path = progress_path(job)
        self.last = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"step": step, "done": done, "total": total}, ensure_ascii=False))
        os.replace(temporary, self.path)  # readers see the old or the new file, never half of one


def progress_of(job: ImportJob) -> dict:
    """What a page shows: the live file while a step runs, else what the job row says."""
    if job.status in RUNNING:
        try:
            return json.loads(progress_path(job).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    return {"step": job.step, "done": job.done, "total": job.total}


# --- starting ---------------------------------------------------------------------------------


def kick() -> None:
    """Make sure queued jobs get run, as the deployment chose (see the module's docstring)."""
    mode = settings.GONGFEN_IMPORT_RUNNER
    if mode == "inline":
        while run_next():
            pass
    elif mode == "thread":
        transaction.on_commit(_start_thread)


def _start_thread() -> None:
    global _thread
    with _lock:
        _wake.set()
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_work, name="gongfen-imports", daemon=True)
            _thread.start()


def _work() -> None:
    global _thread
    try:
        while True:
            _wake.clear()
            while run_next():
                pass
            with _lock:
                if not _wake.is_set():
                    _thread = None
                    return
    except Exception:  # a broken database: the jobs stay queued for the next kick or `gongfen jobs run`
        log.exception("import worker stopped")
        with _lock:
            _thread = None
    finally:
        connections.close_all()  # this thread's own connection


def join(timeout: float = 60) -> None:
    """Wait for the worker thread (tests, and a clean shutdown)."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)


# --- running ----------------------------------------------------------------------------------


def run_next() -> bool:
    """Claim the oldest queued job and run its next step; False when none is queued."""
    mark_interrupted()
    job = ImportJob.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id").first()
    if job is None:
        return False
    target = JobStatus.APPLYING if job.confirmed_at else JobStatus.PLANNING
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=target, started_at=timezone.now(), worker=WORKER, step="", done=0, total=0
    )
    if claimed:  # else another worker took it first
        run(job.pk)
    return True


def run(pk: int) -> None:
    from ..excel import ImportInvalid, import_apply, import_plan

    job = ImportJob.objects.select_related("user").get(pk=pk)
    actor, source = Actor(job.user), private_dir() / job.path
    options = {"approve": bool(job.options.get("approve")), "name": job.filename}
    progress = Progress(job)
    try:
        if job.status == JobStatus.PLANNING:
            plan = import_plan(job.kind, source, actor, progress=progress, **options)
            _finish(job, JobStatus.PLANNED, plan, plan.problems, plan.problem_count)
        else:
            plan = import_apply(source, actor, kind=job.kind, progress=progress, **options)
            _finish(job, JobStatus.DONE, plan, [], 0)
    except ImportInvalid as exc:  # the workspace changed since the preview: nothing was written
        _finish(job, JobStatus.FAILED, None, exc.problems, exc.total, error="导入前复查发现错误，未作任何更改")
    except Exception as exc:
        log.exception("import job %s failed", job.uuid)
        _finish(job, JobStatus.FAILED, None, [], 0, error=f"导入出错，未作任何更改：{exc}")


def _finish(job: ImportJob, status: str, plan, problems: list, count: int, error: str = "") -> None:
    job.status, job.error, job.problem_count = status, error, count
    job.problems = [
        {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message, "text": str(p)}
        for p in problems[:MAX_STORED_PROBLEMS]
    ]
    if plan is not None:
        job.summary = {
            "created": plan.created,
            "changed": plan.changed,
            "unchanged": plan.unchanged,
            "notes": plan.notes,
            "rows": plan.rows,
            "sample": plan.sample,
        }
        job.done = job.total = plan.rows
    job.step = ""
    if status != JobStatus.PLANNED or count:
        job.finished_at = timezone.now()
        remove_file(job)
    job.save()


def remove_file(job: ImportJob) -> None:
    folder = private_dir() / str(job.uuid)
    for path in folder.glob("*"):
        path.unlink(missing_ok=True)
    if folder.is_dir():
        folder.rmdir()
    job.path = ""


def _alive(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another host's process: only its silence tells
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted() -> int:
    """Fail the jobs whose runner is gone (a restart) or silent for STALE; their transaction wrote nothing."""
    now, failed = timezone.now(), 0
    for job in ImportJob.objects.filter(status__in=RUNNING):
        try:
            beat = datetime.fromtimestamp(progress_path(job).stat().st_mtime, tz=UTC)
        except OSError:
            beat = job.started_at or job.created_at
        if _alive(job.worker) and now - beat < STALE:
            continue
        if ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=JobStatus.FAILED, error=INTERRUPTED, finished_at=now, path=""
        ):
            remove_file(job)
            failed += 1
    return failed
