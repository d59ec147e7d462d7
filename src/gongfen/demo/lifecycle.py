"""Bring the loaded demo county through the quarter lifecycle, so every state can be seen.

Run by ``gongfen demo`` after the bundle (and the 2026 holiday calendar) is loaded, never by
:func:`gongfen.demo.build_demo_bundle` (tests build the bundle and publish quarters themselves).
For every ranking group:

- 2026Q1, 2026Q2: closed, their blockers (待审核) approved, published ten days after the quarter's
  end, finalized the day after the objection window → 已定稿;
- 2026Q3: closed, blockers approved and published → 公示中, not finalized: published *today*
  (``timezone.localdate()``) when every group's objection window from today can be counted, so the
  window is open when the demo is built; on a day whose window would need a year without a holiday
  calendar (2027 and later, until one is recorded), published ten days after the quarter's end like
  Q1 and Q2 (:func:`q3_publication_day`): the demo never counts a window on a guessed calendar, and
  its window has then passed (the quarter waits to be finalized). Either way the ``qx-cadre``
  login's cadre has filed two objections in 齐溪镇's group inside the window (one against the row,
  one against an entry), which are waiting in ``qx-admin``'s queue;
- 2026Q4 stays open: its pending entries remain for the review demo.

Everything goes through the ordinary services (``period_close``, ``entries_decide``,
``period_publish``, ``period_finalize``, ``objection_file``), so it is audited like real work; the
decisions are made by the system actor. Deterministic apart from the Q3 dates, which follow today
when they can (docs/demo.md "Dates").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from gongfen.common import Actor
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.ledger.services import entries_decide, entry_submit
from gongfen.publication.holidays import CalendarMissing
from gongfen.publication.objections import objection_file
from gongfen.publication.selectors import closing_blockers, group_member_ids
from gongfen.publication.services import period_close, period_finalize, period_publish, working_days_after
from gongfen.rankings.selectors import group_period
from gongfen.schemes.models import RankingGroup

FINAL_QUARTERS = ("2026Q1", "2026Q2")
PUBLISHED_QUARTER = "2026Q3"
OBJECTION_GROUP = "G-QX"
PUBLISH_AFTER_END = timedelta(days=10)
APPROVAL_REASON = "演示：季度关账前审核"


def _close_and_approve(actor: Actor, groups: list[RankingGroup], period: str) -> int:
    """Close the quarter of every group, then approve what blocks any of them, in one bulk decision."""
    for group in groups:
        period_close(actor=actor, group=group, period=period, reason="演示：季度关账")
    ids: set[int] = set()
    for group in groups:
        ids.update(closing_blockers(group, period).values_list("pk", flat=True))
    blockers = list(Entry.objects.filter(pk__in=ids).order_by("pk"))
    for entry in blockers:  # drafts are submitted first (the generator makes none today)
        if entry.status == EntryStatus.DECLARED:
            entry_submit(actor=actor, entry=entry)
    entries_decide(actor=actor, entries=blockers, decision="approve", reason=APPROVAL_REASON)
    return len(blockers)


def q3_publication_day(groups: list[RankingGroup], today: date) -> date:
    """The day the demo publishes 2026Q3: ``today`` if the quarter has ended and every group's window
    from today can be counted on known calendars, else ten days after the quarter's end (as Q1, Q2)."""
    end = max(group_period(group, PUBLISHED_QUARTER).end for group in groups)
    if today > end:
        try:
            for days in sorted({group.scheme.objection_days for group in groups}):
                working_days_after(today, days)
        except CalendarMissing:
            pass
        else:
            return today
    return end + PUBLISH_AFTER_END


def _filing_time(published_on: date) -> datetime:
    """Now, if today is the publication day; else 10:00 on the publication day (inside the window)."""
    if published_on == timezone.localdate():
        return timezone.now()
    return datetime.combine(published_on, time(10), tzinfo=timezone.get_current_timezone())


def _file_objections(period: str, published_on: date) -> int:
    """Two objections by the ``qx-cadre`` login's cadre in 齐溪镇's group (if that login and group exist)."""
    from gongfen.accounts.models import User

    group = RankingGroup.objects.filter(code=OBJECTION_GROUP).select_related("scheme").first()
    user = User.objects.filter(username="qx-cadre").select_related("cadre").first()
    if group is None or user is None or user.cadre is None:
        return 0
    cadre = user.cadre
    if not group_member_ids(group, period).filter(cadre_id=cadre.pk).exists():
        return 0
    actor = Actor(user)
    now = _filing_time(published_on)
    objection_file(
        actor=actor,
        group=group,
        period=period,
        cadre=cadre,
        text="7 月参加防汛抢险值守 6 天，相应加分未计入本季度工分，请核实后补加。",
        now=now,
    )
    entry = (
        Entry.objects.filter(cadre=cadre, scheme_id=group.scheme_id, period=period, status=EntryStatus.APPROVED)
        .order_by("occurred_on", "pk")
        .first()
    )
    if entry is None:
        return 1
    objection_file(
        actor=actor,
        group=group,
        period=period,
        cadre=cadre,
        entry=entry,
        text=f"记录 {entry.code} 的数量少计：实际完成 2 项，审核时只计了 1 项，请核实后补加。",
        now=now,
    )
    return 2


def demo_lifecycle(*, today: date | None = None) -> dict[str, int | date]:
    """Close, publish and finalize the demo's quarters (see the module docstring); returns counts."""
    from gongfen.accounts.demo import demo_users

    demo_users()  # the logins exist before publication, so they receive its notices
    actor = Actor.system()
    today = today or timezone.localdate()
    groups = list(RankingGroup.objects.select_related("scheme", "scheme__unit").order_by("code"))
    counts = {"groups": len(groups), "approved": 0, "final": 0, "published": 0, "objections": 0}
    q3_day = q3_publication_day(groups, today) if groups else today
    for period in (*FINAL_QUARTERS, PUBLISHED_QUARTER):
        counts["approved"] += _close_and_approve(actor, groups, period)
        final = period in FINAL_QUARTERS
        snapshots = []
        for group in groups:
            published_on = group_period(group, period).end + PUBLISH_AFTER_END if final else q3_day
            snapshots.append(period_publish(actor=actor, group=group, period=period, today=published_on))
        if final:
            for group, snapshot in zip(groups, snapshots, strict=True):
                after = snapshot.window_ends_on + timedelta(days=1)
                period_finalize(actor=actor, group=group, period=period, today=after)
            counts["final"] += len(groups)
        else:
            counts["published"] += len(groups)
    counts["objections"] = _file_objections(PUBLISHED_QUARTER, q3_day)
    counts["q3_published_on"] = q3_day
    return counts
