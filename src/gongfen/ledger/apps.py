from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "gongfen.ledger"
    verbose_name = "工分台账"
