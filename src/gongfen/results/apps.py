from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "gongfen.results"
    verbose_name = _("分档与名单")
