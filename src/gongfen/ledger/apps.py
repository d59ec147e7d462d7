from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "gongfen.ledger"
    verbose_name = _("工分台账")
