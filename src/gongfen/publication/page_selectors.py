"""What the publication pages show: the publications a user may see, a published board, a diff, objections.

A published board is drawn from its snapshot only (``Snapshot.data``), never
from the live ledger: whatever happened in the ledger since, the page shows
what was published. Names of cadres and rules are looked up (one query each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongfen.accounts.permissions import ADMINS, Action, can_see_publication, groups_for, principal
from gongfen.ledger.models import Entry
from gongfen.rankings.page_selectors import ACTION_LABELS, CLASS_LABELS, cadre_names, tier_class
from gongfen.schemes.models import Category, RankingGroup, Rule

from .models import GroupPeriod, Objection, ObjectionStatus, PeriodState, Snapshot
from .selectors import SnapshotDiff, snapshot_diff, snapshot_versions, snapshots_checked

PUBLISHED_STATES = (PeriodState.PUBLISHED, PeriodState.FINAL)

# labels of the snapshot row's fields, for the diff (the JSON keys are never shown)
FIELD_LABELS = {
    "rank": _("名次"),
    "tier": _("档次"),
    "tier_index": _("档次序号"),
    "composite": _("综合 C"),
    "quantitative": _("工分 Q"),
    "quantitative_normalized": _("折算 Qn"),
    "qualitative": _("定性 L"),
    "deductions": _("扣分合计"),
    "vetoed": _("一票否决"),
    "actions": _("处理"),
    "exact": _("精确值"),
    "breakdown": _("计分明细"),
}
FIELD_ORDER = list(FIELD_LABELS)


# --- the list of publications -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationItem:
    group: RankingGroup
    period: str
    state: str
    state_label: str
    window_starts_on: date | None
    window_ends_on: date | None
    changed_at: Any


def publications_for(user) -> list[PublicationItem]:
    """Published or final group quarters ``user`` may see, newest first.

    Administrators' and reviewers' groups in one query; every other
    publication is checked against its scope (``can_see_publication``).
    """
    rows = (
        GroupPeriod.objects.filter(state__in=PUBLISHED_STATES)
        .select_related("group__scheme__unit", "group__select_unit")
        .order_by("-period", "-changed_at", "group__code")
    )
    p = principal(user)
    if p.user_id is None:
        return []
    own = set(groups_for(user).values_list("pk", flat=True))
    items = []
    for row in rows:
        if row.group_id in own or (p.cadre_id and can_see_publication(user, row.group, row.period)):
            items.append(
                PublicationItem(
                    row.group,
                    row.period,
                    row.state,
                    row.get_state_display(),
                    row.window_starts_on,
                    row.window_ends_on,
                    row.changed_at,
                )
            )
    return items


# --- a published board --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleLine:
    code: str
    name: str
    category: str
    raw: str
    amount: str
    cap: str | None
    days: int | None


@dataclass(frozen=True)
class CategoryLine:
    category: str
    label: str
    raw: str
    amount: str
    cap: str | None
    rules: tuple[RuleLine, ...]


@dataclass(frozen=True)
class ClassLine:
    label: str
    weight: str
    ballots: int
    trimmed: bool
    mean: str


@dataclass(frozen=True)
class PublishedLine:
    cadre: str
    name: str
    rank: int
    tier: str
    tier_class: str
    composite: str
    quantitative: str
    normalized: str
    qualitative: str | None
    deductions: str
    vetoed: bool
    actions: tuple[str, ...]
    days: int
    period_days: int
    categories: tuple[CategoryLine, ...]
    classes: tuple[ClassLine, ...]
    own: bool
    window: tuple[date, date] | None
    window_differs: bool


@dataclass(frozen=True)
class PublishedBoard:
    group: RankingGroup
    period: str
    state: str
    state_label: str
    snapshot: Snapshot
    versions: tuple[Snapshot, ...]
    lines: tuple[PublishedLine, ...]
    unranked: tuple[tuple[str, str, int], ...]
    window: tuple[date | None, date | None]
    size: int

    @property
    def latest(self) -> Snapshot:
        return self.versions[-1]

    @property
    def is_latest(self) -> bool:
        return self.snapshot.pk == self.latest.pk

    @property
    def own_line(self) -> PublishedLine | None:
        return next((line for line in self.lines if line.own), None)


@lru_cache(maxsize=8192)  # a board repeats the same few amounts and caps thousands of times
def _plain(value: str | None) -> str | None:
    """An exact decimal string as written, without trailing zeros (``20.0000`` → ``20``)."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "0") else text


@lru_cache(maxsize=8192)
def _money(value: str | None) -> str:
    return "—" if value is None else f"{Decimal(value):.2f}"


