"""Computed rankings, cached under the stamps of everything they read, so a cached ranking is never stale.

A ranking of a group for a period reads the maintained totals and ballots of its scheme for the
period and the one before, and posts, units, cadres, schemes, rules and groups. Each of those
tables renews a :class:`~gongfen.rankings.models.RankingStamp` token in the very statement that
changes it (database triggers, migration ``rankings.0001``), so in the same transaction. The
cache key holds the tokens of the group's scheme for both periods and the token of everything
else: any change gives every ranking it can alter a new key, and the old entry is never read again.

Why it cannot serve a stale ranking:

- the tokens are read *before* the data, each query seeing at least what the one before saw
  (PostgreSQL's READ COMMITTED, SQLite's WAL): a ranking is stored under tokens no newer than
  its data, and a reader who sees the change also sees its new token;
- tokens are random, never counters: a rolled-back change or a restored backup never brings a
  token back with other data behind it (``gongfen restore`` renews every token all the same);
- inside a transaction (a service, a publication) the cache is neither read nor written: a
  write sees its own uncommitted rows, which no other reader may be served.

Two layers: a small per-process store of the ranking objects themselves (a ranking is immutable
data; unpickling a 1,000-row ranking takes ~0.1 s, reading the dict takes nothing), in front of
Django's cache alias ``rankings`` (local memory by default; point it at Redis to share computed
rankings between processes, see docs/scaling.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.db import connections, router

from gongfen.scoring import Ranking
from gongfen.scoring.periods import Quarter

from .models import EVERYTHING, RankingStamp

CACHE_ALIAS = "rankings"
Stamps = dict[tuple[int, str], str]


class _ProcessStore:
    """An LRU of ranking objects holding at most ``budget`` rows (ranked and unranked) in all."""

    def __init__(self, budget: int):
        self.budget = budget
        self.items: OrderedDict[str, Ranking] = OrderedDict()
        self.rows = 0
        self.lock = threading.Lock()

    @staticmethod
    def _size(ranking: Ranking) -> int:
        return len(ranking.rows) + len(ranking.unranked) + 1

    def get(self, key: str) -> Ranking | None:
        with self.lock:
            ranking = self.items.get(key)
            if ranking is not None:
                self.items.move_to_end(key)
            return ranking

    def put(self, key: str, ranking: Ranking) -> None:
        with self.lock:
            if key in self.items:
                return
            self.items[key] = ranking
            self.rows += self._size(ranking)
            while self.rows > self.budget and len(self.items) > 1:
                _, dropped = self.items.popitem(last=False)
                self.rows -= self._size(dropped)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.rows = 0


_process = _ProcessStore(getattr(settings, "GONGFEN_RANKING_CACHE_ROWS", 200_000))


def enabled() -> bool:
    """Whether a ranking may come from (and go to) the cache here: never inside a transaction."""
    if not getattr(settings, "GONGFEN_RANKING_CACHE", True):
        return False
    connection = connections[router.db_for_read(RankingStamp)]
    # the test runner's own transaction (one per test) is not a write of the code under test
    return not any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def stamps(scheme_ids: Iterable[int], periods: Iterable[str]) -> Stamps:
    """The current tokens of these schemes × periods and of everything else, in one query.

    Plain SQL on the connection the ranking's own reads use: it runs before every cached read,
    and building it through the ORM took longer than the rest of a cache hit.
    """
    schemes, codes = sorted(set(scheme_ids)), sorted(set(periods))
    if not schemes or not codes:
        schemes, codes = [EVERYTHING], [""]
    sql = (
        f"SELECT scope, period, token FROM {RankingStamp._meta.db_table} "
        f"WHERE (scope = %s AND period = %s) OR (scope IN ({', '.join(['%s'] * len(schemes))}) "
        f"AND period IN ({', '.join(['%s'] * len(codes))}))"
    )
    with connections[router.db_for_read(RankingStamp)].cursor() as cursor:
        cursor.execute(sql, [EVERYTHING, "", *schemes, *codes])
        return {(scope, period): token for scope, period, token in cursor.fetchall()}


def key(group, period: Quarter, current: Stamps) -> str:
    """The cache key of ``group``'s ranking for ``period`` under the tokens ``current``.

    Besides the tokens, the key holds what the ranking takes from the ``group`` object itself
    (its selector, its scheme and rules as the core sees them), so a caller holding an object older
    than the database can never have its ranking served to another, nor be served theirs.
    """
    from .selectors import scheme_def  # the selectors import this module

    previous = period.previous()
    unit = group.select_unit if group.select_unit_id else None
    parts = [
        group.pk,
        group.code,
        group.scheme_id,
        group.select_unit_id,
        unit and (unit.code, unit.path),
        group.select_position,
        _scheme_part(scheme_def(group.scheme)),
        period.code,
        current.get((EVERYTHING, ""), ""),
        current.get((group.scheme_id, period.code), ""),
        current.get((group.scheme_id, previous.code), "") if previous else "-",
        # an annual grading (scoring-v2 §12) reads every period of the year: all the scheme's tokens asked for
        tuple(sorted((p, token) for (scope, p), token in current.items() if scope == group.scheme_id)),
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"ranking:{digest}"


def _scheme_part(scheme) -> tuple:
    """The scheme as the core sees it, in a form whose repr is the same in every process (no sets)."""
    rules = tuple((r.code, r.category, r.points, r.cap, r.veto, tuple(sorted(r.positions))) for r in scheme.rules)
    return dataclasses.replace(scheme, rules=()), rules


def _shared():
    try:
        return caches[CACHE_ALIAS]
    except InvalidCacheBackendError:
        return caches["default"]


def get(cache_key: str) -> Ranking | None:
    ranking = _process.get(cache_key)
    if ranking is None:
        ranking = _shared().get(cache_key)
        if ranking is not None:
            _process.put(cache_key, ranking)
    return ranking


def put(cache_key: str, ranking: Ranking) -> None:
    _process.put(cache_key, ranking)
    _shared().set(cache_key, ranking, getattr(settings, "GONGFEN_RANKING_CACHE_SECONDS", 86_400))


def clear() -> None:
    """Forget every cached ranking of this process and of the shared cache (the tests)."""
    _process.clear()
    _shared().clear()


def stamps_renew() -> None:
    """Give the stamp of everything a new token: no ranking cached before (say, before a restore) is reachable.

    A database from before the stamps (a backup of an older release) has no stamp table yet: its
    migration creates one with new tokens.
    """
    if RankingStamp._meta.db_table not in connections["default"].introspection.table_names():
        return
    RankingStamp.objects.update_or_create(scope=EVERYTHING, period="", defaults={"token": str(uuid.uuid4())})
