from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongfen.common import AppendOnlyModel


class Light(models.TextChoices):
    RED = "red", _("红灯")
    YELLOW = "yellow", _("黄灯")


class FollowUpAction(models.TextChoices):
    NOTIFIED = "notified", _("已发通知")
    TALKED = "talked", _("已谈话提醒")
    SUPERVISED = "supervised", _("已督促整改")
    RESOLVED = "resolved", _("已解决")
    DISMISSED = "dismissed", _("核实后无须处理")


class WarningFollowUp(AppendOnlyModel):
    """What was done about one early warning (亮灯处置记录): a notice sent, a talk held, resolved; never changed.

    A warning is computed, not stored: it is named by its subject (a cadre's or a scheme's code), the
    ranking group (blank for a scheme), the period and the reason code of ``analytics.warnings``.
    """

    subject_kind = models.CharField(max_length=10)  # cadre | scheme
    subject = models.CharField(max_length=80)
    group = models.CharField(max_length=64, blank=True)
    period = models.CharField(max_length=10)
    reason = models.CharField(max_length=30)
    light = models.CharField(max_length=10, choices=Light.choices)
    action = models.CharField(max_length=12, choices=FollowUpAction.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["period", "subject_kind", "subject"])]
        verbose_name = pgettext_lazy("model", "亮灯处置记录")
        verbose_name_plural = pgettext_lazy("model plural", "亮灯处置记录")

    def __str__(self) -> str:
        return f"{self.period} {self.subject} {self.reason}: {self.action}"
