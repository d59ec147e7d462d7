"""Every write of the grades app: permission and state checked, the audit row in the same transaction.

Who may do what:
- 组织部 (org administrators): quota plans, seat overrides (a second 组织部 user confirms), the influence
  table, the sanctions and 不定等次 registers, proposing sheets, confirming, publishing, finalizing,
  deciding 复核, recording follow-ups;
- a unit administrator, as the unit's appraisal committee (考核委员会): proposing its unit's sheet and
  adjusting its grades, with reasons, never beyond the quota;
- a cadre: applying for 复核 of their own final grade within 30 days (公务员法第九十五条).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from gongfen.accounts.permissions import Action, principal, units_for
from gongfen.audit.services import audit_record, model_snapshot
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre, Unit
from gongfen.publication.services import working_days_after
from gongfen.schemes.models import RankingGroup

from . import influence, selectors
from .models import (
    FollowUp,
    FollowUpAction,
    FollowUpList,
    GradeKind,
    GradeLine,
    GradeReview,
    GradeSheet,
    GradeVersion,
    InfluenceSetting,
    NotGraded,
    NotGradedReason,
    PoolAt,
    Population,
    QuotaPlan,
    ReviewStatus,
    Rounding,
    Sanction,
    SeatOverride,
    SheetState,
)
from .seats import Candidate, SeatError, propose, share_pool

REVIEW_DAYS = 30  # 公务员法（2018）第九十五条：自知道该人事处理之日起三十日内


def _org(actor: Actor, what: str) -> None:
    if actor.user is not None and not principal(actor.user).is_org_admin:
        raise DomainError(f"只有组织部管理员可以{what}", code="forbidden")


def _committee(actor: Actor, unit: Unit, what: str) -> None:
    if actor.user is None or principal(actor.user).is_org_admin:
        return
    if not units_for(actor.user, Action.ADMINISTER).filter(pk=unit.pk).exists():
        raise DomainError(f"只有{unit.name}的考核委员会（单位管理员）或组织部可以{what}", code="forbidden")


def _choice(value: str, choices, field: str, label: str) -> str:
    if value not in choices.values:
        names = "、".join(f"{c.value}（{c.label}）" for c in choices)
        raise DomainError(f"{label}“{value}”不可用（可选：{names}）", field=field)
    return value


# --- quota plans ------------------------------------------------------------------------------


@transaction.atomic
def quota_plan_save(
    *,
    actor: Actor,
    year: int,
    population: str,
    kind: str,
    share: Decimal | str,
    rounding: str = Rounding.FLOOR,
    min_seats: int = 0,
    pool_below: int = 0,
    pool_at: str = PoolAt.PARENT,
    publicity_days: int = 5,
    reviewable: str = "不称职",
    units: list[Unit] | None = None,
) -> QuotaPlan:
    """Create or change the plan of (year, population, kind); a sheet already proposed keeps its seats."""
    _org(actor, "设定名额方案")
    _choice(population, Population, "population", "人员类别")
    _choice(kind, GradeKind, "kind", "考核类别")
    _choice(rounding, Rounding, "rounding", "取整方式")
    _choice(pool_at, PoolAt, "pool_at", "合并方式")
    try:
        share = Decimal(str(share))
    except InvalidOperation as error:
        raise DomainError(f"比例“{share}”不是数字（如 0.2 表示 20%）", field="share") from error
    if not Decimal(0) <= share <= Decimal(1):
        raise DomainError(f"比例 {share} 须在 0 到 1 之间（如 0.2 表示 20%）", field="share")
    if publicity_days < 1:
        raise DomainError("公示期至少为 1 个工作日", field="publicity_days")
    ladder = selectors.ladder(kind)
    bad = [g for g in reviewable.split(",") if g and g not in ladder]
    if bad:
        raise DomainError(f"可申请复核的等次 {'、'.join(bad)} 不是{GradeKind(kind).label}等次", field="reviewable")
    plan = QuotaPlan.objects.select_for_update().filter(year=year, population=population, kind=kind).first()
    before = model_snapshot(plan) if plan else None
    if plan is None:
        plan = QuotaPlan(year=year, population=population, kind=kind, created_by=actor.user)
    plan.share, plan.rounding, plan.min_seats = share, rounding, min_seats
    plan.pool_below, plan.pool_at, plan.publicity_days, plan.reviewable = (
        pool_below,
        pool_at,
        publicity_days,
        reviewable,
    )
    plan.save()
    if units is not None:
        plan.units.set(units)
    audit_record(
        actor=actor,
        action="grades.plan_save",
        obj=plan,
        object_id=plan.code,
        summary=f"{plan} 优秀/好比例 {selectors.share_text(share)}",
        before=before,
        after=model_snapshot(plan),
    )
    return plan


@transaction.atomic
def seat_override_propose(*, actor: Actor, plan: QuotaPlan, unit: Unit, seats: int, reason: str) -> SeatOverride:
    """Propose a unit's seats other than the plan's count; in force once a second 组织部 user confirms."""
    _org(actor, "调整单位名额")
    if not (reason or "").strip():
        raise DomainError(f"调整{unit.name}的名额必须说明理由", field="reason")
    if not plan.units.filter(pk=unit.pk).exists():
        raise DomainError(f"{unit.name}不在名额方案“{plan}”中", field="unit")
    start, end = selectors.period_bounds(f"{plan.year}Y", GradeKind.ANNUAL)
    size = selectors.members(unit, start, end).count()
    if not 0 <= seats <= size:
        raise DomainError(f"{unit.name}的名额 {seats} 须在 0 到 {size}（参加考核人数）之间", field="seats")
    row = SeatOverride.objects.create(plan=plan, unit=unit, seats=seats, reason=reason.strip(), proposed_by=actor.user)
    audit_record(
        actor=actor,
        action="grades.seats_propose",
        obj=row,
        object_id=f"{plan.code}/{unit.code}",
        after={"seats": seats},
        reason=row.reason,
    )
    return row


@transaction.atomic
def seat_override_confirm(*, actor: Actor, override: SeatOverride) -> SeatOverride:
    """A second 组织部 user confirms an override (四眼原则): the proposer cannot."""
    _org(actor, "确认名额调整")
    row = SeatOverride.objects.select_for_update().get(pk=override.pk)
    if row.confirmed_by_id is not None:
        raise DomainError("这项名额调整已经确认过了")
    if actor.user is None or row.proposed_by_id == actor.user.pk:
        raise DomainError("名额调整须由提出人以外的另一位组织部管理员确认", code="forbidden")
    row.confirmed_by, row.confirmed_at = actor.user, timezone.now()
    row.save()
    audit_record(
        actor=actor,
        action="grades.seats_confirm",
        obj=row,
        object_id=f"{row.plan.code}/{row.unit.code}",
        after={"seats": row.seats},
        reason=row.reason,
    )
    return row


# --- eligibility ------------------------------------------------------------------------------


@transaction.atomic
def influence_set(
    *,
    actor: Actor,
    kind: str,
    first: str,
    later: str = "",
    years: int = 1,
    pingshi_months: int = 0,
    pingshi_bars: str = "",
) -> InfluenceSetting:
    """The county's rule for one kind of sanction (confirming or changing the shipped default)."""
    _org(actor, "设定处分影响期")
    if kind not in influence.KINDS:
        raise DomainError(f"处分种类“{kind}”未知", field="kind")
    try:
        influence.check_effect(first, selectors.ladder(GradeKind.ANNUAL))
        influence.check_effect(later, selectors.ladder(GradeKind.ANNUAL))
        influence.check_effect(f"bar:{pingshi_bars}" if pingshi_bars else "", selectors.ladder(GradeKind.PINGSHI))
    except influence.RuleError as error:
        raise DomainError(str(error), field="first") from error
    if years < 1:
        raise DomainError("影响的年度数至少为 1（当年）", field="years")
    row = InfluenceSetting.objects.select_for_update().filter(kind=kind).first()
    before = model_snapshot(row) if row else None
    row = row or InfluenceSetting(kind=kind)
    row.first, row.later, row.years = first, later, years
    row.pingshi_months, row.pingshi_bars, row.confirmed_by = pingshi_months, pingshi_bars, actor.user
    row.save()
    audit_record(
        actor=actor, action="grades.influence_set", obj=row, object_id=kind, before=before, after=model_snapshot(row)
    )
    return row


