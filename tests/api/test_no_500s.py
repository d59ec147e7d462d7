"""No 500s (issue 14, finding 6): a NUL anywhere in an API request, and a failed write with evidence.

On PostgreSQL a NUL character in any API string, path or query answered 500
(PostgreSQL refuses NUL in text), and one left an evidence file on disk with
no database row. Each attack here is answered with the structured 400 and
changes nothing, on both databases; a stored file never outlives its row.
"""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from django.db import transaction

from gongfen.audit.models import AuditEvent
from gongfen.common import Actor
from gongfen.ledger import evidence as evidence_files
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, Evidence
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule

from .test_endpoints import EVIDENCE_RULE, PNG

pytestmark = pytest.mark.django_db
NUL = "\x00"
GETS = [
    "/cadres/A0%001",
    "/schemes/QX%00-2026",
    "/schemes/QX-2026%00/rules",
    "/rankings/QX-ALL%00/2026Q3",
    "/rankings/QX-ALL/2026Q3%00",
    "/publications/QX-ALL/2026%00Q3",
    "/entries/E0%001",
    "/entries?cadre=A01%00",
    "/entries?period=2026Q3%00",
    "/entries?cursor=%00",
    "/declarable-rules?cadre=A04%00",
    "/units?x%00=1",
]


def stored_files() -> set[str]:
    root = evidence_files.evidence_root()
    return {p.name for p in root.iterdir()} if root.exists() else set()


def assert_refused(response, field: str | None = None) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "nul_character" and "空字符" in body["message"], body
    if field is not None:
        assert body["field"] == field, body


@pytest.mark.parametrize("path", GETS)
def test_a_nul_in_a_path_or_query_is_a_structured_400(api, path):
    assert_refused(api("org").get(path))


def test_a_nul_in_any_json_string_or_header_is_refused_and_nothing_is_written(api):
    client, reviewer = api("a04"), api("qx_reviewer")
    evidence = [{"name": "验收.png", "content_base64": base64.b64encode(PNG).decode()}]
    before = (Entry.objects.count(), AuditEvent.objects.count(), stored_files())
    attacks = [
        (EVIDENCE_RULE | {"description": f"村道{NUL}验收", "evidence": evidence}, {}, "description"),
        (EVIDENCE_RULE | {"evidence": [evidence[0] | {"name": f"a{NUL}.png"}]}, {}, "evidence.0.name"),
        (EVIDENCE_RULE | {"cadre": f"A04{NUL}", "evidence": evidence}, {}, "cadre"),
        (EVIDENCE_RULE | {f"x{NUL}": 1, "evidence": evidence}, {}, f"x{NUL}"),
        (EVIDENCE_RULE | {"evidence": evidence}, {"Idempotency-Key": f"k{NUL}1"}, "Idempotency-Key"),
    ]
    for payload, headers, field in attacks:
        assert_refused(client.post("/entries", payload, headers=headers), field)
    for action in ("approve", "reject", "revoke"):
        assert_refused(reviewer.post(f"/entries/E11/{action}", {"reason": f"核实{NUL}"}), "reason")
    assert_refused(reviewer.post("/entries/E1%001/approve", {}), "path")
    raw = client.client.post(
        "/api/v1/entries",
        json.dumps(EVIDENCE_RULE).replace('"quantity": "1"', '"quantity": "1\\u0000"'),  # the JSON escape of NUL
        content_type="application/json",
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert_refused(raw, "quantity")
    assert (Entry.objects.count(), AuditEvent.objects.count(), stored_files()) == before
    assert client.post("/entries", EVIDENCE_RULE | {"evidence": evidence}).status_code == 201  # still works


def test_a_declaration_that_fails_after_storing_its_evidence_leaves_no_file(api, monkeypatch):
    before = stored_files()

    def broken(**kwargs):
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr(ledger, "audit_record", broken)
    evidence = [{"name": "验收.png", "content_base64": base64.b64encode(PNG).decode()}]
    response = api("a04").post("/entries", EVIDENCE_RULE | {"evidence": evidence})
    assert response.status_code == 500 and response.json()["code"] == "server_error"
    assert not Evidence.objects.exists()
    assert stored_files() == before


def _declare_with_evidence():
    return ledger.entry_declare(
        actor=Actor(None, "test"),
        cadre=Cadre.objects.get(code="A04"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="S-INV"),
        occurred_on=date(2026, 8, 3),
        files=[("验收.png", PNG)],
    )


def test_a_rolled_back_caller_takes_the_file_with_it_and_a_commit_keeps_it(county, django_capture_on_commit_callbacks):
    before = stored_files()
    with pytest.raises(RuntimeError), transaction.atomic():  # e.g. an import, or a request, that fails later
        entry = _declare_with_evidence()
        token = entry.evidence.get().token
        assert evidence_files.path_of(token).read_bytes() == PNG  # readable inside its transaction
        raise RuntimeError("the caller fails after the declaration")
    assert stored_files() == before and not Evidence.objects.filter(token=token).exists()

    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint rolled back inside a transaction that commits
                _declare_with_evidence()
                raise RuntimeError
        except RuntimeError:
            pass
    assert stored_files() == before

    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction stands in for a commit
        kept = _declare_with_evidence().evidence.get()
    assert evidence_files.path_of(kept.token).read_bytes() == PNG
    assert stored_files() == before | {kept.token}
    evidence_files.path_of(kept.token).unlink()
