"""Replaying the ledger (台账重放): every entry's current state must follow from its logged events.

A leaf of the log fixes what an event said and the entry's declaration and decision, but not the
entry's *status* or whether it is *posted* (both move on), and an entry with no event has no leaf at
all. So ``gongfen verify`` also folds each entry's events, in order, into the state they lead to and
compares it with the stored row: status, posted, points, amount and quantity. An entry with no event
(other than a reversing entry, which the revocation or re-score of its original posted and whose
leaf holds it) is named, as is one whose stored state differs from the replay. Finally the maintained
totals (工分小计) must equal the sums of the posted entries, so a total adjusted by hand is named too.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from gongfen.ledger.models import Entry, EntryEvent, EntryKind, EntryStatus
from gongfen.ledger.selectors import totals_mismatches

A = EntryEvent.Action
ENTRY_VALUES = ("id", "code", "kind", "status", "posted", "points", "amount", "quantity", "sign", "reverses_id")
POSTED_STATUSES = {EntryStatus.APPROVED, EntryStatus.REVOKED}
STATUS_NAMES = dict(EntryStatus.choices)


def _dec(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except ArithmeticError:
        return None


def fold(events: list[tuple[str, dict]]) -> dict:
    """The state (status, posted, points, quantity) that ``events`` (action, data), in order, lead to.

    ``points``/``quantity`` are None where no event says them (the leaf then fixes them instead).
    ``error`` names the first event that does not follow from the state before it.
    """
    state: dict = {"status": None, "posted": False, "points": None, "quantity": None, "error": None}

    def step(want: set | None, status: str, posted: bool | None = None) -> None:
        if want is not None and state["status"] not in want and state["error"] is None:
            shown = STATUS_NAMES.get(state["status"], "无")
            state["error"] = f"事件“{action}”不能发生在状态“{shown}”之后"
        state["status"] = status
        if posted is not None:
            state["posted"] = posted

    for action, data in events:
        data = data or {}
        if action == A.DECLARE:
            step({None}, EntryStatus.DECLARED)
        elif action == A.SUBMIT:
            step({EntryStatus.DECLARED}, EntryStatus.PENDING)
        elif action == A.WITHDRAW:
            step({EntryStatus.PENDING}, EntryStatus.DECLARED)
        elif action == A.EDIT:
            step({EntryStatus.DECLARED}, EntryStatus.DECLARED)
            state["quantity"] = _dec((data.get("after") or {}).get("quantity"))
        elif action == A.DELETE:
            step({EntryStatus.DECLARED}, EntryStatus.DELETED)
        elif action == A.APPROVE:
            step({EntryStatus.PENDING}, EntryStatus.APPROVED, True)
            state["points"] = _dec(data.get("points"))
        elif action == A.REJECT:
            step({EntryStatus.PENDING}, EntryStatus.REJECTED)
        elif action == A.REVOKE:
            step({EntryStatus.APPROVED}, EntryStatus.REVOKED)
        elif action == A.RESCORE and "replaces" in data:
            step({None}, EntryStatus.APPROVED, True)
        elif action == A.RESCORE:
            step({EntryStatus.APPROVED}, EntryStatus.REVOKED)
        elif action == A.IMPORT:
            status = EntryStatus.APPROVED if "reverses" in data else data.get("status")
            step({None}, status, status in POSTED_STATUSES)
        elif state["error"] is None:
            state["error"] = f"未知的事件“{action}”"
    return state


def _events_by_entry() -> dict[int, list[tuple[str, dict]]]:
    out: dict[int, list[tuple[str, dict]]] = defaultdict(list)
    rows = EntryEvent.objects.order_by("id").values_list("entry_id", "action", "data")
    for entry_id, action, data in rows.iterator(chunk_size=10000):
        out[entry_id].append((action, data))
    return out


def _label(row: dict) -> str:
    return f"记录 {row['code']}（#{row['id']}）"


def entry_problems() -> list[str]:
    """Every entry whose stored state is not what its events lead to, and every total not equal to its entries."""
    events = _events_by_entry()
    entries = {row["id"]: row for row in Entry.objects.order_by("id").values(*ENTRY_VALUES).iterator(chunk_size=10000)}
    reversals: dict[int, list[int]] = defaultdict(list)
    for row in entries.values():
        if row["kind"] == EntryKind.REVERSAL:
            reversals[row["reverses_id"]].append(row["id"])
    states = {entry_id: fold(evs) for entry_id, evs in events.items()}
    problems: list[str] = []
    for row in entries.values():
        problem = _entry_problem(row, states.get(row["id"]), entries, states, reversals)
        if problem:
            problems.append(f"{_label(row)}{problem}")
    for key, want, have in totals_mismatches():
        problems.append(f"工分小计 {key} 为 {have}，由已入账记录算得 {want} (a maintained total does not match)")
    return problems


def _entry_problem(row: dict, state: dict | None, entries: dict, states: dict, reversals: dict) -> str | None:
    if state is None and row["kind"] == EntryKind.REVERSAL:
        return _reversal_problem(row, entries, states, reversals)
    if state is None:
        return "没有任何事件：不是经由系统写入的 (an entry with no event)"
    if state["error"]:
        return f"的事件顺序不成立：{state['error']} (events do not replay)"
    want_status, want_posted = state["status"], state["posted"]
    if row["status"] != want_status:
        have, want = STATUS_NAMES.get(row["status"], row["status"]), STATUS_NAMES.get(want_status, want_status)
        return f"状态为“{have}”，而其事件重放得“{want}” (status differs from the replay of its events)"
    if row["posted"] != want_posted:
        return f"入账标记为 {row['posted']}，而其事件重放得 {want_posted} (posted differs from the replay)"
    if state["quantity"] is not None and row["quantity"] != state["quantity"]:
        return f"数量为 {row['quantity']}，而其事件记载 {state['quantity']} (quantity differs from the replay)"
    amount = None
    if row["kind"] == EntryKind.REVERSAL and want_posted:
        original = entries.get(row["reverses_id"])
        if original is None or original["amount"] is None:
            return "是冲销记录，但其原记录没有分值 (a reversal without its original)"
        amount = -original["amount"]
    return _amount_problem(row, want_posted, state["points"], amount)


def _amount_problem(row: dict, posted: bool, points: Decimal | None, amount: Decimal | None = None) -> str | None:
    if not posted:
        if row["points"] is not None or row["amount"] is not None:
            return "未入账却带有分值 (points on an entry its events never granted)"
        return None
    if row["points"] is None or row["amount"] is None:
        return "已入账却没有分值 (a posted entry without points)"
    if points is not None and row["points"] != points:
        return f"分值为 {row['points']}，而其通过事件记载 {points} (points differ from the replay)"
    want = row["sign"] * row["points"] * row["quantity"] if amount is None else amount
    if row["amount"] != want:
        return f"金额为 {row['amount']}，应为 {want} (amount differs from the replay)"
    return None


def _reversal_problem(row: dict, entries: dict, states: dict, reversals: dict) -> str | None:
    """A reversing entry without its own event: posted by the revocation or re-score of its original."""
    original = entries.get(row["reverses_id"])
    state = states.get(row["reverses_id"])
    if original is None or state is None or state["status"] != EntryStatus.REVOKED or not state["posted"]:
        return "是冲销记录，但其原记录没有撤销或重算事件 (a reversal no revocation posted)"
    if len(reversals[row["reverses_id"]]) != 1:
        return f"是原记录 {original['code']} 的第二条冲销记录 (a second reversal)"
    if row["status"] != EntryStatus.APPROVED or not row["posted"]:
        return "是冲销记录，但未按已通过入账 (a reversal not posted)"
    if row["quantity"] != original["quantity"] or row["points"] is None or original["points"] is None:
        return "与其原记录的数量或分值不符 (a reversal that does not mirror its original)"
    if row["points"] != -original["points"]:
        return f"分值为 {row['points']}，应为 {-original['points']} (a reversal that does not mirror its original)"
    return _amount_problem(row, True, None, None if original["amount"] is None else -original["amount"])
