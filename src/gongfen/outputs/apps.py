from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class OutputsConfig(AppConfig):
    name = "gongfen.outputs"
    verbose_name = _("打印与导出")


@checks.register(checks.Tags.security, deploy=True)
def base_url_set(app_configs, **kwargs):
    """``gongfen manage check --deploy``: printed notices need the address people open (GONGFEN_BASE_URL)."""
    if getattr(settings, "GONGFEN_BASE_URL", ""):
        return []
    return [
        checks.Warning(
            "GONGFEN_BASE_URL is not set: the objection address and QR code printed on notices use the host of "
            "each request, which is wrong behind a proxy that rewrites it",
            hint="Set GONGFEN_BASE_URL to the address people open, e.g. https://gongfen.example.gov.cn",
            id="gongfen.W001",
        )
    ]
