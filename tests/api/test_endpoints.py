"""The endpoints through tokens: what each role sees (out of scope → 404), writes, errors, pagination."""

from __future__ import annotations

import base64
import hashlib

import pytest

from gongfen.audit.models import AuditEvent
from gongfen.ledger import evidence as evidence_files
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.ledger.selectors import totals_mismatches

DECLARE = {"cadre": "A04", "scheme": "QX-2026", "rule": "R-TASK", "occurred_on": "2026-08-03", "quantity": "2"}


# --- who sees what: the same scopes as the web (accounts.permissions) ------------------------------

# (path, users who get 200; everyone else gets 404)
READS = [
    ("/cadres/A01", {"org", "qx_admin", "qx_reviewer", "a01", "sk_lead"}),
    ("/schemes/QX-2026", {"org", "qx_admin", "qx_reviewer"}),
    ("/schemes/QX-2026/rules", {"org", "qx_admin", "qx_reviewer"}),
    ("/entries/E01", {"org", "qx_admin", "qx_reviewer", "a01"}),
    ("/rankings/QX-ALL/2026Q3", {"org", "qx_admin", "qx_reviewer"}),
    ("/publications/QX-ALL/2026Q3", set()),  # not published in the fixture
]
USERS = ["org", "qx_admin", "qx_reviewer", "sk_lead", "a01", "a04", "tc_admin", "tc_reviewer"]


@pytest.mark.parametrize(("path", "allowed"), READS)
def test_every_user_reads_only_what_they_may_see(api, path, allowed):
    got = {user: api(user).get(path).status_code for user in USERS}
    assert got == {user: 200 if user in allowed else 404 for user in USERS}


def test_a_token_of_user_a_cannot_read_user_bs_entries(api):
    a04 = api("a04")
    assert a04.get("/entries/E01").status_code == 404  # A01's entry
    response = a04.get("/entries", {"cadre": "A01"})
    assert response.status_code == 200 and response.json()["items"] == []
    out_of_scope = api("tc_admin")
    assert out_of_scope.get("/cadres/A01").json()["code"] == "not_found"
    codes = {row["code"] for row in out_of_scope.get("/cadres", {"limit": 200}).json()["items"]}
    assert "A01" not in codes


def test_lists_are_scoped(api):
    qx = {u["code"] for u in api("qx_admin").get("/units").json()["items"]}
    assert "QX" in qx and "TC" not in qx
    assert api("a01").get("/units").json()["items"] == []
    mine = api("a01").get("/entries", {"limit": 200}).json()["items"]
    assert mine and {e["cadre"] for e in mine} == {"A01"}


# --- writes through the ledger services -------------------------------------------------------------


def test_declare_approve_revoke_through_the_api(api):
    created = api("a04").post("/entries", DECLARE)
    assert created.status_code == 201, created.content
    entry = created.json()
    assert entry["status"] == "pending" and entry["quantity"] == "2" and entry["recorded_by"] == "a04"
    code = entry["code"]

    approved = api("qx_reviewer").post(f"/entries/{code}/approve", {"reason": "核实"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["amount"] is not None

    revoked = api("org").post(f"/entries/{code}/revoke", {"reason": "核查不实"})
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["entry"]["status"] == "revoked"
    assert revoked.json()["reversal"]["reverses"] == code
    actions = list(AuditEvent.objects.filter(object_id=code).values_list("action", "actor_label"))
    assert actions == [("entry.declare", "a04"), ("entry.approve", "qx_reviewer"), ("entry.revoke", "org")]
    assert totals_mismatches() == []


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EVIDENCE_RULE = DECLARE | {"rule": "S-INV", "quantity": "1"}  # the fixture makes S-INV require evidence


def test_declare_with_evidence_as_base64(api):
    client = api("a04")
    refused = client.post("/entries", EVIDENCE_RULE)
    assert refused.status_code == 400 and refused.json()["field"] == "evidence", refused.content
    bad = client.post("/entries", EVIDENCE_RULE | {"evidence": [{"name": "a.png", "content_base64": "不是base64"}]})
    assert bad.status_code == 422 and bad.json()["field"] == "evidence.0.content_base64", bad.content
    html = client.post(
        "/entries",
        EVIDENCE_RULE | {"evidence": [{"name": "a.pdf", "content_base64": base64.b64encode(b"<html>").decode()}]},
    )
    assert html.status_code == 400 and "不是 PDF 或图片" in html.json()["message"]
    assert Entry.objects.filter(rule__code="S-INV", cadre__code="A04").count() == 0
    created = client.post(
        "/entries",
        EVIDENCE_RULE | {"evidence": [{"name": "验收.png", "content_base64": base64.b64encode(PNG).decode()}]},
    )
    assert created.status_code == 201, created.content
    (item,) = created.json()["evidence"]
    assert item == {
        "name": "验收.png",
        "content_type": "image/png",
        "size": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
    }
    stored = Entry.objects.get(code=created.json()["code"]).evidence.get()
    assert evidence_files.path_of(stored.token).read_bytes() == PNG


def test_a_body_over_the_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = EVIDENCE_RULE | {"evidence": [{"name": "a.png", "content_base64": base64.b64encode(PNG * 40).decode()}]}
    response = api("a04").post("/entries", big)
    assert response.status_code == 413 and response.json()["code"] == "too_large", response.content
    assert not Entry.objects.filter(rule__code="S-INV", cadre__code="A04").exists()


def test_a_draft_is_submitted_by_its_owner_only(api):
    draft = api("a04").post("/entries", DECLARE | {"submit": False})
    assert draft.status_code == 201 and draft.json()["status"] == "declared", draft.content
    code = draft.json()["code"]
    other = api("qx_admin").post(f"/entries/{code}/submit")
    assert other.status_code == 403 and other.json()["code"] == "not_own", other.content
    assert api("a01").post(f"/entries/{code}/submit").status_code == 404  # not even visible to another cadre
    done = api("a04").post(f"/entries/{code}/submit")
    assert done.status_code == 200 and done.json()["status"] == "pending", done.content
    again = api("a04").post(f"/entries/{code}/submit")
    assert again.status_code == 400 and "不能提交" in again.json()["message"]
    assert AuditEvent.objects.filter(object_id=code, action="entry.submit").count() == 1


def test_four_eyes_and_review_scope_answer_403_with_the_reason(api):
    created = api("qx_reviewer").post("/entries", DECLARE | {"cadre": "A02"})  # the reviewer's own entry
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    response = api("qx_reviewer").post(f"/entries/{code}/approve", {})
    assert response.status_code == 403 and response.json()["code"] == "four_eyes"
    assert "本人" in response.json()["message"]
    response = api("qx_admin").post(f"/entries/{code}/approve", {})  # sees it, does not review
    assert response.status_code == 403 and response.json()["code"] == "not_reviewer"
    assert api("tc_reviewer").post(f"/entries/{code}/approve", {}).status_code == 404
    assert Entry.objects.get(code=code).status == EntryStatus.PENDING


def test_refusals_of_the_services_are_structured_and_change_nothing(api):
    before = Entry.objects.count()
    response = api("a04").post("/entries", DECLARE | {"occurred_on": "2025-08-03"})
    assert response.status_code in (400, 422)
    body = response.json()
    assert set(body) >= {"code", "message", "field"} and body["message"]
    response = api("org").post("/entries/E10/reject", {"reason": ""})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "退回必须说明理由", "field": "reason"}
    assert Entry.objects.count() == before


def test_declaring_a_rule_the_user_may_not_declare_is_refused(api):
    response = api("sk_lead").post("/entries", DECLARE | {"cadre": "A01"})  # a lead: special-task rules only
    assert response.status_code == 422 and response.json()["code"] == "rule_not_declarable"
    assert api("a04").post("/entries", DECLARE | {"cadre": "A01"}).status_code == 404


def test_validation_errors_are_422_with_the_field(api):
    response = api("a04").post("/entries", DECLARE | {"quantity": "-1", "occurred_on": "not a date"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {e["field"] for e in body["errors"]} == {"quantity", "occurred_on"}
    assert api("org").get("/entries", {"limit": 201}).json()["field"] == "limit"


def test_unknown_paths_and_server_errors_are_structured(api, monkeypatch):
    response = api("org").get("/nothing/here")
    assert response.status_code == 404 and response.json()["code"] == "not_found"

    from gongfen.api import selectors

    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "units", broken)
    response = api("org").get("/units")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error" and "boom" not in response.content.decode()


# --- pagination ------------------------------------------------------------------------------------------


def test_cursor_pagination_walks_every_row_once(api):
    client = api("org")
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/entries", params).json()
        assert len(page["items"]) <= 3
        seen += [e["code"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    from gongfen.accounts.models import User
    from gongfen.accounts.permissions import entries_for

    assert set(seen) == set(entries_for(User.objects.get(username="org")).values_list("code", flat=True))
    bad = client.get("/entries", {"cursor": "garbage!"})
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


# --- rankings and publications ------------------------------------------------------------------------


def test_provisional_board_and_published_snapshot(api):
    from gongfen.common import Actor
    from gongfen.publication import services as publication
    from gongfen.rankings.selectors import group_by_code, group_ranking

    board = api("qx_admin").get("/rankings/QX-ALL/2026Q3").json()
    ranking = group_ranking(group_by_code("QX-ALL"), "2026Q3")
    assert [r["cadre"] for r in board["rows"]] == [r.cadre for r in ranking.rows]
    assert board["state"] == "open"
    assert api("qx_admin").get("/rankings/QX-ALL/2026Q9").status_code == 422

    actor, group = Actor(None, "test"), group_by_code("QX-ALL")
    publication.period_close(actor=actor, group=group, period="2026Q3")
    from gongfen.ledger import services as ledger

    # a pending entry blocks publication: decide it first
    ledger.entry_reject(actor=actor, entry=Entry.objects.get(code="E10"), reason="佐证不足")
    publication.period_publish(actor=actor, group=group, period="2026Q3")

    a01 = api("a01")  # a member of the group (scope "group")
    listed = a01.get("/publications").json()["items"]
    assert [(p["group"], p["period"], p["state"]) for p in listed] == [("QX-ALL", "2026Q3", "published")]
    shown = a01.get("/publications/QX-ALL/2026Q3").json()
    assert shown["version"] == 1 and len(shown["fingerprint"]) == 64
    assert [r["cadre"] for r in shown["rows"]] == [r.cadre for r in ranking.rows]
    assert api("tc_admin").get("/publications").json()["items"] == []
    assert api("tc_admin").get("/publications/QX-ALL/2026Q3").status_code == 404


# --- the OpenAPI document and its docs page ---------------------------------------------------------------


def test_the_openapi_document_and_docs_page_are_served_locally(client, county):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    schema = document.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/entries/{code}/approve" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call validator.swagger.io
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
