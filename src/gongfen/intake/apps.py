from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "gongfen.intake"
    verbose_name = _("来源系统与待确认记录")
