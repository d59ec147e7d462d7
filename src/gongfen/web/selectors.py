"""What the dashboard shows each role (what needs me now)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import Action, cadres_for, entries_for, groups_for, principal
from gongfen.ledger.models import EntryStatus
from gongfen.ledger.page_selectors import Line, really_adds
from gongfen.scoring import Ranking, Row, fmt2, period_of


def dashboard(user) -> dict:
    p = principal(user)
    today = timezone.localdate()
    panels: dict = {"today": today, "period": period_of(today).code}
    if p.cadre_id:
        panels["cadre"] = cadre_home(user, today)
    if p.has(RoleKind.ORG_ADMIN, RoleKind.REVIEWER):
        queue = entries_for(user, Action.REVIEW).filter(status=EntryStatus.PENDING).exclude(cadre_id=p.cadre_id)
        queue = queue.exclude(recorded_by_id=p.user_id)  # four eyes: not one's own, not one's own recording
        oldest = queue.order_by("recorded_at").first()
        panels["review"] = {"waiting": queue.count(), "oldest": oldest and oldest.recorded_at}
    if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN):
        panels["admin"] = {
            "cadres": cadres_for(user, Action.ADMINISTER).count(),
            "groups": groups_for(user, Action.ADMINISTER).count(),
            "pending": entries_for(user).filter(status=EntryStatus.PENDING).count(),
        }
    if p.is_org_admin:
        from gongfen.publication.holidays import missing_years

        # a window that would reach into a year nobody has recorded is refused: tell 组织部 before it comes to that
        panels["calendar"] = {"missing": missing_years(today)}
    if p.has(RoleKind.TASK_FORCE_LEAD):
        panels["task_force"] = {"members": cadres_for(user, Action.DECLARE).exclude(pk=p.cadre_id).count()}
    return panels


# --- 我的位置: where a cadre stands this quarter -------------------------------------------------


@dataclass
class Place:
    """A cadre's standing in one group this quarter, as the home page says it (plain words, no formula letters)."""

    group: object
    size: int = 0
    row: Row | None = None
    unranked_days: int | None = None
    gap: str = ""  # 综合得分 points short of the next better tier ("" in the first tier, or when vetoed)
    next_tier: str = ""
    tie: str = ""  # what decided the order among those with the same 综合得分
    capped: list[Line] = field(default_factory=list)  # rules and categories already at their cap
    caps: list[Line] = field(default_factory=list)  # every line that has a cap, for the meters
    numbers: dict = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)


def _tie(ranking: Ranking, row: Row) -> str:
    """What put ``row`` where it is among the rows with the same 综合得分 (empty when nobody shares it)."""
    same = [r for r in ranking.rows if r.cadre != row.cadre and r.composite == row.composite and r.vetoed == row.vetoed]
    if not same:
        return ""
    shared = sum(1 for r in same if r.rank == row.rank)
    by_points = sum(1 for r in same if r.rank != row.rank and r.quantitative != row.quantitative)
    by_deductions = len(same) - shared - by_points
    parts = [_("综合得分与另外 %(n)d 人相同") % {"n": len(same)}]
    if by_points:
        parts.append(_("其中 %(n)d 人按工分高低排定先后") % {"n": by_points})
    if by_deductions:
        parts.append(_("%(n)d 人工分也相同，按扣分合计（扣分少者在前）排定") % {"n": by_deductions})
    if shared:
        parts.append(_("%(n)d 人各项都相同，名次并列") % {"n": shared})
    return "；".join(parts)


def _gap(ranking: Ranking, row: Row) -> tuple[str, str]:
    """(the next better tier's name, the 综合得分 its last member is ahead by), or ("", "") when there is none."""
    if row.vetoed or row.tier_index == 0:
        return "", ""
    better = [r for r in ranking.rows if r.tier_index < row.tier_index and not r.vetoed]
    if not better:
        return "", ""
    last = max(better, key=lambda r: (r.tier_index, r.rank))
    return last.tier, fmt2(max(last.composite - row.composite, Decimal(0)))


def _place(group, ranking: Ranking | None, cadre_code: str) -> Place:
    from gongfen.ledger.page_selectors import _breakdown

    place = Place(group, size=ranking.size if ranking else 0)
    if ranking is None:
        return place
    place.row = next((r for r in ranking.rows if r.cadre == cadre_code), None)
    place.unranked_days = next((u.days for u in ranking.unranked if u.cadre == cadre_code), None)
    if place.row is None:
        return place
    row = place.row
    rules, categories = _breakdown(group, row)
    place.caps = [line for line in [*categories, *rules] if line.cap]
    place.capped = [line for line in place.caps if line.clipped or (line.meter_value and line.meter_value == line.cap)]
    place.next_tier, place.gap = _gap(ranking, row)
    place.tie = _tie(ranking, row)
    place.numbers = {
        "quantitative": fmt2(row.quantitative),
        "deductions": fmt2(row.deductions),
        "normalized": fmt2(row.normalized),
        "qualitative": None if row.qualitative is None else fmt2(row.qualitative),
        "composite": fmt2(row.composite),
    }
    return place


def cadre_home(user, today) -> dict:
    """The cadre's 我的位置 for the quarter containing ``today``: a Place per group and what is still pending.

    Rankings come from ``rankings.selectors.rank_all`` (maintained totals, cached), never from the ledger.
    """
    from gongfen.ledger.page_selectors import ACTION_LABELS
    from gongfen.rankings.selectors import groups_of_cadre, rank_all

    p = principal(user)
    period = period_of(today).code
    groups = [g for g in groups_of_cadre(p.cadre_id, period) if g.scheme.year == today.year]
    rankings = {r.group: r for r in rank_all(period, groups)} if groups else {}
    cadre_code = user.cadre.code
    places = [_place(g, rankings.get(g.code), cadre_code) for g in groups]
    for place in places:
        place.actions = [str(ACTION_LABELS.get(a, a)) for a in place.row.actions] if place.row else []
    mine = entries_for(user).filter(cadre_id=p.cadre_id).select_related("rule")
    pending = list(mine.filter(status=EntryStatus.PENDING).order_by("recorded_at", "id")[:6])
    really_adds(pending)  # after the caps, by the scoring core, from the maintained totals
    return {
        "period": period,
        "places": places,
        "pending": pending[:5],
        "more_pending": len(pending) > 5,
        "pending_count": mine.filter(status=EntryStatus.PENDING).count(),
        "drafts": mine.filter(status=EntryStatus.DECLARED).count(),
        "rejected": mine.filter(status=EntryStatus.REJECTED, period=period).count(),
    }
