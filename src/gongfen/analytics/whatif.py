"""What-if (方案试算): replay a draft of a scheme over past periods of the real ledger; nothing is kept.

The draft (a bundle fragment of one scheme: an upload, a derived scheme, an unsaved edit) is loaded
with the loader itself — so it is refused exactly as ``gongfen load`` refuses it — inside a
transaction that is always rolled back (``trust.services.unlogged``: no log lock, no leaf; on
SQLite on a private copy, ``scratchdb.private_copy``, so no writer waits). Inside it, the rules
the draft changed carry a new version, and every approved entry of such a rule counts at the
draft's points × its quantity, exactly what adopting the draft and re-scoring the rule
(``gongfen rescore``) would post; everything else is the maintained totals. The same engine
(``scoring.rank_group``) ranks before and after. Unlike a real re-score, a what-if also reprices
periods already final (it shows what the draft *would have* given; history itself never changes).
A rule of the scheme the draft leaves out counts nothing afterwards.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from gongfen.common import Actor, DomainError
from gongfen.interchange.selectors import scheme_as_bundle
from gongfen.interchange.services import bundle_load
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.ledger.selectors import RESCORED_KINDS
from gongfen.org.models import Cadre
from gongfen.rankings.selectors import _load as group_inputs  # the boards' own loader (maintained totals)
from gongfen.rankings.selectors import group_period, groups_queryset
from gongfen.schemes.models import RankingGroup, Rule, Scheme
from gongfen.scoring import GroupInput, PeriodData, Ranking, Row, parse_period, rank_group
from gongfen.scratchdb import private_copy
from gongfen.trust.services import unlogged

BUNDLE_FORMAT = "gongfen-bundle/1"
DEFAULT_K = 3  # a move of more than k places is highlighted
KEPT = ("code", "name", "unit", "year", "derived_from")  # the draft is replayed as the scheme itself


class _Rollback(Exception):
    pass


@dataclass(frozen=True)
class Change:
    """One person on one board: before and after (either may be missing: ranked only on one side)."""

    cadre: str
    name: str
    before: Row | None
    after: Row | None
    k: int

    @property
    def score_delta(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after.composite - self.before.composite

    @property
    def rank_delta(self) -> int | None:
        """Places gained (positive: up the board)."""
        if self.before is None or self.after is None:
            return None
        return self.before.rank - self.after.rank

    @property
    def tier_changed(self) -> bool:
        before = None if self.before is None else self.before.tier_index
        return before != (None if self.after is None else self.after.tier_index)

    @property
    def entered_top(self) -> bool:
        after, before = self.after, self.before
        return after is not None and after.tier_index == 0 and (before is None or before.tier_index != 0)

    @property
    def big_move(self) -> bool:
        delta = self.rank_delta
        return delta is not None and abs(delta) > self.k


@dataclass(frozen=True)
class Board:
    """One group and period: the board before and after, person by person."""

    group: str
    group_name: str
    period: str
    before: Ranking
    after: Ranking
    changes: tuple[Change, ...]
    tier_names: tuple[str, ...]  # the draft's
    tier_names_before: tuple[str, ...]

    @property
    def tier_changes(self) -> int:
        return sum(c.tier_changed for c in self.changes)

    @property
    def entered_top(self) -> int:
        return sum(c.entered_top for c in self.changes)

    @property
    def big_moves(self) -> int:
        return sum(c.big_move for c in self.changes)

    def tier_counts(self, side: str) -> list[int]:
        ranking = self.before if side == "before" else self.after
        counts = [0] * len(self.tier_names_before if side == "before" else self.tier_names)
        for row in ranking.rows:
            if row.tier_index < len(counts):
                counts[row.tier_index] += 1
        return counts


@dataclass(frozen=True)
class WhatIf:
    scheme: str
    scheme_name: str
    source: str
    periods: tuple[str, ...]
    k: int
    boards: tuple[Board, ...]
    changed_rules: tuple[str, ...]
    removed_rules: tuple[str, ...]

    @property
    def summary(self) -> str:
        """One line in Chinese: "12 人次档次变化，3 人次进入一档，2 人次名次变动超过 3 位"."""
        tiers = sum(b.tier_changes for b in self.boards)
        top = sum(b.entered_top for b in self.boards)
        moves = sum(b.big_moves for b in self.boards)
        first = self.boards[0].tier_names[0] if self.boards and self.boards[0].tier_names else "一档"
        many = len(self.boards) > 1
        who = "人次" if many else "人"
        line = f"{tiers} {who}档次变化，{top} {who}进入{first}，{moves} {who}名次变动超过 {self.k} 位"
        return f"{len(self.boards)} 个排名表中 {line}" if many else line


def period_codes(text: str, kind: str = "quarter") -> list[str]:
    """``2026Q1..2026Q3`` (a range within one year), ``2026Q1,2026Q3`` or one code: the codes in order."""
    text = (text or "").strip()
    if not text:
        raise DomainError("请指定期间，如 2026Q1..2026Q3", field="periods", code="bad_period")
    try:
        if ".." in text:
            first, last = (parse_period(part.strip(), kind) for part in text.split("..", 1))
            if first.year != last.year or first > last:
                raise DomainError(f"期间范围 {text} 须在同一年内且由早到晚", field="periods", code="bad_period")
            return [p.code for p in type(first).all_of_year(first.year) if first <= p <= last]
        return list(dict.fromkeys(parse_period(part.strip(), kind).code for part in text.split(",") if part.strip()))
    except ValueError as exc:
        if isinstance(exc, DomainError):
            raise
        raise DomainError(f"期间格式错误：{exc}", field="periods", code="bad_period") from exc


def draft_from_bundle(bundle: Any, scheme_code: str | None = None) -> tuple[dict, str]:
    """The scheme of a bundle file coded ``scheme_code`` (or its only scheme) and the bundle's format."""
    schemes = bundle.get("schemes") if isinstance(bundle, dict) else None
    if not isinstance(schemes, list) or not schemes or not all(isinstance(s, dict) for s in schemes):
        raise DomainError("数据包中没有考核方案（schemes）", field="scheme", code="not_found")
    picked = [s for s in schemes if s.get("code") == scheme_code] if scheme_code else []
    if not picked and len(schemes) == 1:
        picked = schemes
    if len(picked) != 1:
        codes = "、".join(str(s.get("code")) for s in schemes)
        raise DomainError(f"数据包中有考核方案 {codes}，请用 --onto 指明要试算的一个", field="scheme")
    return picked[0], str(bundle.get("format") or BUNDLE_FORMAT)


