from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "gongfen.interchange"
    verbose_name = "数据交换"
