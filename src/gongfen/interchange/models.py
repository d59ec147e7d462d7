"""Spreadsheet imports started from the web, run in the background (导入任务)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    PLANNING = "planning", _("预检中")
    PLANNED = "planned", _("待确认")
    APPLYING = "applying", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    DISCARDED = "discarded", _("已放弃")


RUNNING = (JobStatus.PLANNING, JobStatus.APPLYING)


class ImportJob(models.Model):
    """One uploaded spreadsheet (导入任务): its preview (plan), then, once confirmed, its import.

    The file is kept in a private directory under GONGFEN_HOME (never served) until the job ends.
    ``summary`` holds the plan's counts, notes and a sample of rows; ``problems`` the first problems
    (``problem_count`` counts them all). Live progress while a step runs is in a small file beside the
    upload (see ``jobs/runner.py``): the import's own transaction must not be waited on to show it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs")
    kind = models.CharField(max_length=20)
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500, blank=True)  # relative to the private import directory; "" once removed
    size = models.PositiveBigIntegerField(default=0)
    options = models.JSONField(default=dict, blank=True)  # {"approve": bool}
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    step = models.CharField(max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the process running it
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.kind}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.DISCARDED) or (
            self.status == JobStatus.PLANNED and self.confirmed_at is None
        )

    @property
    def confirmable(self) -> bool:
        return self.status == JobStatus.PLANNED and self.confirmed_at is None and self.problem_count == 0
