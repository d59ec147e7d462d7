"""What the board shows of its quarter's lifecycle (季度状态): the state, the window, the moves, what blocks closing.

Reads only; the moves themselves are :mod:`gongfen.publication.services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongfen.accounts.permissions import Action, groups_for
from gongfen.ledger.models import Entry
from gongfen.publication.holidays import CalendarMissing, missing_years
from gongfen.publication.models import GroupPeriod, PeriodState, Snapshot
from gongfen.publication.selectors import closing_blockers, snapshot_current
from gongfen.publication.services import working_days_after
from gongfen.schemes.models import RankingGroup

MOVES = ("close", "publish", "republish", "finalize")
BLOCKERS_SHOWN = 50  # the list stops here; the count is always the full count


@dataclass(frozen=True)
class Lifecycle:
    """The quarter's state and, for an administrator of the group, the moves legal now."""

    group: RankingGroup
    period: str
    state: str
    state_label: str
    window_starts_on: date | None
    window_ends_on: date | None
    snapshot: Snapshot | None
    administer: bool
    blockers: tuple[Entry, ...]
    blocker_count: int
    objection_days: int
    publication_url: str | None
    today: date
    calendar_missing: int | None = None  # a window from today would need this year's calendar, not recorded

    @property
    def moves(self) -> tuple[str, ...]:
        """The buttons to show: only to administrators, and only the moves legal in this state now."""
        if not self.administer:
            return ()
        if self.state == PeriodState.OPEN:
            return ("close",)
        if self.state == PeriodState.CLOSING:
            return () if self.blocker_count else ("publish",)
        if self.state == PeriodState.PUBLISHED:
            ended = self.window_ends_on is not None and self.today > self.window_ends_on
            return ("republish", "finalize") if ended else ("republish",)
        return ()

    @property
    def closing(self) -> bool:
        return self.state == PeriodState.CLOSING

    @property
    def published(self) -> bool:
        return self.state in (PeriodState.PUBLISHED, PeriodState.FINAL)


def publication_url(group: RankingGroup, period: str) -> str:
    """The published ranking's page (``publication:board``); its plain path while that page is not wired yet."""
    try:
        return reverse("publication:board", args=[group.code, period])
    except NoReverseMatch:
        return f"/publication/{group.code}/{period}/"


def can_administer(user, group: RankingGroup) -> bool:
    """Whether ``user`` may move the group's quarters (unit administrator or 组织部 in scope)."""
    return groups_for(user, Action.ADMINISTER).filter(pk=group.pk).exists()


def lifecycle(user, group: RankingGroup, period: str, today: date | None = None) -> Lifecycle:
    """The lifecycle panel of a board: one query for the state, one for the right, more only when they matter."""
    row = GroupPeriod.objects.filter(group=group, period=period).first()
    state = row.state if row else PeriodState.OPEN
    blockers: list[Entry] = []
    count = 0
    if state == PeriodState.CLOSING:
        pending = closing_blockers(group, period)
        count = pending.count()
        blockers = list(pending[:BLOCKERS_SHOWN]) if count else []
    published = state in (PeriodState.PUBLISHED, PeriodState.FINAL)
    administer = can_administer(user, group)
    today = today or timezone.localdate()
    missing = None
    days = group.scheme.objection_days
    if administer and state in (PeriodState.CLOSING, PeriodState.PUBLISHED) and missing_years(today, days):
        try:  # the window publishing (or republishing) today would open: does it really reach that year?
            working_days_after(today, days)
        except CalendarMissing as exc:
            missing = exc.year
    return Lifecycle(
        group=group,
        period=period,
        state=state,
        state_label=str(PeriodState(state).label),
        window_starts_on=row.window_starts_on if row else None,
        window_ends_on=row.window_ends_on if row else None,
        snapshot=snapshot_current(group, period) if published else None,
        administer=administer,
        blockers=tuple(blockers),
        blocker_count=count,
        objection_days=group.scheme.objection_days,
        publication_url=publication_url(group, period) if published else None,
        today=today,
        calendar_missing=missing,
    )
