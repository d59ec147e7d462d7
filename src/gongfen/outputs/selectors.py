"""What the printable notice, the Excel exports and the charts show, read from the snapshot or the live board.

A published quarter is shown from its frozen snapshot (公示快照), never
recomputed; the live board (临时排名) only for administrators and reviewers in
scope. Callers check who may see what through :mod:`gongfen.accounts.permissions`
first; these functions only read and shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre, Post
from gongfen.publication.models import GroupPeriod, PeriodState, Snapshot
from gongfen.publication.selectors import snapshot_current, snapshots_checked
from gongfen.rankings.page_selectors import ACTION_LABELS, cadre_names
from gongfen.rankings.selectors import group_period, group_ranking, groups_queryset, rank_all
from gongfen.schemes.models import RankingGroup
from gongfen.scoring import ranking_as_dict
from gongfen.scoring.periods import Quarter

from . import charts

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


def quarter_label(period: Quarter) -> str:
    """``2026Q3`` → 2026年第三季度; other kinds (scoring-v2 §2): 2026年7月, 2026年下半年, 2026年度."""
    code = period.code
    if "M" in code:
        return f"{period.year}年{int(code[5:])}月"
    if "H" in code:
        return f"{period.year}年{'上' if code.endswith('1') else '下'}半年"
    if code.endswith("Y"):
        return f"{period.year}年度"
    return f"{period.year}年第{QUARTER_NAMES[period.number]}季度"


@dataclass(frozen=True)
class RankRow:
    """One row of a board as printed and exported: 2-decimal text as the board shows it."""

    rank: int
    cadre: str
    name: str
    unit: str
    position: str
    quantitative: str
    deductions: str
    normalized: str
    qualitative: str | None
    composite: str
    tier: str
    tier_index: int
    vetoed: bool
    actions: tuple[str, ...]
    # an item-tree scheme (scoring-v2 §15): every item's value before coefficients, and each top-level
    # item's coefficient, as (code, text) pairs in tree order; empty for a v1 scheme
    items: tuple[tuple[str, str], ...] = ()
    coefficients: tuple[tuple[str, str], ...] = ()

    def number(self, name: str) -> Decimal | None:
        value = getattr(self, name)
        return None if value is None else Decimal(value)


@dataclass(frozen=True)
class UnrankedRow:
    cadre: str
    name: str
    days: int


@dataclass(frozen=True)
class BoardData:
    """A board from one source: ``snapshot`` (the published version) or ``live`` (provisional)."""

    group: RankingGroup
    period: Quarter
    source: str
    rows: tuple[RankRow, ...]
    unranked: tuple[UnrankedRow, ...]
    tier_names: tuple[str, ...]
    snapshot: Snapshot | None = None

    @property
    def points(self) -> list[tuple[Decimal, int, bool]]:
        return [(Decimal(r.composite), r.tier_index, r.vetoed) for r in self.rows]

    def distribution_svg(self, title: str) -> str:
        return charts.distribution_svg(self.points, self.tier_names, title=title)


def post_labels(group: RankingGroup, period: Quarter, codes: list[str]) -> dict[str, tuple[str, str]]:
    """cadre code → (unit name, position) of the post that put the cadre in the group that quarter (the latest)."""
    posts = Post.objects.filter(cadre__code__in=codes, start__lte=period.end).filter(
        Q(end__isnull=True) | Q(end__gte=period.start)
    )
    if group.select_unit_id:
        posts = posts.filter(unit__path__startswith=group.select_unit.path)
    if group.select_position:
        posts = posts.filter(position=group.select_position)
    rows = posts.order_by("start", "id").values_list("cadre__code", "unit__name", "position")
    return {code: (unit, position) for code, unit, position in rows}


def _tier_names(group: RankingGroup, rows: list[dict]) -> tuple[str, ...]:
    names = [t["name"] for t in group.scheme.tiers]
    for row in rows:  # the names frozen in the rows win over a scheme edited since
        if row["tier_index"] < len(names):
            names[row["tier_index"]] = row["tier"]
    return tuple(names)


def _board(group: RankingGroup, period: Quarter, source: str, ranking: dict, snapshot: Snapshot | None) -> BoardData:
    rows, unranked = ranking["rows"], ranking["unranked"]
    codes = [r["cadre"] for r in rows] + [u["cadre"] for u in unranked]
    names = cadre_names(codes)
    posts = post_labels(group, period, codes)
    return BoardData(
        group=group,
        period=period,
        source=source,
        rows=tuple(
            RankRow(
                rank=r["rank"],
                cadre=r["cadre"],
                name=names.get(r["cadre"], ""),
                unit=posts.get(r["cadre"], ("", ""))[0],
                position=posts.get(r["cadre"], ("", ""))[1],
                quantitative=r["quantitative"],
                deductions=r.get("deductions", "0.00"),
                normalized=r["quantitative_normalized"],
                qualitative=r["qualitative"],
                composite=r["composite"],
                tier=r["tier"],
                tier_index=r["tier_index"],
                vetoed=r["vetoed"],
                actions=tuple(str(ACTION_LABELS.get(a, a)) for a in r["actions"]),
                items=tuple((r.get("items") or {}).items()),
                coefficients=tuple((r.get("coefficients") or {}).items()),
            )
            for r in rows
        ),
        unranked=tuple(UnrankedRow(u["cadre"], names.get(u["cadre"], ""), u["days"]) for u in unranked),
        tier_names=_tier_names(group, rows),
        snapshot=snapshot,
    )


def snapshot_board(group: RankingGroup, snapshot: Snapshot) -> BoardData:
    """The board exactly as frozen in ``snapshot``."""
    return _board(group, group_period(group, snapshot.period), "snapshot", snapshot.data["ranking"], snapshot)


def live_board(group: RankingGroup, period_code: str) -> BoardData:
    """The provisional board computed now from the ledger (same numbers as the ranking page)."""
    ranking = group_ranking(group, period_code)
    shown = ranking_as_dict(ranking)
    for row, d in zip(ranking.rows, shown["rows"], strict=True):
        d["tier_index"] = row.tier_index
        d["deductions"] = format(round(row.deductions, 2), "f")
    return _board(group, ranking.period, "live", shown, None)


def snapshot_version(group: RankingGroup, period: str, version: int | None) -> Snapshot | None:
    """The version to show (latest by default), checked against its fingerprint and log leaf
    (``SnapshotTampered`` otherwise: the notice, its PDF and JSON and the export refuse it)."""
    if version is None:
        snapshot = snapshot_current(group, period)
    else:
        snapshot = Snapshot.objects.filter(group=group, period=period, version=version).first()
    snapshots_checked(snapshot)
    return snapshot


# --- the notice ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Everything the 公示 notice prints; ``snapshot`` None means an administrator's unpublished preview."""

    board: BoardData
    title: str
    issuer: str
    issued_on: date
    scope: str
    scope_units: tuple[str, ...]
    window: tuple[date, date] | None
    state: str
    state_label: str
    latest_version: int | None
    changed: tuple[str, ...] = ()
    chart: str = ""

    @property
    def snapshot(self) -> Snapshot | None:
        return self.board.snapshot

    @property
    def preview(self) -> bool:
        return self.snapshot is None

    @property
    def superseded(self) -> bool:
        return (
            self.snapshot is not None
            and self.latest_version is not None
            and self.snapshot.version < self.latest_version
        )

    @property
    def objection_office(self) -> str:
        """Who receives objections: the scheme's 异议受理单位, or by default 组织部 for a county-wide group,
        else the administrators of the unit that owns the scheme."""
        scheme = self.board.group.scheme
        if scheme.objection_office:
            return scheme.objection_office
        return "县委组织部" if scheme.unit.parent_id is None else f"{scheme.unit.name}工分考核管理员"

    @property
    def objection_phone(self) -> str:
        return self.board.group.scheme.objection_phone

    @property
    def objection_address(self) -> str:
        return self.board.group.scheme.objection_address


