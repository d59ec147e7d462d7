from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "gongfen.org"
    verbose_name = "单位与干部"
