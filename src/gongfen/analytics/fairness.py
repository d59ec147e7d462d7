"""Fairness analytics (公平性分析): reads only, scoped to the schemes a user administers.

Every analysis states its definition and its threshold (``DEFINITIONS``, shown on the page and in
docs/analytics.md); the statistics are in :mod:`gongfen.analytics.stats`. Ballots are analysed only
as the anonymous grades the ballot table holds (no voter, no sheet): shares per class, never a row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongfen.evaluations.models import Ballot
from gongfen.ledger.models import Entry, EntryKind, EntryStatus
from gongfen.rankings.selectors import groups_queryset, rank_all
from gongfen.schemes.models import Scheme
from gongfen.scoring import PeriodError, parse_period

from . import stats

ALPHA = 0.05  # leniency: Holm-adjusted p below this
MIN_DECISIONS = 10  # leniency: a reviewer with fewer decisions in a scheme is listed, not tested
BURST_DAYS = 10
BURST_MIN_ENTRIES = 20
BURST_ALPHA = 0.001  # bursts: Holm-adjusted p below this …
BURST_FACTOR = 3  # … and a share at least this many times the chance share
BACKDATED_DAYS = 30
FLAT_MIN_SIZE = 5
FLAT_CV = 0.02  # 大锅饭: coefficient of variation below this …
FLAT_TIE = 0.5  # … or at least this share of the group on one composite
OUTLIER_MIN_SIZE = 5
OUTLIER_RATIO = 1.5  # the best Q at least this many times the second best

DEFINITIONS = {
    "leniency": _(
        "审核宽松度：每位审核人在同一考核方案内的通过率、退回率、每条通过记录的平均分值和审核用时（中位数，天），"
        "与同方案其他审核人合并后的通过率比较。检验方法：费希尔精确检验（双侧），对所有被比较的审核人做 Holm 校正；"
        "审核至少 10 条、校正后 p < 0.05 且通过率高于其他人时标记。"
    ),
    "bursts": _(
        "集中突击填报：各考核方案本期记录按发生日期和录入日期的分布，期末 10 天内的占比，以及录入晚于发生 30 天以上的补录条数。"
        "检验方法：期末 10 天发生的条数对均匀分布（10 天/本期天数）做二项检验（单侧），对所有方案做 Holm 校正；"
        "记录至少 20 条、校正后 p < 0.001 且占比达到均匀分布的 3 倍以上时标记。"
    ),
    "flat": _(
        "大锅饭指数：同一排名组本期综合得分的离散系数（标准差/平均数）和得分完全相同的最大人群占比。"
        "排名人数至少 5 人、离散系数低于 0.02 或最大同分占比达到一半时标记；已标记的排在前面，其余按离散系数由低到高排列。"
    ),
    "ballots": _(
        "评价质量：各评价主体给出最高等次的占比。只统计匿名的评价票（不含投票人，也不含整张票的信息），"
        "因此无法、也不会把任何一票对应到投票人。"
    ),
    "inflation": _("分数膨胀：各考核方案每期的平均综合得分和最高综合得分。"),
    "outlier": _(
        "极端高分影响：工分折算分 = 100 × 本人工分 / 组内最高工分。若去掉最高分者，其他人的折算分平均提高多少分。"
        "排名人数至少 5 人、最高工分达到第二名的 1.5 倍以上时标记。"
    ),
}


@dataclass(frozen=True)
class ReviewerRow:
    scheme: str
    reviewer: str
    decided: int
    approved: int
    rejected: int
    points_per_entry: float | None
    median_days: float | None
    others_rate: float | None
    p: float | None = None
    adjusted: float | None = None
    flagged: bool = False

    @property
    def rate(self) -> float:
        return self.approved / self.decided if self.decided else 0.0


@dataclass(frozen=True)
class BurstRow:
    scheme: str
    scheme_name: str
    entries: int
    last_occurred: int
    last_recorded: int
    backdated: int
    chance: float
    p: float | None = None
    adjusted: float | None = None
    flagged: bool = False

    @property
    def share_occurred(self) -> float:
        return self.last_occurred / self.entries if self.entries else 0.0

    @property
    def share_recorded(self) -> float:
        return self.last_recorded / self.entries if self.entries else 0.0


@dataclass(frozen=True)
class GroupRow:
    group: str
    group_name: str
    scheme: str
    size: int
    mean: float | None
    top: float | None
    cv: float | None
    tie_share: float | None
    ratio: float | None
    gain: float | None
    flat: bool
    outlier: bool


@dataclass(frozen=True)
class BallotRow:
    scheme: str
    evaluator_class: str
    ballots: int
    top_grade: str
    top_share: float


@dataclass(frozen=True)
class InflationRow:
    scheme: str
    scheme_name: str
    periods: tuple[tuple[str, float | None, float | None], ...]  # (period, mean composite, top composite)


@dataclass
class Report:
    period: str
    inflation: list[InflationRow] = field(default_factory=list)
    reviewers: list[ReviewerRow] = field(default_factory=list)
    bursts: list[BurstRow] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)
    ballots: list[BallotRow] = field(default_factory=list)

    @property
    def flat(self) -> list[GroupRow]:
        """Groups by their 大锅饭 index: the flagged first, then by coefficient of variation, lowest first."""
        return sorted((g for g in self.groups if g.cv is not None), key=lambda g: (not g.flat, g.cv))


def fairness_report(schemes, period: str) -> Report:
    """Every analysis for ``period`` over ``schemes`` (a queryset already scoped to the reader)."""
    try:
        quarter = parse_period(period)
    except PeriodError as exc:
        from gongfen.common import DomainError

        raise DomainError(f"期间格式错误：{exc}", field="period", code="bad_period") from exc
    schemes = list(schemes.filter(year=quarter.year).select_related("unit"))
    report = Report(period)
    report.reviewers = reviewer_leniency(schemes, period)
    report.bursts = bursts(schemes, quarter)
    report.groups = group_spreads(schemes, period)
    report.ballots = ballot_shares(schemes, period)
    report.inflation = inflation(schemes, quarter)
    return report


def inflation(schemes: list[Scheme], quarter) -> list[InflationRow]:
    """Each scheme's mean and top composite in every period of the year up to ``quarter``."""
    groups = list(groups_queryset().filter(scheme__in=schemes))
    scheme_of = {g.code: g.scheme.code for g in groups}
    codes = [p.code for p in type(quarter).all_of_year(quarter.year) if p <= quarter]
    values: dict = defaultdict(lambda: defaultdict(list))
    for code in codes:
        for ranking in rank_all(code, groups):
            values[scheme_of[ranking.group]][code].extend(float(r.composite) for r in ranking.rows)
    return [
        InflationRow(
            s.code,
            s.name,
            tuple((c, stats.mean(values[s.code][c]), max(values[s.code][c], default=None)) for c in codes),
        )
        for s in schemes
        if s.code in values
    ]


