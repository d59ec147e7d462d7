"""Reads of the quarter lifecycle: what blocks closing, the published snapshots and their differences."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from gongfen.ledger.models import Entry, EntryStatus
from gongfen.org.models import Post
from gongfen.rankings.selectors import group_period
from gongfen.schemes.models import RankingGroup

from .models import GroupPeriod, PeriodState, Snapshot


def period_is_open(scheme_id: int, period: str) -> bool:
    """Whether entries may still be declared into ``period`` of a scheme (no group of it has closed it)."""
    return not (
        GroupPeriod.objects.filter(group__scheme_id=scheme_id, period=period).exclude(state=PeriodState.OPEN).exists()
    )


def period_is_final(scheme_id: int, period: str) -> bool:
    """Whether a group of the scheme has made ``period`` final: its ledger then never changes."""
    return GroupPeriod.objects.filter(group__scheme_id=scheme_id, period=period, state=PeriodState.FINAL).exists()


def final_periods(scheme_id: int) -> set[str]:
    return set(
        GroupPeriod.objects.filter(group__scheme_id=scheme_id, state=PeriodState.FINAL).values_list("period", flat=True)
    )


def closed_periods() -> set[tuple[int, str]]:
    """(scheme id, period) pairs that are closed for declarations."""
    return set(GroupPeriod.objects.exclude(state=PeriodState.OPEN).values_list("group__scheme_id", "period").distinct())


def period_state(group: RankingGroup, period: str) -> str:
    """The lifecycle state of a group's quarter (no row: open)."""
    state = GroupPeriod.objects.filter(group=group, period=period).values_list("state", flat=True).first()
    return state or PeriodState.OPEN


def group_member_ids(group: RankingGroup, period: str) -> QuerySet:
    """Ids of the cadres with at least one day in the group in ``period`` (ranked or not)."""
    quarter = group_period(group, period)
    posts = Post.objects.filter(Q(start__lte=quarter.end), Q(end__isnull=True) | Q(end__gte=quarter.start))
    if group.select_unit_id:  # one filter() call: unit and position must hold for the same post
        posts = posts.filter(unit__path__startswith=group.select_unit.path)
    if group.select_position:
        posts = posts.filter(position=group.select_position)
    return posts.values("cadre_id")


def closing_blockers(group: RankingGroup, period: str) -> QuerySet[Entry]:
    """Entries that must be decided before the quarter can be published (待审核/已填报 of the group's members)."""
    return (
        Entry.objects.filter(
            scheme_id=group.scheme_id,
            period=period,
            status__in=[EntryStatus.DECLARED, EntryStatus.PENDING],
            cadre_id__in=group_member_ids(group, period),
        )
        .select_related("cadre", "rule")
        .order_by("cadre__code", "id")
    )


class _ParsedSnapshots:
    """Parsed ``Snapshot.data`` of this process, keyed by (id, fingerprint): a 1,000-row snapshot is
    megabytes of JSON whose parsing costs more than drawing the board. A snapshot never changes
    (append-only), and the fingerprint is the SHA-256 of the data, so a key can only ever name the
    data it was stored with, even after a restore reuses an id. The data is shared: read it, never change it.
    """

    def __init__(self, size: int = 64):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple[int, str]) -> dict | None:
        with self.lock:
            data = self.items.get(key)
            if data is not None:
                self.items.move_to_end(key)
            return data

    def put(self, key: tuple[int, str], data: dict) -> None:
        with self.lock:
            self.items[key] = data
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_parsed = _ParsedSnapshots()


def snapshot_versions(group: RankingGroup, period: str) -> list[Snapshot]:
    """Every published version of a group's quarter, oldest first; each ``data`` parsed once per process.

    ``settings.GONGFEN_RANKING_CACHE`` off (the test suite, which pins query counts): read as stored.
    """
    if not getattr(settings, "GONGFEN_RANKING_CACHE", True):
        return list(Snapshot.objects.filter(group=group, period=period).order_by("version"))
    return _with_parsed_data(Snapshot.objects.filter(group=group, period=period).defer("data").order_by("version"))


def _with_parsed_data(snapshots) -> list[Snapshot]:
    """``snapshots`` (read without their data) with ``data`` from the process's parsed copies, or read once."""
    snapshots = list(snapshots)
    found = {s.pk: _parsed.get((s.pk, s.fingerprint)) for s in snapshots}
    missing = [pk for pk, data in found.items() if data is None]
    if missing:
        found |= dict(Snapshot.objects.filter(pk__in=missing).values_list("pk", "data"))
    for snapshot in snapshots:
        snapshot.data = found[snapshot.pk]
        if snapshot.pk in missing:
            _parsed.put((snapshot.pk, snapshot.fingerprint), snapshot.data)
    return snapshots


class SnapshotTampered(Exception):
    """A published snapshot whose stored data no longer hashes to its fingerprint, or whose row no longer
    gives its leaf in the tamper-evident log: the board and the notice refuse to show it."""

    def __init__(self, snapshot: Snapshot):
        super().__init__(f"snapshot #{snapshot.pk} does not match its fingerprint or its log leaf")
        self.snapshot = snapshot


class _Verified:
    """(snapshot id, fingerprint) pairs already checked in this process (with the parsed-data cache on)."""

    def __init__(self, size: int = 512):
        self.size, self.keys, self.lock = size, OrderedDict(), threading.Lock()

    def __contains__(self, key) -> bool:
        with self.lock:
            return key in self.keys

    def add(self, key) -> None:
        with self.lock:
            self.keys[key] = True
            while len(self.keys) > self.size:
                self.keys.popitem(last=False)


_verified = _Verified()


def snapshots_checked(*snapshots: Snapshot | None) -> None:
    """Raise :class:`SnapshotTampered` for the first of ``snapshots`` (data loaded) that fails the check of
    ``gongfen.trust.selectors.snapshot_tampered``: its data must hash to its fingerprint, its row to its leaf.

    Called once for what one page shows (one small query and one hash of the data); with the parsed-data
    cache on, a snapshot checked once in the process is not checked again until its fingerprint changes.
    """
    from gongfen.trust.selectors import snapshot_tampered

    cache = getattr(settings, "GONGFEN_RANKING_CACHE", True)
    todo = [s for s in snapshots if s is not None and not (cache and (s.pk, s.fingerprint) in _verified)]
    bad = snapshot_tampered(todo)
    if bad:
        raise SnapshotTampered(bad[0])
    if cache:
        for snapshot in todo:
            _verified.add((snapshot.pk, snapshot.fingerprint))


def snapshot_current(group: RankingGroup, period: str) -> Snapshot | None:
    """The latest published version of a group's quarter, or None before publication (data: see snapshot_versions)."""
    latest = Snapshot.objects.filter(group=group, period=period).order_by("-version")
    if not getattr(settings, "GONGFEN_RANKING_CACHE", True):
        return latest.first()
    found = _with_parsed_data(latest.defer("data")[:1])
    return found[0] if found else None


@dataclass(frozen=True)
class RowChange:
    """One cadre's row in both versions: ``fields`` maps each differing field to (old, new)."""

    cadre: str
    fields: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class SnapshotDiff:
    """What changed from one published version to another (版本差异), rows keyed by cadre code."""

    old_version: int
    new_version: int
    changed: list[RowChange] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)

    @property
    def cadres(self) -> set[str]:
        """Every cadre whose row differs, appears or disappears."""
        return {c.cadre for c in self.changed} | {r["cadre"] for r in self.added + self.removed}


def snapshot_diff(old: Snapshot, new: Snapshot) -> SnapshotDiff:
    """Rows that differ between two snapshots of the same group and quarter (changed fields old → new)."""
    before = {row["cadre"]: row for row in old.data["ranking"]["rows"]}
    after = {row["cadre"]: row for row in new.data["ranking"]["rows"]}
    changed = []
    for cadre in sorted(before.keys() & after.keys()):
        a, b = before[cadre], after[cadre]
        fields = {key: (a.get(key), b.get(key)) for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)}
        if fields:
            changed.append(RowChange(cadre, fields))
    return SnapshotDiff(
        old_version=old.version,
        new_version=new.version,
        changed=changed,
        added=[after[c] for c in sorted(after.keys() - before.keys())],
        removed=[before[c] for c in sorted(before.keys() - after.keys())],
    )