@transaction.atomic
def sanction_record(
    *, actor: Actor, cadre: Cadre, kind: str, decided_on: date, document: str = "", lifted_on: date | None = None
) -> Sanction:
    """Enter a sanction in the register (负面清单)."""
    _org(actor, "登记处分")
    if kind not in influence.KINDS:
        names = "、".join(r.label for r in influence.DEFAULTS)
        raise DomainError(f"处分种类“{kind}”未知（可选：{names}）", field="kind")
    if lifted_on is not None and lifted_on < decided_on:
        raise DomainError("解除日期不能早于处分决定日期", field="lifted_on")
    row = Sanction.objects.create(
        cadre=cadre, kind=kind, decided_on=decided_on, lifted_on=lifted_on, document=document, recorded_by=actor.user
    )
    audit_record(
        actor=actor,
        action="grades.sanction_record",
        obj=row,
        summary=f"{cadre.name} {kind} {decided_on}",
        after=model_snapshot(row),
    )
    return row


@transaction.atomic
def not_graded_record(*, actor: Actor, cadre: Cadre, year: int, reason: str, note: str = "") -> NotGraded:
    """Record that a person is not graded in a year (不定等次: 试用期、新录用、病事假超过半年 …)."""
    _org(actor, "登记不定等次")
    _choice(reason, NotGradedReason, "reason", "不定等次原因")
    if NotGraded.objects.filter(cadre=cadre, year=year).exists():
        raise DomainError(f"{cadre.name} {year} 年已登记为不定等次", field="cadre")
    row = NotGraded.objects.create(cadre=cadre, year=year, reason=reason, note=note, recorded_by=actor.user)
    audit_record(
        actor=actor, action="grades.not_graded", obj=row, object_id=f"{cadre.code}/{year}", after=model_snapshot(row)
    )
    return row


