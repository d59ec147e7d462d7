from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gongfen.web"
    verbose_name = "网页"