def notice_title(group: RankingGroup, period: Quarter) -> str:
    """``齐溪镇2026年第三季度干部工分排名公示``; a peer group across units names itself (全县乡镇长)."""
    unit = group.scheme.unit.name
    label = quarter_label(period)
    if group.select_unit_id and group.name.startswith(group.select_unit.name):
        return f"{group.select_unit.name}{label}干部工分排名公示"
    return f"{unit}{label}{group.name}工分排名公示"


def notice(group: RankingGroup, period_code: str, snapshot: Snapshot | None) -> Notice:
    """The notice of a snapshot, or the provisional preview when ``snapshot`` is None."""
    period = group_period(group, period_code)
    board = snapshot_board(group, snapshot) if snapshot else live_board(group, period_code)
    row = GroupPeriod.objects.filter(group=group, period=period_code).first()
    window = None
    if snapshot and snapshot.window_ends_on:
        window = (snapshot.window_starts_on, snapshot.window_ends_on)
    elif row and row.window_ends_on:
        window = (row.window_starts_on, row.window_ends_on)
    latest = snapshot_current(group, period_code) if snapshot else None
    if snapshot is None:
        issued = timezone.localdate()
    else:
        issued = snapshot.window_starts_on or timezone.localtime(snapshot.created_at).date()
    return Notice(
        board=board,
        title=notice_title(group, period),
        issuer=group.scheme.unit.name,
        issued_on=issued,
        scope=group.get_publish_scope_display(),
        scope_units=tuple(group.publish_units.order_by("path").values_list("name", flat=True))
        if group.publish_scope == "units"
        else (),
        window=window,
        state=row.state if row else PeriodState.OPEN,
        state_label=row.get_state_display() if row else PeriodState.OPEN.label,
        latest_version=latest.version if latest else None,
        changed=tuple(snapshot.changed or ()) if snapshot else (),
        chart=board.distribution_svg(f"{group.name} {period.code} 综合得分分布"),
    )


