"""What the results pages show: a quarter's tiers and action lists, the county summary, the year's account.

Official results come from the published snapshots (``publication``): the
rows, tiers and computed actions frozen at publication, the latest version.
组织部's overrides apply on top of a final quarter's lists. Every group comes
from the user's scope (``accounts.permissions``); nothing here ranks anew
except the year's account for quarters not yet published (marked 暂定).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongfen.accounts.permissions import Action, groups_for
from gongfen.common import DomainError
from gongfen.publication.models import ActionOverride, ActionOverrideConfirmation, GroupPeriod, PeriodState, Snapshot
from gongfen.rankings.page_selectors import ACTION_LABELS, cadre_names, periods_of, tier_class
from gongfen.rankings.selectors import group_period, group_ranking, groups_queryset
from gongfen.schemes.models import RankingGroup
from gongfen.scoring import fmt2
from gongfen.scoring.annual import QuarterResult, annual_ranking
from gongfen.scoring.periods import Quarter

from .services import ACTIONS

STATE_LABELS = dict(PeriodState.choices)


def scoped_groups(user) -> QuerySet[RankingGroup]:
    """Groups whose results ``user`` may see: administrators (组织部, 单位) in scope."""
    return groups_queryset().filter(pk__in=groups_for(user, Action.ADMINISTER).values("pk")).order_by("code")


def reverse_or_none(name: str, *args) -> str | None:
    """A link to a page another part of the product may not have yet (the 公示 board)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- one quarter: tiers and action lists ------------------------------------------------


@dataclass(frozen=True)
class Override:
    """The override that decides one list for one cadre (the latest for it)."""

    action: str
    label: str
    include: bool
    computed: bool
    reason: str
    by: str
    at: datetime
    cadre: str = ""  # who, in the history list
    pk: int = 0
    confirmed_by: str = ""  # the second 组织部 user who confirmed it; "" while it is a proposal

    @property
    def pending(self) -> bool:
        return not self.confirmed_by


@dataclass(frozen=True)
class Line:
    """One cadre of the published ranking: tier, computed actions, actions after overrides."""

    cadre: str
    name: str
    rank: int
    tier: str
    tier_index: int
    tier_class: str
    composite: str
    vetoed: bool
    computed: tuple[str, ...]
    actions: tuple[str, ...]
    overrides: dict[str, Override]

    @property
    def action_labels(self) -> list[str]:
        return [str(ACTION_LABELS[a]) for a in self.actions]

    @property
    def computed_labels(self) -> list[str]:
        return [str(ACTION_LABELS[a]) for a in self.computed]

    @property
    def overridden(self) -> bool:
        return bool(self.overrides)


@dataclass(frozen=True)
class ActionList:
    action: str
    label: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class QuarterResults:
    """A group's quarter as the results pages see it; ``lines`` is empty before publication."""

    group: RankingGroup
    period: str
    state: str
    snapshot: Snapshot | None
    tiers: tuple[str, ...]
    lines: tuple[Line, ...] = ()
    history: tuple[Override, ...] = ()

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def final(self) -> bool:
        return self.state == PeriodState.FINAL

    @property
    def available(self) -> bool:
        return self.snapshot is not None

    @property
    def lists(self) -> tuple[ActionList, ...]:
        return tuple(
            ActionList(a, str(ACTION_LABELS[a]), tuple(line for line in self.lines if a in line.actions))
            for a in ACTIONS
        )

    def tier_counts(self) -> list[int]:
        counts = [0] * len(self.tiers)
        for line in self.lines:
            counts[line.tier_index] += 1
        return counts

    def members(self, action: str) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if action in line.actions)


def _confirmer(o: ActionOverride) -> str:
    """Who confirmed the override ("" for a proposal still waiting for a second 组织部 user)."""
    try:
        return o.confirmation.confirmed_by_label or "—"
    except ActionOverrideConfirmation.DoesNotExist:
        return ""


def _latest_overrides(overrides: Iterable[ActionOverride]) -> dict[tuple[str, str], ActionOverride]:
    """The override in force per (cadre, list): the latest confirmed one (a proposal changes nothing)."""
    latest: dict[tuple[str, str], ActionOverride] = {}
    for o in sorted(overrides, key=lambda o: o.id):
        if _confirmer(o):
            latest[(o.cadre.code, o.action)] = o
    return latest


