"""Webhook endpoints (推送地址) and their deliveries (推送记录): the outbox and its log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Event(models.TextChoices):
    ENTRY_APPROVED = "entry.approved", _("工分记录审核通过")
    RANKING_PUBLISHED = "ranking.published", _("排名公示（含重新公示）")
    OBJECTION_DECIDED = "objection.decided", _("异议处理完毕")


class Endpoint(models.Model):
    """推送地址: a receiver (OA, messaging system) that gets signed POSTs for the events it subscribes to."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=100)
    events = models.JSONField(_("订阅事件"), default=list)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "推送地址")
        verbose_name_plural = pgettext_lazy("model plural", "推送地址")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    @property
    def standard_secret(self) -> str:
        """The ``whsec_`` secret a Standard Webhooks receiver verifies with (signing.py)."""
        from .signing import standard_secret

        return standard_secret(self.secret)

    @property
    def legacy_secret(self) -> str | None:
        """The same key as the old ``X-Gongfen-Signature`` receivers use it (during the transition)."""
        from .signing import legacy_secret

        return legacy_secret(self.secret)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("失败（已放弃）")


class Delivery(models.Model):
    """推送记录: one event for one endpoint, enqueued in the transaction of the event, sent by the worker.

    ``uuid`` is the ``webhook-id`` header (and, during the transition, ``X-Gongfen-Delivery``): the same on every attempt, so a receiver can
    ignore a repeat. ``next_attempt_at`` is when the worker may (re)try; a ``sending`` row whose
    time has passed belongs to a worker that died and is taken again.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "推送记录")
        verbose_name_plural = pgettext_lazy("model plural", "推送记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DeliveryStatus]), name="webhook_delivery_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.uuid}"


class Attempt(models.Model):
    """One try at sending a delivery: when, the HTTP status (or the error), how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