# --- the results workflow ---------------------------------------------------------------------


def _candidates(
    group: RankingGroup | None,
    period: str,
    kind: str,
    cadres: dict[int, Cadre],
    unit_of: dict[int, str],
    ladder: tuple[str, ...],
) -> list[Candidate]:
    """The unit's people as the ranking has them: rank, score and tier (the annual ones: the year's account)."""
    rows: dict[str, tuple[int, str, str | None]] = {}
    if group is not None:
        rows = _ranking_rows(group, period, kind, ladder)
    out = []
    for cid, cadre in cadres.items():
        rank, score, tier = rows.get(cadre.code, (None, None, None))
        out.append(Candidate(cadre.code, unit_of[cid], rank, tier, score))
    return out


def _ranking_rows(
    group: RankingGroup, period: str, kind: str, ladder: tuple[str, ...]
) -> dict[str, tuple[int, str, str | None]]:
    """cadre → (rank, score, proposed tier): a tier that names a grade is kept; any other tier proposes the
    top grade, so that the seats go by rank; a vetoed cadre (一票否决) proposes none (the second grade)."""

    def fit(tier: str, vetoed: bool) -> str | None:
        return None if vetoed else tier if tier in ladder else ladder[0]

    if kind == GradeKind.ANNUAL:
        from gongfen.results.selectors import year_account

        account = year_account(group, int(period[:4]))
        return {line.cadre: (line.rank, line.score_text, fit("", line.vetoed)) for line in account.lines}
    from gongfen.publication.selectors import snapshot_current
    from gongfen.rankings.selectors import group_ranking
    from gongfen.scoring import fmt2

    snapshot = snapshot_current(group, period)
    if snapshot is not None:
        found = snapshot.data["ranking"]["rows"]
        return {r["cadre"]: (r["rank"], r["composite"], fit(r["tier"], bool(r.get("vetoed")))) for r in found}
    ranking = group_ranking(group, period)
    return {r.cadre: (r.rank, fmt2(r.composite), fit(r.tier, r.vetoed)) for r in ranking.rows}


