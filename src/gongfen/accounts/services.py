"""Accounts and roles: every change audited."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre, Unit

from .models import Role, RoleKind, User


@transaction.atomic
def user_create(*, actor: Actor, username: str, password: str, cadre: Cadre | None = None, name: str = "") -> User:
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名 {username} 已存在", field="username")
    if cadre is not None and User.objects.filter(cadre=cadre).exists():
        raise DomainError(f"干部 {cadre} 已有账号", field="cadre")
    user = User(username=username, cadre=cadre, first_name=name[:150])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        object_id=username,
        after={"username": username, "cadre": cadre.code if cadre else None},
    )
    return user


def _check_password(password: str, user: User) -> None:
    """The password policy (settings.AUTH_PASSWORD_VALIDATORS: 10 characters or more, not all digits, not
    common, not like the user's name), for every path that sets a password."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="password") from None


@transaction.atomic
def user_password_set(*, actor: Actor, user: User, password: str) -> User:
    """Set ``user``'s password. Set by someone else (an administrator's reset), it must be changed at the next
    login (``must_change_password``); set by the user themselves, that requirement ends."""
    _check_password(password, user)
    by_other = actor.user is None or actor.user.pk != user.pk
    user.set_password(password)
    user.must_change_password = by_other
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=actor,
        action="user.password_reset" if by_other else "user.password_change",
        obj=user,
        object_id=user.get_username(),
        summary=(f"重设 {user.get_username()} 的密码（下次登录须修改）" if by_other else "修改本人密码"),
        after={"must_change_password": by_other},
    )
    return user


@transaction.atomic
def role_grant(*, actor: Actor, user: User, kind: str, unit: Unit, reason: str = "") -> Role:
    if kind not in RoleKind.values:
        raise DomainError(f"未知角色 {kind}", field="kind")
    role, created = Role.objects.get_or_create(user=user, kind=kind, unit=unit, defaults={"granted_by": actor.user})
    if kind == RoleKind.ORG_ADMIN and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True  # 组织部 administrators may read raw data in the Django admin
        user.save(update_fields=["is_staff", "is_superuser"])
    if created:
        audit_record(
            actor=actor,
            action="role.grant",
            obj=user,
            object_id=user.username,
            after={"kind": kind, "unit": unit.code},
            reason=reason,
        )
    return role


@transaction.atomic
def role_revoke(*, actor: Actor, role: Role, reason: str) -> None:
    user = role.user
    audit_record(
        actor=actor,
        action="role.revoke",
        obj=user,
        object_id=user.username,
        before={"kind": role.kind, "unit": role.unit.code},
        reason=reason,
    )
    role.delete()
    if not user.roles.filter(kind=RoleKind.ORG_ADMIN).exists() and user.is_superuser:
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