# --- the ledger of one cadre ------------------------------------------------------------------


def cadre_entries(user, cadre: Cadre, period: str | None = None) -> QuerySet[Entry]:
    """The cadre's ledger lines the user may see (all quarters, or one), oldest first."""
    from gongfen.accounts.permissions import entries_for

    entries = entries_for(user).filter(cadre=cadre)
    if period:
        entries = entries.filter(period=period)
    return entries.select_related(
        "rule", "scheme", "recorded_by__cadre", "decided_by__cadre", "reverses", "adjusts"
    ).order_by("period", "occurred_on", "id")


# --- a cadre's rank across quarters -------------------------------------------------------------


def rank_trend(group: RankingGroup, cadre_code: str, until: Quarter) -> list[charts.TrendPoint]:
    """The cadre's rank and composite in each quarter of the year up to ``until``: the snapshot when published."""
    points = []
    for quarter in (q for q in Quarter.all_of_year(until.year) if q <= until):
        snapshot = snapshot_current(group, quarter.code)
        rows = (
            snapshot.data["ranking"]["rows"]
            if snapshot
            else ranking_as_dict(rank_all(quarter.code, [group])[0])["rows"]
        )
        row = next((r for r in rows if r["cadre"] == cadre_code), None)
        if row is None:
            points.append(charts.TrendPoint(quarter.code, None, len(rows), None))
        else:
            points.append(
                charts.TrendPoint(quarter.code, row["rank"], len(rows), Decimal(row["composite"]), row["tier"])
            )
    return points


# --- the county's units compared ---------------------------------------------------------------


def tier_counts_by_unit(user, period_code: str) -> tuple[list[tuple[str, list[int]]], list[str]]:
    """Per unit group in the user's scope (a unit's own 全体干部 group): how many in each tier.

    A published quarter counts its current snapshot; otherwise the live board.
    """
    from gongfen.accounts.permissions import groups_for

    year = int(period_code[:4])
    groups = list(
        groups_queryset()
        .filter(pk__in=groups_for(user).values("pk"), select_unit__isnull=False, select_position="", scheme__year=year)
        .order_by("select_unit__path")
    )
    published = {
        s.group_id: s for s in Snapshot.objects.filter(group__in=groups, period=period_code).order_by("version")
    }
    live = {r.group: r for r in rank_all(period_code, [g for g in groups if g.pk not in published])}
    tier_names: list[str] = []
    rows = []
    for group in groups:
        names = [t["name"] for t in group.scheme.tiers]
        if len(names) > len(tier_names):
            tier_names = names
        if group.pk in published:
            indexes = [r["tier_index"] for r in published[group.pk].data["ranking"]["rows"]]
        else:
            indexes = [r.tier_index for r in live[group.code].rows] if group.code in live else []
        counts = [0] * max(len(names), 1)
        for i in indexes:
            counts[min(i, len(counts) - 1)] += 1
        rows.append((group.select_unit.name, counts))
    width = len(tier_names)
    return [(name, (counts + [0] * width)[:width]) for name, counts in rows], tier_names