def _lines(data: dict, names: dict[str, str], tiers: int, latest: dict, final: bool) -> tuple[Line, ...]:
    lines = []
    for row in data["ranking"]["rows"]:
        computed = tuple(row["actions"])
        overrides: dict[str, Override] = {}
        actions = set(computed)
        if final:
            for action in ACTIONS:
                o = latest.get((row["cadre"], action))
                if o is None:
                    continue
                label = str(ACTION_LABELS[action])
                overrides[action] = Override(
                    action,
                    label,
                    o.include,
                    action in computed,
                    o.reason,
                    o.created_by_label,
                    o.created_at,
                    pk=o.pk,
                    confirmed_by=_confirmer(o),
                )
                (actions.add if o.include else actions.discard)(action)
        lines.append(
            Line(
                cadre=row["cadre"],
                name=names.get(row["cadre"], ""),
                rank=row["rank"],
                tier=row["tier"],
                tier_index=row["tier_index"],
                tier_class=tier_class(row["tier_index"], tiers),
                composite=row["composite"],
                vetoed=row["vetoed"],
                computed=computed,
                actions=tuple(a for a in ACTIONS if a in actions),
                overrides=overrides,
            )
        )
    return tuple(lines)


def results_for(groups: Sequence[RankingGroup], period: str) -> dict[int, QuarterResults]:
    """Each group's quarter (state, latest snapshot, lines with overrides) in four queries whatever the count."""
    ids = [g.pk for g in groups]
    states = dict(GroupPeriod.objects.filter(group_id__in=ids, period=period).values_list("group_id", "state"))
    shown = [gid for gid in ids if states.get(gid) in (PeriodState.PUBLISHED, PeriodState.FINAL)]
    snapshots: dict[int, Snapshot] = {}
    for snapshot in Snapshot.objects.filter(group_id__in=shown, period=period).order_by("version"):
        snapshots[snapshot.group_id] = snapshot  # the latest version wins
    overrides: dict[int, list[ActionOverride]] = defaultdict(list)
    final = [gid for gid in ids if states.get(gid) == PeriodState.FINAL]
    for o in ActionOverride.objects.filter(group_id__in=final, period=period).select_related("cadre", "confirmation"):
        overrides[o.group_id].append(o)
    codes = [row["cadre"] for s in snapshots.values() for row in s.data["ranking"]["rows"]]
    names = cadre_names(codes)
    out = {}
    for group in groups:
        tiers = tuple(t["name"] for t in group.scheme.tiers)
        state = states.get(group.pk, PeriodState.OPEN)
        snapshot = snapshots.get(group.pk)
        if snapshot is None:
            out[group.pk] = QuarterResults(group, period, state, None, tiers)
            continue
        latest = _latest_overrides(overrides[group.pk])
        lines = _lines(snapshot.data, names, len(tiers), latest, state == PeriodState.FINAL)
        history = tuple(
            Override(
                o.action,
                str(ACTION_LABELS.get(o.action, o.action)),
                o.include,
                o.action
                in next((r["actions"] for r in snapshot.data["ranking"]["rows"] if r["cadre"] == o.cadre.code), ()),
                o.reason,
                o.created_by_label,
                o.created_at,
                f"{o.cadre.name}（{o.cadre.code}）",
                pk=o.pk,
                confirmed_by=_confirmer(o),
            )
            for o in sorted(overrides[group.pk], key=lambda o: -o.id)
        )
        out[group.pk] = QuarterResults(group, period, state, snapshot, tiers, lines, history)
    return out


def quarter_results(group: RankingGroup, period: str) -> QuarterResults:
    """One group's quarter; DomainError for a period its scheme does not have."""
    group_period(group, period)
    return results_for([group], period)[group.pk]


# --- the index of the results pages ---------------------------------------------------


@dataclass(frozen=True)
class QuarterState:
    period: Quarter
    state: str
    label: str


@dataclass(frozen=True)
class GroupIndex:
    group: RankingGroup
    quarters: tuple[QuarterState, ...]


