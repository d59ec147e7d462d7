from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "period"], name="group_period_unique")]
        verbose_name = pgettext_lazy("model", "季度状态")
        verbose_name_plural = pgettext_lazy("model plural", "季度状态")

    def __str__(self) -> str:
        return f"{self.group_id} {self.period} {self.state}"