def _eligibility(r) -> dict:
    return {"reasons": list(r.reasons), "ungraded": r.ungraded, "fixed": r.fixed, "barred": sorted(r.barred)}


@transaction.atomic
def sheet_propose(
    *, actor: Actor, plan: QuotaPlan, unit: Unit, period: str, group: RankingGroup | None = None
) -> GradeSheet:
    """The unit's proposed grades for the period, from the ranking with the quota and eligibility applied."""
    _committee(actor, unit, "提出等次建议")
    start, end = selectors.period_bounds(period, plan.kind)
    if start.year != plan.year:
        raise DomainError(f"考核期 {period} 不在名额方案“{plan}”的年度内", field="period")
    if not plan.units.filter(pk=unit.pk).exists():
        raise DomainError(f"{unit.name}不在名额方案“{plan}”中", field="unit")
    if GradeSheet.objects.filter(unit=unit, period=period).exists():
        raise DomainError(f"{unit.name} {period} 的等次评定表已经建立", field="unit")
    try:
        lines, _pools = selectors.allocation(plan, period)
    except SeatError as error:
        raise DomainError(str(error), field="plan") from error
    mine = next(line for line in lines if line.unit.pk == unit.pk)
    ladder = selectors.ladder(plan.kind)
    people = {c.pk: c for c in selectors.members(unit, start, end)}
    unit_of = dict.fromkeys(people, unit.code)
    if mine.pool is not None:  # the pool's seats by rank across its units' people
        pooled: dict[int, Cadre] = {}
        for other in Unit.objects.filter(code__in=mine.pool.units):
            for c in selectors.members(other, start, end):
                pooled[c.pk] = c
                unit_of.setdefault(c.pk, other.code)
        seats = share_pool(mine.pool.seats, _candidates(group, period, plan.kind, pooled, unit_of, ladder))
        my_seats = seats.get(unit.code, 0)
    else:
        my_seats = mine.allocation.seats or 0
    limits = selectors.restrictions(list(people), period, plan.kind)
    by_code = {c.code: limits[pk] for pk, c in people.items()}
    proposals = propose(
        _candidates(group, period, plan.kind, people, unit_of, ladder),
        ladder=ladder,
        top_seats=my_seats,
        restrictions=by_code,
    )
    sheet = GradeSheet.objects.create(
        plan=plan, unit=unit, period=period, group=group, seats=my_seats, pool=mine.pool.key if mine.pool else ""
    )
    codes = {c.code: c for c in people.values()}
    GradeLine.objects.bulk_create(
        GradeLine(
            sheet=sheet,
            cadre=codes[p.cadre],
            rank=p.rank,
            score=p.score or "",
            proposed=p.grade,
            grade=p.grade,
            notes=list(p.notes),
            eligibility=_eligibility(by_code[p.cadre]),
        )
        for p in proposals
    )
    audit_record(
        actor=actor,
        action="grades.sheet_propose",
        obj=sheet,
        object_id=f"{unit.code}/{period}",
        after={"seats": my_seats, "pool": sheet.pool, "grades": {p.cadre: p.grade for p in proposals}},
    )
    return sheet


