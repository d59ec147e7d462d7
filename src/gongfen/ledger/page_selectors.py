"""Reads for the ledger pages, each starting from a scoped queryset of ``accounts.permissions``.

The numbers of 我的工分 come from the scoring core (``rankings.selectors``),
never from a sum in a template; list reads fetch their related rows up front
so a page takes the same number of queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongfen.accounts.permissions import (
    Action,
    cadres_for,
    declarable_rules,
    entries_for,
    principal,
    review_refusal,
)
from gongfen.org.models import Cadre
from gongfen.rankings.selectors import groups_of_cadre, rank_all, schemes_applying
from gongfen.schemes.models import Category, RankingGroup, Rule
from gongfen.scoring import Quarter, Ranking, Row, fmt2

from .models import Entry, EntryStatus

PAGE_SIZE = 25
CADRE_PICK_LIMIT = 50
ACTION_LABELS = {"recommend": _("首位推荐"), "retrain": _("末位回炉"), "adjust": _("调整")}
LIST_RELATED = ("cadre", "rule", "scheme", "recorded_by__cadre", "decided_by__cadre")


def plain(value: Decimal | None) -> str:
    """A decimal without trailing zeros (``1.5000`` → ``1.5``, ``30.0000`` → ``30``)."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


# --- 我的工分 -----------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of a breakdown: a rule or a category, before and after its cap."""

    code: str
    name: str
    raw: str
    amount: str
    cap: str = ""
    days: int | None = None
    clipped: bool = False
    meter_value: str = ""  # |raw| against the cap, for a <meter>
    meter_max: str = ""


@dataclass(frozen=True)
class TrendPoint:
    period: str
    rank: int | None
    size: int
    tier: str
    height: int  # 0‥10: a CSS bar class, higher is better


@dataclass
class Standing:
    """Where the cadre stands in one group for the chosen quarter (their own row only)."""

    group: RankingGroup
    row: Row | None = None
    size: int = 0
    unranked_days: int | None = None
    rules: list[Line] = field(default_factory=list)
    categories: list[Line] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def numbers(self) -> dict[str, str | None]:
        row = self.row
        if row is None:
            return {}
        return {
            "quantitative": fmt2(row.quantitative),
            "deductions": fmt2(row.deductions),
            "normalized": fmt2(row.normalized),
            "qualitative": fmt2(row.qualitative),
            "composite": fmt2(row.composite),
        }

    @property
    def actions(self) -> list[str]:
        return [str(ACTION_LABELS.get(a, a)) for a in self.row.actions] if self.row else []


def quarters_so_far(year: int, today: date) -> list[Quarter]:
    """The quarters of ``year`` that have begun by ``today`` (all four for a past year)."""
    return [q for q in Quarter.all_of_year(year) if q.start <= today]


def _line(code: str, name: str, raw: Decimal, amount: Decimal, cap: Decimal | None, days: int | None = None) -> Line:
    return Line(
        code=code,
        name=name,
        raw=fmt2(raw),
        amount=fmt2(amount),
        cap=plain(cap) if cap is not None else "",
        days=days,
        clipped=raw != amount,
        meter_value=plain(min(abs(raw), cap)) if cap is not None else "",
        meter_max=plain(cap) if cap is not None else "",
    )


def _breakdown(group: RankingGroup, row: Row) -> tuple[list[Line], list[Line]]:
    names = {rule.code: rule.name for rule in group.scheme.rules.all()}
    rules = [_line(r.rule, names.get(r.rule, r.rule), r.raw, r.amount, r.cap, r.days) for r in row.breakdown.rules]
    categories = [
        _line(c.category, str(Category(c.category).label), c.raw, c.amount, c.cap) for c in row.breakdown.categories
    ]
    return rules, categories


