"""The same ``Idempotency-Key`` sent concurrently: real connections (threads), one entry.

On PostgreSQL the second INSERT of the key waits on the unique index until the
first transaction commits, then fails and replays the stored response; on
SQLite (a database file, as the product runs it) writers queue on the write
lock. pytest-django's in-memory SQLite test database cannot hold concurrent
writers (shared-cache table locks fail at once), so on such runs
``test_idempotency.py::test_concurrency_on_a_sqlite_file`` runs this module
again against a test database in a file.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from gongfen.api.models import IdempotencyKey
from gongfen.ledger.models import Entry
from tests.api.conftest import ApiClient
from tests.faults.test_concurrency import in_memory_sqlite

DECLARE = {"cadre": "A04", "scheme": "QX-2026", "rule": "R-TASK", "occurred_on": "2026-08-03", "quantity": "2"}

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(in_memory_sqlite(), reason="run against a SQLite file by test_idempotency.py"),
]


def _entries_of_a04() -> int:
    return Entry.objects.filter(cadre__code="A04", rule__code="R-TASK").count()


def test_the_same_key_sent_concurrently_creates_one_entry(token_for):
    """Two threads, two real connections, one key: one entry, and both get its response."""
    secret = token_for("a04", scopes=["declare"])
    before = _entries_of_a04()
    barrier = threading.Barrier(4)
    results: list = [None] * 4

    def send(i):
        try:
            client = ApiClient(Client(), secret)
            barrier.wait()
            results[i] = client.post("/entries", DECLARE, headers={"Idempotency-Key": "burst-1"})
        except BaseException as exc:  # reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive(), "a request hung"
    assert all(not isinstance(r, BaseException) for r in results), results
    assert [r.status_code for r in results] == [201] * 4, [r.content for r in results]
    assert len({r.json()["code"] for r in results}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in results) == 3
    assert _entries_of_a04() == before + 1
    assert IdempotencyKey.objects.filter(key="burst-1").count() == 1
