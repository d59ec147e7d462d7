from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongfen.common import AppendOnlyModel


class PeriodState(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSING = "closing", _("关账中")
    PUBLISHED = "published", _("已公示")
    FINAL = "final", _("已定稿")


class GroupPeriod(models.Model):
    """Where a group's quarter stands in its lifecycle (季度状态): open → closing → published → final.

    No row means open. Once a quarter is past open, no entry may be declared
    into it for that group's scheme.
    """

    group = models.ForeignKey("schemes.RankingGroup", on_delete=models.CASCADE, related_name="periods")
    period = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # the objection window (异议期) of the current publication: both days included, working days only
    window_starts_on = models.DateField(null=True, blank=True)
    window_ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "period"], name="group_period_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "closing"]) | models.Q(window_ends_on__isnull=False),
                name="group_period_published_has_window",
            ),
        ]
        verbose_name = pgettext_lazy("model", "季度状态")
        verbose_name_plural = pgettext_lazy("model plural", "季度状态")

    def __str__(self) -> str:
        return f"{self.group_id} {self.period} {self.state}"


class Snapshot(AppendOnlyModel):
    """A published ranking frozen as it stood (公示快照), one version per publication; never changed.

    ``data`` holds every row with its breakdown, the rule versions and the
    ledger position it was computed from; ``fingerprint`` is the SHA-256 of
    its canonical JSON (see docs/publication.md), printed on the notice.
    """

    group = models.ForeignKey("schemes.RankingGroup", on_delete=models.PROTECT, related_name="snapshots")
    period = models.CharField(max_length=10)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_by_label = models.CharField(max_length=150, blank=True)
    data = models.JSONField()
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["group", "period", "version"]
        constraints = [
            models.UniqueConstraint(fields=["group", "period", "version"], name="snapshot_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="snapshot_version_positive"),
        ]
        verbose_name = pgettext_lazy("model", "公示快照")
        verbose_name_plural = pgettext_lazy("model plural", "公示快照")

    def __str__(self) -> str:
        return f"{self.group_id} {self.period} v{self.version} {self.fingerprint[:12]}"