def _point(ranking: Ranking | None, cadre_code: str) -> TrendPoint | None:
    if ranking is None:
        return None
    row = next((r for r in ranking.rows if r.cadre == cadre_code), None)
    if row is None:
        return TrendPoint(ranking.period.code, None, ranking.size, "", 0)
    height = round(10 * (ranking.size - row.rank + 1) / ranking.size)
    return TrendPoint(ranking.period.code, row.rank, ranking.size, row.tier, height)


def my_standings(cadre: Cadre, period: Quarter, today: date) -> list[Standing]:
    """Per group of the cadre in ``period``: their own row, its breakdown, and their rank so far this year."""
    groups = [g for g in groups_of_cadre(cadre.pk, period.code) if g.scheme.year == period.year]
    if not groups:
        return []
    quarters = sorted(set(quarters_so_far(period.year, today)) | {period})
    rankings: dict[tuple[str, str], Ranking] = {}
    for quarter in quarters:  # one load per quarter for all the groups
        for ranking in rank_all(quarter.code, groups):
            rankings[(ranking.group, quarter.code)] = ranking
    out = []
    for group in groups:
        current = rankings.get((group.code, period.code))
        standing = Standing(group, size=current.size if current else 0)
        if current is not None:
            standing.row = next((r for r in current.rows if r.cadre == cadre.code), None)
            standing.unranked_days = next((u.days for u in current.unranked if u.cadre == cadre.code), None)
        if standing.row is not None:
            standing.rules, standing.categories = _breakdown(group, standing.row)
        points = (_point(rankings.get((group.code, q.code)), cadre.code) for q in quarters)
        standing.trend = [p for p in points if p is not None]
        out.append(standing)
    return out


def quarter_entries(user, cadre: Cadre, period: str) -> QuerySet[Entry]:
    """The cadre's entries of the quarter, as the user may see them."""
    return (
        entries_for(user)
        .filter(cadre=cadre, period=period)
        .exclude(status=EntryStatus.DELETED)
        .select_related(*LIST_RELATED)
        .order_by("occurred_on", "id")
    )


# --- 申报 ---------------------------------------------------------------------


def declarable_cadres(user, query: str = "") -> QuerySet[Cadre]:
    cadres = cadres_for(user, Action.DECLARE)
    if query:
        cadres = cadres.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return cadres.order_by("code")


def rules_for_declaring(user, cadre: Cadre, day: date, query: str = "") -> QuerySet[Rule]:
    """The rules ``user`` may declare for ``cadre`` on ``day``, optionally narrowed by name or code."""
    rules = declarable_rules(user, cadre, schemes_applying(cadre.pk, day)).select_related("scheme")
    if query:
        rules = rules.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return rules.order_by("scheme__code", "sort_order", "id")


# --- 我的申报 -----------------------------------------------------------------


def _own(user) -> Q:
    p = principal(user)
    q = Q(recorded_by_id=p.user_id)
    if p.cadre_id:
        q |= Q(cadre_id=p.cadre_id)
    return q


def my_declarations(user, *, status: str = "", period: str = "") -> QuerySet[Entry]:
    """The entries of the user's own cadre and those the user recorded, newest first."""
    entries = entries_for(user).filter(_own(user))
    # a deleted draft is shown only when asked for
    entries = entries.filter(status=status) if status else entries.exclude(status=EntryStatus.DELETED)
    if period:
        entries = entries.filter(period=period)
    return entries.select_related(*LIST_RELATED).order_by("-recorded_at", "-id")


def my_declaration_periods(user) -> list[str]:
    return list(entries_for(user).filter(_own(user)).order_by("-period").values_list("period", flat=True).distinct())


# --- 待审核 -------------------------------------------------------------------


def review_queue(user) -> QuerySet[Entry]:
    """Pending entries the user may decide, oldest first.

    The database narrows by the four-eyes rule of ``review_refusal`` (not one's
    own entry, not one one recorded) so pages come out full; ``decidable``
    applies ``review_refusal`` itself to what is shown.
    """
    p = principal(user)
    entries = entries_for(user, Action.REVIEW).filter(status=EntryStatus.PENDING)
    if p.cadre_id:
        entries = entries.exclude(cadre_id=p.cadre_id)
    entries = entries.exclude(recorded_by_id=p.user_id)
    return entries.select_related(*LIST_RELATED).prefetch_related("evidence").order_by("recorded_at", "id")


