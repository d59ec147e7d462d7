from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "gongfen.evaluations"
    verbose_name = _("定性评价")
