"""Accounts: Argon2 hashes, roles audited, 组织部 administrators reach the Django admin."""

import pytest

from gongfen import settings as project_settings
from gongfen.accounts.models import Role, RoleKind
from gongfen.accounts.services import role_grant, role_revoke, user_create
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.org.models import Unit
from tests.factories import example_bundle, load

pytestmark = pytest.mark.django_db
ACTOR = Actor(None, "test")


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the suite uses a fast hasher elsewhere
    user = user_create(actor=ACTOR, username="li", password="a long enough pass phrase")
    assert user.password.startswith("argon2")
    assert user.check_password("a long enough pass phrase")


def test_roles_are_audited_and_org_admins_reach_the_admin():
    load(example_bundle())
    user = user_create(actor=ACTOR, username="zzb", password="x" * 20)
    role = role_grant(actor=ACTOR, user=user, kind=RoleKind.ORG_ADMIN, unit=Unit.objects.get(code="KH"))
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    role_grant(actor=ACTOR, user=user, kind=RoleKind.REVIEWER, unit=Unit.objects.get(code="QX"))
    assert Role.objects.filter(user=user).count() == 2  # a person can hold several roles
    role_revoke(actor=ACTOR, role=role, reason="调离组织部")
    user.refresh_from_db()
    assert not user.is_staff
    assert list(AuditEvent.objects.filter(object_id="zzb").values_list("action", flat=True)) == [
        "user.create",
        "role.grant",
        "role.grant",
        "role.revoke",
    ]
    with pytest.raises(DomainError):
        user_create(actor=ACTOR, username="zzb", password="y" * 20)
