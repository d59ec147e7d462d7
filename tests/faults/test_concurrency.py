"""Concurrent writers with real parallel connections (threads, each with its own database connection).

Every thread opens its own connection (Django keeps one per thread) and closes
it at the end; the tests use transactional database access, so each thread
sees what the others committed. They run on PostgreSQL and on SQLite (a test
database in a file, as the product runs), where writers are serialised by
``BEGIN IMMEDIATE`` and the 30 s busy timeout (see ``settings.database_config``):
a writer waits for the lock instead of failing with ``database is locked``.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.db.models import Count

from gongfen.accounts.models import User
from gongfen.common import Actor, DomainError
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryEvent, EntryStatus, RuleTotal
from gongfen.ledger.selectors import totals_mismatches
from gongfen.org.models import Cadre
from gongfen.publication import services as publication
from gongfen.publication.models import PeriodState
from gongfen.publication.selectors import closing_blockers, period_state
from gongfen.rankings.selectors import group_by_code
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403


def in_memory_sqlite() -> bool:
    """Django's default SQLite test database is in memory with a shared cache: its table locks are no busy
    timeout's business ("database table is locked" at once), unlike the product's WAL file. Those runs
    leave these tests to ``test_sqlite_file.py``, which runs them against a test database in a file."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return db["ENGINE"].endswith("sqlite3") and not (db.get("TEST") or {}).get("NAME")


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(in_memory_sqlite(), reason="run against a SQLite file by tests/faults/test_sqlite_file.py"),
]

DAY = date(2026, 8, 3)


def run_threads(*targets, timeout: float = 120) -> list:
    """Run each callable in its own thread (its own connection); return their results or raised exceptions."""
    results: list = [None] * len(targets)

    def wrap(i, target):
        try:
            results[i] = target()
        except BaseException as exc:  # reported to the test, not lost in the thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a writer hung"
    return results


def _task_rule() -> Rule:
    return Rule.objects.get(scheme__code="QX-2026", code="R-TASK")


def _declare(user: str, cadre: str, **kwargs) -> Entry:
    return ledger.entry_declare(
        actor=Actor(User.objects.get(username=user)),
        cadre=Cadre.objects.get(code=cadre),
        rule=_task_rule(),
        occurred_on=DAY,
        **kwargs,
    )


