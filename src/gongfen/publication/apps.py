from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "gongfen.publication"
    verbose_name = "公示与季度关账"
