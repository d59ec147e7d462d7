"""Early warning (亮灯): red and yellow lights per cadre and per scheme's unit, each with its reason.

Computed from the boards, the ledger and the objections whenever asked (never stored); what was done
about a warning is stored (:class:`~gongfen.analytics.models.WarningFollowUp`). Thresholds:

- cadre, red: in the group's last tier in the period and in the period before (连续两期末档);
- cadre, yellow: in the last tier this period; or nothing recorded for ``QUIET_WEEKS`` weeks before
  ``as_of`` (counted on the recording date of the cadre's entries of the scheme);
- unit, red: its group's 大锅饭 flag (``analytics.fairness``);
- unit, yellow: entries waiting for review more than ``OVERDUE_DAYS`` days on ``as_of``; objections
  upheld at least ``UPHELD_OFTEN`` times in the scheme's year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongfen.ledger.models import Entry, EntryKind, EntryStatus
from gongfen.org.models import Cadre
from gongfen.publication.models import Objection, ObjectionStatus
from gongfen.rankings.selectors import groups_queryset, rank_all
from gongfen.schemes.models import Scheme
from gongfen.scoring import parse_period

from .fairness import group_spreads
from .models import Light, WarningFollowUp

QUIET_WEEKS = 6
OVERDUE_DAYS = 14
UPHELD_OFTEN = 2

REASONS = {
    "last_twice": _("连续两期处于末档"),
    "last_tier": _("本期处于末档"),
    "quiet": _("连续 6 周没有任何记录"),
    "flat": _("本单位得分过于接近（大锅饭）"),
    "overdue": _("有记录待审核超过 14 天"),
    "upheld": _("本年度异议多次被采纳"),
}


@dataclass(frozen=True)
class Warning:
    subject_kind: str  # cadre | scheme
    subject: str
    name: str
    group: str
    scheme: str
    period: str
    reason: str
    light: str
    detail: str = ""
    follow_ups: tuple = ()

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.subject_kind, self.subject, self.group, self.period, self.reason)

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


def warnings_for(schemes, period: str, as_of: date) -> list[Warning]:
    """Every warning of ``period`` over ``schemes`` (already scoped), red first, with its follow-ups."""
    quarter = parse_period(period)
    schemes = list(schemes.filter(year=quarter.year).select_related("unit"))
    found = _cadre_warnings(schemes, quarter, as_of) + _unit_warnings(schemes, quarter, as_of)
    done = defaultdict(list)
    for f in WarningFollowUp.objects.filter(period=period).order_by("id"):
        done[(f.subject_kind, f.subject, f.group, f.period, f.reason)].append(f)
    found = [_with_follow_ups(w, tuple(done.get(w.key, ()))) for w in found]
    return sorted(found, key=lambda w: (w.light != Light.RED, w.scheme, w.group, w.subject, w.reason))


def _with_follow_ups(w: Warning, follow_ups: tuple) -> Warning:
    from dataclasses import replace

    return replace(w, follow_ups=follow_ups)


def _cadre_warnings(schemes: list[Scheme], quarter, as_of: date) -> list[Warning]:
    groups = list(groups_queryset().filter(scheme__in=schemes))
    scheme_of = {g.code: g.scheme for g in groups}
    now = {r.group: r for r in rank_all(quarter.code, groups)}
    previous = quarter.previous()
    before = {r.group: r for r in rank_all(previous.code, groups)} if previous else {}
    codes = {row.cadre for r in now.values() for row in r.rows}
    names = dict(Cadre.objects.filter(code__in=codes).values_list("code", "name"))
    since = timezone.make_aware(datetime.combine(as_of - timedelta(weeks=QUIET_WEEKS), time.min))
    latest = {
        (code, scheme): at
        for code, scheme, at in Entry.objects.filter(cadre__code__in=codes, kind=EntryKind.NORMAL)
        .values_list("cadre__code", "scheme__code")
        .annotate(at=Max("recorded_at"))
        .order_by()
    }
    out = []
    for group, ranking in sorted(now.items()):
        scheme = scheme_of[group]
        last = len(scheme.tiers) - 1
        earlier = {row.cadre: row.tier_index for row in before[group].rows} if group in before else {}
        for row in ranking.rows:
            base = dict(
                subject_kind="cadre",
                subject=row.cadre,
                name=names.get(row.cadre, ""),
                group=group,
                scheme=scheme.code,
                period=quarter.code,
            )
            if row.tier_index == last and earlier.get(row.cadre) == last:
                out.append(Warning(**base, reason="last_twice", light=Light.RED, detail=row.tier))
            elif row.tier_index == last:
                out.append(Warning(**base, reason="last_tier", light=Light.YELLOW, detail=row.tier))
            at = latest.get((row.cadre, scheme.code))
            if at is None or at < since:
                shown = "" if at is None else timezone.localtime(at).date().isoformat()
                out.append(Warning(**base, reason="quiet", light=Light.YELLOW, detail=shown))
    return out


def _unit_warnings(schemes: list[Scheme], quarter, as_of: date) -> list[Warning]:
    by_code = {s.code: s for s in schemes}
    out = []

    def unit(scheme: Scheme, reason: str, light: str, detail: str, group: str = "") -> Warning:
        return Warning("scheme", scheme.code, scheme.unit.name, group, scheme.code, quarter.code, reason, light, detail)

    for g in group_spreads(schemes, quarter.code):
        if g.flat:
            out.append(unit(by_code[g.scheme], "flat", Light.RED, f"{g.tie_share:.0%}", g.group))
    cutoff = timezone.make_aware(datetime.combine(as_of - timedelta(days=OVERDUE_DAYS), time.min))
    for code, n in (
        Entry.objects.filter(scheme__in=schemes, status=EntryStatus.PENDING, recorded_at__lt=cutoff)
        .values_list("scheme__code")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out.append(unit(by_code[code], "overdue", Light.YELLOW, str(n)))
    for code, n in (
        Objection.objects.filter(group__scheme__in=schemes, status=ObjectionStatus.UPHELD)
        .values_list("group__scheme__code")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if n >= UPHELD_OFTEN:
            out.append(unit(by_code[code], "upheld", Light.YELLOW, str(n)))
    return out
