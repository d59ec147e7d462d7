"""The scheme editor's publication settings: the objection window and each group's publication scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongfen.audit.models import AuditEvent
from gongfen.schemes.models import RankingGroup, Scheme
from tests.schemes.test_views import params_post
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def scope_url(scheme="QX-2026", group="QX-ALL"):
    return reverse("schemes:group_publication", args=[scheme, group])


def group_state():
    group = RankingGroup.objects.get(code="QX-ALL")
    return group.publish_scope, sorted(group.publish_units.values_list("code", flat=True))


# --- the objection window -------------------------------------------------------------------


def test_the_objection_days_are_edited_with_the_parameters(county, login):
    client = login("qx_admin")
    scheme = Scheme.objects.get(code="QX-2026")
    assert 'name="objection_days"' in client.get(reverse("schemes:params", args=["QX-2026"])).content.decode()
    response = client.post(reverse("schemes:params", args=["QX-2026"]), params_post(scheme, objection_days="8"))
    assert response.status_code == 302
    assert Scheme.objects.get(code="QX-2026").objection_days == 8
    assert "公示后异议期 8 个工作日" in client.get(reverse("schemes:detail", args=["QX-2026"])).content.decode()
    event = AuditEvent.objects.filter(action="scheme.save").latest("id")
    assert event.before.get("objection_days") is None and event.after["objection_days"] == 8


@pytest.mark.parametrize("value", ["0", "61", "abc", ""])
def test_a_bad_objection_window_is_refused_on_the_field(county, login, value):
    scheme = Scheme.objects.get(code="QX-2026")
    response = login("qx_admin").post(
        reverse("schemes:params", args=["QX-2026"]), params_post(scheme, objection_days=value)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["objection_days"]
    assert Scheme.objects.get(code="QX-2026").objection_days == 5


# --- the objection contact (异议受理) ------------------------------------------------------------

CONTACT = {"office": "齐溪镇党政办公室", "phone": "0570-6012345", "address": "齐溪镇人民政府二楼 203 室"}


def contact_of(code="QX-2026") -> dict:
    scheme = Scheme.objects.get(code=code)
    return {k: getattr(scheme, f"objection_{k}") for k in CONTACT}


def test_the_objection_contact_is_edited_with_the_parameters(county, login):
    client = login("qx_admin")
    scheme = Scheme.objects.get(code="QX-2026")
    form = client.get(reverse("schemes:params", args=["QX-2026"])).content.decode()
    assert 'name="objection_office"' in form and 'name="objection_phone"' in form and 'name="objection_address"' in form
    posted = params_post(scheme, **{f"objection_{k}": v for k, v in CONTACT.items()})
    assert client.post(reverse("schemes:params", args=["QX-2026"]), posted).status_code == 302
    assert contact_of() == CONTACT
    event = AuditEvent.objects.filter(action="scheme.save").latest("id")
    assert "objection_contact" not in event.before and event.after["objection_contact"] == CONTACT
    # a bundle dump carries it, and loading the dump back changes nothing
    from gongfen.interchange.selectors import scheme_as_bundle

    assert scheme_as_bundle(Scheme.objects.get(code="QX-2026"))["objection_contact"] == CONTACT


def test_a_too_long_phone_is_refused_on_the_field(county, login):
    scheme = Scheme.objects.get(code="QX-2026")
    response = login("qx_admin").post(
        reverse("schemes:params", args=["QX-2026"]), params_post(scheme, objection_phone="1" * 51)
    )
    assert response.status_code == 200 and response.context["form"].errors["objection_phone"]
    assert contact_of()["phone"] == ""


def test_the_objection_contact_is_editable_in_the_django_admin_and_audited(county, client):
    from gongfen.accounts.models import User

    staff = User.objects.get(username="org")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    scheme = Scheme.objects.get(code="QX-2026")
    url = reverse("admin:schemes_scheme_change", args=[scheme.pk])
    page = client.get(url).content.decode()
    assert 'name="objection_office"' in page and 'name="weight_quantitative"' not in page  # the rest is read-only
    response = client.post(url, {f"objection_{k}": v for k, v in CONTACT.items()})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert contact_of() == CONTACT
    event = AuditEvent.objects.filter(action="scheme.save").latest("id")
    assert event.actor_label == "org" and event.after["objection_contact"] == CONTACT


def test_only_an_administrator_of_the_scheme_sets_its_contact(county):
    from gongfen.common import Actor, DomainError
    from gongfen.schemes.services import scheme_contact_set

    scheme = Scheme.objects.get(code="QX-2026")
    with pytest.raises(DomainError):
        scheme_contact_set(actor=Actor(county["tc_admin"]), scheme=scheme, **CONTACT)
    assert contact_of()["office"] == ""
    scheme_contact_set(actor=Actor(county["qx_admin"]), scheme=scheme, **CONTACT)
    assert contact_of() == CONTACT


# --- the publication scope -------------------------------------------------------------------


def test_the_detail_page_lists_the_groups_with_their_scope(county, login):
    body = login("qx_admin").get(reverse("schemes:detail", args=["QX-2026"])).content.decode()
    assert 'data-group="QX-ALL"' in body and "本排名组" in body and scope_url() in body


def test_an_administrator_sets_named_units(county, login):
    client = login("qx_admin")
    assert client.get(scope_url()).status_code == 200
    response = client.post(
        scope_url(), {"publish_scope": "units", "publish_units": "QX-WL，QX\nQX-WL", "reason": "按科室公示"}
    )
    assert response.status_code == 302
    assert group_state() == ("units", ["QX", "QX-WL"])
    event = AuditEvent.objects.get(action="group.publication")
    assert event.after["publish_units"] == ["QX", "QX-WL"] and event.reason == "按科室公示"
    response = client.post(scope_url(), {"publish_scope": "county", "publish_units": ""})
    assert response.status_code == 302 and group_state() == ("county", [])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"publish_scope": "units", "publish_units": "NOPE"}, "publish_units", "单位 'NOPE' 不存在"),
        ({"publish_scope": "units", "publish_units": ""}, "publish_units", "须列出至少一个单位"),
        ({"publish_scope": "group", "publish_units": "QX"}, "publish_units", "只有公示范围为指定单位"),
        ({"publish_scope": "town", "publish_units": ""}, "publish_scope", ""),
    ],
)
def test_bad_scopes_are_refused_as_on_load(county, login, data, field, message):
    before = (group_state(), AuditEvent.objects.writes().count())
    response = login("org").post(scope_url(), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert (group_state(), AuditEvent.objects.writes().count()) == before


@pytest.mark.parametrize(("username", "status"), [("tc_admin", 404), ("qx_reviewer", 404), ("a01", 404)])
def test_others_cannot_change_the_scope(county, login, username, status):
    before = group_state()
    assert login(username).post(scope_url(), {"publish_scope": "county"}).status_code == status
    assert group_state() == before


def test_an_unknown_group_or_one_of_another_scheme_is_not_found(county, login):
    assert login("org").get(scope_url(group="NOPE")).status_code == 404


def test_anonymous_is_sent_to_log_in(county, client):
    response = client.get(scope_url())
    assert response.status_code == 302 and "/login/" in response.url