def decidable(user, entries) -> list[Entry]:
    """``entries`` that ``review_refusal`` lets the user decide, each with the points it would get."""
    out = []
    for entry in entries:
        if review_refusal(user, entry) is None:
            entry.would_get = entry.sign * entry.rule.points * entry.quantity  # an adjustment may take away
            out.append(entry)
    return out


def reviewable(user) -> QuerySet[Entry]:
    """Entries in the user's review scope (approve, reject, revoke); four eyes is checked per entry."""
    return entries_for(user, Action.REVIEW).select_related(*LIST_RELATED)


# --- one entry ----------------------------------------------------------------


def visible(user) -> QuerySet[Entry]:
    """Entries the user may see (an entry outside it does not exist for them: 404)."""
    return entries_for(user).select_related(*LIST_RELATED)


def entry_detail(user) -> QuerySet[Entry]:
    return (
        entries_for(user).select_related(*LIST_RELATED, "reverses").prefetch_related("events", "evidence", "reversals")
    )


def can_review(user, entry: Entry) -> bool:
    return entries_for(user, Action.REVIEW).filter(pk=entry.pk).exists()


def is_own(user, entry: Entry) -> bool:
    """The cadre of the entry or the user who recorded it (who may submit a draft)."""
    p = principal(user)
    return (p.cadre_id is not None and entry.cadre_id == p.cadre_id) or entry.recorded_by_id == p.user_id


# --- 重复申报: the same work declared twice ----------------------------------------------------

LIVE_STATUSES = (EntryStatus.DECLARED, EntryStatus.PENDING, EntryStatus.APPROVED)


def _work_key(cadre_id, rule_id, occurred_on, quantity, description: str) -> tuple:
    return (cadre_id, rule_id, occurred_on, Decimal(quantity).normalize(), (description or "").strip())


def duplicate_candidates(
    user, *, cadre, rule, occurred_on, quantity, description: str = "", digests=(), exclude: int | None = None
) -> list[Entry]:
    """Live entries of ``cadre`` (as the user sees them) that repeat this declaration.

    The same rule, date, quantity and description, or one of the same evidence files (by SHA-256).
    Rejected, revoked and deleted entries do not count: declaring those again is the way to correct them.
    """
    live = entries_for(user).filter(cadre=cadre, status__in=LIVE_STATUSES, kind="normal")
    if exclude is not None:
        live = live.exclude(pk=exclude)
    same = Q(rule=rule, occurred_on=occurred_on, quantity=quantity)
    if digests:
        same |= Q(evidence__sha256__in=list(digests))
    want = _work_key(cadre.pk, rule.pk, occurred_on, quantity, description)
    found = live.filter(same).distinct().select_related("rule").prefetch_related("evidence").order_by("recorded_at")
    digests = set(digests)
    return [
        e
        for e in found[:20]
        if _work_key(e.cadre_id, e.rule_id, e.occurred_on, e.quantity, e.description) == want
        or digests & {ev.sha256 for ev in e.evidence.all()}
    ][:5]


def duplicates_of(user, entry: Entry) -> list[Entry]:
    """Other live entries that repeat ``entry`` (shown on the entry page, to the cadre and the reviewer)."""
    return duplicate_candidates(
        user,
        cadre=entry.cadre,
        rule=entry.rule,
        occurred_on=entry.occurred_on,
        quantity=entry.quantity,
        description=entry.description,
        digests=[ev.sha256 for ev in entry.evidence.all()],
        exclude=entry.pk,
    )


