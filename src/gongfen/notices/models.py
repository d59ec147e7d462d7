from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeKind(models.TextChoices):
    PUBLISHED = "published", _("排名公示")
    OBJECTION = "objection", _("异议处理")
    OBJECTION_FILED = "objection_filed", _("收到异议")
    ENTRY = "entry", _("工分审核")
    ROUND = "round", _("测评开始")
    OTHER = "other", _("其他")


class Notice(models.Model):
    """An in-app notice (站内通知) for one user; read when ``read_at`` is set. E-mailed too when configured."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = pgettext_lazy("model", "通知")
        verbose_name_plural = pgettext_lazy("model plural", "通知")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.title}"