def _lock_quota(sheet: GradeSheet) -> None:
    """Lock every sheet of the plan and period (in key order), so two committees of one pool cannot both
    take its last seat."""
    rows = GradeSheet.objects.select_for_update().filter(plan=sheet.plan, period=sheet.period).order_by("pk")
    list(rows.values_list("pk", flat=True))


def _top_used(sheet: GradeSheet, top: str) -> tuple[int, int]:
    """(used, seats) of the sheet's quota: its own seats, or its pool's across the pool's sheets."""
    if not sheet.pool:
        return GradeLine.objects.filter(sheet=sheet, grade=top).count(), sheet.seats
    _lines, pools = selectors.allocation(sheet.plan, sheet.period)
    pool = pools[sheet.pool]
    used = GradeLine.objects.filter(
        sheet__plan=sheet.plan, sheet__period=sheet.period, sheet__unit__code__in=pool.units, grade=top
    ).count()
    return used, pool.seats


@transaction.atomic
def line_adjust(*, actor: Actor, line: GradeLine, grade: str, reason: str) -> GradeLine:
    """The committee changes one proposed grade, with a reason; never beyond the quota, never a barred grade."""
    line = (
        GradeLine.objects.select_for_update()
        .select_related("sheet", "sheet__plan", "sheet__unit", "cadre")
        .get(pk=line.pk)
    )
    sheet = line.sheet
    _committee(actor, sheet.unit, "调整等次")
    _lock_quota(sheet)
    who = f"{line.cadre.name}（{line.cadre.code}）"
    if sheet.state != SheetState.PROPOSED:
        raise DomainError(f"{sheet} 处于“{sheet.get_state_display()}”状态，只有评议中的等次可以调整")
    ladder = selectors.ladder(sheet.plan.kind)
    if grade not in ladder:
        raise DomainError(f"等次“{grade}”不可用（可选：{'、'.join(ladder)}）", field="grade")
    if not (reason or "").strip():
        raise DomainError(f"调整{who}的等次必须说明理由", field="reason")
    if grade == line.grade:
        raise DomainError(f"{who}已是“{grade}”，无需调整", field="grade")
    r = selectors.restriction_of(line)
    if not r.allows(grade):
        why = "；".join(r.reasons) or "资格限制"
        raise DomainError(f"{who}不能确定为“{grade}”：{why}", field="grade")
    before = line.grade
    line.grade, line.reason = grade, reason.strip()
    line.save()
    if grade == ladder[0]:
        used, seats = _top_used(sheet, ladder[0])
        if used > seats:
            raise DomainError(
                f"{sheet.unit.name}的{ladder[0]}名额为 {seats} 名，已用 {used - 1} 名，不能再确定{who}为{ladder[0]}",
                field="grade",
                code="over_quota",
            )
    audit_record(
        actor=actor,
        action="grades.line_adjust",
        obj=line,
        object_id=f"{sheet.unit.code}/{sheet.period}/{line.cadre.code}",
        before={"grade": before},
        after={"grade": grade},
        reason=line.reason,
    )
    return line


def _locked(sheet: GradeSheet) -> GradeSheet:
    return GradeSheet.objects.select_for_update().select_related("plan", "unit").get(pk=sheet.pk)


def _move(actor: Actor, sheet: GradeSheet, before: str, action: str, **after) -> None:
    audit_record(
        actor=actor,
        action=f"grades.{action}",
        obj=sheet,
        object_id=f"{sheet.unit.code}/{sheet.period}",
        before={"state": before},
        after={"state": sheet.state, **after},
    )


@transaction.atomic
def sheet_confirm(*, actor: Actor, sheet: GradeSheet) -> GradeSheet:
    """组织部 confirms the committee's grades (审核确认); the quota is checked once more."""
    _org(actor, "确认等次")
    sheet = _locked(sheet)
    if sheet.state != SheetState.PROPOSED:
        raise DomainError(f"{sheet} 处于“{sheet.get_state_display()}”状态，只有评议中的等次可以确认")
    top = selectors.ladder(sheet.plan.kind)[0]
    used, seats = _top_used(sheet, top)
    if used > seats:
        raise DomainError(f"{sheet} 的{top}有 {used} 名，超过名额 {seats} 名，不能确认", code="over_quota")
    sheet.state, sheet.confirmed_by = SheetState.CONFIRMED, actor.user
    sheet.save()
    _move(actor, sheet, SheetState.PROPOSED, "sheet_confirm")
    return sheet


