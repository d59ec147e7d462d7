"""Rate limits (issue 14, finding 10): the public voting code page and the API, per address and per token.

The attacks: codes tried on the public ballot page, and API requests (with good tokens or guessed
ones), as fast as a script can send them. Each door now answers 429 once its limit a minute is
reached (the API in its structured shape), with Retry-After; another address or token is not
affected, and the next minute starts afresh. Small limits here; the defaults are in settings.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongfen.accounts.models import User
from gongfen.api.services import token_create
from gongfen.common import Actor
from gongfen.evaluations.models import Vote
from tests.evaluations.conftest import evaluation  # noqa: F401 - the open round with public codes
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(clock):
    """The clock stopped at the start of the next minute's window (the limiter reads timezone.now, and the
    round of the ``evaluation`` fixture is still open); a test moves it a window on with ``shift(60)``."""
    clock.move_to(datetime.fromtimestamp((int(timezone.now().timestamp()) // 60 + 1) * 60, UTC), tick=False)
    return clock


def test_the_public_code_page_stops_a_code_guesser_at_the_limit(evaluation, settings, window):  # noqa: F811
    settings.GONGFEN_RATE_VOTE_ADDRESS = 5
    url = reverse("evaluations:vote_public")
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        assert "票码无效" in guesser.get(url, {"code": f"AAAA-BBBB-CCC{n}"}).content.decode()
    refused = guesser.get(url, {"code": "AAAA-BBBB-CCCZ"})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "尝试过于频繁" in refused.content.decode()
    assert guesser.get(url).status_code == 200  # the empty form (no code tried) is not counted
    voter = Client(REMOTE_ADDR="198.51.100.9")  # another address: still votes
    code = evaluation["codes"][0]
    assert voter.get(url, {"code": code}).content.decode().count('<fieldset class="rate"') == 7
    window.shift(60)  # the next minute
    assert guesser.get(url, {"code": "AAAA-BBBB-CCCY"}).status_code == 200
    assert not Vote.objects.filter(evaluator_class="public").exists()


def api_get(client: Client, token: str, path: str = "/api/v1/units"):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def tokens(*names: str) -> list[str]:
    out = []
    for name in names:
        user = User.objects.get(username=name)
        out.append(token_create(actor=Actor(user), user=user, name="rate", scopes=["read"])[1])
    return out


def test_the_api_limits_each_token(county, settings, window):
    settings.GONGFEN_RATE_API_TOKEN, settings.GONGFEN_RATE_API_ADDRESS = 3, 100
    first, second = tokens("org", "qx_admin")
    client = Client(REMOTE_ADDR="203.0.113.20")
    assert [api_get(client, first).status_code for _ in range(3)] == [200, 200, 200]
    refused = api_get(client, first)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    body = refused.json()
    assert body["code"] == "rate_limited" and "令牌" in body["message"] and set(body) == {"code", "message", "field"}
    assert api_get(client, second).status_code == 200  # another token, same address
    window.shift(60)
    assert api_get(client, first).status_code == 200


def test_the_api_limits_each_address_guessed_tokens_included(county, settings, window):
    settings.GONGFEN_RATE_API_TOKEN, settings.GONGFEN_RATE_API_ADDRESS = 100, 4
    (good,) = tokens("org")
    guesser = Client(REMOTE_ADDR="203.0.113.30")
    assert [api_get(guesser, f"gf_guess{n}").status_code for n in range(4)] == [401, 401, 401, 401]
    refused = api_get(guesser, good)  # even a good token, from that address, this minute
    assert (
        refused.status_code == 429 and refused.json()["code"] == "rate_limited" and "地址" in refused.json()["message"]
    )
    posted = guesser.post("/api/v1/entries", json.dumps({}), "application/json")
    assert posted.status_code == 429
    assert api_get(Client(REMOTE_ADDR="203.0.113.31"), good).status_code == 200  # another address


def test_the_limits_are_documented_in_the_api_document(client, county):
    schema = client.get("/api/v1/openapi.json").json()
    assert "429" in schema["paths"]["/api/v1/units"]["get"]["responses"]