def reviewer_leniency(schemes: list[Scheme], period: str) -> list[ReviewerRow]:
    """Decisions by people (not imports or the system) on the period's entries, reviewer by reviewer."""
    decisions = defaultdict(lambda: {"approved": 0, "rejected": 0, "amounts": [], "days": []})
    rows = Entry.objects.filter(
        scheme__in=schemes,
        period=period,
        kind=EntryKind.NORMAL,
        decided_by__isnull=False,
        status__in=[EntryStatus.APPROVED, EntryStatus.REJECTED, EntryStatus.REVOKED],
    ).values_list("scheme__code", "decided_by__username", "status", "amount", "recorded_at", "decided_at")
    for scheme, reviewer, status, amount, recorded, decided in rows:
        d = decisions[(scheme, reviewer)]
        if status == EntryStatus.REJECTED:
            d["rejected"] += 1
        else:  # revoked later: it was approved when decided
            d["approved"] += 1
            d["amounts"].append(float(amount or 0))
        d["days"].append((decided - recorded).total_seconds() / 86400)
    totals = defaultdict(lambda: [0, 0])
    for (scheme, _reviewer), d in decisions.items():
        totals[scheme][0] += d["approved"]
        totals[scheme][1] += d["rejected"]
    out, tested = [], []
    for (scheme, reviewer), d in sorted(decisions.items()):
        a, r = d["approved"], d["rejected"]
        oa, orr = totals[scheme][0] - a, totals[scheme][1] - r
        row = ReviewerRow(
            scheme,
            reviewer,
            a + r,
            a,
            r,
            stats.mean(d["amounts"]),
            stats.median(d["days"]),
            oa / (oa + orr) if oa + orr else None,
        )
        if a + r >= MIN_DECISIONS and oa + orr >= MIN_DECISIONS:
            row = _with(row, p=stats.fisher_exact(a, r, oa, orr))
            tested.append(len(out))
        out.append(row)
    for i, adjusted in zip(tested, stats.holm([out[i].p for i in tested]), strict=True):
        row = out[i]
        out[i] = _with(row, adjusted=adjusted, flagged=adjusted < ALPHA and row.rate > (row.others_rate or 0))
    return out