def flag_duplicates(entries: list[Entry]) -> None:
    """Set ``entry.duplicates`` on a review page: codes of the same cadre's other live entries repeating it.

    Two queries whatever the page's length (the entries come with their evidence prefetched).
    """
    from .models import Evidence

    if not entries:
        return
    others = Entry.objects.filter(
        cadre_id__in={e.cadre_id for e in entries},
        rule_id__in={e.rule_id for e in entries},
        occurred_on__in={e.occurred_on for e in entries},
        status__in=LIVE_STATUSES,
        kind="normal",
    ).values_list("pk", "code", "cadre_id", "rule_id", "occurred_on", "quantity", "description")
    by_key: dict[tuple, list[tuple[int, str]]] = {}
    for pk, code, *rest in others:
        by_key.setdefault(_work_key(*rest), []).append((pk, code))
    digests = {ev.sha256 for e in entries for ev in e.evidence.all()}
    by_digest: dict[tuple[str, int], list[tuple[int, str]]] = {}
    same_files = Evidence.objects.filter(
        sha256__in=list(digests), entry__status__in=LIVE_STATUSES, entry__cadre_id__in={e.cadre_id for e in entries}
    ).values_list("sha256", "entry__cadre_id", "entry_id", "entry__code")
    for sha, cadre_id, pk, code in same_files if digests else ():
        by_digest.setdefault((sha, cadre_id), []).append((pk, code))
    for e in entries:
        key = _work_key(e.cadre_id, e.rule_id, e.occurred_on, e.quantity, e.description)
        found = list(by_key.get(key, []))
        for ev in e.evidence.all():
            found += by_digest.get((ev.sha256, e.cadre_id), [])
        e.duplicates = sorted({code for pk, code in found if pk != e.pk})


# --- 实际可加: what a pending entry would really add once approved, after the caps -------------------


def really_adds(entries: list[Entry]) -> None:
    """Set ``entry.really_adds`` (Decimal) and ``entry.held_by_caps``: the change in the cadre's 工分 if the entry were approved now.

    The scoring core computes the cadre's 工分 from the maintained totals with and without the entry,
    so every cap (rule, category, or a v2 item) applies as in the ranking; the entry's raw
    ``would_get`` (rule × quantity) may be more. Three queries whatever the number of entries.
    """
    from gongfen.rankings.selectors import scheme_def
    from gongfen.schemes.models import Scheme
    from gongfen.scoring import CadreData, parse_period
    from gongfen.scoring.quantitative import quantitative

    from .models import RuleTotal

    if not entries:
        return
    schemes = {
        s.pk: scheme_def(s)
        for s in Scheme.objects.filter(pk__in={e.scheme_id for e in entries}).prefetch_related("rules")
    }
    amounts: dict[tuple, dict[str, Decimal]] = {}
    counts: dict[tuple, dict[str, int]] = {}
    for cadre_id, scheme_id, period, code, amount, count in RuleTotal.objects.filter(
        cadre_id__in={e.cadre_id for e in entries},
        scheme_id__in=set(schemes),
        period__in={e.period for e in entries},
    ).values_list("cadre_id", "scheme_id", "period", "rule__code", "amount", "count"):
        amounts.setdefault((cadre_id, scheme_id, period), {})[code] = amount
        counts.setdefault((cadre_id, scheme_id, period), {})[code] = count
    for e in entries:
        scheme, key, code = schemes[e.scheme_id], (e.cadre_id, e.scheme_id, e.period), e.rule.code
        period = parse_period(e.period, scheme.period_kind)
        have, n = dict(amounts.get(key, {})), dict(counts.get(key, {}))
        before = quantitative(scheme, CadreData("-", (), have, n), (), period).total
        have[code] = have.get(code, Decimal(0)) + e.sign * e.rule.points * e.quantity
        n[code] = n.get(code, 0) + 1
        e.really_adds = quantitative(scheme, CadreData("-", (), have, n), (), period).total - before
        e.held_by_caps = e.really_adds != e.sign * e.rule.points * e.quantity