def test_two_reviewers_approving_the_same_entry_at_once_yield_one_approval(county):
    entry = _declare("a04", "A04", quantity=Decimal(3))
    key = {"cadre_id": entry.cadre_id, "rule_id": entry.rule_id, "period": entry.period}
    before = RuleTotal.objects.filter(**key).values_list("amount", "count").first() or (Decimal(0), 0)
    barrier = threading.Barrier(2)

    def approve(username):
        def go():
            reviewer = User.objects.get(username=username)
            item = Entry.objects.get(pk=entry.pk)
            barrier.wait()
            return ledger.entry_approve(actor=Actor(reviewer), entry=item, reason=f"{username} 核实")

        return go

    results = run_threads(approve("qx_reviewer"), approve("org"))
    approved = [r for r in results if isinstance(r, Entry)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert "不能审核通过" in refused[0].message and entry.code in refused[0].message
    assert EntryEvent.objects.filter(entry=entry, action=EntryEvent.Action.APPROVE).count() == 1
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.status == EntryStatus.APPROVED and stored.posted
    assert stored.decided_by_label == approved[0].decided_by_label
    after = RuleTotal.objects.filter(**key).values_list("amount", "count").get()
    assert after == (before[0] + stored.amount, before[1] + 1)
    assert totals_mismatches() == []


def test_concurrent_declarations_and_decisions_keep_the_totals_exact(county):
    """Cadres declare, two reviewers approve, reject and revoke, all at once, for a while."""
    seconds, stop = 4.0, threading.Event()
    done: Counter = Counter()
    lock = threading.Lock()
    cadres = {"a01": "A01", "a04": "A04"}

    def count(what):
        with lock:
            done[what] += 1

    def declarer(username):
        def go():
            rng = random.Random(username)
            while not stop.is_set():
                _declare(username, cadres[username], quantity=Decimal(rng.randint(1, 4)))
                count("declared")

        return go

    def reviewer(username):
        def go():
            rng, actor = random.Random(username), Actor(User.objects.get(username=username))
            while not stop.is_set():
                pending = list(Entry.objects.filter(status=EntryStatus.PENDING, period="2026Q3").order_by("?")[:3])
                approved = list(Entry.objects.filter(status=EntryStatus.APPROVED, period="2026Q3").order_by("?")[:1])
                for item in pending + approved:
                    try:
                        if item.status == EntryStatus.APPROVED:
                            ledger.entry_revoke(actor=actor, entry=item, reason="复核撤销")
                            count("revoked")
                        elif rng.random() < 0.8:
                            ledger.entry_approve(actor=actor, entry=item)
                            count("approved")
                        else:
                            ledger.entry_reject(actor=actor, entry=item, reason="佐证不足")
                            count("rejected")
                    except DomainError:  # the other reviewer decided it first
                        count("refused")
                close_old_connections()

        return go

    def timer():
        time.sleep(seconds)
        stop.set()

    results = run_threads(declarer("a01"), declarer("a04"), reviewer("qx_reviewer"), reviewer("org"), timer)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert done["declared"] > 0 and done["approved"] > 0, done
    assert totals_mismatches() == []
    # every decision is one event: no entry approved twice, none both approved and rejected
    twice = (
        EntryEvent.objects.filter(action__in=[EntryEvent.Action.APPROVE, EntryEvent.Action.REJECT])
        .values("entry_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not twice.exists()
    assert Entry.objects.filter(kind="reversal").count() >= done["revoked"]


def test_publication_racing_declarations_never_leaves_a_late_entry(county):
    """A quarter closed and published while cadres declare into it: each declaration lands before the close or is refused."""
    group, period = group_by_code("QX-ALL"), "2026Q3"
    org = Actor(User.objects.get(username="org"))
    for item in closing_blockers(group, period):  # start from a quarter that could be published at once
        ledger.entry_approve(actor=org, entry=item)
    stop, barrier = threading.Event(), threading.Barrier(3)
    outcomes: dict[str, list] = {"a01": [], "a04": []}

    def declarer(username):
        def go():
            user = User.objects.get(username=username)
            cadre = Cadre.objects.get(code=user.cadre.code)
            barrier.wait()
            while not stop.is_set():
                try:
                    entry = ledger.entry_declare(actor=Actor(user), cadre=cadre, rule=_task_rule(), occurred_on=DAY)
                    outcomes[username].append(("declared", entry.code))
                except DomainError as exc:
                    outcomes[username].append(("refused", exc.message))
                    if "已关账" in exc.message:
                        return

        return go

    def publisher():
        barrier.wait()
        time.sleep(0.2)  # let a few declarations through first
        publication.period_close(actor=org, group=group, period=period)
        published = None
        for _ in range(50):  # declarations that slipped in before the close block publication until decided
            try:
                published = publication.period_publish(actor=org, group=group, period=period)
                break
            except DomainError:
                for item in closing_blockers(group, period):
                    ledger.entry_approve(actor=org, entry=item)
        stop.set()
        return published

    results = run_threads(declarer("a01"), declarer("a04"), publisher)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results[2] is not None, "the quarter was never published"
    assert period_state(group, period) == PeriodState.PUBLISHED
    for username, seen in outcomes.items():
        assert seen and seen[-1][0] == "refused" and "已关账" in seen[-1][1], (username, seen[-3:])
    # a declaration either landed before the close (and was decided before publication) or was refused:
    # none is left pending in the published quarter
    assert not closing_blockers(group, period).exists()
    declared = [code for seen in outcomes.values() for kind, code in seen if kind == "declared"]
    assert declared, "no declaration went through before the close"
    assert set(Entry.objects.filter(code__in=declared).values_list("status", flat=True)) == {EntryStatus.APPROVED}
    assert totals_mismatches() == []
