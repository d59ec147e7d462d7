from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "gongfen.trust"
    verbose_name = _("防篡改日志")
