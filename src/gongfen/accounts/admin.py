"""Users and permission groups in the Django admin (组织部 staff); every change there is audited."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction

from gongfen.audit.admin_mixins import AuditedAdmin
from gongfen.audit.services import audit_record
from gongfen.common import Actor

from .models import User


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit_record(
                    actor=Actor(request.user),
                    action="admin.password",
                    obj=user,
                    object_id=user.get_username(),
                    summary=f"管理后台：重设 {user.get_username()} 的密码",
                )
            return response


admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass
