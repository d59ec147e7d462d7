"""Moving a group's quarter through its lifecycle: open → closing → published (→ republished) → final.

Each step checks the current state under a row lock, refuses an illegal
move with a DomainError and changes nothing, and writes its audit row in
the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.ledger.models import Entry, EntryEvent
from gongfen.notices.models import NoticeKind
from gongfen.notices.services import notify
from gongfen.rankings.selectors import group_period, group_ranking, rank_all
from gongfen.schemes.models import RankingGroup
from gongfen.scoring.decimals import fmt2
from gongfen.scoring.output import ranking_as_dict
from gongfen.scoring.types import Breakdown, Ranking, Row
from gongfen.trust.services import snapshot_save_logged
from gongfen.webhooks import payloads as webhook_payloads
from gongfen.webhooks.services import webhook_enqueue

from .models import GroupPeriod, PeriodState, Snapshot
from .selectors import (
    SnapshotDiff,
    closing_blockers,
    filed_objections,
    publication_audience,
    snapshot_current,
    snapshot_diff,
)

SNAPSHOT_FORMAT = "gongfen-snapshot/1"


# --- the snapshot ---------------------------------------------------------------


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _breakdown(b: Breakdown) -> dict[str, Any]:
    """A row's breakdown; every decimal exact (as a string), for a clerk to recompute the row."""
    return {
        "days": b.days,
        "period_days": b.period_days,
        "max_quantitative": _exact(b.max_quantitative),
        "rules": [
            {
                "rule": r.rule,
                "category": r.category,
                "raw": _exact(r.raw),
                "amount": _exact(r.amount),
                "cap": _exact(r.cap),
                "days": r.days,
            }
            for r in b.rules
        ],
        "categories": [
            {"category": c.category, "raw": _exact(c.raw), "amount": _exact(c.amount), "cap": _exact(c.cap)}
            for c in b.categories
        ],
        "classes": [
            {
                "evaluator_class": m.evaluator_class,
                "weight": _exact(m.weight),
                "ballots": m.ballots,
                "trimmed": m.trimmed,
                "mean": _exact(m.mean),
            }
            for m in b.classes
        ],
    }


def _row(row: Row, shown: dict[str, Any]) -> dict[str, Any]:
    """The interchange row (2-decimal strings) plus the exact values and the breakdown."""
    return shown | {
        "tier_index": row.tier_index,
        "deductions": fmt2(row.deductions),
        "exact": {
            "quantitative": _exact(row.quantitative),
            "deductions": _exact(row.deductions),
            "quantitative_normalized": _exact(row.normalized),
            "qualitative": _exact(row.qualitative),
            "composite": _exact(row.composite),
        },
        "breakdown": _breakdown(row.breakdown),
    }


def ledger_position() -> dict[str, int]:
    """The last entry and entry event a snapshot was computed after."""
    return {
        "entry_id": Entry.objects.aggregate(m=Max("id"))["m"] or 0,
        "entry_event_id": EntryEvent.objects.aggregate(m=Max("id"))["m"] or 0,
    }


def snapshot_data(
    group: RankingGroup, ranking: Ranking, version: int, ledger: dict[str, int] | None = None
) -> dict[str, Any]:
    """Everything a publication freezes: the ranking with breakdowns, rule versions, ledger position."""
    shown = ranking_as_dict(ranking)
    shown["rows"] = [_row(row, d) for row, d in zip(ranking.rows, shown["rows"], strict=True)]
    ledger = ledger or ledger_position()
    return {
        "format": SNAPSHOT_FORMAT,
        "group": group.code,
        "scheme": group.scheme.code,
        "period": ranking.period.code,
        "version": version,
        "rule_versions": {rule.code: rule.version for rule in group.scheme.rules.all()},
        "ledger": ledger,
        "ranking": shown,
    }


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(data: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``data``: anyone holding the JSON can check a notice."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _freeze(
    actor: Actor,
    group: RankingGroup,
    period: str,
    row: GroupPeriod,
    reason: str = "",
    ranking: Ranking | None = None,
    ledger: dict[str, int] | None = None,
) -> tuple[Snapshot, SnapshotDiff | None]:
    """Freeze the next version; from version 2 on, ``changed`` lists the cadres whose row differs.

    ``ranking`` and ``ledger``: already computed in this transaction (:func:`quarter_publish_all`).
    """
    latest = snapshot_current(group, period)
    version = 1 if latest is None else latest.version + 1
    ranking = ranking if ranking is not None else group_ranking(group, period)
    data = snapshot_data(group, ranking, version, ledger)
    snapshot = Snapshot(
        group=group,
        period=period,
        version=version,
        created_by=actor.user,
        created_by_label=actor.label,
        data=data,
        fingerprint=fingerprint(data),
        window_starts_on=row.window_starts_on,
        window_ends_on=row.window_ends_on,
        reason=reason,
    )
    diff = None
    if latest is not None:
        diff = snapshot_diff(latest, snapshot)
        snapshot.changed = sorted(diff.cadres)
    snapshot_save_logged(snapshot=snapshot)  # records the log's tree head, then appends the snapshot's leaf
    return snapshot, diff


# --- the objection window ------------------------------------------------------


def working_days_after(start: date, days: int, calendar: dict[date, bool] | None = None) -> date:
    """The ``days``-th working day after ``start``.

    A working day is Mon–Fri unless ``calendar`` says otherwise: it maps a day
    to True (a 调休 working weekend) or False (a public holiday). Without a
    calendar, each year's is used as :func:`holidays.year_calendar` gives it, and
    a year nobody has recorded raises :class:`holidays.CalendarMissing` (never a
    silent Monday-to-Friday count).
    """
    from .holidays import CalendarMissing, year_calendar

    years: dict[int, dict[date, bool]] = {}
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if calendar is not None:
            special = calendar
        else:
            if day.year not in years:
                found = year_calendar(day.year)
                if found is None:
                    raise CalendarMissing(day.year)
                years[day.year] = found
            special = years[day.year]
        if special.get(day, day.weekday() < 5):
            left -= 1
    return day


def _window(row: GroupPeriod, today: date | None, window_days: int | None) -> None:
    days = row.group.scheme.objection_days if window_days is None else window_days
    if days < 1:
        raise DomainError("异议期至少为 1 个工作日", field="window_days")
    row.window_starts_on = today or timezone.localdate()
    row.window_ends_on = working_days_after(row.window_starts_on, days)


# --- the transitions ------------------------------------------------------------


def _locked(group: RankingGroup, period: str) -> GroupPeriod | None:
    group_period(group, period)  # a period the group's scheme does not have is refused here
    return GroupPeriod.objects.select_for_update().filter(group=group, period=period).first()


def _state_label(row: GroupPeriod | None) -> str:
    return PeriodState.OPEN.label if row is None else row.get_state_display()


def _announce(group: RankingGroup, period: str, snapshot: Snapshot) -> None:
    """Tell everyone who may see the publication (cadres in scope, administrators, reviewers): one insert."""
    if snapshot.version == 1:
        title = f"{group.name} {period} 排名公示"
    else:
        title = f"{group.name} {period} 排名重新公示（第 {snapshot.version} 版）"
    body = f"异议期 {snapshot.window_starts_on} 至 {snapshot.window_ends_on}"
    if snapshot.reason:
        body = f"{snapshot.reason}\n{body}"
    url = reverse("publication:board", args=[group.code, period])
    notify(publication_audience(group, period), kind=NoticeKind.PUBLISHED, title=title, body=body, url=url)


def _audit(actor: Actor, action: str, group: RankingGroup, row: GroupPeriod, before: str, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=group,
        object_id=f"{group.code}/{row.period}",
        before={"state": before},
        after={"state": row.state} | after,
    )


@transaction.atomic
def period_close(*, actor: Actor, group: RankingGroup, period: str, reason: str = "") -> GroupPeriod:
    """Stop declarations into ``period`` for the group's scheme (open → closing)."""
    group_period(group, period)
    row, _ = GroupPeriod.objects.select_for_update().get_or_create(group=group, period=period)
    if row.state != PeriodState.OPEN:
        raise DomainError(f"{group.name} {period} 已是“{row.get_state_display()}”状态，不能再关账")
    _close(actor, group, period, row, reason)
    return row


def _close(actor: Actor, group: RankingGroup, period: str, row: GroupPeriod, reason: str) -> None:
    """open → closing on the locked ``row``, audited."""
    row.state, row.changed_by = PeriodState.CLOSING, actor.user
    row.save()
    audit_record(
        actor=actor,
        action="period.close",
        obj=group,
        object_id=f"{group.code}/{period}",
        before={"state": PeriodState.OPEN},
        after={"state": row.state},
        reason=reason,
    )


@transaction.atomic
def period_publish(
    *, actor: Actor, group: RankingGroup, period: str, window_days: int | None = None, today: date | None = None
) -> Snapshot:
    """Publish the quarter (closing → published): freeze snapshot version 1 and open the objection window."""
    row = _locked(group, period)
    if row is None or row.state != PeriodState.CLOSING:
        raise DomainError(f"{group.name} {period} 处于“{_state_label(row)}”状态，只有关账中的季度可以公示")
    blockers = closing_blockers(group, period).count()
    if blockers:
        raise DomainError(f"{group.name} {period} 还有 {blockers} 条待审核或未提交的工分记录，须全部处理后才能公示")
    return _publish(actor, group, period, row, today, window_days)


def _publish(
    actor: Actor,
    group: RankingGroup,
    period: str,
    row: GroupPeriod,
    today: date | None,
    window_days: int | None,
    ranking: Ranking | None = None,
    ledger: dict[str, int] | None = None,
) -> Snapshot:
    """closing → published (checked by the caller): the window, snapshot version 1, audit, notices, webhook."""
    _window(row, today, window_days)
    row.state, row.changed_by = PeriodState.PUBLISHED, actor.user
    row.save()
    snapshot, _ = _freeze(actor, group, period, row, ranking=ranking, ledger=ledger)
    _audit(
        actor,
        "period.publish",
        group,
        row,
        PeriodState.CLOSING,
        version=snapshot.version,
        fingerprint=snapshot.fingerprint,
        window=[row.window_starts_on.isoformat(), row.window_ends_on.isoformat()],
    )
    _announce(group, period, snapshot)
    webhook_enqueue(event="ranking.published", payload=lambda: webhook_payloads.ranking_published(snapshot))
    return snapshot


