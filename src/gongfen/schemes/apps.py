from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "gongfen.schemes"
    verbose_name = "考核方案"
