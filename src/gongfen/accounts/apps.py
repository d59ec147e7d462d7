from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongfen.accounts"
    verbose_name = _("账号")

    def ready(self) -> None:
        from django.contrib.auth import signals
        from django.contrib.auth.models import update_last_login

        from .lockout import queued_last_login

        # last_login is bookkeeping: written through gongfen.writequeue, so a busy database never fails a login
        signals.user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        signals.user_logged_in.connect(queued_last_login, dispatch_uid="gongfen.accounts.last_login")
