"""The read router's decisions (gongfen.dbrouting), on any database.

Where a read goes: writes and migrations to ``default``; a read to ``replica`` only inside a
marked view, outside any atomic block on ``default``, before any write in the request, after the
user's sticky window, and for a model that may be stale. The replica alias is declared configured
here (``replica_configured``); the real replica is exercised in test_streaming.py.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse

from gongfen import dbrouting
from gongfen.dbrouting import STICKY_KEY, ReplicaRouter, replica_reading
from gongfen.ledger.models import Entry
from gongfen.publication.models import Snapshot
from tests.publication.helpers import Q3, publish_q3
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import PASSWORD

ROUTER = ReplicaRouter()


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setattr(dbrouting, "replica_configured", lambda: True)


def request_with(session: dict) -> SimpleNamespace:
    return SimpleNamespace(session=session)


def test_reads_outside_a_marked_view_go_to_the_primary(replica):
    assert ROUTER.db_for_read(Snapshot) == "default"


def test_a_marked_read_goes_to_the_replica_and_back_to_the_primary_after_it(replica):
    with replica_reading():
        assert ROUTER.db_for_read(Snapshot) == "replica"
        assert ROUTER.db_for_read(Entry) == "replica"
    assert ROUTER.db_for_read(Snapshot) == "default"


def test_without_a_replica_configured_everything_reads_the_primary():
    with replica_reading():
        assert ROUTER.db_for_read(Snapshot) == "default"


def test_writes_go_to_the_primary_and_pin_the_rest_of_the_request_there(replica):
    with replica_reading():
        assert ROUTER.db_for_write(Entry) == "default"
        assert ROUTER.db_for_read(Snapshot) == "default"


def test_sessions_and_lockouts_are_always_read_on_the_primary(replica):
    with replica_reading():
        assert ROUTER.db_for_read(Session) == "default"


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_an_atomic_block_goes_to_the_primary(replica):
    with replica_reading():
        assert ROUTER.db_for_read(Snapshot) == "replica"
        with transaction.atomic():
            assert ROUTER.db_for_read(Snapshot) == "default"
        assert ROUTER.db_for_read(Snapshot) == "replica"


def test_within_the_sticky_window_after_the_users_write_reads_go_to_the_primary(replica):
    with replica_reading(request_with({STICKY_KEY: time.time() + 5})):
        assert ROUTER.db_for_read(Snapshot) == "default"
    with replica_reading(request_with({STICKY_KEY: time.time() - 1})):
        assert ROUTER.db_for_read(Snapshot) == "replica"
    with replica_reading(request_with({})):
        assert ROUTER.db_for_read(Snapshot) == "replica"


def test_migrations_only_on_the_primary_and_relations_across_the_two_allowed():
    assert ROUTER.allow_migrate("default", "ledger") is True
    assert ROUTER.allow_migrate("replica", "ledger") is False
    one, other = Snapshot(), Snapshot()
    one._state.db, other._state.db = "default", "replica"
    assert ROUTER.allow_relation(one, other) is True
    other._state.db = "elsewhere"
    assert ROUTER.allow_relation(one, other) is None


# --- through the pages ---------------------------------------------------------------------------


@pytest.fixture
def decisions(monkeypatch, replica):
    """Every read decision made during a request: (model label, alias chosen if no atomic block were open)."""
    seen: list[tuple[str, bool]] = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        state = dbrouting.current()
        seen.append((model._meta.label, bool(state and state.replica_ok and not state.wrote)))
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    return seen


def test_the_published_board_my_ledger_and_the_notice_are_replica_safe(county, login, decisions):
    publish_q3()
    client = login("org")
    for url in (
        reverse("publication:board", args=["QX-ALL", Q3]),
        reverse("outputs:notice", args=["QX-ALL", Q3]),
    ):
        decisions.clear()
        assert client.get(url).status_code == 200
        assert ("publication.Snapshot", True) in decisions, url
    decisions.clear()
    assert login("a01").get(reverse("ledger:mine")).status_code == 200
    assert ("ledger.Entry", True) in decisions


def test_an_unmarked_page_reads_the_primary(county, login, decisions):
    publish_q3()
    assert login("org").get(reverse("publication:list")).status_code == 200
    assert decisions and not any(replica_ok for _, replica_ok in decisions)


def test_a_request_that_writes_keeps_the_users_reads_on_the_primary_for_a_while(county, client, replica):
    before = time.time()
    response = client.post(reverse("login"), {"username": "a01", "password": PASSWORD})
    assert response.status_code == 302
    until = client.session[STICKY_KEY]
    assert before + 4 < until <= time.time() + 5


def test_a_request_that_only_reads_sets_no_sticky_window(county, login, replica):
    client = login("a01")
    assert client.get(reverse("ledger:mine")).status_code == 200
    assert STICKY_KEY not in client.session


def test_without_a_replica_no_sticky_window_is_kept(county, client):
    client.post(reverse("login"), {"username": "a01", "password": PASSWORD})
    assert STICKY_KEY not in client.session
