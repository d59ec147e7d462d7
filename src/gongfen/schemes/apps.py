from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchemesConfig(AppConfig):
    name = "gongfen.schemes"
    verbose_name = _("考核方案")
