"""Issue 14, finding 1: four eyes inside the write services, on every path that decides an entry.

The attacks as observed: the 组织部 administrator, who is also a cadre, imports an entry for their own record
at 9,999 points on a rule worth 1.5 and approves it themselves; a unit administrator who is also a reviewer
does the same at 5,000. Each path (the ledger services the web and the API call, the spreadsheet import with
直接通过, ``gongfen import --approve``, a bundle loaded into a live workspace, the bulk load) now refuses,
and changes nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from gongfen import cli
from gongfen.accounts.models import RoleKind, User
from gongfen.accounts.services import role_grant
from gongfen.common import Actor, DomainError
from gongfen.interchange.excel import ImportInvalid, import_apply
from gongfen.interchange.services import bundle_load
from gongfen.interchange.validate import BundleInvalid
from gongfen.ledger import services as ledger
from gongfen.ledger.bulkload import entries_bulk_load
from gongfen.ledger.models import Entry, EntryStatus, RuleTotal
from gongfen.org.models import Cadre, Unit
from gongfen.schemes.models import Rule
from tests.interchange.excel.conftest import entry_row, headers, workbook
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import ACTOR

ATTACKS = [("a01", "A01", "9999"), ("a04", "A04", "5000")]


@pytest.fixture
def attackers(county):
    """a01 (cadre A01) made the 组织部 administrator; a04 (cadre A04) a unit administrator of 齐溪镇 who also reviews it."""
    org, both = county["a01"], county["a04"]
    role_grant(actor=ACTOR, user=org, kind=RoleKind.ORG_ADMIN, unit=Unit.objects.get(code="KH"))
    for kind in (RoleKind.UNIT_ADMIN, RoleKind.REVIEWER):
        role_grant(actor=ACTOR, user=both, kind=kind, unit=Unit.objects.get(code="QX"))
    return {"a01": org, "a04": both}


def counts() -> dict[str, int]:
    """The row count of every table except the audit trail (a refused write may log its refusal)."""
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.app_label != "audit"}


def totals() -> list:
    return sorted(RuleTotal.objects.values_list("cadre__code", "rule__code", "period", "amount", "count"))


def own_row(cadre: str, points: str, code: str = "ATK1") -> dict:
    return {
        "id": code,
        "cadre": cadre,
        "scheme": "QX-2026",
        "rule": "R-TASK",
        "occurred_on": "2026-08-10",
        "quantity": "1",
        "status": "approved",
        "points": points,
    }


def declare(actor: Actor, cadre: str) -> Entry:
    return ledger.entry_declare(
        actor=actor,
        cadre=Cadre.objects.get(code=cadre),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        occurred_on=__import__("datetime").date(2026, 8, 10),
    )


@pytest.mark.parametrize(("who", "cadre", "points"), ATTACKS)
def test_the_services_refuse_your_own_entry_and_one_you_recorded(attackers, who, cadre, points):
    actor = Actor(attackers[who])
    mine = declare(Actor(User.objects.get(username="qx_admin")), cadre)  # somebody else recorded it
    recorded = declare(actor, "A03")  # the attacker recorded it for somebody else
    for entry in (mine, recorded):
        for decide in (
            lambda e: ledger.entry_approve(actor=actor, entry=e, points=Decimal(points)),
            lambda e: ledger.entry_approve(actor=actor, entry=e),
            lambda e: ledger.entry_reject(actor=actor, entry=e, reason="x"),
            lambda e: ledger.entries_decide(actor=actor, entries=[e], decision="approve"),
        ):
            with pytest.raises(DomainError) as caught:
                decide(entry)
            assert caught.value.code == "four_eyes"
        entry.refresh_from_db()
        assert entry.status == EntryStatus.PENDING and entry.amount is None
    # a second person may approve, but only at the rule's points: 9,999 on a rule worth 1.5 is refused
    other = Actor(User.objects.get(username="qx_reviewer"))
    with pytest.raises(DomainError) as caught:
        ledger.entry_approve(actor=other, entry=mine, points=Decimal(points))
    assert caught.value.code == "points_not_manual" and "1.5" in caught.value.message
    approved = ledger.entry_approve(actor=other, entry=mine)
    assert approved.amount == Decimal("1.5")
    with pytest.raises(DomainError) as caught:  # and the cadre cannot revoke (or re-decide) it either
        ledger.entry_revoke(actor=actor, entry=approved, reason="x")
    assert caught.value.code == "four_eyes"


def test_a_manual_amount_only_where_the_rule_permits_it_within_its_range(attackers):
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    Rule.objects.filter(pk=rule.pk).update(manual_min=Decimal("1"), manual_max=Decimal("3"))
    reviewer = Actor(User.objects.get(username="qx_reviewer"))
    entry = declare(Actor(User.objects.get(username="qx_admin")), "A04")
    with pytest.raises(DomainError) as caught:
        ledger.entry_approve(actor=reviewer, entry=entry, points=Decimal("5000"))
    assert caught.value.code == "points_out_of_range"
    with pytest.raises(DomainError):  # the cadre may not grant themselves even an amount inside the range
        ledger.entry_approve(actor=Actor(attackers["a04"]), entry=entry, points=Decimal("2.5"))
    done = ledger.entry_approve(actor=reviewer, entry=entry, points=Decimal("2.5"))
    assert (done.points, done.amount, done.decided_by.username) == (Decimal("2.5"), Decimal("2.5"), "qx_reviewer")


@pytest.mark.parametrize(("who", "cadre", "points"), ATTACKS)
def test_the_api_refuses_the_attack(attackers, client, who, cadre, points):
    from gongfen.api.services import token_create

    entry = declare(Actor(User.objects.get(username="qx_admin")), cadre)
    _, secret = token_create(actor=Actor(attackers[who]), user=attackers[who], name="t", scopes=["read", "review"])
    response = client.post(
        f"/api/v1/entries/{entry.code}/approve",
        data=json.dumps({"reason": "ok"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "four_eyes"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    # a second person through the API: the rule's points only (R-TASK permits no manual amount)
    reviewer = User.objects.get(username="qx_reviewer")
    _, other = token_create(actor=Actor(reviewer), user=reviewer, name="t", scopes=["read", "review"])
    response = client.post(
        f"/api/v1/entries/{entry.code}/approve",
        data=json.dumps({"reason": "ok", "points": points}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {other}",
    )
    assert response.status_code in (400, 422) and response.json()["code"] == "points_not_manual"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


@pytest.mark.parametrize(("who", "cadre", "points"), ATTACKS)
def test_a_spreadsheet_import_with_direct_approval_refuses_the_attack(attackers, who, cadre, points):
    before, sums = counts(), totals()
    row = own_row(cadre, points)
    data = workbook({"工分明细": [headers("entries"), entry_row(**row | {"status": None})]})
    with pytest.raises(ImportInvalid) as caught:
        import_apply(data, Actor(attackers[who]), kind="entries", approve=True, name="atk.xlsx")
    messages = [p.message for p in caught.value.problems]
    assert any("本人" in m for m in messages) and any("核定分值" in m for m in messages)
    assert all(p.row == 2 for p in caught.value.problems if p.row is not None)  # said where: the row of the file
    assert counts() == before and totals() == sums
    # the attacker's own row at the rule's points is refused too; somebody else's row at the rule's points goes in
    with pytest.raises(ImportInvalid):
        import_apply(
            workbook({"工分明细": [headers("entries"), entry_row(**own_row(cadre, "1.5") | {"status": None})]}),
            Actor(attackers[who]),
            kind="entries",
            approve=True,
        )
    fine = own_row("A03", "1.5", code="OK1") | {"status": None}
    import_apply(
        workbook({"工分明细": [headers("entries"), entry_row(**fine)]}),
        Actor(attackers[who]),
        kind="entries",
        approve=True,
    )
    assert Entry.objects.get(code="OK1").status == EntryStatus.APPROVED


def test_the_web_import_page_with_direct_approval_refuses_the_attack(attackers, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongfen.interchange.models import ImportJob

    settings.GONGFEN_IMPORT_RUNNER, settings.GONGFEN_HOME = "inline", tmp_path
    client.force_login(attackers["a01"])
    before = counts()
    data = workbook({"工分明细": [headers("entries"), entry_row(**own_row("A01", "9999") | {"status": None})]})
    client.post(
        reverse("interchange:upload"), {"kind": "entries", "file": SimpleUploadedFile("a.xlsx", data), "approve": "on"}
    )
    job = ImportJob.objects.get()
    assert not job.confirmable and job.problem_count >= 2
    client.post(reverse("interchange:confirm", args=[job.uuid]))
    assert not Entry.objects.filter(code="ATK1").exists()
    assert {k: v for k, v in counts().items() if k != "interchange.ImportJob"} == {
        k: v for k, v in before.items() if k != "interchange.ImportJob"
    }


@pytest.mark.parametrize(("who", "cadre", "points"), ATTACKS)
def test_the_cli_import_approve_acts_as_a_named_operator_and_refuses_the_attack(
    attackers, capsys, tmp_path, who, cadre, points
):
    path = tmp_path / "atk.xlsx"
    path.write_bytes(
        workbook({"工分明细": [headers("entries"), entry_row(**own_row(cadre, points) | {"status": None})]})
    )
    before = counts()
    assert cli.main(["import", "entries", str(path), "--approve", "--as", who]) == cli.EXIT_INVALID
    assert "本人" in capsys.readouterr().err
    # nobody named: a workspace with accounts takes no decision from an anonymous command line
    fine = tmp_path / "fine.xlsx"
    fine.write_bytes(
        workbook({"工分明细": [headers("entries"), entry_row(**own_row("A03", "1.5") | {"status": None})]})
    )
    assert cli.main(["import", "entries", str(fine), "--approve"]) == cli.EXIT_INVALID
    assert "--as" in capsys.readouterr().err
    assert counts() == before
    assert cli.main(["import", "entries", str(fine), "--approve", "--as", who]) == cli.EXIT_OK
    made = Entry.objects.get(code="ATK1")
    assert made.status == EntryStatus.APPROVED and made.decided_by == attackers[who]
    assert made.recorded_by_label == f"{who} (cli)"
    from gongfen.audit.models import AuditEvent

    audited = AuditEvent.objects.filter(action="spreadsheet.import").order_by("id").last()
    assert (audited.actor, audited.actor_label) == (attackers[who], f"{who} (cli)")


@pytest.mark.parametrize(("who", "cadre", "points"), ATTACKS)
def test_a_bundle_loaded_into_a_live_workspace_refuses_the_attack(attackers, capsys, tmp_path, who, cadre, points):
    bundle = {"format": "gongfen-bundle/1", "entries": [own_row(cadre, points)]}
    before, sums = counts(), totals()
    with pytest.raises(BundleInvalid) as caught:
        bundle_load(actor=Actor(attackers[who]), bundle=bundle)
    paths = {p.path for p in caught.value.problems}
    assert paths == {"$.entries[0].status", "$.entries[0].points"}
    path = tmp_path / "atk.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    assert cli.main(["load", str(path), "--as", who]) == cli.EXIT_INVALID
    assert cli.main(["load", str(path)]) == cli.EXIT_INVALID  # no operator named: refused in a live workspace
    assert "--as" in capsys.readouterr().err
    assert counts() == before and totals() == sums
    # a bundle moving an existing pending entry: decided through the ledger's services, same refusal, in place
    pending = declare(Actor(User.objects.get(username="qx_admin")), cadre)
    move = {"format": "gongfen-bundle/1", "entries": [own_row(cadre, "1.5", code=pending.code) | {"points": None}]}
    del move["entries"][0]["points"]
    with pytest.raises(BundleInvalid) as caught:
        bundle_load(actor=Actor(attackers[who]), bundle=move)
    assert [p.path for p in caught.value.problems] == ["$.entries[0].status"]
    pending.refresh_from_db()
    assert pending.status == EntryStatus.PENDING


@pytest.mark.parametrize(("who", "cadre", "points"), ATTACKS)
def test_the_bulk_load_refuses_your_own_decided_rows(attackers, who, cadre, points):
    before = counts()
    with pytest.raises(DomainError) as caught:
        entries_bulk_load(
            actor=Actor(attackers[who]), rows=[("ATK9", cadre, "QX-2026", "R-TASK", "2026-08-10", "1", "approved")]
        )
    assert "本人" in caught.value.message and "第 1 行" in caught.value.message
    with pytest.raises(DomainError):  # an anonymous command line in a workspace people use
        entries_bulk_load(actor=Actor.cli(), rows=[("ATK9", "A03", "QX-2026", "R-TASK", "2026-08-10", "1", "approved")])
    assert counts() == before


def test_a_fresh_workspace_loads_decided_history_without_an_operator(db, tmp_path, capsys):
    """``GONGFEN_HOME=<empty> gongfen load bundle.json`` then ``gongfen rank``: no account exists, nobody decides."""
    from tests.conftest import EXAMPLES

    assert not User.objects.exists()
    assert cli.main(["load", str(EXAMPLES / "qixi-2026q3.json")]) == cli.EXIT_OK
    assert Entry.objects.filter(status=EntryStatus.APPROVED).exists()
    assert cli.main(["rank", "--all", "--period", "2026Q3", "--format", "json"]) == cli.EXIT_OK


def test_the_review_page_grants_a_manual_amount_only_in_range_and_never_to_oneself(attackers, client):
    Rule.objects.filter(scheme__code="QX-2026", code="R-TASK").update(manual_min=Decimal("1"), manual_max=Decimal("3"))
    entry = declare(Actor(User.objects.get(username="qx_admin")), "A04")
    url = reverse("ledger:review_decide", args=[entry.code])
    client.force_login(User.objects.get(username="qx_reviewer"))
    assert 'name="points"' in client.get(reverse("ledger:review")).content.decode()
    client.post(url, {"decision": "approve", "reason": "ok", "points": "5000"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    client.force_login(attackers["a04"])  # the cadre, a reviewer of 齐溪镇: refused whatever the amount
    client.post(url, {"decision": "approve", "reason": "ok", "points": "2"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    client.force_login(User.objects.get(username="qx_reviewer"))
    client.post(url, {"decision": "approve", "reason": "ok", "points": "2.5"})
    entry.refresh_from_db()
    assert (entry.status, entry.points, entry.amount) == (EntryStatus.APPROVED, Decimal("2.5"), Decimal("2.5"))
