from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "gongfen.grades"
    label = "grades"
    verbose_name = "考核等次"
