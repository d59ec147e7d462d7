"""Reads of the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from .models import Entry, EntryKind, EntryStatus, RuleTotal

Key = tuple[int, int, int, str]  # cadre, scheme, rule, period


def totals_recomputed(**filters) -> dict[Key, tuple[Decimal, int, Decimal]]:
    """The totals as a full recomputation from the ledger gives them (for checks, never for rankings):
    (Σ amount, count net of reversals, Σ quantity signed as the totals sign it)."""
    out: dict[Key, tuple[Decimal, int, Decimal]] = {}
    rows = (
        Entry.objects.filter(posted=True, **filters)
        .values("cadre_id", "scheme_id", "rule_id", "period", "kind", "sign", "reverses__sign")
        .annotate(amount=Sum("amount"), n=Count("id"), quantity=Sum("quantity"))
    )
    acc: dict[Key, list] = defaultdict(lambda: [Decimal(0), 0, Decimal(0)])
    for row in rows:
        key = (row["cadre_id"], row["scheme_id"], row["rule_id"], row["period"])
        reversal = row["kind"] == "reversal"
        acc[key][0] += row["amount"]
        acc[key][1] += -row["n"] if reversal else row["n"]
        acc[key][2] += -(row["reverses__sign"] or 1) * row["quantity"] if reversal else row["sign"] * row["quantity"]
    for key, (amount, n, quantity) in acc.items():
        if amount != 0 or n != 0 or quantity != 0:
            out[key] = (amount, n, quantity)
    return out


def totals_maintained(**filters) -> dict[Key, tuple[Decimal, int, Decimal]]:
    return {
        (t.cadre_id, t.scheme_id, t.rule_id, t.period): (t.amount, t.count, t.quantity)
        for t in RuleTotal.objects.filter(**filters)
        if t.amount != 0 or t.count != 0 or t.quantity != 0
    }


def totals_mismatches(**filters) -> list[tuple[Key, object, object]]:
    """Where the maintained totals differ from a recomputation; empty when they agree."""
    want, have = totals_recomputed(**filters), totals_maintained(**filters)
    return [(k, want.get(k), have.get(k)) for k in sorted(set(want) | set(have)) if want.get(k) != have.get(k)]


# --- re-scoring under a rule's current version ---------------------------------------------------------

RESCORED_KINDS = (EntryKind.NORMAL, EntryKind.RESCORE)


def rescorable_entries(rule, periods: Iterable[str] | None = None) -> QuerySet[Entry]:
    """The approved entries of ``rule`` a re-score replaces: granted under an older version, in a quarter not final."""
    from gongfen.publication.selectors import final_periods

    found = (
        Entry.objects.filter(rule=rule, status=EntryStatus.APPROVED, kind__in=RESCORED_KINDS)
        .exclude(rule_version=rule.version)
        .exclude(period__in=final_periods(rule.scheme_id))
    )
    return found if periods is None else found.filter(period__in=list(periods))


@dataclass(frozen=True)
class RescorePeriod:
    period: str
    approved: int  # approved entries of the rule in the period
    current: int  # of them, granted under the rule's current version
    final: bool  # the quarter is final in some group of the scheme: its history never changes


@dataclass(frozen=True)
class RescoreSurvey:
    """What a re-score of ``rule`` looks at, period by period (what :func:`rescorable_entries` selects, explained)."""

    version: int
    points: Decimal
    periods: list[RescorePeriod]

    @property
    def approved(self) -> int:
        return sum(p.approved for p in self.periods)

    @property
    def older(self) -> int:
        """Approved under an older version, final quarters included."""
        return sum(p.approved - p.current for p in self.periods)

    def why_nothing(self) -> str:
        """Why a re-score of what this survey saw replaces nothing (for a command or a page to say)."""
        if not self.periods:
            return "这条规则还没有已通过的记录 (the rule has no approved entries)"
        if self.approved == 0:
            return "所选期间没有这条规则已通过的记录 (no approved entries of the rule in these periods)"
        if self.older == 0:
            return (
                f"这些记录通过以来规则没有改变，都已按现行第 {self.version} 版计分，无需重算"
                " (the rule has not changed since they were granted)"
            )
        return "按旧版本计分的记录都在已定稿的季度，历史不变 (the older ones are in final quarters, which never change)"


def rescore_survey(rule, periods: Iterable[str] | None = None) -> RescoreSurvey:
    from gongfen.publication.selectors import final_periods

    wanted = None if periods is None else list(dict.fromkeys(periods))
    rows = Entry.objects.filter(rule=rule, status=EntryStatus.APPROVED, kind__in=RESCORED_KINDS)
    if wanted is not None:
        rows = rows.filter(period__in=wanted)
    counts = {
        row["period"]: (row["approved"], row["current"])
        for row in rows.values("period").annotate(
            approved=Count("id"), current=Count("id", filter=Q(rule_version=rule.version))
        )
    }
    final = final_periods(rule.scheme_id)
    order = wanted if wanted is not None else sorted(counts)
    return RescoreSurvey(
        version=rule.version,
        points=rule.points,
        periods=[RescorePeriod(p, *counts.get(p, (0, 0)), final=p in final) for p in order],
    )