def draft_of_scheme(draft: Scheme) -> dict:
    """A derived (or any stored) scheme as a draft: its parameters and rules."""
    return scheme_as_bundle(draft)


def whatif_replay(
    *,
    actor: Actor,
    scheme: Scheme,
    draft: dict,
    periods: list[str],
    k: int = DEFAULT_K,
    source: str = "",
    bundle_format: str = BUNDLE_FORMAT,
) -> WhatIf:
    """The boards of ``scheme``'s groups for ``periods`` as they are and as they would be under ``draft``.

    Nothing is written: raises :class:`~gongfen.interchange.validate.BundleInvalid` (with its JSON
    paths) for a draft the loader refuses, a DomainError for a period the scheme does not have.
    """
    groups = list(groups_queryset().filter(scheme=scheme))
    if not groups:
        raise DomainError(f"考核方案 {scheme.code} 没有排名组，无可试算", field="scheme")
    quarters = {code: group_period(groups[0], code) for code in periods}
    before = {(g.code, code): rank_group(group_inputs([g], q)[0]) for g in groups for code, q in quarters.items()}
    current = scheme_as_bundle(scheme)
    draft = dict(draft) | {key: current.get(key) for key in KEPT}
    draft = {key: value for key, value in draft.items() if value is not None}
    kept_codes = {r.get("code") for r in draft.get("rules") or () if isinstance(r, dict)}
    result: dict = {}
    try:
        with _scratch(), transaction.atomic(), unlogged():
            versions = dict(Rule.objects.filter(scheme=scheme).values_list("code", "version"))
            bundle_load(
                actor=actor,
                bundle={"format": bundle_format, "schemes": [draft]},
                source=f"whatif {source}".strip(),
                reason="方案试算（不保存）",
            )
            result = _after(scheme, groups, quarters, versions, kept_codes)
            raise _Rollback
    except _Rollback:
        pass
    names = dict(
        Cadre.objects.filter(
            code__in={row.cadre for r in [*before.values(), *result["rankings"].values()] for row in r.rows}
        ).values_list("code", "name")
    )
    boards = tuple(
        _board(g, code, before[(g.code, code)], result["rankings"][(g.code, code)], names, k, result["tiers"])
        for g in groups
        for code in periods
    )
    return WhatIf(
        scheme=scheme.code,
        scheme_name=scheme.name,
        source=source,
        periods=tuple(periods),
        k=k,
        boards=boards,
        changed_rules=tuple(sorted(result["changed"])),
        removed_rules=tuple(sorted(result["removed"])),
    )


