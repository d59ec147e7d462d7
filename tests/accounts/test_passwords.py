"""Accounts (issue 14, finding 10): the password policy, changing one's own password, an administrator's reset.

The attacks: an all-numeric or common password was accepted; a user had no way to change their
own password; a password an administrator had set (and so knows) stayed in use for good.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.accounts.services import user_create, user_password_set
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD

pytestmark = pytest.mark.django_db
ACTOR = Actor(None, "test")
NEW = "a fresh pass phrase 2026"


def password_is(username: str, password: str) -> bool:
    return User.objects.get(username=username).check_password(password)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("20261207123", "只包含数字"),  # all digits (and long enough, and not on the common list)
        ("password123", "太常见了"),
        ("qwertyuiop", "太常见了"),
        ("short-9x", "至少需要 10 个字符"),
        ("zhang.wei.2026", "跟 用户名 太相似"),
    ],
)
def test_weak_passwords_are_refused_on_every_path(db, password, why):
    with pytest.raises(DomainError) as refused:
        user_create(actor=ACTOR, username="zhang.wei.2026x", password=password)
    assert why in refused.value.message and refused.value.field == "password", refused.value.message
    assert not User.objects.filter(username="zhang.wei.2026x").exists()


def test_a_good_pass_phrase_is_taken(db):
    assert user_create(actor=ACTOR, username="li", password=NEW).check_password(NEW)


def test_a_user_changes_their_own_password_on_a_page_of_the_site(county, client):
    url = reverse("password_change")
    assert client.get(url).status_code == 302  # signed out: to the login page
    client.post(reverse("login"), {"username": "a01", "password": PASSWORD})
    page = client.get(url).content.decode()
    assert "修改密码" in page and 'name="old_password"' in page and "至少 10 个字符" in page
    assert 'id="password-link"' in client.get(reverse("dashboard")).content.decode()  # linked from every page

    wrong = client.post(url, {"old_password": "not it", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200 and "旧密码不正确" in wrong.content.decode()
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "1234567890", "new_password2": "1234567890"})
    assert weak.status_code == 200 and "只包含数字" in weak.content.decode()
    assert password_is("a01", PASSWORD)  # nothing changed yet

    done = client.post(url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200  # this session stays signed in
    assert password_is("a01", NEW) and not password_is("a01", PASSWORD)
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.object_id == "a01" and NEW not in f"{event.before}{event.after}{event.summary}"


def test_an_administrators_reset_forces_a_new_password_at_the_next_login(county, client, login):
    admin = login("org")
    target = User.objects.get(username="a04")
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    numeric = admin.post(url, {"password1": "98765432109", "password2": "98765432109", "usable_password": "true"})
    assert numeric.status_code == 200 and "只包含数字" in numeric.content.decode()  # the policy there too
    known = "reset by the admin 2026"
    reset = admin.post(url, {"password1": known, "password2": known, "usable_password": "true"})
    assert reset.status_code == 302
    target.refresh_from_db()
    assert target.must_change_password and target.check_password(known)
    assert AuditEvent.objects.get(action="user.password_reset").actor.username == "org"
    admin.post(reverse("logout"))

    client.post(reverse("login"), {"username": "a04", "password": known})
    for page in (reverse("dashboard"), reverse("ledger:mine"), reverse("ledger:declare")):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), page
    shown = client.get(reverse("password_change")).content.decode()
    assert 'id="must-change"' in shown
    client.post(reverse("password_change"), {"old_password": known, "new_password1": NEW, "new_password2": NEW})
    target.refresh_from_db()
    assert not target.must_change_password
    assert client.get(reverse("ledger:mine")).status_code == 200


def test_a_user_resetting_their_own_password_through_the_service_is_not_asked_again(county):
    user = User.objects.get(username="a01")
    user_password_set(actor=Actor(user), user=user, password=NEW)
    user.refresh_from_db()
    assert not user.must_change_password