def row_windows(versions: list[Snapshot]) -> dict[str, tuple[date, date]]:
    """Each cadre's objection window: from the latest version that changed their row (version 1 for all)."""
    windows: dict[str, tuple[date, date]] = {}
    first = versions[0]
    codes = {row["cadre"] for s in versions for row in s.data["ranking"]["rows"]}
    codes |= {u["cadre"] for s in versions for u in s.data["ranking"].get("unranked", [])}
    for code in codes:
        for snapshot in reversed(versions):
            if snapshot.version == 1 or code in snapshot.changed:
                windows[code] = (snapshot.window_starts_on, snapshot.window_ends_on)
                break
        else:
            windows[code] = (first.window_starts_on, first.window_ends_on)
    return windows


def _category_labels() -> dict[str, str]:
    return {code: str(label) for code, label in Category.choices}


def _categories(
    breakdown: dict, rule_names: dict[str, str], labels: dict[str, str] | None = None
) -> tuple[CategoryLine, ...]:
    labels = _category_labels() if labels is None else labels
    blocks = []
    for category in breakdown.get("categories", []):
        code = category["category"]
        rules = tuple(
            RuleLine(
                r["rule"],
                rule_names.get(r["rule"], ""),
                code,
                _money(r["raw"]),
                _money(r["amount"]),
                _plain(r["cap"]),
                r["days"],
            )
            for r in breakdown.get("rules", [])
            if r["category"] == code
        )
        label = labels.get(code, code)
        blocks.append(
            CategoryLine(
                code, label, _money(category["raw"]), _money(category["amount"]), _plain(category["cap"]), rules
            )
        )
    return tuple(blocks)


def _classes(breakdown: dict, labels: dict[str, str] | None = None) -> tuple[ClassLine, ...]:
    labels = {k: str(v) for k, v in CLASS_LABELS.items()} if labels is None else labels
    return tuple(
        ClassLine(
            labels.get(c["evaluator_class"], c["evaluator_class"]),
            _plain(c["weight"]) or "",
            c["ballots"],
            c["trimmed"],
            _money(c["mean"]),
        )
        for c in breakdown.get("classes", [])
    )


def published_board(user, group: RankingGroup, period: str, version: int | None = None) -> PublishedBoard | None:
    """The board as published in ``version`` (latest by default); None if not published or no such version."""
    versions = snapshot_versions(group, period)
    if not versions:
        return None
    snapshot = versions[-1] if version is None else next((s for s in versions if s.version == version), None)
    if snapshot is None:
        return None
    snapshots_checked(snapshot)  # a snapshot rewritten behind the product's back is refused, not shown
    row = GroupPeriod.objects.filter(group=group, period=period).first()
    ranking = snapshot.data["ranking"]
    codes = [r["cadre"] for r in ranking["rows"]] + [u["cadre"] for u in ranking.get("unranked", [])]
    names = cadre_names(codes)
    rule_names = dict(Rule.objects.filter(scheme_id=group.scheme_id).values_list("code", "name"))
    own_code = user.cadre.code if principal(user).cadre_id else None
    windows = row_windows(versions)
    quarter_window = (row.window_starts_on, row.window_ends_on) if row else (None, None)
    tiers = 1 + max((r.get("tier_index", 0) for r in ranking["rows"]), default=0)
    tiers = max(tiers, len(group.scheme.tiers or []))
    # labels translated once per board, not once per row
    category_labels, class_labels = _category_labels(), {k: str(v) for k, v in CLASS_LABELS.items()}
    action_labels = {k: str(v) for k, v in ACTION_LABELS.items()}
    lines = []
    for r in ranking["rows"]:
        breakdown = r.get("breakdown", {})
        window = windows.get(r["cadre"])
        lines.append(
            PublishedLine(
                cadre=r["cadre"],
                name=names.get(r["cadre"], ""),
                rank=r["rank"],
                tier=r["tier"],
                tier_class=tier_class(r.get("tier_index", 0), tiers),
                composite=r["composite"],
                quantitative=r["quantitative"],
                normalized=r["quantitative_normalized"],
                qualitative=r["qualitative"],
                deductions=r.get("deductions", ""),
                vetoed=r["vetoed"],
                actions=tuple(action_labels.get(a, a) for a in r["actions"]),
                days=breakdown.get("days", 0),
                period_days=breakdown.get("period_days", 0),
                categories=_categories(breakdown, rule_names, category_labels),
                classes=_classes(breakdown, class_labels),
                own=r["cadre"] == own_code,
                window=window,
                window_differs=window is not None and window[1] != versions[0].window_ends_on,
            )
        )
    unranked = tuple((u["cadre"], names.get(u["cadre"], ""), u["days"]) for u in ranking.get("unranked", []))
    state = row.state if row else PeriodState.PUBLISHED
    return PublishedBoard(
        group=group,
        period=period,
        state=state,
        state_label=PeriodState(state).label,
        snapshot=snapshot,
        versions=tuple(versions),
        lines=tuple(lines),
        unranked=unranked,
        window=quarter_window,
        size=ranking.get("size", len(lines)),
    )


