from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from gongfen.common import AppendOnlyModel, AppendOnlyQuerySet


class AuditQuerySet(AppendOnlyQuerySet):
    def writes(self):
        """Rows of changes, without the sign-ins (``auth.login``, ``auth.logout``, ``auth.login_failed``)."""
        return self.exclude(action__startswith="auth.")


class AuditEvent(AppendOnlyModel):
    """One write made through the product (审计记录): who, when, what, before, after, why.

    Sign-ins are recorded here too (``auth.*`` actions, with the client address).
    """

    objects = AuditQuerySet.as_manager()

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150, help_text="who, as shown (user name, or cli:<login>)")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    ip = models.GenericIPAddressField(
        null=True, blank=True, help_text="client address of a login, logout or failed login"
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = pgettext_lazy("model", "审计记录")
        verbose_name_plural = pgettext_lazy("model plural", "审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"
