"""What each leaf of the log says: the canonical JSON of a ledger event or a snapshot, read from stored rows.

The same functions serve the append (right after the row is written, reading it back) and
``gongfen verify`` (reading every row again), so a leaf is recomputable from the database alone.
Only what is fixed by the time of the event goes in: an entry's declaration always, its decision
(points, amount, version, veto, decider, reason) from the decision on, and for a revocation or a
re-score the reversing entry it posted. Status, which moves on, is left out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

from gongfen.ledger.models import Entry, EntryEvent, EntryKind
from gongfen.publication.models import Snapshot

from . import merkle

LEAF_FORMAT = "gongfen-leaf/1"
DECIDED_ACTIONS = {"approve", "reject", "revoke", "rescore"}
REVERSING_ACTIONS = {"revoke", "rescore"}
DECIDED_ON_IMPORT = {"approved", "rejected", "revoked"}

ENTRY_FIELDS = (
    "code",
    "cadre__code",
    "scheme__code",
    "rule__code",
    "occurred_on",
    "period",
    "quantity",
    "description",
    "kind",
    "sign",
    "reverses__code",
    "adjusts__code",
    "recorded_by_label",
    "recorded_at",
)
DECISION_FIELDS = (
    "points",
    "amount",
    "rule_version",
    "veto",
    "decided_by_label",
    "decided_at",
    "decision_reason",
)
EVENT_FIELDS = (
    *("id", "entry_id", "action", "at", "actor_label", "reason", "data"),
    *(f"entry__{name}" for name in (*ENTRY_FIELDS, *DECISION_FIELDS)),
)
SNAPSHOT_FIELDS = ("id", "group__code", "period", "version", "fingerprint", "created_at", "tree_size", "tree_root")


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 as is (like ``publication.services.canonical_json``)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


PLAIN = (str, int, bool, type(None))


@lru_cache(maxsize=8192)
def _exact(value: Decimal | dt.datetime | dt.date) -> str:
    """A decimal without trailing zeros (and no −0), a datetime in UTC to the microsecond, a date."""
    if isinstance(value, Decimal):
        return "0" if value == 0 else format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value.isoformat()


def _value(value: Any) -> Any:
    return value if type(value) in PLAIN else _exact(value)


def _pairs(names: Iterable[str], prefix: str = "") -> tuple[tuple[str, str], ...]:
    return tuple((name.replace("__code", ""), prefix + name) for name in names)


ENTRY_KEYS = _pairs(ENTRY_FIELDS, "entry__")
DECISION_KEYS = _pairs(DECISION_FIELDS, "entry__")
REVERSAL_KEYS = _pairs(ENTRY_FIELDS + DECISION_FIELDS)


def _fields(row: dict, pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {key: _value(row[source]) for key, source in pairs}


def _decided(row: dict) -> bool:
    action = row["action"]
    if action in DECIDED_ACTIONS:
        return True
    data = row["data"] or {}
    return action == "import" and (data.get("status") in DECIDED_ON_IMPORT or "reverses" in data)


def entry_event_data(row: dict, reversal: dict | None = None) -> dict[str, Any]:
    """The leaf of an event row (``EVENT_FIELDS``); ``reversal`` is the reversing entry of a revoke/rescore."""
    entry = _fields(row, ENTRY_KEYS)
    if _decided(row):
        entry["decision"] = _fields(row, DECISION_KEYS)
    event = {
        "id": row["id"],
        "entry": row["entry__code"],
        "action": row["action"],
        "at": _value(row["at"]),
        "actor": row["actor_label"],
        "reason": row["reason"],
        "data": row["data"] or {},
    }
    data = {"format": LEAF_FORMAT, "kind": "entry_event", "event": event, "entry": entry}
    if row["action"] in REVERSING_ACTIONS:
        data["reversal"] = None if reversal is None else _fields(reversal, REVERSAL_KEYS)
    return data


def snapshot_data(row: dict) -> dict[str, Any]:
    snapshot = {
        "id": row["id"],
        "group": row["group__code"],
        "period": row["period"],
        "version": row["version"],
        "fingerprint": row["fingerprint"],
        "created_at": _value(row["created_at"]),
        "tree_size": row["tree_size"],
        "tree_root": row["tree_root"],
    }
    return {"format": LEAF_FORMAT, "kind": "snapshot", "snapshot": snapshot}


def encode(data: dict[str, Any]) -> bytes:
    return canonical_json(data).encode("utf-8")


def leaf_hash(data: dict[str, Any]) -> bytes:
    return merkle.leaf_hash(encode(data))


# --- reading the rows ---------------------------------------------------------------------


def _reversals(entry_ids: Iterable[int]) -> dict[int, dict]:
    """The reversing entry (kind reversal) of each of ``entry_ids`` that has one: one per revoked entry."""
    ids = list(entry_ids)
    out: dict[int, dict] = {}
    for start in range(0, len(ids), 2000):
        rows = Entry.objects.filter(kind=EntryKind.REVERSAL, reverses_id__in=ids[start : start + 2000])
        for row in rows.values("reverses_id", *ENTRY_FIELDS, *DECISION_FIELDS):
            out[row["reverses_id"]] = row
    return out


def event_rows(queryset=None) -> Iterator[tuple[dict, dict[str, Any]]]:
    """(row, leaf data) of the events of ``queryset`` (default: every event), in id order."""
    queryset = EntryEvent.objects.all() if queryset is None else queryset
    chunk: list[dict] = []
    for row in queryset.order_by("id").values(*EVENT_FIELDS).iterator(chunk_size=5000):
        chunk.append(row)
        if len(chunk) == 5000:
            yield from _with_data(chunk)
            chunk = []
    yield from _with_data(chunk)


def event_rows_of(event_ids: Iterable[int]) -> list[tuple[dict, dict[str, Any]]]:
    """:func:`event_rows` of a few events (one just written) in one plain query: no server-side cursor,
    whose DECLARE, FETCH and CLOSE would be three round trips on PostgreSQL."""
    rows = list(EntryEvent.objects.filter(pk__in=list(event_ids)).order_by("id").values(*EVENT_FIELDS))
    return list(_with_data(rows, history=False))  # just written: no later edit yet


def _with_data(rows: list[dict], history: bool = True) -> Iterator[tuple[dict, dict[str, Any]]]:
    reversals = _reversals({r["entry_id"] for r in rows if r["action"] in REVERSING_ACTIONS})
    edits = _edits({r["entry_id"] for r in rows}) if history else {}
    for row in rows:
        if row["entry_id"] in edits:
            row = _as_declared_then(row, edits[row["entry_id"]])
        yield row, entry_event_data(row, reversals.get(row["entry_id"]))


EDITED_FIELDS = ("occurred_on", "quantity", "description")


def _edits(entry_ids: set[int]) -> dict[int, list[tuple[int, dict, str]]]:
    """The draft edits (修改草稿) of these entries: (event id, data, scheme period kind), in id order."""
    ids = sorted(entry_ids)
    out: dict[int, list[tuple[int, dict, str]]] = {}
    for start in range(0, len(ids), 2000):
        rows = EntryEvent.objects.filter(action=EntryEvent.Action.EDIT, entry_id__in=ids[start : start + 2000])
        for entry_id, event_id, data, kind in rows.order_by("id").values_list(
            "entry_id", "id", "data", "entry__scheme__period_kind"
        ):
            out.setdefault(entry_id, []).append((event_id, data or {}, kind))
    return out


def _as_declared_then(row: dict, edits: list[tuple[int, dict, str]]) -> dict:
    """``row`` with the draft's day, period, quantity and description as they stood when the event was written.

    An edit changes the entry after its earlier events were logged, each of which then read the row as it
    was: an event before an edit sees that edit's ``before``, the edit itself and what follows its ``after``,
    up to the next edit; after the last edit, the stored row (whose change by SQL then shows).
    """
    for event_id, data, kind in edits:
        if row["id"] < event_id:
            return _with_values(row, data.get("before") or {}, kind)
        if row["id"] == event_id and event_id != edits[-1][0]:
            return _with_values(row, data.get("after") or {}, kind)
    return row


def _with_values(row: dict, values: dict, kind: str) -> dict:
    from gongfen.scoring.periods import period_of

    row = dict(row)
    try:
        day = dt.date.fromisoformat(values["occurred_on"])
        row["entry__occurred_on"], row["entry__period"] = day, period_of(day, kind).code
        row["entry__quantity"] = Decimal(values["quantity"])
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return row  # an edit event changed with SQL: its own leaf shows it
    row["entry__description"] = values.get("description", row["entry__description"])
    return row


def snapshot_rows(queryset=None) -> Iterator[tuple[dict, dict[str, Any]]]:
    queryset = Snapshot.objects.all() if queryset is None else queryset
    for row in queryset.order_by("id").values(*SNAPSHOT_FIELDS):
        yield row, snapshot_data(row)