@transaction.atomic
def quarter_publish_all(
    *,
    actor: Actor,
    groups: Iterable[RankingGroup],
    period: str,
    today: date | None = None,
    reason: str = "",
    window_days: int | None = None,
) -> list[Snapshot]:
    """Close (if open) and publish every group of ``groups`` for ``period`` (a county's quarter), all or nothing.

    The same moves, audit rows, snapshots (data and fingerprint), notices and webhooks as
    :func:`period_close` and :func:`period_publish` group by group, but the rankings come from
    one :func:`~gongfen.rankings.selectors.rank_all` load. A group already published or final,
    or any group with entries still to decide, refuses the whole call and changes nothing.
    """
    groups = sorted({g.pk: g for g in groups}.values(), key=lambda g: g.pk)  # one lock order
    if not groups:
        raise DomainError("没有要公示的排名组", field="groups")
    rows: list[tuple[RankingGroup, GroupPeriod, bool]] = []
    for group in groups:
        group_period(group, period)
        row, _ = GroupPeriod.objects.select_for_update().get_or_create(group=group, period=period)
        if row.state not in (PeriodState.OPEN, PeriodState.CLOSING):
            raise DomainError(
                f"{group.name} {period} 处于“{row.get_state_display()}”状态，只有未公示的季度可以关账并公示"
            )
        rows.append((group, row, row.state == PeriodState.OPEN))
    blocked = [(g, n) for g, _, _ in rows if (n := closing_blockers(g, period).count())]
    if blocked:
        listed = "、".join(f"{g.name} {n} 条" for g, n in blocked)
        raise DomainError(f"{period} 还有待审核或未提交的工分记录，须全部处理后才能公示：{listed}")
    rankings = {r.group: r for r in rank_all(period, groups, use_cache=False)}
    ledger = ledger_position()
    snapshots = []
    for group, row, was_open in rows:
        if was_open:
            _close(actor, group, period, row, reason)
        snapshots.append(_publish(actor, group, period, row, today, window_days, rankings[group.code], ledger))
    return snapshots


@transaction.atomic
def period_republish(
    *,
    actor: Actor,
    group: RankingGroup,
    period: str,
    reason: str,
    window_days: int | None = None,
    today: date | None = None,
) -> Snapshot:
    """Publish a corrected version N+1 from the current ledger and restart the window (published only)."""
    if not (reason or "").strip():
        raise DomainError("重新公示必须说明理由", field="reason")
    row = _locked(group, period)
    if row is None or row.state != PeriodState.PUBLISHED:
        raise DomainError(
            f"{group.name} {period} 处于“{_state_label(row)}”状态，只有公示期内的季度可以重新公示"
            "（已定稿的季度不再更改，更正须在当前季度以调整记录登记）"
        )
    previous_end = row.window_ends_on
    _window(row, today, window_days)
    snapshot, _ = _freeze(actor, group, period, row, reason)
    # the window restarts for the rows that changed; the others keep theirs, so the quarter's ends last
    row.window_ends_on = max(previous_end, row.window_ends_on)
    row.changed_by = actor.user
    row.save()
    _audit(
        actor,
        "period.republish",
        group,
        row,
        PeriodState.PUBLISHED,
        version=snapshot.version,
        fingerprint=snapshot.fingerprint,
        window=[snapshot.window_starts_on.isoformat(), snapshot.window_ends_on.isoformat()],
        changed=snapshot.changed,
        reason=reason,
    )
    _announce(group, period, snapshot)
    webhook_enqueue(event="ranking.published", payload=lambda: webhook_payloads.ranking_published(snapshot))
    return snapshot


@transaction.atomic
def period_finalize(*, actor: Actor, group: RankingGroup, period: str, today: date | None = None) -> GroupPeriod:
    """Make the published quarter final (published → final) once its objection window has ended."""
    row = _locked(group, period)
    if row is None or row.state != PeriodState.PUBLISHED:
        raise DomainError(f"{group.name} {period} 处于“{_state_label(row)}”状态，只有已公示的季度可以定稿")
    today = today or timezone.localdate()
    if today <= row.window_ends_on:
        raise DomainError(f"{group.name} {period} 的异议期到 {row.window_ends_on} 为止，异议期结束后才能定稿")
    waiting = filed_objections(group, period).count()
    if waiting:
        raise DomainError(f"{group.name} {period} 还有 {waiting} 条异议待处理，须全部处理（采纳或不予采纳）后才能定稿")
    row.state, row.changed_by = PeriodState.FINAL, actor.user
    row.save()
    version = snapshot_current(group, period).version
    _audit(actor, "period.finalize", group, row, PeriodState.PUBLISHED, version=version)
    return row
