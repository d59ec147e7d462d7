"""What the ranking pages show: the list of boards, a board, one row's breakdown.

Every number comes from the scoring core through :mod:`gongfen.rankings.selectors`
(``group_ranking``: rows, breakdowns, tiers, actions); this module only adds
names (one query per page), the ledger lines behind a row, and 2-decimal text.
The few lines that explain a tier or an action restate the spec's rules next
to the core's result; they never decide anything the core did not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongfen.accounts.permissions import entries_for, groups_for
from gongfen.ledger.models import EntryKind
from gongfen.org.models import Cadre
from gongfen.schemes.models import Category, RankingGroup, Scheme
from gongfen.scoring import Ranking, Row, SchemeDef, fmt2, round2
from gongfen.scoring.decimals import floor_int
from gongfen.scoring.periods import PERIOD_KINDS, Quarter, period_of
from gongfen.scoring.types import ADJUST, RECOMMEND, RETRAIN, AnnualBreakdown

from .selectors import group_ranking, groups_queryset, scheme_def

ACTION_LABELS = {RECOMMEND: _("首位推荐"), RETRAIN: _("末位回炉"), ADJUST: _("调整")}
# the evaluator classes of the county template; a scheme may name others, shown as they are
CLASS_LABELS = {"leader": _("领导评价"), "peer": _("同事互评"), "public": _("群众评议")}


def exact(value: Decimal | int) -> str:
    """A parameter as written (0.5, 60, 0.7): no padding, no exponent."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def signed_terms(values: list[Decimal]) -> list[tuple[str, str]]:
    """``[60, 20, -2]`` → ``[("", "60.00"), ("+", "20.00"), ("−", "2.00")]`` for a readable sum."""
    terms = []
    for i, value in enumerate(values):
        op = ("−" if value < 0 else "+") if i else ("−" if value < 0 else "")
        terms.append((op, fmt2(abs(value))))
    return terms


# --- groups in scope -----------------------------------------------------------


def scoped_groups(user) -> QuerySet[RankingGroup]:
    """The groups whose board ``user`` may see, with scheme and rules loaded for ranking."""
    return groups_queryset().filter(pk__in=groups_for(user).values("pk"))


def periods_of(scheme: Scheme) -> tuple[Quarter, ...]:
    return PERIOD_KINDS[scheme.period_kind].all_of_year(scheme.year)


def default_period(scheme: Scheme, today: date | None = None) -> Quarter:
    """Today's quarter if the scheme's year has it, else the nearest quarter of that year."""
    periods = periods_of(scheme)
    current = period_of(today or timezone.localdate(), scheme.period_kind)
    if current in periods:
        return current
    return periods[0] if current < periods[0] else periods[-1]


def selection_label(group: RankingGroup) -> str:
    """Who the group takes, in words (a selector with both keys is met by one and the same post)."""
    unit = group.select_unit.name if group.select_unit_id else None
    if unit and group.select_position:
        return str(_("单位：{unit}（含下级）中职务为{position}的岗位")).format(
            unit=unit, position=group.select_position
        )
    if unit:
        return str(_("单位：{unit}（含下级）")).format(unit=unit)
    return str(_("职务：{position}")).format(position=group.select_position)


@dataclass(frozen=True)
class GroupEntry:
    group: RankingGroup
    selection: str
    periods: tuple[Quarter, ...]
    current: Quarter


@dataclass(frozen=True)
class SchemeGroups:
    scheme: Scheme
    groups: tuple[GroupEntry, ...]


def boards(user, query: str = "", today: date | None = None) -> list[SchemeGroups]:
    """The groups in ``user``'s scope matching ``query`` (name or code), by scheme; one query."""
    groups = groups_for(user).select_related("scheme__unit", "select_unit")
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(code__icontains=query))
    by_scheme: dict[int, list[GroupEntry]] = defaultdict(list)
    schemes: dict[int, Scheme] = {}
    for group in groups.order_by("-scheme__year", "scheme__unit__path", "scheme__code", "code"):
        schemes.setdefault(group.scheme_id, group.scheme)
        by_scheme[group.scheme_id].append(
            GroupEntry(group, selection_label(group), periods_of(group.scheme), default_period(group.scheme, today))
        )
    return [SchemeGroups(schemes[sid], tuple(entries)) for sid, entries in by_scheme.items()]


