"""Several workers at once (threads, each with its own database connection) deliver each delivery exactly once.

PostgreSQL claims with SELECT … FOR UPDATE SKIP LOCKED; SQLite with a conditional UPDATE. Like
tests/faults/test_concurrency.py, these need real transactions and run on PostgreSQL and on a SQLite file.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from gongfen.webhooks.dispatch import run_due
from gongfen.webhooks.models import Attempt, Delivery, DeliveryStatus
from gongfen.webhooks.services import webhook_enqueue
from tests.faults.test_concurrency import in_memory_sqlite
from tests.webhooks.helpers import endpoint

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(in_memory_sqlite(), reason="needs a database shared by threads: PostgreSQL or a SQLite file"),
]

N = 40


def test_concurrent_workers_deliver_each_once(receiver):
    endpoint(url=receiver.url, events=["entry.approved"])
    with transaction.atomic():
        for i in range(N):
            webhook_enqueue(event="entry.approved", payload={"entry": f"E{i}"})
    results: list = []
    start = threading.Barrier(3)

    def worker():
        try:
            start.wait()
            results.append(run_due(limit=2))
        except BaseException as exc:  # reported below, not lost in the thread
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(isinstance(r, BaseException) for r in results), results
    received = Counter(r.headers["X-Gongfen-Delivery"] for r in receiver.requests)
    assert len(received) == N and set(received.values()) == {1}
    assert sum(r.delivered for r in results) == N
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == N
    assert Attempt.objects.count() == N


def test_inline_sends_right_after_commit_in_a_thread(receiver, settings):
    import time

    settings.GONGFEN_WEBHOOKS_INLINE = True
    endpoint(url=receiver.url, events=["entry.approved"])
    with transaction.atomic():
        (delivery,) = webhook_enqueue(event="entry.approved", payload={"entry": "E1"})
        time.sleep(0.2)
        assert receiver.requests == []  # nothing leaves before the commit
    deadline = time.monotonic() + 10
    while Delivery.objects.get().status != DeliveryStatus.DELIVERED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r.headers["X-Gongfen-Delivery"] for r in receiver.requests] == [str(delivery.uuid)]
