"""Login throttling and lock-out (django-axes): 5 failures for one user name from one address lock that
pair for 15 minutes, even against the right password; other users and other addresses are unaffected;
an administrator unlocks earlier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD

WRONG = "not-the-password-0000"


def attempt(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("dashboard")


def fail(client, username: str, times: int, address: str = "127.0.0.1"):
    for _ in range(times):
        response = attempt(client, username, WRONG, address)
        assert response.status_code in (200, 429)
        client.logout()


def let_time_pass(minutes: int) -> None:
    """The failures happened ``minutes`` earlier (the lock is measured from the stored attempt time)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_settings_are_five_failures_and_fifteen_minutes_by_user_and_address():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_failures_do_not_lock(county, client):
    fail(client, "a01", 4)
    assert logged_in(attempt(client, "a01", PASSWORD))


def test_five_failures_lock_then_the_right_password_is_refused_with_a_chinese_message(county, client):
    fail(client, "a01", 5)
    response = attempt(client, "a01", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert 'id="locked-out"' in page and "已锁定 15 分钟" in page and "联系管理员" in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302  # still anonymous


def test_the_lock_ends_after_the_cool_off(county, client):
    fail(client, "a01", 5)
    let_time_pass(14)
    assert attempt(client, "a01", PASSWORD).status_code == 429
    let_time_pass(2)  # 16 minutes in all
    assert logged_in(attempt(client, "a01", PASSWORD))


def test_other_users_and_other_addresses_are_not_locked(county, client):
    fail(client, "a01", 5)
    assert logged_in(attempt(client, "a04", PASSWORD))
    client.logout()
    assert logged_in(attempt(client, "a01", PASSWORD, address="10.1.2.3"))


def test_a_success_before_the_limit_resets_the_count(county, client):
    fail(client, "a01", 4)
    assert logged_in(attempt(client, "a01", PASSWORD))
    client.logout()
    fail(client, "a01", 4)
    assert logged_in(attempt(client, "a01", PASSWORD))


@pytest.mark.parametrize("unlock", ["username", "ip_username"])
def test_an_administrator_unlocks(county, client, unlock):
    fail(client, "a01", 5)
    assert attempt(client, "a01", PASSWORD).status_code == 429
    if unlock == "username":
        call_command("axes_reset_username", "a01")
    else:
        call_command("axes_reset_ip_username", "127.0.0.1", "a01")
    assert logged_in(attempt(client, "a01", PASSWORD))


def test_the_admin_lists_the_attempts_for_the_county_administrator(county, client):
    fail(client, "a01", 5)
    client.force_login(county["org"])
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and "a01" in page.content.decode()
