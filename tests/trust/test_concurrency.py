"""Two writers appending to the log at the same moment, on PostgreSQL with real parallel connections.

Each thread has its own connection; the log's head row is locked by each append until its transaction
commits, so the leaves stay gapless and the head is the root of the stored leaves.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import EntryEvent
from gongfen.org.models import Cadre
from gongfen.publication.models import Snapshot
from gongfen.schemes.models import Rule
from gongfen.trust import merkle
from gongfen.trust.models import LogLeaf
from gongfen.trust.selectors import log_head, log_verify
from tests.conftest import database_vendor
from tests.web_fixtures import *  # noqa: F403

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(database_vendor() != "postgresql", reason="runs in the PostgreSQL run (GONGFEN_DATABASE_URL)"),
]
PER_THREAD = 15


def test_two_threads_declaring_and_approving_at_once_keep_the_log_gapless(county):
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    cadres = [Cadre.objects.get(code="A04"), Cadre.objects.get(code="A05")]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(cadre: Cadre) -> None:
        try:
            barrier.wait(10)
            for _ in range(PER_THREAD):
                entry = ledger.entry_declare(
                    actor=Actor(None, f"t-{cadre.code}"), cadre=cadre, rule=rule, occurred_on=date(2026, 8, 3)
                )
                ledger.entry_approve(actor=Actor(None, "reviewer"), entry=entry)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    before = log_head()[0]
    threads = [threading.Thread(target=writer, args=(c,)) for c in cadres]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
        assert not t.is_alive(), "a writer hung"
    assert not errors, errors

    indexes = list(LogLeaf.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(len(indexes)))
    assert len(indexes) == before + 2 * PER_THREAD * 3  # declare, submit, approve
    assert len(indexes) == EntryEvent.objects.count() + Snapshot.objects.count()
    # each writer's events of one entry reach the log in the order they happened
    for label in ("t-A04", "t-A05"):
        order = list(
            LogLeaf.objects.filter(index__gte=before, event__entry__recorded_by_label=label)
            .order_by("index")
            .values_list("event__entry_id", "event__action")
        )
        assert len(order) == PER_THREAD * 3
        for entry_id in {e for e, _ in order}:
            assert [a for e, a in order if e == entry_id] == ["declare", "submit", "approve"]
    hashes = [bytes.fromhex(h) for h in LogLeaf.objects.order_by("index").values_list("hash", flat=True)]
    assert log_head() == (len(hashes), merkle.root(hashes).hex())
    result = log_verify()
    assert result.intact, result.problems
