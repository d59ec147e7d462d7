"""Tokens for the users of ``tests.web_fixtures`` and a client that sends them."""

from __future__ import annotations

import json

import pytest

from gongfen.accounts.models import User
from gongfen.api.services import token_create
from gongfen.common import Actor
from tests.web_fixtures import *  # noqa: F403

ALL_SCOPES = ["read", "declare", "review"]


@pytest.fixture
def token_for(county):
    """``token_for("org", scopes=[...])`` creates a token of that user through the service and returns it."""

    def make(username: str, scopes=ALL_SCOPES, **kwargs) -> str:
        user = User.objects.get(username=username)
        return token_create(actor=Actor(user), user=user, name=f"test {username}", scopes=scopes, **kwargs)[1]

    return make


class ApiClient:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def _headers(self, extra: dict | None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return headers | (extra or {})

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def post(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = json.dumps(data if data is not None else {}, ensure_ascii=False)
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", headers=self._headers(headers))


@pytest.fixture
def api(client, token_for):
    """``api("org")`` is an ApiClient with a read/declare/review token of that user; ``api(None)`` sends none."""

    def make(username: str | None, scopes=ALL_SCOPES) -> ApiClient:
        return ApiClient(client, token_for(username, scopes) if username else None)

    return make
