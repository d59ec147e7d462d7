"""The writes of import jobs that people make: upload a file, confirm its import (both audited).

The steps the runner takes (planning, applying, failing) are in ``runner.py``; the import itself is
``import_apply``, audited there with the uploader as the actor.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongfen.accounts.permissions import may_approve_directly, may_import
from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError

from ..excel.columns import KINDS
from ..models import ImportJob, JobStatus
from .runner import private_dir, remove_file

SUFFIXES = (".xlsx", ".csv")


def _check_upload(*, actor: Actor, kind: str, filename: str, size: int, approve: bool) -> str:
    if not may_import(actor.user):
        raise DomainError("你没有导入表格的权限", code="forbidden")
    if kind not in KINDS:
        raise DomainError(f"不认识的表格类型 {kind!r}", field="kind")
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise DomainError("只接受 .xlsx 或 .csv 文件", field="file")
    limit = settings.GONGFEN_IMPORT_MAX_BYTES
    if size > limit:
        raise DomainError(f"文件过大（{size / 1048576:.1f} MB），上限为 {limit // 1048576} MB", field="file")
    if approve and (kind != "entries" or not may_approve_directly(actor.user, set())):
        raise DomainError("你没有直接通过的权限", field="approve")
    return suffix


def import_job_create(*, actor: Actor, kind: str, filename: str, upload, approve: bool = False) -> ImportJob:
    """Keep an uploaded spreadsheet (``upload``: bytes or an uploaded file) as a queued job to be planned."""
    size = len(upload) if isinstance(upload, bytes) else upload.size
    suffix = _check_upload(actor=actor, kind=kind, filename=filename, size=size, approve=approve)
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=actor.user, kind=kind, filename=Path(filename).name[:255], size=size, options={"approve": approve}
        )
        job.path = f"{job.uuid}/upload{suffix}"
        target = private_dir() / job.path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            for chunk in [upload] if isinstance(upload, bytes) else upload.chunks():
                out.write(chunk)
        job.save(update_fields=["path"])
        audit_record(
            actor=actor,
            action="import.upload",
            object_type="interchange.importjob",
            object_id=str(job.uuid),
            summary=f"上传表格 {job.filename}（{KINDS[kind].label}）待预检",
            after={"kind": kind, "file": job.filename, "size": size, "approve": approve},
        )
    return job


def import_job_confirm(*, actor: Actor, job: ImportJob) -> ImportJob:
    """确认导入: queue the import of a job whose preview found no problem (the uploader alone)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if actor.user is None or job.user_id != actor.user.pk:
            raise DomainError("只有上传人可以确认导入", code="forbidden")
        if not job.confirmable:
            raise DomainError("预检未完成或发现错误，不能导入", code="not_confirmable")
        job.status, job.confirmed_at = JobStatus.QUEUED, timezone.now()
        job.step, job.done, job.total = "", 0, 0
        job.save(update_fields=["status", "confirmed_at", "step", "done", "total"])
        audit_record(
            actor=actor,
            action="import.confirm",
            object_type="interchange.importjob",
            object_id=str(job.uuid),
            summary=f"确认导入 {job.filename}（{KINDS[job.kind].label}）",
            after={"kind": job.kind, "file": job.filename, "plan": job.summary.get("created", {})},
        )
    return job


def import_job_discard(*, actor: Actor, job: ImportJob) -> ImportJob:
    """放弃: the uploader drops a previewed job that was not confirmed; its stored file is deleted."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if actor.user is None or job.user_id != actor.user.pk:
            raise DomainError("只有上传人可以放弃导入", code="forbidden")
        if job.status != JobStatus.PLANNED or job.confirmed_at is not None:
            raise DomainError(f"导入任务状态为“{job.get_status_display()}”，不能放弃", code="not_discardable")
        remove_file(job)
        job.status, job.finished_at = JobStatus.DISCARDED, timezone.now()
        job.save(update_fields=["status", "finished_at", "path"])
        audit_record(
            actor=actor,
            action="import.discard",
            object_type="interchange.importjob",
            object_id=str(job.uuid),
            summary=f"放弃导入 {job.filename}（{KINDS[job.kind].label}）",
        )
    return job
