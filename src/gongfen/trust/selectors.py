"""Reading the tamper-evident log: verifying it against the stored rows, consistency with an earlier
published head, and a cadre's inclusion proofs against a publication's head."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from gongfen.ledger.models import EntryEvent
from gongfen.org.models import Cadre
from gongfen.publication.models import Snapshot

from . import leaves, merkle, replay
from .models import EMPTY_ROOT_HEX, LeafKind, LogHead, LogLeaf

PROOF_FORMAT = "gongfen-inclusion-proof/1"


def log_head() -> tuple[int, str]:
    """(size, root hex) of the log now."""
    head = LogHead.objects.filter(pk=1).first()
    return (0, EMPTY_ROOT_HEX) if head is None else (head.size, head.root)


@dataclass
class Verification:
    """What ``gongfen verify`` found: ``problems`` is empty when the log is intact; the first one comes first."""

    size: int
    root: str
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _event_label(row: dict) -> str:
    at = leaves._value(row["at"])
    return f"记录 {row['entry__code']} 的事件 #{row['id']}（{row['action']}，{at}）"


def _snapshot_label(row: dict) -> str:
    return f"公示快照 {row['group__code']} {row['period']} 第 {row['version']} 版（#{row['id']}）"


def log_verify() -> Verification:
    """Recompute every leaf from the stored events and snapshots and compare with the log and its head.

    Reports, in this order: the first leaf whose stored hash differs from the recomputation (naming
    its event or snapshot), a gap in the indexes, a head that the leaves do not produce, a
    publication whose recorded head the log does not reproduce, rows missing from the log.
    """
    size, root = log_head()
    result = Verification(size, root)
    events = {row["id"]: (row, leaves.leaf_hash(data)) for row, data in leaves.event_rows()}
    snapshots = {row["id"]: (row, leaves.leaf_hash(data)) for row, data in leaves.snapshot_rows()}
    heads: dict[int, list[dict]] = {}
    for row, _ in snapshots.values():
        if row["tree_size"] is not None:
            heads.setdefault(row["tree_size"], []).append(row)
    frontier: list[bytes] = []
    count = mismatched = 0
    stored = LogLeaf.objects.order_by("index").values_list("index", "kind", "event_id", "snapshot_id", "hash")
    for index, kind, event_id, snapshot_id, digest in stored.iterator(chunk_size=10000):
        clean = result.intact
        if clean:
            _check_heads(result, heads.pop(count, []), count, frontier)
        if index != count and clean:
            result.problems.append(f"日志第 {count} 号叶子缺失（下一片叶子编号为 {index}）(a gap in the log)")
        found = events.pop(event_id, None) if kind == LeafKind.ENTRY_EVENT else snapshots.pop(snapshot_id, None)
        count += 1
        if found is None:
            result.problems.append(f"日志第 {index} 号叶子所指的{'事件' if event_id else '快照'}已不存在 (row gone)")
            continue
        row, recomputed = found
        if recomputed.hex() != digest:
            mismatched += 1
            if mismatched == 1:
                what = _event_label(row) if kind == LeafKind.ENTRY_EVENT else _snapshot_label(row)
                result.problems.append(f"日志第 {index} 号叶子与{what}不符：该数据已被改动 (does not match)")
        elif result.intact:
            merkle.frontier_append(frontier, index, recomputed)
    if mismatched > 1:
        result.problems.append(f"共 {mismatched} 片叶子与台账不符 ({mismatched} leaves do not match)")
    if result.intact:
        _check_heads(result, heads.pop(count, []), count, frontier)
        if count != size or merkle.frontier_root(frontier).hex() != root:
            result.problems.append(
                f"树头 {size}:{root} 与日志的 {count} 片叶子算出的根 {merkle.frontier_root(frontier).hex()} 不符"
            )
        for tree_size, rows in sorted(heads.items()):
            result.problems += [f"{_snapshot_label(r)}记录的树头大小 {tree_size} 超出日志 ({count})" for r in rows]
    for row, _ in sorted(events.values(), key=lambda item: item[0]["id"]):
        result.problems.append(f"{_event_label(row)}不在日志中 (missing from the log)")
    for row, _ in sorted(snapshots.values(), key=lambda item: item[0]["id"]):
        result.problems.append(f"{_snapshot_label(row)}不在日志中 (missing from the log)")
    result.problems += snapshot_fingerprint_problems()
    result.problems += replay.entry_problems()
    return result


def _fingerprint(data: Any) -> str:
    from gongfen.publication.services import fingerprint

    return fingerprint(data)


def snapshot_fingerprint_problems() -> list[str]:
    """Every snapshot whose stored JSON does not hash to its fingerprint (which its leaf fixes)."""
    problems = []
    rows = Snapshot.objects.order_by("id").values("id", "group__code", "period", "version", "data", "fingerprint")
    for row in rows.iterator(chunk_size=100):
        if _fingerprint(row["data"]) != row["fingerprint"]:
            problems.append(
                f"{_snapshot_label(row)}的数据与其数字指纹 {row['fingerprint'][:16]}… 不符：快照内容已被改动 "
                "(the stored JSON does not hash to the fingerprint)"
            )
    return problems


def snapshot_tampered(snapshots: list[Snapshot]) -> list[Snapshot]:
    """Those of ``snapshots`` (data loaded) whose data does not hash to their fingerprint, or whose own row
    (fingerprint, head, time) no longer gives the leaf the log holds for it: one query for any number."""
    if not snapshots:
        return []
    fields = [f"snapshot__{name}" for name in leaves.SNAPSHOT_FIELDS]
    found = LogLeaf.objects.filter(snapshot_id__in=[s.pk for s in snapshots]).values("hash", *fields)
    good = set()
    for leaf in found:  # one query: each leaf with the row it stands for
        row = {name: leaf[f"snapshot__{name}"] for name in leaves.SNAPSHOT_FIELDS}
        if leaves.leaf_hash(leaves.snapshot_data(row)).hex() == leaf["hash"]:
            good.add(row["id"])
    return [s for s in snapshots if s.pk not in good or _fingerprint(s.data) != s.fingerprint]


def _check_heads(result: Verification, rows: list[dict], size: int, frontier: list[bytes]) -> None:
    """A publication's recorded head must be the root of the log's first ``tree_size`` leaves."""
    root = merkle.frontier_root(frontier).hex()
    for row in rows:
        if row["tree_root"] != root:
            result.problems.append(
                f"{_snapshot_label(row)}记录的树头 {size}:{row['tree_root']} 与日志不符（应为 {root}）"
            )


def parse_head(text: str) -> tuple[int, bytes]:
    """``SIZE:ROOTHEX`` → (size, root); ValueError with a clear message otherwise."""
    size_text, sep, root_text = (text or "").strip().partition(":")
    try:
        size = int(size_text)
        root = bytes.fromhex(root_text)
    except ValueError:
        size, root = -1, b""
    if not sep or size < 0 or len(root) != 32:
        raise ValueError(f"树头格式应为 大小:根（64 位十六进制），如 1234:9f86d0…，而不是 {text!r}")
    return size, root


def _stored_hashes(limit: int | None = None) -> list[bytes]:
    qs = LogLeaf.objects.order_by("index")
    if limit is not None:
        qs = qs.filter(index__lt=limit)
    return [bytes.fromhex(h) for h in qs.values_list("hash", flat=True).iterator(chunk_size=10000)]


def log_consistency(old_size: int, old_root: bytes) -> tuple[bool, str]:
    """Whether the current log extends the earlier head (old_size, old_root), by an RFC 9162 consistency proof."""
    size, root = log_head()
    label = f"{old_size}:{old_root.hex()}"
    if old_size > size:
        return False, f"树头 {label} 比当前日志（{size} 片叶子）还大：不是本日志的早先树头"
    if old_size == 0:
        ok = old_root.hex() == EMPTY_ROOT_HEX
    else:
        proof = merkle.consistency_proof(old_size, _stored_hashes())
        ok = merkle.verify_consistency(old_size, size, old_root, bytes.fromhex(root), proof)
    if ok:
        return True, f"一致：当前日志 {size}:{root} 是树头 {label} 的延续（一致性证明已核验）"
    return False, f"不一致：当前日志 {size}:{root} 不是树头 {label} 的延续（日志被改写，或树头有误）"


def proof_events(cadre: Cadre, snapshot: Snapshot) -> QuerySet[EntryEvent]:
    """The events of ``cadre``'s entries in the snapshot's scheme and period that its head covers."""
    return EntryEvent.objects.filter(
        entry__cadre=cadre,
        entry__scheme_id=snapshot.group.scheme_id,
        entry__period=snapshot.period,
        log_leaf__index__lt=snapshot.tree_size or 0,
    )


def inclusion_proof(cadre: Cadre, snapshot: Snapshot) -> dict[str, Any]:
    """For each of the cadre's events under the snapshot's head: leaf data, index and audit path (JSON)."""
    size = snapshot.tree_size or 0
    rows = list(leaves.event_rows(proof_events(cadre, snapshot)))
    indexes = dict(LogLeaf.objects.filter(event_id__in=[r["id"] for r, _ in rows]).values_list("event_id", "index"))
    tree = merkle.levels(_stored_hashes(size)) if rows else [[]]
    items = []
    for row, data in sorted(rows, key=lambda item: indexes[item[0]["id"]]):
        index = indexes[row["id"]]
        proof = merkle.inclusion_proof_from_levels(index, tree)
        items.append({"index": index, "data": leaves.canonical_json(data), "proof": [p.hex() for p in proof]})
    return {
        "format": PROOF_FORMAT,
        "group": snapshot.group.code,
        "period": snapshot.period,
        "version": snapshot.version,
        "fingerprint": snapshot.fingerprint,
        "cadre": cadre.code,
        "tree_size": size,
        "tree_root": snapshot.tree_root,
        "leaves": items,
    }
