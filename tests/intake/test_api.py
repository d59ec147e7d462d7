"""POST /api/v1/intake/batches: checked like a declaration, all or nothing, idempotent by source record id."""

import pytest

from gongfen.intake.models import Proposal, ProposalStatus
from tests.api.conftest import ApiClient

from .conftest import post, record

pytestmark = pytest.mark.django_db


def test_a_batch_is_stored_as_records_to_confirm(client, source):
    response = post(client, source.token_text, [record(1), record(2, person="zzd-A01", rule="Z-DAY")])
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["created"] == 2 and data["unchanged"] == 0 and data["refused"] == []
    assert [(a["index"], a["cadre"], a["status"]) for a in data["accepted"]] == [
        (0, "A04", "created"),
        (1, "A01", "created"),
    ]
    rows = Proposal.objects.order_by("source_record_id")
    assert [(p.cadre.code, p.rule.code, p.status) for p in rows] == [
        ("A04", "R-TASK", "proposed"),
        ("A01", "Z-DAY", "proposed"),
    ]


def test_the_same_batch_again_creates_nothing(client, source):
    batch = [record(n) for n in range(5)]
    assert post(client, source.token_text, batch).json()["created"] == 5
    again = post(client, source.token_text, batch).json()
    assert again["created"] == 0 and again["unchanged"] == 5
    assert Proposal.objects.count() == 5


def test_one_bad_record_refuses_the_whole_batch_with_its_position(client, source):
    batch = [record(1), record(2, person="zzd-nobody"), record(3, rule="S-RES"), record(4, day="2026-09-21")]
    response = post(client, source.token_text, batch)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "batch_refused" and data["field"] == "records.1.person"
    assert [(e["code"], e["field"]) for e in data["errors"]] == [
        ("unknown_person", "records.1.person"),
        ("rule_out_of_scope", "records.2.rule"),
        ("future_date", "records.3.occurred_on"),
    ]
    assert "zzd-nobody" in data["errors"][0]["message"]
    assert not Proposal.objects.exists()


def test_partial_keeps_the_good_records_and_lists_the_others(client, source):
    batch = [record(1), record(2, person="zzd-nobody"), record(3, person="zzd-A07")]
    data = post(client, source.token_text, batch, partial=True).json()
    assert data["created"] == 1
    assert [(r["index"], r["code"]) for r in data["refused"]] == [(1, "unknown_person"), (2, "unknown_person")]


def test_a_cadre_outside_the_source_units_is_refused(client, source):
    from gongfen.common import Actor
    from gongfen.intake.services import person_link_set
    from gongfen.org.models import Cadre
    from tests.intake.conftest import User

    person_link_set(
        actor=Actor(User.objects.get(username="org")),
        source=source,
        identifier="zzd-A07",
        cadre=Cadre.objects.get(code="A07"),
    )
    data = post(client, source.token_text, [record(1, person="zzd-A07")], partial=True).json()
    assert data["refused"][0]["code"] == "unit_out_of_scope"


def test_a_changed_record_under_a_used_id_is_a_conflict(client, source):
    post(client, source.token_text, [record(1)])
    response = post(client, source.token_text, [record(1, quantity="2")])
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "conflict"
    assert Proposal.objects.get().quantity == 1


def test_duplicate_ids_in_one_batch_are_refused(client, source):
    response = post(client, source.token_text, [record(1), record(1)])
    assert response.json()["errors"][0] == {
        "code": "duplicate",
        "message": "第 2 条（记录号 YJS-1）：记录号 YJS-1 在本批中重复",
        "field": "records.1.source_record_id",
    }


def test_batches_are_bounded(client, source):
    response = post(client, source.token_text, [record(n) for n in range(501)])
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert not Proposal.objects.exists()


def test_only_a_source_token_is_answered(client, source, token_for):
    personal = token_for("org", ["read", "declare", "review", "admin"])
    response = post(client, personal, [record(1)])
    assert response.status_code == 403 and response.json()["code"] == "not_a_source"
    reader = token_for("qx_admin", ["read"])
    assert post(client, reader, [record(1)]).status_code == 403
    assert post(client, "", [record(1)]).status_code == 401
    assert not Proposal.objects.exists()


def test_a_source_token_reads_nothing_else(client, source):
    api = ApiClient(client, source.token_text)
    assert api.get("/units").status_code == 403
    assert api.get("/entries").status_code == 403


def test_the_source_reads_back_what_became_of_its_records(client, source):
    post(client, source.token_text, [record(1), record(2)])
    Proposal.objects.filter(source_record_id="YJS-2").update(
        status=ProposalStatus.DECLINED, decline_reason="不是我办的"
    )
    api = ApiClient(client, source.token_text)
    data = api.get("/intake/records", {"status": "declined"}).json()
    assert [(r["source_record_id"], r["decline_reason"]) for r in data["items"]] == [("YJS-2", "不是我办的")]
    assert len(api.get("/intake/records").json()["items"]) == 2
