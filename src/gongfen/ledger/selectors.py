"""Reads of the ledger."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from .models import Entry, RuleTotal

Key = tuple[int, int, int, str]  # cadre, scheme, rule, period


def totals_recomputed(**filters) -> dict[Key, tuple[Decimal, int]]:
    """The totals as a full recomputation from the ledger gives them (for checks, never for rankings)."""
    out: dict[Key, tuple[Decimal, int]] = {}
    rows = (
        Entry.objects.filter(posted=True, **filters)
        .values("cadre_id", "scheme_id", "rule_id", "period", "kind")
        .annotate(amount=Sum("amount"), n=Count("id"))
    )
    acc: dict[Key, list] = defaultdict(lambda: [Decimal(0), 0])
    for row in rows:
        key = (row["cadre_id"], row["scheme_id"], row["rule_id"], row["period"])
        acc[key][0] += row["amount"]
        acc[key][1] += -row["n"] if row["kind"] == "reversal" else row["n"]
    for key, (amount, n) in acc.items():
        if amount != 0 or n != 0:
            out[key] = (amount, n)
    return out


def totals_maintained(**filters) -> dict[Key, tuple[Decimal, int]]:
    return {
        (t.cadre_id, t.scheme_id, t.rule_id, t.period): (t.amount, t.count)
        for t in RuleTotal.objects.filter(**filters)
        if t.amount != 0 or t.count != 0
    }


def totals_mismatches(**filters) -> list[tuple[Key, object, object]]:
    """Where the maintained totals differ from a recomputation; empty when they agree."""
    want, have = totals_recomputed(**filters), totals_maintained(**filters)
    return [(k, want.get(k), have.get(k)) for k in sorted(set(want) | set(have)) if want.get(k) != have.get(k)]