def _freeze(actor: Actor, sheet: GradeSheet, reason: str = "") -> GradeVersion:
    sheet.version += 1
    sheet.save()
    lines = [
        {
            "cadre": line.cadre.code,
            "name": line.cadre.name,
            "rank": line.rank,
            "score": line.score,
            "grade": line.grade,
            "notes": line.notes,
            "reason": line.reason,
        }
        for line in selectors.sheet_lines(sheet)
    ]
    return GradeVersion.objects.create(
        sheet=sheet, version=sheet.version, data={"lines": lines}, reason=reason, published_by=actor.user
    )


@transaction.atomic
def sheet_publish(*, actor: Actor, sheet: GradeSheet, today: date | None = None) -> GradeVersion:
    """公示: version 1 published for ``plan.publicity_days`` working days on the holiday calendar."""
    _org(actor, "公示等次")
    sheet = _locked(sheet)
    if sheet.state != SheetState.CONFIRMED:
        raise DomainError(f"{sheet} 处于“{sheet.get_state_display()}”状态，只有组织部已确认的等次可以公示")
    today = today or timezone.localdate()
    sheet.window_starts_on = today
    sheet.window_ends_on = working_days_after(today, sheet.plan.publicity_days)
    sheet.state = SheetState.PUBLISHED
    version = _freeze(actor, sheet)
    _move(
        actor,
        sheet,
        SheetState.CONFIRMED,
        "sheet_publish",
        version=version.version,
        window_ends_on=str(sheet.window_ends_on),
    )
    return version


@transaction.atomic
def sheet_finalize(*, actor: Actor, sheet: GradeSheet, today: date | None = None) -> GradeSheet:
    """Final once the 公示 has ended: the grades are recorded per person per year."""
    _org(actor, "确定等次")
    sheet = _locked(sheet)
    today = today or timezone.localdate()
    if sheet.state != SheetState.PUBLISHED:
        raise DomainError(f"{sheet} 处于“{sheet.get_state_display()}”状态，只有公示中的等次可以确定")
    if today <= sheet.window_ends_on:
        raise DomainError(f"{sheet} 的公示期到 {sheet.window_ends_on} 为止，公示期结束后才能确定")
    sheet.state, sheet.finalized_on = SheetState.FINAL, today
    sheet.save()
    _move(actor, sheet, SheetState.PUBLISHED, "sheet_finalize", version=sheet.version)
    return sheet


# --- 复核 ----------------------------------------------------------------------------------------


def review_deadline(sheet: GradeSheet) -> date | None:
    return None if sheet.finalized_on is None else sheet.finalized_on + timedelta(days=REVIEW_DAYS)