def index(user) -> list[GroupIndex]:
    """The groups in scope with the state of each quarter of their scheme's year (two queries)."""
    groups = list(scoped_groups(user).order_by("-scheme__year", "code"))
    states = dict(
        ((gid, p), s)
        for gid, p, s in GroupPeriod.objects.filter(group__in=groups).values_list("group_id", "period", "state")
    )
    return [
        GroupIndex(
            g,
            tuple(
                QuarterState(q, st := states.get((g.pk, q.code), PeriodState.OPEN), str(STATE_LABELS[st]))
                for q in periods_of(g.scheme)
            ),
        )
        for g in groups
    ]


# --- the county summary --------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    results: QuarterResults
    counts: list[int]
    recommended: tuple[Line, ...]  # this quarter
    retrained: tuple[Line, ...]
    recommended_year: tuple[tuple[str, str, str], ...]  # (cadre, name, quarters) on a final 首位推荐 list this year
    board_url: str | None
    publication_url: str | None

    @property
    def group(self) -> RankingGroup:
        return self.results.group


@dataclass(frozen=True)
class SummarySection:
    title: str
    kind: str  # "unit" or "peer"
    rows: tuple[SummaryRow, ...]
    tiers: tuple[str, ...]
    totals: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CountySummary:
    year: int
    period: Quarter
    periods: tuple[Quarter, ...]
    sections: tuple[SummarySection, ...]

    @property
    def rows(self) -> list[SummaryRow]:
        return [row for section in self.sections for row in section.rows]


def summary_period(user, key: str, today: date | None = None) -> Quarter:
    """The quarter a county summary shows: ``2026Q3`` as given; ``2026``: the latest quarter published in scope.

    A year with nothing published yet shows today's quarter (or the year's first/last).
    """
    if key.isdigit() and len(key) == 4:
        year = int(key)
        published = (
            GroupPeriod.objects.filter(
                group__in=groups_for(user, Action.ADMINISTER),
                period__startswith=f"{year}Q",
                state__in=[PeriodState.PUBLISHED, PeriodState.FINAL],
            )
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        if published:
            return Quarter.parse(published)
        current = Quarter.containing(today or timezone.localdate())
        return current if current.year == year else Quarter(year, 1 if current.year > year else 4)
    try:
        return Quarter.parse(key)
    except ValueError as exc:
        raise DomainError(f"“{key}”既不是年份（如 2026）也不是季度（如 2026Q3）", field="period") from exc


def _recommended_year(groups: Sequence[RankingGroup], period: Quarter) -> dict[int, dict[str, list[str]]]:
    """Per group, the cadres on a final quarter's 首位推荐 list (overrides applied) up to ``period``."""
    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for number in range(1, period.number + 1):
        quarter = Quarter(period.year, number)
        for gid, results in results_for(groups, quarter.code).items():
            if results.final:
                for line in results.members("recommend"):
                    out[gid][line.cadre].append(quarter.code)
    return out


def county_summary(user, period: Quarter) -> CountySummary | None:
    """Per unit and per peer group in the user's scope: tier counts, who is recommended, who retrains.

    None when the user has no group of that year in scope (the page answers 404).
    """
    groups = [g for g in scoped_groups(user).select_related("select_unit") if g.scheme.year == period.year]
    if not groups:
        return None
    results = results_for(groups, period.code)
    year = _recommended_year(groups, period)
    names = cadre_names(sorted({c for per in year.values() for c in per}))
    by_section: dict[tuple[int, str, str], list[SummaryRow]] = defaultdict(list)
    for group in groups:
        r = results[group.pk]
        row = SummaryRow(
            results=r,
            counts=r.tier_counts(),
            recommended=r.members("recommend"),
            retrained=r.members("retrain"),
            recommended_year=tuple((c, names.get(c, ""), "、".join(q)) for c, q in sorted(year[group.pk].items())),
            board_url=reverse_or_none("rankings:board", group.code, period.code),
            publication_url=reverse_or_none("publication:board", group.code, period.code),
        )
        if group.select_position:
            key = (1, str(_("同类干部：{position}")).format(position=group.select_position), "peer")
        else:
            key = (0, group.select_unit.name, "unit")
        by_section[key].append(row)
    sections = []
    for (_order, title, kind), rows in sorted(by_section.items()):
        tiers = max((row.results.tiers for row in rows), key=len)
        totals = [sum(row.counts[i] for row in rows if i < len(row.counts)) for i in range(len(tiers))]
        sections.append(SummarySection(title, kind, tuple(rows), tiers, totals))
    return CountySummary(period.year, period, Quarter.all_of_year(period.year), tuple(sections))


def unit_tier_counts(summary: CountySummary) -> list[tuple[str, list[int]]]:
    """(unit or peer group, counts per tier) for the county comparison chart."""
    return [(section.title, section.totals) for section in summary.sections]


# --- the year's account ----------------------------------------------------------------


SOURCE_LABELS = {
    "final": _("已定稿"),
    "published": _("公示中"),
    "provisional": _("暂定"),
    "future": _("未到"),
}


@dataclass(frozen=True)
class QuarterColumn:
    period: Quarter
    source: str  # final / published / provisional / future
    version: int | None

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self.source])

    @property
    def provisional(self) -> bool:
        return self.source == "provisional"


