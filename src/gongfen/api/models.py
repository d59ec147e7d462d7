"""Personal access tokens and idempotency keys of the JSON API (/api/v1/)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Scope(models.TextChoices):
    """What a token may be used for; ``admin`` includes the other three.

    ``intake`` is the scope of a source system's token (来源系统推送, docs/intake.md): it is made when
    组织部 registers the source, never on the token page, and only the intake endpoints answer it.
    """

    READ = "read", _("读取（排名与数据）")
    DECLARE = "declare", _("申报")
    REVIEW = "review", _("审核")
    ADMIN = "admin", _("管理（含以上全部）")
    INTAKE = "intake", _("来源系统推送")


class AccessToken(models.Model):
    """A personal access token (个人访问令牌) of one user, limited to chosen scopes.

    Only the SHA-256 of the token is stored (``digest``); the token itself is
    shown once, when it is created. ``prefix`` (its first characters) lets a
    person recognise it in the list. A token never grants more than its user
    may do: every read and write goes through the user's permissions.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = pgettext_lazy("model", "访问令牌")
        verbose_name_plural = pgettext_lazy("model plural", "访问令牌")

    def __str__(self) -> str:
        return f"{self.user_id} {self.name} {self.prefix}…"

    def grants(self, scope: str) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


class IdempotencyKey(models.Model):
    """A write made through the API under an ``Idempotency-Key`` (幂等键), with the response it gave.

    The row is inserted in the same transaction as the write, so a second
    request with the same key (even a concurrent one) finds it and gets the
    first response back instead of writing again. ``fingerprint`` is the
    SHA-256 of the method, path and body: the same key with another request
    is refused.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
            models.CheckConstraint(condition=~Q(key=""), name="idempotency_key_not_empty"),
        ]
        verbose_name = pgettext_lazy("model", "幂等键")
        verbose_name_plural = pgettext_lazy("model plural", "幂等键")

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.status_code}"
