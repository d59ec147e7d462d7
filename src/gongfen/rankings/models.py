"""Version stamps of what a ranking reads, kept by the database itself (see ``rankings.cache``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

EVERYTHING = 0  # the scope of the stamp that every ranking reads (posts, units, cadres, schemes, rules, groups)


class RankingStamp(models.Model):
    """A version stamp (排名数据版本): a fresh random token each time something a ranking reads changes.

    ``scope`` is a scheme id with ``period`` set (maintained totals and ballots of that scheme and
    period), or :data:`EVERYTHING` with ``period`` empty (posts, units, cadres, schemes, rules and
    groups). Database triggers (migration ``rankings.0001``) renew the token in the same statement,
    hence the same transaction, as every change to those tables, whichever code path makes it:
    services, bulk loads (COPY included), imports, the admin or raw SQL. A cached ranking is keyed
    by the tokens it was computed under, so a change makes it unreachable; tokens are random, so
    a rolled-back change or a restored backup never brings back a token with other data behind it.
    """

    scope = models.BigIntegerField()
    period = models.CharField(max_length=10, blank=True)
    token = models.CharField(max_length=36)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "period"], name="ranking_stamp_unique")]
        verbose_name = pgettext_lazy("model", "排名数据版本")
        verbose_name_plural = pgettext_lazy("model plural", "排名数据版本")

    def __str__(self) -> str:
        return f"{self.scope} {self.period or '*'}: {self.token}"
