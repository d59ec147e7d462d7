from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "gongfen.evaluations"
    verbose_name = "定性评价"
