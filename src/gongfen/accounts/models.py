from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class User(AbstractUser):
    """A person who logs in (账号). ``cadre`` is set when the person is also a cadre being assessed."""

    cadre = models.OneToOneField(
        "org.Cadre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
        verbose_name=_("本人干部档案"),
    )
    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        help_text=_("管理员重设密码后为是：下次登录须先设置新密码"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "用户")
        verbose_name_plural = pgettext_lazy("model plural", "用户")

    @property
    def display_name(self) -> str:
        if self.cadre_id:
            return self.cadre.name
        return self.get_full_name() or self.get_username()


class RoleKind(models.TextChoices):
    ORG_ADMIN = "org_admin", _("组织部管理员")
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    REVIEWER = "reviewer", _("分管领导（审核）")
    TASK_FORCE_LEAD = "task_force_lead", _("专班负责人")


class Role(models.Model):
    """A role a user holds over a unit and everything below it (角色与管理范围).

    组织部 administrators hold theirs over the county; a unit administrator
    over their unit; a reviewer (分管领导) over the unit or office whose
    entries they review; a task-force lead over their task force. Being a
    cadre is not a role: it comes from ``User.cadre``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=20, choices=RoleKind.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "unit"], name="role_unique")]
        verbose_name = pgettext_lazy("model", "角色")
        verbose_name_plural = pgettext_lazy("model plural", "角色")

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} @ {self.unit}"