@dataclass(frozen=True)
class QuarterCell:
    composite: Decimal
    rank: int
    vetoed: bool

    @property
    def composite_text(self) -> str:
        return fmt2(self.composite)


@dataclass(frozen=True)
class YearLine:
    cadre: str
    name: str
    cells: tuple[QuarterCell | None, ...]  # one per quarter column
    quarters: int
    score: Decimal
    vetoed: bool
    rank: int

    @property
    def score_text(self) -> str:
        return fmt2(self.score)


@dataclass(frozen=True)
class YearAccount:
    group: RankingGroup
    year: int
    columns: tuple[QuarterColumn, ...]
    lines: tuple[YearLine, ...]

    @property
    def provisional(self) -> bool:
        return any(c.source in ("provisional", "published") for c in self.columns)


def _quarter_rows(group: RankingGroup, quarter: Quarter, states: dict, snapshots: dict, today: date):
    """(column, {cadre: (QuarterResult, rank)}) of one quarter: snapshot, live ranking, or nothing yet."""
    if quarter.start > today:
        return QuarterColumn(quarter, "future", None), {}
    snapshot = snapshots.get(quarter.code)
    if snapshot is not None:
        source = "final" if states.get(quarter.code) == PeriodState.FINAL else "published"
        rows = {
            r["cadre"]: (
                QuarterResult(
                    r["cadre"],
                    Decimal(r["exact"]["composite"]),
                    Decimal(r["exact"]["quantitative"]),
                    Decimal(r["exact"]["deductions"]),
                    r["vetoed"],
                ),
                r["rank"],
            )
            for r in snapshot.data["ranking"]["rows"]
        }
        return QuarterColumn(quarter, source, snapshot.version), rows
    ranking = group_ranking(group, quarter.code)
    rows = {
        r.cadre: (QuarterResult(r.cadre, r.composite, r.quantitative, r.deductions, r.vetoed), r.rank)
        for r in ranking.rows
    }
    return QuarterColumn(quarter, "provisional", None), rows


def year_account(group: RankingGroup, year: int, today: date | None = None) -> YearAccount:
    """The year's account of a group: four quarters' composites and ranks, the annual score and rank."""
    if year != group.scheme.year:
        raise DomainError(f"排名组 {group.code} 的考核方案属于 {group.scheme.year} 年，没有 {year} 年的总账")
    today = today or timezone.localdate()
    states = dict(GroupPeriod.objects.filter(group=group).values_list("period", "state"))
    snapshots: dict[str, Snapshot] = {}
    published = [p for p, s in states.items() if s in (PeriodState.PUBLISHED, PeriodState.FINAL)]
    for snapshot in Snapshot.objects.filter(group=group, period__in=published).order_by("version"):
        snapshots[snapshot.period] = snapshot
    columns, per_quarter = [], []
    for quarter in periods_of(group.scheme):
        column, rows = _quarter_rows(group, quarter, states, snapshots, today)
        columns.append(column)
        per_quarter.append(rows)
    annual = annual_ranking([[result for result, _rank in rows.values()] for rows in per_quarter])
    names = cadre_names([a.cadre for a in annual])
    lines = tuple(
        YearLine(
            a.cadre,
            names.get(a.cadre, ""),
            tuple(
                QuarterCell(rows[a.cadre][0].composite, rows[a.cadre][1], rows[a.cadre][0].vetoed)
                if a.cadre in rows
                else None
                for rows in per_quarter
            ),
            a.quarters,
            a.score,
            a.vetoed,
            a.rank,
        )
        for a in annual
    )
    return YearAccount(group, year, tuple(columns), lines)