@transaction.atomic
def review_file(*, actor: Actor, line: GradeLine, text: str, today: date | None = None) -> GradeReview:
    """The graded person applies for 复核 of a final grade the plan opens, within 30 days of it becoming final."""
    line = GradeLine.objects.select_for_update().select_related("sheet", "sheet__plan", "cadre").get(pk=line.pk)
    p = principal(actor.user)
    if p.cadre_id != line.cadre_id:
        raise DomainError("只能对本人的考核等次申请复核", code="forbidden")
    sheet = line.sheet
    if sheet.state != SheetState.FINAL:
        raise DomainError(f"{sheet} 的等次尚未确定，确定后才能申请复核")
    open_grades = [g for g in sheet.plan.reviewable.split(",") if g]
    if line.grade not in open_grades:
        raise DomainError(f"“{line.grade or '不定等次'}”不在可申请复核的等次（{'、'.join(open_grades)}）之内")
    today = today or timezone.localdate()
    deadline = review_deadline(sheet)
    if deadline is not None and today > deadline:
        raise DomainError(f"复核申请期限（{REVIEW_DAYS} 日）已于 {deadline} 届满；对复核决定不服的可以申诉")
    if not (text or "").strip():
        raise DomainError("请写明申请复核的理由", field="text")
    if line.reviews.filter(status=ReviewStatus.FILED).exists():
        raise DomainError("已有一份待复核的申请，请等候决定", field="text")
    review = GradeReview.objects.create(
        line=line, filed_on=today, text=text.strip(), filed_by=actor.user, old_grade=line.grade
    )
    audit_record(
        actor=actor,
        action="grades.review_file",
        obj=review,
        object_id=f"{sheet.unit.code}/{sheet.period}/{line.cadre.code}",
        reason=review.text,
    )
    return review


@transaction.atomic
def review_decide(
    *, actor: Actor, review: GradeReview, grade: str, reason: str, today: date | None = None
) -> GradeReview:
    """组织部 decides a 复核: the same grade upholds it; another grade changes it and republishes (new version)."""
    _org(actor, "作出复核决定")
    review = (
        GradeReview.objects.select_for_update().select_related("line", "line__sheet", "line__cadre").get(pk=review.pk)
    )
    if review.status != ReviewStatus.FILED:
        raise DomainError("这份复核申请已经作出决定")
    if not (reason or "").strip():
        raise DomainError("复核决定必须说明理由", field="reason")
    line = GradeLine.objects.select_for_update().get(pk=review.line.pk)
    _lock_quota(line.sheet)
    sheet = _locked(line.sheet)
    ladder = selectors.ladder(sheet.plan.kind)
    if grade not in ladder:
        raise DomainError(f"等次“{grade}”不可用（可选：{'、'.join(ladder)}）", field="grade")
    r = selectors.restriction_of(line)
    if not r.allows(grade):
        raise DomainError(f"不能确定为“{grade}”：{'；'.join(r.reasons)}", field="grade")
    review.decision, review.decided_by = reason.strip(), actor.user
    review.decided_on = today or timezone.localdate()
    review.new_grade = grade
    changed = grade != line.grade
    review.status = ReviewStatus.CHANGED if changed else ReviewStatus.UPHELD
    review.save()
    if changed:
        line.grade, line.reason = grade, f"复核：{review.decision}"
        line.save()
        if grade == ladder[0]:
            used, seats = _top_used(sheet, ladder[0])
            if used > seats:
                raise DomainError(f"{sheet} 的{ladder[0]}名额为 {seats} 名，已满", code="over_quota")
        _freeze(actor, sheet, reason=f"复核变更 {line.cadre.name}：{review.old_grade} → {grade}")
    audit_record(
        actor=actor,
        action="grades.review_decide",
        obj=review,
        object_id=f"{sheet.unit.code}/{sheet.period}/{line.cadre.code}",
        before={"grade": review.old_grade},
        after={"grade": grade, "status": review.status, "version": sheet.version},
        reason=review.decision,
    )
    return review


@transaction.atomic
def follow_up_record(*, actor: Actor, cadre: Cadre, year: int, list_kind: str, action: str, note: str = "") -> FollowUp:
    """What was done about a person on a consequences list (结果运用)."""
    _org(actor, "登记结果运用")
    _choice(list_kind, FollowUpList, "list_kind", "名单")
    _choice(action, FollowUpAction, "action", "处理")
    row = FollowUp.objects.create(
        cadre=cadre, year=year, list_kind=list_kind, action=action, note=note, recorded_by=actor.user
    )
    audit_record(
        actor=actor,
        action="grades.follow_up",
        obj=row,
        object_id=f"{cadre.code}/{year}/{list_kind}",
        after=model_snapshot(row),
    )
    return row
