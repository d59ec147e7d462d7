"""The lean bulk load of ledger entries: millions of rows streamed from plain tuples, in chunks.

:func:`entries_bulk_load` is the ledger's service for history arriving in bulk (a county's year from
an older system, a benchmark's synthetic province). Unlike ``interchange.bundle_load`` it builds no
model instances and reads nothing back: each chunk of rows is checked against maps loaded once
(cadres, rules, final quarters), then written with ``COPY`` on PostgreSQL (``executemany`` on
SQLite) — the entries, the reversing entries of revoked ones, one ``import`` event each, the events'
leaves in the tamper-evident log (hashes computed by ``trust.leaves`` from the values written, the
same function ``gongfen verify`` recomputes them with) — and the chunk's sums are added to the
maintained totals (one ``INSERT … ON CONFLICT DO UPDATE``). Memory follows the chunk, not the input.

The whole load is one transaction (all or nothing) holding the log's lock, like every ledger write;
it writes one audit row (``entries.bulk_load``). Bad input raises a :class:`DomainError` naming the
row and the problem, and nothing is changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gongfen.audit.services import audit_record
from gongfen.bulk import allocate_ids, copy_rows
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre
from gongfen.schemes.models import Category, Rule
from gongfen.scoring.periods import period_of
from gongfen.trust import leaves
from gongfen.trust.services import log_entry_event_hashes, log_lock

from .models import Entry, EntryEvent, EntryKind, EntryStatus, RuleTotal

CHUNK = 50_000
FOUR = Decimal("0.0001")
FIELDS = ("code", "cadre", "scheme", "rule", "occurred_on", "quantity", "status")
STATUSES = {s.value for s in EntryStatus}
DECIDED = {EntryStatus.APPROVED, EntryStatus.REVOKED, EntryStatus.REJECTED}
POSTED = {EntryStatus.APPROVED, EntryStatus.REVOKED}
REVOKED_REASON = "导入时已撤销 (revoked in the imported data)"

ENTRY_COLUMNS = (
    "id",
    "code",
    "cadre_id",
    "scheme_id",
    "rule_id",
    "occurred_on",
    "period",
    "quantity",
    "description",
    "status",
    "kind",
    "reverses_id",
    "adjusts_id",
    "sign",
    "posted",
    "rule_version",
    "points",
    "amount",
    "veto",
    "recorded_by_id",
    "recorded_by_label",
    "recorded_at",
    "decided_by_id",
    "decided_by_label",
    "decided_at",
    "decision_reason",
)
EVENT_COLUMNS = ("id", "entry_id", "action", "at", "actor_id", "actor_label", "reason", "data")

Progress = Callable[[int], None]


@dataclass
class BulkLoadReport:
    entries: int = 0  # rows of the input
    reversals: int = 0  # reversing entries written for revoked rows
    events: int = 0
    totals: int = 0  # maintained-total upserts (one per cadre, scheme, rule and period touched, per chunk)
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _RuleInfo:
    id: int
    scheme_id: int
    scheme_code: str
    code: str
    points: Decimal
    version: int
    veto: bool
    year: int
    period_kind: str


class _Maps:
    """Everything a row is checked against, loaded once (a few rows per cadre and rule, never the ledger)."""

    def __init__(self) -> None:
        from gongfen.publication.selectors import final_periods

        self.cadres: dict[str, int] = dict(Cadre.objects.values_list("code", "id"))
        self.rules: dict[tuple[str, str], _RuleInfo] = {}
        self.base: set[tuple[str, str]] = set()
        for r in Rule.objects.select_related("scheme"):
            key = (r.scheme.code, r.code)
            if r.category == Category.BASE:
                self.base.add(key)
                continue
            s = r.scheme
            self.rules[key] = _RuleInfo(r.pk, s.pk, s.code, r.code, r.points, r.version, r.veto, s.year, s.period_kind)
        self.final = {sid: final_periods(sid) for sid in {r.scheme_id for r in self.rules.values()}}
        self.periods: dict[tuple[date, str], str] = {}
        self.quantities: dict[Any, Decimal] = {}

    def period(self, day: date, kind: str) -> str:
        key = (day, kind)
        code = self.periods.get(key)
        if code is None:
            code = self.periods[key] = period_of(day, kind).code
        return code


def _problem(n: int, code: Any, message: str) -> DomainError:
    return DomainError(f"第 {n} 行（记录 {code}）：{message}", field="entries", code="bulk_load_row")


def _parse(n: int, item: Any, maps: _Maps) -> tuple:
    """(code, cadre id, rule info, day, period, quantity, status) of input row ``n`` (1-based), or a DomainError."""
    if isinstance(item, dict):
        try:
            item = (item["id"] if "id" in item else item["code"], *(item[k] for k in FIELDS[1:6]), item.get("status"))
        except KeyError as exc:
            raise _problem(n, item.get("id", item.get("code")), f"缺少字段 {exc.args[0]} (missing field)") from None
    if not isinstance(item, tuple | list) or len(item) != 7:
        raise _problem(n, "?", f"应为 7 项 {FIELDS}，实为 {item!r}")
    code, cadre, scheme, rule, day, quantity, status = item
    if not isinstance(code, str) or not code or len(code) > 64:
        raise _problem(n, code, "记录编号须为 1–64 个字符 (code)")
    cadre_id = maps.cadres.get(cadre)
    if cadre_id is None:
        raise _problem(n, code, f"没有干部 {cadre} (unknown cadre)")
    info = maps.rules.get((scheme, rule))
    if info is None:
        if (scheme, rule) in maps.base:
            raise _problem(n, code, f"岗位分规则 {rule} 由系统按在岗天数自动计算，不能导入记录")
        raise _problem(n, code, f"考核方案 {scheme} 没有规则 {rule} (unknown scheme or rule)")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise _problem(n, code, f"发生日期 {day!r} 不是 YYYY-MM-DD 格式") from None
    if not isinstance(day, date) or day.year != info.year:
        raise _problem(n, code, f"发生日期 {day} 不在考核方案 {scheme} 的年度 {info.year} 内")
    q = maps.quantities.get(quantity)
    if q is None:
        try:
            q = Decimal(quantity if quantity is not None else 1)
        except (InvalidOperation, TypeError, ValueError):
            raise _problem(n, code, f"数量 {quantity!r} 不是数字") from None
        if not q.is_finite() or q <= 0 or q != q.quantize(FOUR) or q >= Decimal("1e8"):
            raise _problem(n, code, f"数量 {quantity} 须大于 0、至多 4 位小数")
        if len(maps.quantities) < 10_000:
            maps.quantities[quantity] = q
    status = status or EntryStatus.PENDING
    if status not in STATUSES:
        raise _problem(n, code, f"状态 {status!r} 无效，应为 {sorted(STATUSES)} 之一")
    period = maps.period(day, info.period_kind)
    if period in maps.final[info.scheme_id]:
        raise _problem(n, code, f"{period} 已定稿，该季度的记录不能再改变 (the quarter is final)")
    return code, cadre_id, info, day, period, q, status


class _FourEyes:
    """Rows that arrive decided are the loader's decision once people use the workspace: never on the loader's
    own cadre record, never by a command line with no named operator (``ledger.services.decision_refusal``)."""

    def __init__(self, actor: Actor) -> None:
        from .services import decision_refusal, workspace_has_people

        self.live = workspace_has_people()
        self.refusal = decision_refusal(actor, cadre_id=None, recorded_by_id=None) if self.live else None
        self.own = actor.user.cadre_id if self.live and actor.user is not None else None

    def check(self, n: int, parsed: tuple) -> None:
        code, cadre_id, status = parsed[0], parsed[1], parsed[6]
        if not self.live or status not in DECIDED:
            return
        if self.refusal:
            raise _problem(n, code, self.refusal)
        if self.own is not None and cadre_id == self.own:
            raise _problem(n, code, "不能审核本人的工分记录 (four eyes: not your own entry)")


class _Chunk:
    """The rows of one chunk, as tuples for COPY, with the leaves' data and the totals' deltas."""

    def __init__(self, actor: Actor, now, maps: _Maps):
        self.actor, self.now, self.maps = actor, now, maps
        self.entries: list[tuple] = []
        self.reversals: list[tuple] = []
        self.leaf_rows: list[dict] = []  # per event, in event order: the row ``leaves.entry_event_data`` reads
        self.deltas: dict[tuple, list] = {}

    def add(self, code, cadre_id, info: _RuleInfo, day, period, quantity, status, cadre_code: str) -> None:
        actor, now = self.actor, self.now
        decided = status in DECIDED
        posted = status in POSTED
        points = info.points if posted else None
        # as the column stores it (4 places), so the totals and the log's leaf say what the row says
        amount = (points * quantity).quantize(FOUR, ROUND_HALF_UP) if posted else None
        self.entries.append(
            (
                None,
                code,
                cadre_id,
                info.scheme_id,
                info.id,
                day,
                period,
                quantity,
                "",
                status,
                EntryKind.NORMAL.value,
                None,
                None,
                1,
                posted,
                info.version if posted else None,
                points,
                amount,
                info.veto if posted else False,
                actor.user.pk if actor.user else None,
                actor.label,
                now,
                actor.user.pk if decided and actor.user else None,
                actor.label if decided else "",
                now if decided else None,
                "",
            )
        )
        entry = {
            "entry__code": code,
            "entry__cadre__code": cadre_code,
            "entry__scheme__code": info.scheme_code,
            "entry__rule__code": info.code,
            "entry__occurred_on": day,
            "entry__period": period,
            "entry__quantity": quantity,
            "entry__description": "",
            "entry__kind": EntryKind.NORMAL.value,
            "entry__sign": 1,
            "entry__reverses__code": None,
            "entry__adjusts__code": None,
            "entry__recorded_by_label": actor.label,
            "entry__recorded_at": now,
            "entry__points": points,
            "entry__amount": amount,
            "entry__rule_version": info.version if posted else None,
            "entry__veto": info.veto if posted else False,
            "entry__decided_by_label": actor.label if decided else "",
            "entry__decided_at": now if decided else None,
            "entry__decision_reason": "",
        }
        self.leaf_rows.append({**entry, "data": {"status": status}})
        if posted:
            key = (cadre_id, info.scheme_id, info.id, period)
            delta = self.deltas.get(key)
            if delta is None:
                delta = self.deltas[key] = [Decimal(0), 0, Decimal(0)]
            if status == EntryStatus.REVOKED:
                self.reversals.append((len(self.entries) - 1, entry))
            else:
                delta[0] += amount
                delta[1] += 1
                delta[2] += quantity

    def write(self) -> tuple[int, int, int]:
        """Write the chunk; returns (reversals, events, totals upserted)."""
        actor, now = self.actor, self.now
        ids = allocate_ids(Entry, len(self.entries) + len(self.reversals))
        rows = [(pk, *row[1:]) for pk, row in zip(ids, self.entries, strict=False)]
        reversal_rows = []
        for (index, entry), pk in zip(self.reversals, ids[len(self.entries) :], strict=True):
            original = rows[index]
            code = f"{original[1]}~R1"
            reversal_rows.append(
                (
                    *(pk, code, *original[2:8], REVOKED_REASON, EntryStatus.APPROVED.value, EntryKind.REVERSAL.value),
                    *(original[0], None, 1, True, original[15], -original[16], -original[17], original[18]),
                    *(original[19], original[20], now, original[22], original[23], now, REVOKED_REASON),
                )
            )
            self.leaf_rows.append(
                {
                    **entry,
                    "entry__code": code,
                    "entry__description": REVOKED_REASON,
                    "entry__kind": EntryKind.REVERSAL.value,
                    "entry__reverses__code": original[1],
                    "entry__points": -original[16],
                    "entry__amount": -original[17],
                    "entry__decision_reason": REVOKED_REASON,
                    "data": {"reverses": original[1]},
                }
            )
        copy_rows(Entry, ENTRY_COLUMNS, rows)
        copy_rows(Entry, ENTRY_COLUMNS, reversal_rows)
        entry_ids = [row[0] for row in rows] + [row[0] for row in reversal_rows]
        event_ids = allocate_ids(EntryEvent, len(entry_ids))
        user_id = actor.user.pk if actor.user else None
        events, hashes = [], []
        at = self.now
        for event_id, entry_id, leaf_row in zip(event_ids, entry_ids, self.leaf_rows, strict=True):
            data = leaf_row["data"]
            events.append((event_id, entry_id, EntryEvent.Action.IMPORT.value, at, user_id, actor.label, "", data))
            leaf_row.update(
                id=event_id, entry_id=entry_id, action=EntryEvent.Action.IMPORT.value, at=at, actor_label=actor.label
            )
            leaf_row["reason"] = ""
            hashes.append((event_id, leaves.leaf_hash(leaves.entry_event_data(leaf_row))))
        texts: dict[str, str] = {}  # {"status": …} repeats: encode each once
        copy_rows(
            EntryEvent,
            EVENT_COLUMNS,
            [
                (*e[:7], texts.get(e[7].get("status")) or texts.setdefault(e[7].get("status"), json.dumps(e[7])))
                if "status" in e[7]
                else (*e[:7], json.dumps(e[7]))
                for e in events
            ],
        )
        log_entry_event_hashes(items=hashes)
        return len(reversal_rows), len(events), _totals_upsert(self.deltas)


def _totals_upsert(deltas: dict[tuple, list]) -> int:
    """Add the chunk's sums to the maintained totals: one statement (rows that net to nothing are skipped)."""
    rows = [(c, s, r, p, a, n, q) for (c, s, r, p), (a, n, q) in deltas.items() if a or n or q]
    if not rows:
        return 0
    table = RuleTotal._meta.db_table
    update = (
        f"ON CONFLICT (scheme_id, period, cadre_id, rule_id) DO UPDATE SET "
        f"amount = {table}.amount + EXCLUDED.amount, count = {table}.count + EXCLUDED.count, "
        f"quantity = {table}.quantity + EXCLUDED.quantity"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            raw.execute(
                "CREATE TEMP TABLE IF NOT EXISTS gongfen_bulk_totals "
                "(cadre_id bigint, scheme_id bigint, rule_id bigint, period varchar(10), amount numeric, count int, "
                "quantity numeric) "
                "ON COMMIT DROP"
            )
            raw.execute("TRUNCATE gongfen_bulk_totals")
            with raw.copy("COPY gongfen_bulk_totals FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.execute(
                f"INSERT INTO {table} (cadre_id, scheme_id, rule_id, period, amount, count, quantity) "
                f"SELECT cadre_id, scheme_id, rule_id, period, amount, count, quantity FROM gongfen_bulk_totals {update}"
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (cadre_id, scheme_id, rule_id, period, amount, count, quantity) "
                f"VALUES (%s, %s, %s, %s, %s, %s, %s) {update}",
                [(c, s, r, p, str(a), n, str(q)) for c, s, r, p, a, n, q in rows],
            )
    return len(rows)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def entries_bulk_load(
    *,
    actor: Actor,
    rows: Iterable[tuple | dict],
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
    source: str = "",
) -> BulkLoadReport:
    """Load ledger entries from ``rows`` (an iterator is read once, ``chunk_size`` rows at a time).

    A row is a tuple ``(code, cadre code, scheme code, rule code, occurred_on, quantity, status)`` or a
    dict with those keys (``id`` or ``code`` for the code), as in a bundle's entries; ``occurred_on``
    a date or ``YYYY-MM-DD``, status one of pending/declared/approved/rejected/revoked (default
    pending). Approved and revoked rows are posted at the rule's current points; a revoked row gets its
    reversing entry (``code~R1``). New codes only: a code already in the ledger is refused.
    """
    report = BulkLoadReport()
    with transaction.atomic():
        log_lock()  # the log head first: the one lock order of every ledger write
        if connection.vendor == "postgresql":
            # foreign keys checked at the end of each COPY, not all at commit: PostgreSQL keeps the queue of
            # deferred checks in memory, tens of millions of them for a province
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        maps = _Maps()
        codes = {v: k for k, v in maps.cadres.items()}
        four_eyes = _FourEyes(actor)
        now = timezone.now()
        n = 0
        for items in _chunks(rows, chunk_size):
            chunk = _Chunk(actor, now, maps)
            for item in items:
                n += 1
                parsed = _parse(n, item, maps)
                four_eyes.check(n, parsed)
                chunk.add(*parsed, codes[parsed[1]])
                report.by_status[parsed[6]] = report.by_status.get(parsed[6], 0) + 1
            try:
                with transaction.atomic():
                    reversals, events, totals = chunk.write()
            except IntegrityError as exc:
                raise DomainError(
                    f"第 {n - len(items) + 1}–{n} 行中有记录编号与台账中已有的记录（或本批中另一行）重复，"
                    f"未导入任何记录 (duplicate code): {str(exc).splitlines()[-1][:300]}",
                    field="entries",
                    code="duplicate_code",
                ) from exc
            report.entries += len(items)
            report.reversals += reversals
            report.events += events
            report.totals += totals
            if progress is not None:
                progress(n)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for the caller's transaction
        audit_record(
            actor=actor,
            action="entries.bulk_load",
            object_type="ledger.entry",
            object_id=source[:64] or "bulk",
            summary=f"bulk-loaded {report.entries} entries ({report.reversals} reversals) from {source or 'a stream'}",
            after={
                "entries": report.entries,
                "reversals": report.reversals,
                "events": report.events,
                "by_status": report.by_status,
                "source": source,
            },
        )
    return report