# --- the difference between two versions ------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RowDiff:
    cadre: str
    name: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class DiffPage:
    group: RankingGroup
    period: str
    old: Snapshot
    new: Snapshot
    diff: SnapshotDiff
    changed: tuple[RowDiff, ...]
    added: tuple[tuple[str, str, dict], ...]
    removed: tuple[tuple[str, str, dict], ...]
    versions: tuple[Snapshot, ...] = field(default=())


def _shown(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("是")) if value else str(_("否"))
    if key == "actions":
        return "、".join(str(ACTION_LABELS.get(a, a)) for a in value) or str(_("无"))
    if isinstance(value, dict):  # a breakdown: the board of each version shows it in full
        return ""
    return str(value)


def diff_page(group: RankingGroup, period: str, old: int, new: int) -> DiffPage | None:
    versions = snapshot_versions(group, period)
    by_version = {s.version: s for s in versions}
    if old not in by_version or new not in by_version:
        return None
    snapshots_checked(by_version[old], by_version[new])
    diff = snapshot_diff(by_version[old], by_version[new])
    names = cadre_names(sorted(diff.cadres))
    changed = []
    for change in diff.changed:
        keys = sorted(change.fields, key=lambda k: FIELD_ORDER.index(k) if k in FIELD_ORDER else len(FIELD_ORDER))
        fields = tuple(
            FieldChange(
                str(FIELD_LABELS.get(k, k)),
                _shown(k, change.fields[k][0]),
                _shown(k, change.fields[k][1]) or str(_("有变化（见各版本的计分明细）")),
            )
            for k in keys
            if k not in ("tier_index", "exact")  # shown through 档次 and the rounded values
        )
        changed.append(RowDiff(change.cadre, names.get(change.cadre, ""), fields))
    return DiffPage(
        group=group,
        period=period,
        old=by_version[old],
        new=by_version[new],
        diff=diff,
        changed=tuple(changed),
        added=tuple((r["cadre"], names.get(r["cadre"], ""), r) for r in diff.added),
        removed=tuple((r["cadre"], names.get(r["cadre"], ""), r) for r in diff.removed),
        versions=tuple(versions),
    )


# --- objections ---------------------------------------------------------------------------------------------


def decidable_objections(user) -> QuerySet[Objection]:
    """Objections of the groups ``user`` administers (单位管理员, 组织部): the deciders' scope."""
    if not principal(user).has(*ADMINS):
        return Objection.objects.none()
    return Objection.objects.filter(group__in=groups_for(user, Action.ADMINISTER))


def visible_objections(user) -> QuerySet[Objection]:
    """The objections ``user`` may open: their own (as the objecting cadre) and those they decide."""
    p = principal(user)
    own = Q(cadre_id=p.cadre_id) if p.cadre_id else Q(pk__in=[])
    return Objection.objects.filter(own | Q(pk__in=decidable_objections(user).values("pk")))


def objection_queue(user) -> QuerySet[Objection]:
    """The deciders' queue: filed (待处理) first, oldest filed first among them, then the decided, newest first."""
    from django.db.models import Case, IntegerField, Value, When

    return (
        decidable_objections(user)
        .select_related("group", "cadre", "entry__rule")
        .annotate(
            waiting=Case(
                When(status=ObjectionStatus.FILED, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("waiting", "-filed_at", "-id")
    )


def my_objections(user) -> QuerySet[Objection]:
    p = principal(user)
    return (
        Objection.objects.filter(cadre_id=p.cadre_id)
        .select_related("group", "entry__rule")
        .order_by("-filed_at", "-id")
    )


def objectable_entries(group: RankingGroup, period: str, cadre_id: int) -> QuerySet[Entry]:
    """The cadre's own entries of the group's scheme and quarter (any status), to object against one."""
    return (
        Entry.objects.filter(cadre_id=cadre_id, scheme_id=group.scheme_id, period=period)
        .exclude(kind="reversal")
        .select_related("rule")
        .order_by("occurred_on", "id")
    )
