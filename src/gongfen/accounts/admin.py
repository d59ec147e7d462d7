"""Users and permission groups in the Django admin (组织部 staff); every change there is audited.

Setting someone's password there (重设密码) goes through ``accounts.services.user_password_set``:
the policy is checked, the change audited, and the user must choose a new password at the next login.
"""

from contextvars import ContextVar

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group

from gongfen.audit.admin_mixins import AuditedAdmin
from gongfen.common import Actor

from .models import User
from .services import user_password_set

_resetting: ContextVar[Actor | None] = ContextVar("gongfen_admin_password_actor", default=None)


class ResetPasswordForm(AdminPasswordChangeForm):
    """The admin's password form, saving through the service as the administrator who uses it."""

    def save(self, commit=True):
        actor = _resetting.get()
        if actor is None or not self.cleaned_data.get("set_usable_password", True):
            return super().save(commit=commit)  # (disabling password login: Django's own, audited by the admin)
        return user_password_set(actor=actor, user=self.user, password=self.cleaned_data["password1"])


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    change_password_form = ResetPasswordForm
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ("must_change_password",)}))

    def user_change_password(self, request, id, form_url=""):
        token = _resetting.set(Actor(request.user))
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _resetting.reset(token)


admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass
