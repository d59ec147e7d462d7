"""Personal access tokens: hashed at rest, shown once, revocable, expiring, scoped, audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongfen.accounts.models import User
from gongfen.api.models import AccessToken
from gongfen.api.services import token_create, token_revoke
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from tests.api.conftest import ApiClient


def test_a_token_is_stored_only_as_its_sha256(token_for):
    secret = token_for("a01", scopes=["read"])
    row = AccessToken.objects.get()
    assert secret.startswith("gf_") and len(secret) >= 40
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(v) for v in AccessToken.objects.values_list(*[f.attname for f in AccessToken._meta.fields]).get()]
    assert not any(secret in value for value in stored), "the token itself must not be stored"
    assert row.prefix == secret[:8]


def test_creating_and_revoking_are_audited(county):
    user = User.objects.get(username="a01")
    row, _ = token_create(actor=Actor(user), user=user, name="OA", scopes=["read", "declare"])
    token_revoke(actor=Actor(user), token=row)
    actions = list(AuditEvent.objects.filter(object_type="api.accesstoken").values_list("action", flat=True))
    assert actions == ["api_token.create", "api_token.revoke"]
    with pytest.raises(DomainError):
        token_revoke(actor=Actor(user), token=row)  # twice: refused, nothing written
    assert AuditEvent.objects.filter(object_type="api.accesstoken").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " ", "scopes": ["read"]}, "name"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["root"]}, "scopes"),
        ({"name": "x", "scopes": ["read"], "expires_at": timezone.now() - timedelta(days=1)}, "expires_at"),
    ],
)
def test_bad_token_requests_are_refused_and_change_nothing(county, kwargs, field):
    user = User.objects.get(username="a01")
    with pytest.raises(DomainError) as refused:
        token_create(actor=Actor(user), user=user, **kwargs)
    assert refused.value.field == field
    assert not AccessToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api_token.create").exists()


def test_revoked_expired_and_unknown_tokens_are_refused_with_401(client, token_for):
    live = ApiClient(client, token_for("a01", scopes=["read"]))
    assert live.get("/entries").status_code == 200
    assert AccessToken.objects.get().last_used_at is not None

    revoked_secret = token_for("a01", scopes=["read"])
    row = AccessToken.objects.get(digest=hashlib.sha256(revoked_secret.encode()).hexdigest())
    token_revoke(actor=Actor(row.user), token=row)
    expiring = token_for("a01", scopes=["read"], expires_at=timezone.now() + timedelta(minutes=5))
    AccessToken.objects.filter(digest=hashlib.sha256(expiring.encode()).hexdigest()).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    for secret in (revoked_secret, expiring, "gf_" + "x" * 43, "not-a-token"):
        response = ApiClient(client, secret).get("/entries")
        assert response.status_code == 401, secret
        assert response.json()["code"] == "unauthenticated"
        assert response["WWW-Authenticate"] == "Bearer"
    assert ApiClient(client, None).get("/entries").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(client, token_for):
    secret = token_for("a01", scopes=["read"])
    User.objects.filter(username="a01").update(is_active=False)
    assert ApiClient(client, secret).get("/entries").status_code == 401


@pytest.mark.parametrize(
    ("scopes", "method", "path", "expected"),
    [
        (["declare"], "get", "/entries", 403),
        (["read"], "post", "/entries", 403),
        (["read", "declare"], "post", "/entries/E10/approve", 403),
        (["review"], "get", "/schemes", 403),
        (["read"], "get", "/schemes", 200),
        (["admin"], "get", "/schemes", 200),
    ],
)
def test_a_token_is_limited_to_its_scopes(client, token_for, scopes, method, path, expected):
    api = ApiClient(client, token_for("org", scopes=scopes))
    body = {"cadre": "A04", "scheme": "QX-2026", "rule": "R-TASK", "occurred_on": "2026-08-03"}
    response = api.get(path) if method == "get" else api.post(path, body if path == "/entries" else {})
    assert response.status_code == expected, response.content
    if expected == 403:
        assert response.json()["code"] == "insufficient_scope"
        assert response.json()["field"] == "scope"


# --- the token page -------------------------------------------------------------------------------


def test_the_token_page_creates_shows_once_lists_and_revokes(county, login):
    client = login("a01")
    response = client.post(reverse("api:tokens"), {"name": "OA 同步", "scopes": ["read", "declare"]})
    assert response.status_code == 200
    row = AccessToken.objects.get()
    secret = response.context["created"]["secret"]
    assert secret in response.content.decode()
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert row.scopes == ["declare", "read"]
    listing = client.get(reverse("api:tokens")).content.decode()
    assert "OA 同步" in listing and row.prefix in listing and secret not in listing
    assert client.post(reverse("api:token_revoke", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert ApiClient(client, secret).get("/entries").status_code == 401


def test_nobody_revokes_another_users_token(county, login, token_for):
    token_for("a01", scopes=["read"])
    row = AccessToken.objects.get()
    client = login("org")
    assert client.post(reverse("api:token_revoke", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
    assert "test a01" not in client.get(reverse("api:tokens")).content.decode()


def test_the_token_page_needs_a_login(client, county):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and "/login/" in response["Location"]
