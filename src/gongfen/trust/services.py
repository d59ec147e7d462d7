"""Appending to the tamper-evident log, always inside the transaction that wrote the row.

Call sites: ``ledger.services._event`` (every event through the ledger services),
``publication.services._freeze`` (every snapshot), and the bulk loader (its events, in id
order). Each append locks the one-row :class:`LogHead` until the transaction ends, so indexes
are gapless and in commit order on PostgreSQL as on SQLite; a transaction that rolls back takes
its leaves with it. Inside :func:`unlogged` (an import's preview, always rolled back) nothing is
locked or appended, so a preview never makes every other ledger writer wait for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction

from gongfen.bulk import allocate_ids, bulk_insert, copy_rows
from gongfen.ledger.models import EntryEvent
from gongfen.publication.models import Snapshot

from . import leaves, merkle
from .models import LeafKind, LogHead, LogLeaf

_unlogged: ContextVar[bool] = ContextVar("gongfen_unlogged", default=False)


@contextmanager
def unlogged() -> Iterator[None]:
    """Writes that will be rolled back (a preview) take no log lock and append no leaf; the transaction is
    marked for rollback on the way out, so nothing written without its leaves can ever be committed."""
    _require_transaction()
    token = _unlogged.set(True)
    try:
        yield
    finally:
        _unlogged.reset(token)
        transaction.set_rollback(True)


def _head_for_update() -> LogHead:
    head = LogHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            LogHead.objects.create(pk=1)
    except IntegrityError:  # another transaction created it first
        pass
    return LogHead.objects.select_for_update().get(pk=1)


def log_lock() -> None:
    """Take the log's lock first, before any ledger row: one lock order (log head → entries) means no deadlock.

    Every ledger write appends to the log, so it holds the head until it
    commits; a write that locked an entry before the head could wait for a
    writer that holds the head and wants that entry.
    """
    _require_transaction()
    if not _unlogged.get():
        _head_for_update()


def _append(head: LogHead, items: list[tuple[str, int, bytes]]) -> list[LogLeaf]:
    """Append (kind, row id, leaf hash) items after ``head`` (locked) and move the head on."""
    frontier = [bytes.fromhex(h) for h in head.frontier]
    size = head.size
    rows = []
    for kind, ref, digest in items:
        merkle.frontier_append(frontier, size, digest)
        ref_field = "event_id" if kind == LeafKind.ENTRY_EVENT else "snapshot_id"
        rows.append(LogLeaf(index=size, kind=kind, hash=digest.hex(), **{ref_field: ref}))
        size += 1
    if len(rows) == 1:
        rows[0].save()
    else:
        bulk_insert(LogLeaf, rows)
    head.size, head.frontier = size, [h.hex() for h in frontier]
    head.root = merkle.frontier_root(frontier).hex()
    head.save(update_fields=["size", "frontier", "root"])
    return rows


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the log is appended to inside the transaction that writes the row")


def log_entry_events(*, event_ids: Iterable[int]) -> int:
    """Append the leaves of these (just written) events, in id order; returns how many."""
    _require_transaction()
    ids = sorted(event_ids)
    if not ids or _unlogged.get():
        return 0
    head = _head_for_update()
    items = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        if chunk[-1] - chunk[0] == len(chunk) - 1:  # allocated in one run (the usual case): a range scan
            queryset = EntryEvent.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1])
        else:
            queryset = EntryEvent.objects.filter(pk__in=chunk)
        items += [
            (LeafKind.ENTRY_EVENT, row["id"], leaves.leaf_hash(data)) for row, data in leaves.event_rows(queryset)
        ]
    _append(head, items)
    return len(items)


def log_entry_event_hashes(*, items: list[tuple[int, bytes]]) -> int:
    """Append leaves whose hashes the caller computed with ``leaves.entry_event_data`` from the values it wrote.

    For the lean ledger loader (``gongfen.ledger.bulkload``): the events were just inserted, so reading
    them back would only cost time; ``gongfen verify`` recomputes every leaf from the stored rows, so a
    hash that did not match what was stored would be found. ``items`` are (event id, leaf hash) in id order.
    """
    _require_transaction()
    if not items or _unlogged.get():
        return 0
    head = _head_for_update()
    frontier = [bytes.fromhex(h) for h in head.frontier]
    size = head.size
    rows = []
    append = merkle.frontier_append
    for (event_id, digest), pk in zip(items, allocate_ids(LogLeaf, len(items)), strict=True):
        append(frontier, size, digest)
        rows.append((pk, size, LeafKind.ENTRY_EVENT.value, event_id, None, digest.hex()))
        size += 1
    copy_rows(LogLeaf, ("id", "index", "kind", "event_id", "snapshot_id", "hash"), rows)
    head.size, head.frontier = size, [h.hex() for h in frontier]
    head.root = merkle.frontier_root(frontier).hex()
    head.save(update_fields=["size", "frontier", "root"])
    return len(rows)


def log_entry_event(*, event: EntryEvent) -> LogLeaf | None:
    """Append the leaf of one event (``ledger.services._event``)."""
    _require_transaction()
    if _unlogged.get():
        return None
    head = _head_for_update()
    [(_row, data)] = leaves.event_rows_of([event.pk])
    return _append(head, [(LeafKind.ENTRY_EVENT, event.pk, leaves.leaf_hash(data))])[0]


def snapshot_save_logged(*, snapshot: Snapshot) -> Snapshot:
    """Insert ``snapshot`` (unsaved) recording the tree head it was computed at, then append its own leaf.

    The head is read under the log's lock, so it is exactly the events committed before the
    publication; the snapshot's leaf follows it (and itself names that head).
    """
    _require_transaction()
    if _unlogged.get():
        head = LogHead.objects.filter(pk=1).first() or LogHead()
        snapshot.tree_size, snapshot.tree_root = head.size, head.root
        snapshot.save()
        return snapshot
    head = _head_for_update()
    snapshot.tree_size, snapshot.tree_root = head.size, head.root
    snapshot.save()
    [(_row, data)] = leaves.snapshot_rows(Snapshot.objects.filter(pk=snapshot.pk))
    _append(head, [(LeafKind.SNAPSHOT, snapshot.pk, leaves.leaf_hash(data))])
    return snapshot