# --- a board -------------------------------------------------------------------


@dataclass(frozen=True)
class TierBound:
    """One tier under the floor rule: ranks ≤ ⌊cumulative × N⌋ (first match wins)."""

    index: int
    name: str
    cumulative: str
    size: int
    bound: int
    members: int
    last: bool


@dataclass(frozen=True)
class BoardLine:
    row: Row
    name: str
    tier_class: str
    actions: tuple[str, ...]
    composite: str
    quantitative: str
    normalized: str
    qualitative: str | None

    @property
    def cadre(self) -> str:
        return self.row.cadre


@dataclass(frozen=True)
class UnrankedLine:
    cadre: str
    name: str
    days: int


@dataclass(frozen=True)
class Board:
    group: RankingGroup
    scheme: SchemeDef
    ranking: Ranking
    lines: tuple[BoardLine, ...]
    unranked: tuple[UnrankedLine, ...]
    bounds: tuple[TierBound, ...]
    periods: tuple[Quarter, ...]

    @property
    def period(self) -> Quarter:
        return self.ranking.period

    @property
    def size(self) -> int:
        return self.ranking.size

    @property
    def min_days(self) -> int:
        return self.scheme.min_days

    def line(self, cadre: str) -> BoardLine | None:
        return next((line for line in self.lines if line.cadre == cadre), None)


def tier_class(index: int, tiers: int) -> str:
    """The row's CSS class: tier-0 … tier-3, and tier-last for the last tier whatever the count."""
    return "tier-last" if index == tiers - 1 else f"tier-{index}"


def tier_bounds(scheme: SchemeDef, ranking: Ranking) -> tuple[TierBound, ...]:
    """The floor rule's bounds with N, and how many rows the core put in each tier (proportional policy only)."""
    if scheme.tier_policy != "proportional":
        return ()
    n = ranking.size
    last = len(scheme.tiers) - 1
    return tuple(
        TierBound(
            i,
            tier.name,
            exact(tier.cumulative),
            n,
            floor_int(Fraction(tier.cumulative) * n),
            sum(1 for row in ranking.rows if row.tier_index == i),
            i == last,
        )
        for i, tier in enumerate(scheme.tiers)
    )


