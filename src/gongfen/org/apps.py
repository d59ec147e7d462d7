from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "gongfen.org"
    verbose_name = _("单位与干部")
