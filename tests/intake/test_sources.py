"""Registering a source system and mapping its people: only 组织部 registers; links stay in the admin's scope."""

import pytest

from gongfen.accounts.models import User
from gongfen.api.models import Scope
from gongfen.api.services import token_authenticate
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.intake import services
from gongfen.intake.models import PersonLink, Source
from gongfen.org.models import Cadre, Unit
from gongfen.schemes.models import Rule

pytestmark = pytest.mark.django_db


def _rules(*codes):
    return list(Rule.objects.filter(scheme__code="QX-2026", code__in=codes))


def test_org_admin_registers_a_source_with_an_intake_only_token(source):
    token = token_authenticate(source.token_text)
    assert token is not None and token.scopes == [Scope.INTAKE] and token.user.username == "qx_admin"
    assert token.grants(Scope.INTAKE) and not token.grants(Scope.READ) and not token.grants(Scope.DECLARE)
    assert source.token_id == token.pk
    assert AuditEvent.objects.filter(action="intake.source.register", object_id="YJS").exists()


@pytest.mark.parametrize("username", ["qx_admin", "qx_reviewer", "a04"])
def test_nobody_else_registers_a_source(county, username):
    user = User.objects.get(username=username)
    with pytest.raises(DomainError, match="组织部"):
        services.source_register(
            actor=Actor(user),
            code="X",
            name="X",
            owner=user,
            rules=_rules("R-TASK"),
            units=[Unit.objects.get(code="QX")],
        )
    assert not Source.objects.exists()


def test_a_source_may_not_propose_base_points(county):
    org = User.objects.get(username="org")
    with pytest.raises(DomainError, match="岗位分"):
        services.source_register(
            actor=Actor(org), code="X", name="X", owner=org, rules=_rules("B-GEN"), units=[Unit.objects.get(code="QX")]
        )


def test_links_are_kept_by_the_administrator_of_the_cadre(source):
    tc_admin, qx_admin = User.objects.get(username="tc_admin"), User.objects.get(username="qx_admin")
    with pytest.raises(DomainError, match="管理范围"):
        services.person_link_set(
            actor=Actor(tc_admin), source=source, identifier="x", cadre=Cadre.objects.get(code="A04")
        )
    link = services.person_link_set(
        actor=Actor(qx_admin), source=source, identifier="zzd-A04", cadre=Cadre.objects.get(code="A05")
    )
    assert PersonLink.objects.get(pk=link.pk).cadre.code == "A05"
    row = AuditEvent.objects.filter(action="intake.person.link", object_id="YJS/zzd-A04").latest("id")
    assert row.before == {"cadre": "A04"} and row.after == {"cadre": "A05"}


def test_deactivating_revokes_the_token(source):
    services.source_deactivate(actor=Actor(User.objects.get(username="org")), source=source)
    assert token_authenticate(source.token_text) is None
