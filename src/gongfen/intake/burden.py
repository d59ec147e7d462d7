"""The burden figure (填报负担): what declaring costs the people measured, per cadre and unit and quarter.

For each cadre: declarations they made themselves, records they confirmed
from a source, the median time from opening the declaration form to
submitting it, and the share of their approved points that came from
sources. A unit's figure sums its cadres (the median over all its timings).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum

from gongfen.accounts.permissions import Action, cadres_for
from gongfen.ledger.models import Entry, EntryKind
from gongfen.org.models import Post

from .models import FormTiming, Proposal, ProposalStatus


@dataclass
class Burden:
    label: str
    declared: int = 0
    confirmed: int = 0
    seconds: list[float] = field(default_factory=list)
    points: Decimal = Decimal(0)
    source_points: Decimal = Decimal(0)

    @property
    def median_seconds(self) -> int | None:
        return round(statistics.median(self.seconds)) if self.seconds else None

    @property
    def source_share(self) -> Decimal | None:
        if not self.points:
            return None
        return (self.source_points * 100 / self.points).quantize(Decimal("0.1"))


@dataclass
class BurdenReport:
    cadres: list[Burden]
    units: list[Burden]
    total: Burden


def _add(into: Burden, b: Burden) -> None:
    into.declared += b.declared
    into.confirmed += b.confirmed
    into.seconds += b.seconds
    into.points += b.points
    into.source_points += b.source_points


def burden_for(user, period: str) -> BurdenReport:
    """Per cadre (those the user administers), per unit of their current post, and in total, for one quarter."""
    cadres = {c.pk: Burden(label=f"{c.name}（{c.code}）") for c in cadres_for(user, Action.ADMINISTER).order_by("code")}
    ids = list(cadres)
    entries = Entry.objects.filter(cadre_id__in=ids, period=period, kind=EntryKind.NORMAL)
    own = entries.filter(recorded_by__cadre_id__isnull=False, recorded_by__cadre_id=F("cadre_id"))
    for cadre_id in own.filter(intake_proposal__isnull=True).values_list("cadre_id", flat=True):
        cadres[cadre_id].declared += 1
    confirmed = Proposal.objects.filter(cadre_id__in=ids, status=ProposalStatus.CONFIRMED, entry__period=period)
    for cadre_id in confirmed.values_list("cadre_id", flat=True):
        cadres[cadre_id].confirmed += 1
    for cadre_id, opened, submitted in FormTiming.objects.filter(
        entry__cadre_id__in=ids, entry__period=period
    ).values_list("entry__cadre_id", "opened_at", "submitted_at"):
        cadres[cadre_id].seconds.append((submitted - opened).total_seconds())
    posted = Entry.objects.filter(cadre_id__in=ids, period=period, posted=True).filter(~Q(rule__category="deduction"))
    for row in posted.values("cadre_id").annotate(total=Sum("amount")):
        cadres[row["cadre_id"]].points = row["total"] or Decimal(0)
    sourced = posted.filter(Q(intake_proposal__isnull=False) | Q(reverses__intake_proposal__isnull=False))
    for row in sourced.values("cadre_id").annotate(total=Sum("amount")):
        cadres[row["cadre_id"]].source_points = row["total"] or Decimal(0)
    units: dict[str, Burden] = {}
    current = Post.objects.filter(cadre_id__in=ids, end__isnull=True).order_by("unit__path", "start")
    for cadre_id, name in current.values_list("cadre_id", "unit__name"):
        _add(units.setdefault(name, Burden(label=name)), cadres[cadre_id])
    total = Burden(label="合计")
    for b in cadres.values():
        _add(total, b)
    return BurdenReport(list(cadres.values()), list(units.values()), total)
