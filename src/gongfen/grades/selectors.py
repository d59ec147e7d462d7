"""Reads of the grades app, every one scoped to the user (``accounts.permissions``).

组织部 sees every plan, sheet, sanction and review of the county; a unit administrator (the unit's
appraisal committee) the sheets of units under theirs; a cadre their own grades and 复核 applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from gongfen.accounts.permissions import Action, principal, units_for
from gongfen.common import DomainError
from gongfen.org.models import Cadre, Post, Unit
from gongfen.scoring.periods import parse_period

from . import influence
from .models import (
    FollowUp,
    GradeKind,
    GradeLine,
    GradeReview,
    GradeSheet,
    GradeVersion,
    InfluenceSetting,
    NotGraded,
    QuotaPlan,
    Sanction,
    SeatOverride,
    SheetState,
)
from .seats import ANNUAL_GRADES, PINGSHI_GRADES, Allocation, Pool, Restriction, UnitSize, allocate


def ladder(kind: str) -> tuple[str, ...]:
    return ANNUAL_GRADES if kind == GradeKind.ANNUAL else PINGSHI_GRADES


def period_bounds(period: str, kind: str) -> tuple[date, date]:
    """The first and last day of ``2026Y`` (annual) or ``2026Q3`` (平时考核); a wrong code is refused."""
    try:
        p = parse_period(period, "year" if kind == GradeKind.ANNUAL else "quarter")
    except ValueError as error:
        raise DomainError(f"考核期“{period}”无法识别（年度如 2026Y，平时考核如 2026Q3）", field="period") from error
    return p.start, p.end


def plans_for(user) -> QuerySet[QuotaPlan]:
    """组织部 sees every plan; a unit administrator the plans that name a unit under theirs."""
    p = principal(user)
    if p.is_org_admin:
        return QuotaPlan.objects.all()
    if not p.has("unit_admin"):
        return QuotaPlan.objects.none()
    units = units_for(user, Action.ADMINISTER)
    return QuotaPlan.objects.filter(units__in=units).distinct()


def sheets_for(user) -> QuerySet[GradeSheet]:
    p = principal(user)
    if p.is_org_admin:
        return GradeSheet.objects.select_related("unit", "plan")
    return GradeSheet.objects.filter(unit__in=units_for(user, Action.ADMINISTER)).select_related("unit", "plan")


def members(unit: Unit, start: date, end: date) -> QuerySet[Cadre]:
    """The people a unit appraises in a period: a post in the unit itself at some time in it."""
    posts = Post.objects.filter(unit=unit, start__lte=end).filter(Q(end__isnull=True) | Q(end__gte=start))
    return Cadre.objects.filter(pk__in=posts.values("cadre_id")).order_by("code")


def headcounts(plan: QuotaPlan, period: str) -> list[UnitSize]:
    start, end = period_bounds(period, plan.kind)
    units = plan.units.select_related("parent").order_by("path")
    return [UnitSize(u.code, u.parent.code if u.parent else None, members(u, start, end).count()) for u in units]


def overrides_in_force(plan: QuotaPlan) -> dict[str, int]:
    rows = SeatOverride.objects.filter(plan=plan, confirmed_by__isnull=False).order_by("id")
    return {o.unit.code: o.seats for o in rows.select_related("unit")}


@dataclass(frozen=True)
class SeatLine:
    unit: Unit
    allocation: Allocation
    pool: Pool | None
    used: int | None
    sheet: GradeSheet | None

    @property
    def left(self) -> int | None:
        seats = self.pool.seats if self.pool else self.allocation.seats
        if self.used is None or seats is None:
            return None
        return seats - self.used


def allocation(plan: QuotaPlan, period: str) -> tuple[list[SeatLine], dict[str, Pool]]:
    """Every unit of ``plan`` in ``period``: headcount, seats (own or its pool's), used and left."""
    sizes = headcounts(plan, period)
    units, pools = allocate(
        sizes,
        share=plan.share,
        rounding=plan.rounding,
        min_seats=plan.min_seats,
        pool_below=plan.pool_below,
        pool_at=plan.pool_at,
        overrides=overrides_in_force(plan),
    )
    top = ladder(plan.kind)[0]
    sheets = {s.unit.code: s for s in GradeSheet.objects.filter(plan=plan, period=period).select_related("unit")}
    used_by_unit = {code: GradeLine.objects.filter(sheet=s, grade=top).count() for code, s in sheets.items()}
    by_code = {u.code: u for u in plan.units.all()}
    lines = []
    for code, a in units.items():
        pool = pools.get(a.pool) if a.pool else None
        if pool is not None:
            used = sum(used_by_unit.get(u, 0) for u in pool.units) if any(u in sheets for u in pool.units) else None
        else:
            used = used_by_unit.get(code)
        lines.append(SeatLine(by_code[code], a, pool, used, sheets.get(code)))
    return lines, pools


def influence_rules() -> dict[str, influence.InfluenceRule]:
    """The shipped table with the county's settings on top."""
    rules = dict(influence.KINDS)
    for s in InfluenceSetting.objects.all():
        base = rules.get(s.kind)
        if base is None:
            continue
        rules[s.kind] = influence.InfluenceRule(
            s.kind,
            base.label,
            s.first,
            s.later,
            s.years,
            s.pingshi_months,
            s.pingshi_bars,
            base.basis,
            confirm=False,
        )
    return rules


def restrictions(cadre_ids: list[int], period: str, kind: str) -> dict[int, Restriction]:
    """Why each person is not graded or barred in ``period`` (an empty restriction when nothing applies)."""
    start, end = period_bounds(period, kind)
    rules = influence_rules()
    sanctions: dict[int, list[influence.Sanction]] = {}
    for s in Sanction.objects.filter(cadre_id__in=cadre_ids, decided_on__lte=end):
        label = rules[s.kind].label if s.kind in rules else s.kind
        sanctions.setdefault(s.cadre_id, []).append(influence.Sanction(s.kind, s.decided_on, label, s.lifted_on))
    not_graded = {n.cadre_id: n for n in NotGraded.objects.filter(cadre_id__in=cadre_ids, year=start.year)}
    out = {}
    for cid in cadre_ids:
        found = sanctions.get(cid, [])
        if kind == GradeKind.ANNUAL:
            r = influence.annual_restriction(start.year, found, rules)
        else:
            r = influence.pingshi_restriction(start, end, found, rules)
        n = not_graded.get(cid)
        if n is not None and kind == GradeKind.ANNUAL:
            why = f"不定等次：{n.get_reason_display()}" + (f"（{n.note}）" if n.note else "")
            r = Restriction(reasons=(why, *r.reasons), ungraded=True)
        out[cid] = r
    return out


def restriction_of(line: GradeLine) -> Restriction:
    e = line.eligibility or {}
    return Restriction(
        reasons=tuple(e.get("reasons", ())),
        ungraded=bool(e.get("ungraded")),
        fixed=e.get("fixed"),
        barred=frozenset(e.get("barred", ())),
    )


def sheet_lines(sheet: GradeSheet) -> QuerySet[GradeLine]:
    """Best first; people outside the ranking last (on both databases)."""
    return sheet.lines.select_related("cadre").order_by(F("rank").asc(nulls_last=True), "cadre__code")


def my_lines(user) -> QuerySet[GradeLine]:
    """A cadre's own grades on sheets that are published or final (not before 公示)."""
    p = principal(user)
    if p.cadre_id is None:
        return GradeLine.objects.none()
    shown = [SheetState.PUBLISHED, SheetState.FINAL]
    return (
        GradeLine.objects.filter(cadre_id=p.cadre_id, sheet__state__in=shown)
        .select_related("cadre", "sheet", "sheet__unit", "sheet__plan")
        .order_by("-sheet__period")
    )


def reviews_for(user) -> QuerySet[GradeReview]:
    """组织部: every 复核 application; a cadre: their own."""
    p = principal(user)
    rows = GradeReview.objects.select_related("line", "line__cadre", "line__sheet", "line__sheet__unit")
    if p.is_org_admin:
        return rows
    if p.cadre_id is None:
        return rows.none()
    return rows.filter(line__cadre_id=p.cadre_id)


def sanctions_for(user) -> QuerySet[Sanction]:
    return Sanction.objects.select_related("cadre") if principal(user).is_org_admin else Sanction.objects.none()


@dataclass(frozen=True)
class Change:
    cadre: str
    name: str
    old: str
    new: str
    reason: str


def version_diff(sheet: GradeSheet, old: int, new: int) -> list[Change]:
    """The people whose grade differs between two published versions of a sheet."""
    versions = {v.version: v for v in GradeVersion.objects.filter(sheet=sheet, version__in=[old, new])}
    if old not in versions or new not in versions:
        raise DomainError(f"{sheet} 没有第 {old} 版或第 {new} 版公示", field="version")
    before = {row["cadre"]: row for row in versions[old].data["lines"]}
    out = []
    for row in versions[new].data["lines"]:
        prior = before.get(row["cadre"], {})
        if prior.get("grade") != row["grade"]:
            out.append(Change(row["cadre"], row["name"], prior.get("grade", ""), row["grade"], row.get("reason", "")))
    return out


# --- consequences (结果运用) ---------------------------------------------------------------


def final_annual_grades(years: list[int]) -> dict[str, dict[int, str]]:
    """cadre code → year → final annual grade, over the final annual sheets of ``years``."""
    rows = GradeLine.objects.filter(
        sheet__state=SheetState.FINAL, sheet__plan__kind=GradeKind.ANNUAL, sheet__plan__year__in=years
    ).values_list("cadre__code", "sheet__plan__year", "grade")
    out: dict[str, dict[int, str]] = {}
    for code, year, grade in rows:
        out.setdefault(code, {})[year] = grade
    return out


@dataclass(frozen=True)
class ConsequenceLine:
    list_kind: str
    cadre: Cadre
    grades: tuple[str, ...]
    follow_ups: tuple[FollowUp, ...]


def consequences(user, year: int) -> dict[str, list[ConsequenceLine]]:
    """The year's lists that follow from final annual grades (组织部 only): 连续三年优秀, 连续两年不称职, 本年度不称职."""
    if not principal(user).is_org_admin:
        return {}
    grades = final_annual_grades([year - 2, year - 1, year])
    cadres = {c.code: c for c in Cadre.objects.filter(code__in=list(grades))}
    follow = {}
    for f in FollowUp.objects.filter(year=year).select_related("cadre"):
        follow.setdefault((f.list_kind, f.cadre.code), []).append(f)
    lists: dict[str, list[ConsequenceLine]] = {"excellent_3": [], "incompetent_2": [], "incompetent": []}
    for code in sorted(grades):
        g = grades[code]
        three = tuple(g.get(y, "") for y in (year - 2, year - 1, year))
        checks = {
            "excellent_3": all(x == "优秀" for x in three),
            "incompetent_2": three[1] == three[2] == "不称职",
            "incompetent": three[2] == "不称职",
        }
        for kind, hit in checks.items():
            if hit:
                lists[kind].append(ConsequenceLine(kind, cadres[code], three, tuple(follow.get((kind, code), ()))))
    return lists


def share_text(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


@dataclass(frozen=True)
class PersonRecord:
    """A 年度考核登记表-style record of one person and year: posts, four 平时考核 grades, the annual grade."""

    cadre: Cadre
    year: int
    posts: list[Post]
    quarters: list[tuple[str, GradeLine | None]]
    annual: GradeLine | None


def person_record(user, cadre: Cadre, year: int) -> PersonRecord | None:
    """The record if ``user`` may see it: an administrator of the cadre (every state), or the cadre (公示 on)."""
    from gongfen.accounts.permissions import cadres_for

    p = principal(user)
    if p.cadre_id == cadre.pk and not cadres_for(user, Action.ADMINISTER).filter(pk=cadre.pk).exists():
        lines = my_lines(user)
    elif p.has("org_admin", "unit_admin") and cadres_for(user, Action.ADMINISTER).filter(pk=cadre.pk).exists():
        lines = GradeLine.objects.filter(cadre=cadre).select_related("sheet", "sheet__unit", "sheet__plan")
    else:
        return None
    found = {
        line.sheet.period: line for line in lines.filter(sheet__plan__year=year).select_related("sheet__confirmed_by")
    }
    start, end = date(year, 1, 1), date(year, 12, 31)
    posts = list(
        Post.objects.filter(cadre=cadre, start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .select_related("unit")
        .order_by("start")
    )
    quarters = [(f"{year}Q{q}", found.get(f"{year}Q{q}")) for q in range(1, 5)]
    return PersonRecord(cadre, year, posts, quarters, found.get(f"{year}Y"))