def cadre_names(codes: list[str]) -> dict[str, str]:
    """Names of the given cadres in one query."""
    return dict(Cadre.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def board_line(row: Row, name: str, tiers: int) -> BoardLine:
    return BoardLine(
        row=row,
        name=name,
        tier_class=tier_class(row.tier_index, tiers),
        actions=tuple(str(ACTION_LABELS.get(a, a)) for a in row.actions),
        composite=fmt2(row.composite),
        quantitative=fmt2(row.quantitative),
        normalized=fmt2(row.normalized),
        qualitative=fmt2(row.qualitative),
    )


def board(group: RankingGroup, period_code: str) -> Board:
    """``group``'s provisional board for a period; DomainError for a period the scheme does not have."""
    ranking = group_ranking(group, period_code)
    scheme = scheme_def(group.scheme)
    names = cadre_names([row.cadre for row in ranking.rows] + [u.cadre for u in ranking.unranked])
    tiers = len(scheme.tiers)
    return Board(
        group=group,
        scheme=scheme,
        ranking=ranking,
        lines=tuple(board_line(row, names.get(row.cadre, ""), tiers) for row in ranking.rows),
        unranked=tuple(UnrankedLine(u.cadre, names.get(u.cadre, ""), u.days) for u in ranking.unranked),
        bounds=tier_bounds(scheme, ranking),
        periods=periods_of(group.scheme),
    )


def filter_lines(lines: tuple[BoardLine, ...], query: str = "", tier: int | None = None) -> list[BoardLine]:
    """Rows whose code or name contains ``query`` (any case), in ``tier`` when given."""
    needle = query.strip().casefold()
    return [
        line
        for line in lines
        if (not needle or needle in line.cadre.casefold() or needle in line.name.casefold())
        and (tier is None or line.row.tier_index == tier)
    ]


# --- one row's breakdown ---------------------------------------------------------


@dataclass(frozen=True)
class EntryLine:
    code: str
    occurred_on: date
    kind: str
    kind_label: str
    status: str
    status_label: str
    points: str
    quantity: str
    amount: str
    url: str | None


@dataclass(frozen=True)
class RuleBlock:
    code: str
    name: str
    base: bool
    points: str
    days: int | None
    period_days: int
    raw: str
    cap: str | None
    amount: str
    capped: bool
    deduction: bool
    entries: tuple[EntryLine, ...]


@dataclass(frozen=True)
class CategoryBlock:
    category: str
    label: str
    rules: tuple[RuleBlock, ...]
    raw: str
    cap: str | None
    amount: str
    capped: bool
    deduction: bool


@dataclass(frozen=True)
class ClassBlock:
    name: str
    label: str
    weight: str
    ballots: int
    trimmed: bool
    mean: str
    mean_is_exact: bool


@dataclass(frozen=True)
class PreviousTier:
    """The row's standing in the quarter before (same group, same year), for the streak actions."""

    period: Quarter | None  # None: Q1, streaks never cross a year
    rank: int | None = None
    tier: str | None = None


@dataclass(frozen=True)
class RowBreakdown:
    board: Board
    line: BoardLine
    categories: tuple[CategoryBlock, ...]
    other_entries: tuple[EntryLine, ...]
    q_terms: list[tuple[str, str]]
    deductions: str
    max_quantitative: str
    max_positive: bool
    classes: tuple[ClassBlock, ...]
    weight_quantitative: str
    weight_qualitative: str
    tier_bound: TierBound | None
    tier_above: TierBound | None  # the tier before: the row's rank is past its bound
    previous: PreviousTier
    last_tier: str
    first_tier: str
    ranked = True

    @property
    def row(self) -> Row:
        return self.line.row

    @property
    def recommended(self) -> bool:
        return RECOMMEND in self.row.actions

    @property
    def retrained(self) -> bool:
        return RETRAIN in self.row.actions

    @property
    def adjusted(self) -> bool:
        return ADJUST in self.row.actions


@dataclass(frozen=True)
class UnrankedBreakdown:
    board: Board
    line: UnrankedLine
    entries: tuple[EntryLine, ...]
    ranked = False


def entry_url(code: str) -> str | None:
    """The ledger's page of an entry, when the ledger has one."""
    try:
        return reverse("ledger:entry", args=[code])
    except NoReverseMatch:
        return None


def row_entries(user, group: RankingGroup, period: Quarter, cadre: str) -> dict[str, list[EntryLine]]:
    """The posted ledger lines (approved, revoked and their reversals) behind a row, by rule code; one query."""
    entries = (
        entries_for(user)
        .filter(posted=True, scheme_id=group.scheme_id, period=period.code, cadre__code=cadre)
        .select_related("rule")
        .order_by("rule__sort_order", "rule__code", "occurred_on", "id")
    )
    by_rule: dict[str, list[EntryLine]] = defaultdict(list)
    for entry in entries:
        by_rule[entry.rule.code].append(
            EntryLine(
                code=entry.code,
                occurred_on=entry.occurred_on,
                kind=entry.kind,
                kind_label=EntryKind(entry.kind).label,
                status=entry.status,
                status_label=entry.get_status_display(),
                points=exact(entry.points),
                quantity=exact(entry.quantity),
                amount=fmt2(entry.amount),
                url=entry_url(entry.code),
            )
        )
    return by_rule


def _category_blocks(group: RankingGroup, row: Row, entries: dict[str, list[EntryLine]]) -> tuple[CategoryBlock, ...]:
    rules = {rule.code: rule for rule in group.scheme.rules.all()}  # prefetched with the group
    breakdown = row.breakdown
    blocks = []
    for category in breakdown.categories:
        lines = []
        for line in (rl for rl in breakdown.rules if rl.category == category.category):
            rule = rules.get(line.rule)
            lines.append(
                RuleBlock(
                    code=line.rule,
                    name=rule.name if rule else "",
                    base=line.days is not None,
                    points=exact(rule.points) if rule else "",
                    days=line.days,
                    period_days=breakdown.period_days,
                    raw=fmt2(line.raw),
                    cap=exact(line.cap) if line.cap is not None else None,
                    amount=fmt2(line.amount),
                    capped=line.raw != line.amount,
                    deduction=line.category == Category.DEDUCTION,
                    entries=tuple(entries.pop(line.rule, ())),
                )
            )
        blocks.append(
            CategoryBlock(
                category=category.category,
                label=Category(category.category).label if category.category in Category.values else category.category,
                rules=tuple(lines),
                raw=fmt2(category.raw),
                cap=exact(category.cap) if category.cap is not None else None,
                amount=fmt2(category.amount),
                capped=category.raw != category.amount,
                deduction=category.category == Category.DEDUCTION,
            )
        )
    return tuple(blocks)


def previous_tier(group: RankingGroup, period: Quarter, cadre: str) -> PreviousTier:
    """Where the core put the cadre in the quarter before (its own members, N, maxQ, ballots)."""
    previous = period.previous()
    if previous is None:
        return PreviousTier(None)
    row = next((r for r in group_ranking(group, previous.code).rows if r.cadre == cadre), None)
    if row is None:
        return PreviousTier(previous)
    return PreviousTier(previous, row.rank, row.tier)


def row_breakdown(user, group: RankingGroup, period_code: str, cadre: str) -> RowBreakdown | UnrankedBreakdown | None:
    """One cadre's row of the board with how every number came about; None if not on the board."""
    the_board = board(group, period_code)
    line = the_board.line(cadre)
    if line is None:
        unranked = next((u for u in the_board.unranked if u.cadre == cadre), None)
        if unranked is None:
            return None
        entries = row_entries(user, group, the_board.period, cadre)
        return UnrankedBreakdown(the_board, unranked, tuple(e for lines in entries.values() for e in lines))
    entries = row_entries(user, group, the_board.period, cadre)
    row, scheme = line.row, the_board.scheme
    if isinstance(row.breakdown, AnnualBreakdown):  # an annual grading (scoring-v2 §12): the year's figures only
        grades = scheme.annual.tiers if scheme.annual else scheme.tiers
        return RowBreakdown(
            board=the_board,
            line=line,
            categories=(),
            other_entries=tuple(e for lines in entries.values() for e in lines),
            q_terms="",
            deductions=fmt2(row.deductions),
            max_quantitative="",
            max_positive=False,
            classes=(),
            weight_quantitative=exact(scheme.weight_quantitative),
            weight_qualitative=exact(scheme.weight_qualitative),
            tier_bound=None,
            tier_above=None,
            previous=PreviousTier(None),
            last_tier=grades[-1].name,
            first_tier=grades[0].name,
        )
    categories = _category_blocks(group, row, entries)
    bound = next((b for b in the_board.bounds if b.index == row.tier_index), None)
    return RowBreakdown(
        board=the_board,
        line=line,
        categories=categories,
        other_entries=tuple(e for lines in entries.values() for e in lines),
        q_terms=signed_terms([c.amount for c in row.breakdown.categories]),
        deductions=fmt2(row.deductions),
        max_quantitative=fmt2(row.breakdown.max_quantitative),
        max_positive=row.breakdown.max_quantitative > 0,
        classes=tuple(
            ClassBlock(
                c.evaluator_class,
                str(CLASS_LABELS.get(c.evaluator_class, c.evaluator_class)),
                exact(c.weight),
                c.ballots,
                c.trimmed,
                fmt2(c.mean),
                round2(c.mean) == c.mean,
            )
            for c in row.breakdown.classes
        ),
        weight_quantitative=exact(scheme.weight_quantitative),
        weight_qualitative=exact(scheme.weight_qualitative),
        tier_bound=bound,
        tier_above=next((b for b in the_board.bounds if b.index == row.tier_index - 1), None),
        previous=previous_tier(group, the_board.period, cadre),
        last_tier=scheme.tiers[-1].name,
        first_tier=scheme.tiers[0].name,
    )