def _scratch():
    """A private copy of a SQLite file (no writer waits for the replay); an in-memory database is its own."""
    from contextlib import nullcontext

    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return nullcontext()  # the test server's shared in-memory database: nothing to copy, no other writer
    return private_copy()


def _after(scheme: Scheme, groups: list[RankingGroup], quarters: dict, versions: dict, kept: set) -> dict:
    """Inside the rolled-back load: the boards under the draft."""
    fresh = {g.pk: g for g in groups_queryset().filter(pk__in=[g.pk for g in groups])}
    rules = {r.pk: r for r in Rule.objects.filter(scheme_id=scheme.pk)}
    changed = {pk: r for pk, r in rules.items() if r.code in versions and versions[r.code] != r.version}
    removed = {r.code for r in rules.values() if r.code not in kept}
    wanted = {p.code for q in quarters.values() for p in (q, q.previous()) if p is not None}
    delta: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for cadre, rule_id, period, quantity, amount in Entry.objects.filter(
        rule_id__in=list(changed),
        period__in=wanted,
        status=EntryStatus.APPROVED,
        kind__in=RESCORED_KINDS,
    ).values_list("cadre__code", "rule_id", "period", "quantity", "amount"):
        rule = changed[rule_id]
        delta[(period, cadre)][rule.code] += rule.points * quantity - amount
    rankings = {}
    tiers: tuple[str, ...] = ()
    for g in groups:
        group = fresh[g.pk]
        for code, quarter in quarters.items():
            item = group_inputs([group], quarter)[0]
            scheme_def = dataclasses.replace(
                item.scheme, rules=tuple(r for r in item.scheme.rules if r.code not in removed)
            )
            tiers = tuple(t.name for t in scheme_def.tiers)
            rankings[(g.code, code)] = rank_group(
                GroupInput(
                    item.code,
                    scheme_def,
                    item.selector,
                    _repriced(item.current, delta, removed),
                    _repriced(item.previous, delta, removed) if item.previous else None,
                )
            )
    return {
        "rankings": rankings,
        "tiers": tiers,
        "changed": {r.code for r in changed.values()},
        "removed": removed,
    }


def _repriced(data: PeriodData, delta: dict, removed: set) -> PeriodData:
    cadres = []
    for cadre in data.cadres:
        extra = delta.get((data.period.code, cadre.code))
        if not extra and not removed:
            cadres.append(cadre)
            continue
        amounts = {code: amount + (extra or {}).get(code, Decimal(0)) for code, amount in cadre.rule_amounts.items()}
        amounts = {code: amount for code, amount in amounts.items() if code not in removed}
        counts = {code: n for code, n in cadre.rule_counts.items() if code not in removed}
        cadres.append(dataclasses.replace(cadre, rule_amounts=amounts, rule_counts=counts))
    return PeriodData(data.period, tuple(cadres))


def _board(group, code, before: Ranking, after: Ranking, names: dict, k: int, tiers) -> Board:
    rows_before = {row.cadre: row for row in before.rows}
    rows_after = {row.cadre: row for row in after.rows}
    order = [row.cadre for row in after.rows] + [c for c in rows_before if c not in rows_after]
    changes = tuple(Change(c, names.get(c, ""), rows_before.get(c), rows_after.get(c), k) for c in order)
    tiers_before = tuple(t["name"] for t in group.scheme.tiers)
    return Board(group.code, group.name, code, before, after, changes, tiers, tiers_before)
