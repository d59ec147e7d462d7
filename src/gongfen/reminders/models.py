"""Daily reminders (每日提醒): one digest per person per day at most, in the app, by e-mail and 浙政钉/DingTalk."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReminderSetting(models.Model):
    """A person's reminder choices (提醒设置): off altogether, quiet hours, their DingTalk user id."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_setting")
    opted_out = models.BooleanField(_("不接收每日提醒"), default=False)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    dingtalk_userid = models.CharField(_("浙政钉/钉钉用户 ID"), max_length=64, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "提醒设置")
        verbose_name_plural = pgettext_lazy("model plural", "提醒设置")

    def __str__(self) -> str:
        return f"{self.user_id} {'off' if self.opted_out else 'on'}"


class Digest(models.Model):
    """The digest sent to one person on one day (每日提醒记录); at most one per person per day (the throttle).

    ``channels`` lists where it went: ``app`` (and e-mail, when notices are e-mailed), ``dingtalk``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField()
    items = models.JSONField(default=list)
    channels = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_user_per_day")]
        verbose_name = pgettext_lazy("model", "每日提醒记录")
        verbose_name_plural = pgettext_lazy("model plural", "每日提醒记录")

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
