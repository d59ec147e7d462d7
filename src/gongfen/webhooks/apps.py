from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "gongfen.webhooks"
    verbose_name = _("Webhook 推送")
