from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "gongfen.reminders"
    verbose_name = _("每日提醒")
