from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongfen.accounts"
    verbose_name = "账号"
