from django.apps import AppConfig


class RankingsConfig(AppConfig):
    name = "gongfen.rankings"
    verbose_name = "排名"