def _with(row, **changes):
    from dataclasses import replace

    return replace(row, **changes)


def bursts(schemes: list[Scheme], quarter) -> list[BurstRow]:
    """How the period's declarations spread: the last ``BURST_DAYS`` days by occurrence and by recording."""
    last = quarter.end - timedelta(days=BURST_DAYS - 1)
    tz = timezone.get_current_timezone()
    counts = defaultdict(lambda: [0, 0, 0, 0])
    for scheme, occurred, recorded in Entry.objects.filter(
        scheme__in=schemes, period=quarter.code, kind=EntryKind.NORMAL
    ).values_list("scheme__code", "occurred_on", "recorded_at"):
        c = counts[scheme]
        day = recorded.astimezone(tz).date()
        c[0] += 1
        c[1] += occurred >= last
        c[2] += last <= day <= quarter.end
        c[3] += (day - occurred).days > BACKDATED_DAYS
    names = {s.code: s.name for s in schemes}
    chance = BURST_DAYS / quarter.days
    out, tested = [], []
    for scheme, (n, late, late_recorded, backdated) in sorted(counts.items()):
        row = BurstRow(scheme, names[scheme], n, late, late_recorded, backdated, chance)
        if n >= BURST_MIN_ENTRIES:
            row = _with(row, p=stats.binomial_upper_tail(late, n, chance))
            tested.append(len(out))
        out.append(row)
    for i, adjusted in zip(tested, stats.holm([out[i].p for i in tested]), strict=True):
        row = out[i]
        out[i] = _with(
            row, adjusted=adjusted, flagged=adjusted < BURST_ALPHA and row.share_occurred >= BURST_FACTOR * chance
        )
    return out


def group_spreads(schemes: list[Scheme], period: str) -> list[GroupRow]:
    """Per group: the spread of composites (大锅饭), the mean and top (inflation), the top scorer's weight."""
    groups = list(groups_queryset().filter(scheme__in=schemes))
    names = {g.code: (g.name, g.scheme.code) for g in groups}
    out = []
    for ranking in rank_all(period, groups):
        composites = [float(r.composite) for r in ranking.rows]
        quantities = [float(r.quantitative) for r in ranking.rows]
        cv = stats.coefficient_of_variation(composites)
        tie = stats.largest_tie_share([r.composite for r in ranking.rows])
        influence = stats.outlier_influence(quantities)
        ratio, gain = influence if influence else (None, None)
        size = len(composites)
        out.append(
            GroupRow(
                ranking.group,
                names[ranking.group][0],
                names[ranking.group][1],
                size,
                stats.mean(composites),
                max(composites, default=None),
                cv,
                tie,
                ratio,
                gain,
                flat=size >= FLAT_MIN_SIZE and ((cv is not None and cv < FLAT_CV) or (tie or 0) >= FLAT_TIE),
                outlier=size >= OUTLIER_MIN_SIZE and ratio is not None and ratio >= OUTLIER_RATIO,
            )
        )
    return out


def ballot_shares(schemes: list[Scheme], period: str) -> list[BallotRow]:
    """The share of the top grade per scheme and evaluator class: counts of anonymous grades only."""
    top = {s.code: (max(s.grades, key=lambda g: float(g["value"]))["name"] if s.grades else "") for s in schemes}
    counts: dict = defaultdict(lambda: [0, 0])
    for scheme, klass, grade, n in (
        Ballot.objects.filter(scheme__in=schemes, period=period)
        .values_list("scheme__code", "evaluator_class", "grade")
        .annotate(n=Count("id"))
        .order_by()
    ):
        c = counts[(scheme, klass)]
        c[0] += n
        c[1] += n if grade == top[scheme] else 0
    return [
        BallotRow(scheme, klass, n, top[scheme], best / n if n else 0.0)
        for (scheme, klass), (n, best) in sorted(counts.items())
    ]