def objection_window(group: RankingGroup, period: str, cadre_code: str) -> tuple[date, date] | None:
    """The objection window (first day, last day) that applies to one cadre's row, or None before publication.

    Version 1 opens a window for every row; a republication restarts it only
    for the rows it changed, so a row keeps the window of the latest version
    that changed it.
    """
    for snapshot in Snapshot.objects.filter(group=group, period=period).order_by("-version"):
        if snapshot.version == 1 or cadre_code in snapshot.changed:
            if snapshot.window_ends_on is None:  # published before windows were kept per version
                row = GroupPeriod.objects.filter(group=group, period=period).first()
                return (row.window_starts_on, row.window_ends_on) if row else None
            return snapshot.window_starts_on, snapshot.window_ends_on
    return None


# --- who sees a publication, who decides its objections ----------------------------------------


def _under(paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(unit__path__startswith=path)
    return q


def _prefixes(path: str) -> list[str]:
    """``KH/QX/QX-WL/`` → ``["KH/", "KH/QX/", "KH/QX/QX-WL/"]``: the unit and every unit above it."""
    codes = [code for code in path.split("/") if code]
    return ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def scope_cadre_ids(group: RankingGroup, period: str) -> QuerySet:
    """Ids of the cadres in the group's publication scope (公示范围) for ``period``.

    The same rule as ``accounts.permissions.can_see_publication`` for a cadre,
    as one queryset, to notify everyone in scope with one insert.
    """
    quarter = group_period(group, period)
    held = Post.objects.filter(
        Q(start__lte=quarter.end) & (Q(end__isnull=True) | Q(end__gte=quarter.start)) | Q(end__isnull=True)
    )
    scope = group.publish_scope
    if scope == "group":
        return group_member_ids(group, period)
    if scope == "county":
        return held.filter(unit__path__startswith=group.scheme.unit.path.split("/")[0] + "/").values("cadre_id")
    if scope == "units":
        paths = list(group.publish_units.values_list("path", flat=True))
    else:  # unit: the units where members held a post that quarter
        member_posts = Post.objects.filter(cadre_id__in=group_member_ids(group, period), start__lte=quarter.end).filter(
            Q(end__isnull=True) | Q(end__gte=quarter.start)
        )
        if group.select_unit_id:
            member_posts = member_posts.filter(unit__path__startswith=group.select_unit.path)
        paths = list(member_posts.values_list("unit__path", flat=True).distinct())
    return held.filter(_under(paths)).values("cadre_id")


def _role_user_ids(group: RankingGroup, kinds) -> QuerySet:
    from gongfen.accounts.models import Role

    return Role.objects.filter(kind__in=kinds, unit__path__in=_prefixes(group.scheme.unit.path)).values("user_id")


def publication_audience(group: RankingGroup, period: str) -> list[int]:
    """Ids of the active users who may see the published ranking: cadres in scope, administrators and reviewers."""
    from gongfen.accounts.models import User
    from gongfen.accounts.permissions import VIEWERS

    users = User.objects.filter(is_active=True).filter(
        Q(cadre_id__in=scope_cadre_ids(group, period)) | Q(pk__in=_role_user_ids(group, VIEWERS))
    )
    return list(users.values_list("pk", flat=True))


def objection_decider_ids(group: RankingGroup) -> list[int]:
    """Ids of the users who decide the group's objections: its administrators (单位管理员 above the scheme, 组织部)."""
    from gongfen.accounts.models import User
    from gongfen.accounts.permissions import ADMINS

    users = User.objects.filter(is_active=True, pk__in=_role_user_ids(group, ADMINS))
    return list(users.values_list("pk", flat=True))


def filed_objections(group: RankingGroup, period: str) -> QuerySet:
    from .models import Objection, ObjectionStatus

    return Objection.objects.filter(group=group, period=period, status=ObjectionStatus.FILED)
