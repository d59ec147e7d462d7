from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutputsConfig(AppConfig):
    name = "gongfen.outputs"
    verbose_name = _("打印与导出")
