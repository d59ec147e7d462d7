"""``Idempotency-Key``: a retried write returns the first response and never writes twice."""

from __future__ import annotations

from gongfen.api.models import IdempotencyKey
from gongfen.audit.models import AuditEvent
from gongfen.ledger.models import Entry, EntryEvent

DECLARE = {"cadre": "A04", "scheme": "QX-2026", "rule": "R-TASK", "occurred_on": "2026-08-03", "quantity": "2"}


def _entries_of_a04() -> int:
    return Entry.objects.filter(cadre__code="A04", rule__code="R-TASK").count()


def test_the_same_key_twice_creates_one_entry(api):
    client = api("a04")
    before = _entries_of_a04()
    first = client.post("/entries", DECLARE, headers={"Idempotency-Key": "oa-7781"})
    again = client.post("/entries", DECLARE, headers={"Idempotency-Key": "oa-7781"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert _entries_of_a04() == before + 1
    assert AuditEvent.objects.filter(action="entry.declare", object_id=first.json()["code"]).count() == 1
    # without a key, a second request is a second declaration
    assert client.post("/entries", DECLARE).status_code == 201
    assert _entries_of_a04() == before + 2


def test_the_same_key_with_another_body_is_refused(api):
    client = api("a04")
    client.post("/entries", DECLARE, headers={"Idempotency-Key": "k-1"})
    before = Entry.objects.count()
    response = client.post("/entries", DECLARE | {"quantity": "3"}, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["field"] == "Idempotency-Key"
    assert Entry.objects.count() == before


def test_keys_belong_to_one_user(api):
    """Another user's request with the same key is another request."""
    api("a04").post("/entries", DECLARE, headers={"Idempotency-Key": "shared"})
    response = api("qx_admin").post("/entries", DECLARE, headers={"Idempotency-Key": "shared"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert IdempotencyKey.objects.filter(key="shared").count() == 2


def test_a_refused_write_keeps_no_key_so_it_can_be_retried(api):
    client = api("org")
    headers = {"Idempotency-Key": "reject-E10"}
    assert client.post("/entries/E10/reject", {"reason": ""}, headers=headers).status_code == 400
    assert not IdempotencyKey.objects.filter(key="reject-E10").exists()
    done = client.post("/entries/E10/reject", {"reason": "佐证不足"}, headers=headers)
    again = client.post("/entries/E10/reject", {"reason": "佐证不足"}, headers=headers)
    assert done.status_code == again.status_code == 200 and again.json() == done.json()
    assert EntryEvent.objects.filter(entry__code="E10", action=EntryEvent.Action.REJECT).count() == 1


def test_approve_retried_with_its_key_is_replayed_not_refused(api):
    client = api("org")
    headers = {"Idempotency-Key": "approve-E10"}
    first = client.post("/entries/E10/approve", {"reason": "核实"}, headers=headers)
    again = client.post("/entries/E10/approve", {"reason": "核实"}, headers=headers)
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert client.post("/entries/E10/approve", {"reason": "核实"}).status_code == 400  # no key: already approved


# The concurrent variant (tests/api/test_idempotency_concurrent.py) runs against a SQLite file on
# SQLite runs: tests/faults/test_sqlite_file.py.
