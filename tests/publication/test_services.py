"""The quarter lifecycle: every legal move, every illegal one refused with nothing changed, frozen snapshots."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from gongfen.audit.models import AuditEvent
from gongfen.common import DomainError
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryEvent
from gongfen.org.models import Cadre
from gongfen.publication import services
from gongfen.publication.models import GroupPeriod, PeriodState, Snapshot
from gongfen.publication.selectors import closing_blockers, period_state, snapshot_current, snapshot_diff
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import Rule
from gongfen.scoring.output import ranking_as_dict, row_as_dict
from tests.conftest import EXAMPLES, load_json
from tests.factories import ACTOR, example_bundle, load

pytestmark = pytest.mark.django_db

Q3 = "2026Q3"
FRI = date(2026, 11, 20)  # publication day in these tests; 5 working days later is Fri 27 Nov
SHOWN = (
    "cadre",
    "rank",
    "tier",
    "quantitative",
    "quantitative_normalized",
    "qualitative",
    "composite",
    "vetoed",
    "actions",
)


@pytest.fixture
def group():
    load(example_bundle())
    return group_by_code("QX-ALL")


def entry(code):
    return Entry.objects.get(code=code)


def declare(cadre="A04", rule="R-TASK", day=date(2026, 8, 1)):
    return ledger.entry_declare(
        actor=ACTOR,
        cadre=Cadre.objects.get(code=cadre),
        rule=Rule.objects.get(scheme__code="QX-2026", code=rule),
        occurred_on=day,
        quantity=Decimal(2),
    )


def closed(group):
    """Close Q3 and decide its one pending entry (E10, rejected: the example's ranking stays as expected)."""
    services.period_close(actor=ACTOR, group=group, period=Q3)
    ledger.entry_reject(actor=ACTOR, entry=entry("E10"), reason="佐证不足")
    return group


def published(group):
    services.period_publish(actor=ACTOR, group=closed(group), period=Q3, today=FRI)
    return group


def state_of_db():
    """Everything a refused move must leave as it was."""
    return (
        list(GroupPeriod.objects.values_list("group_id", "period", "state", "window_starts_on", "window_ends_on")),
        list(Snapshot.objects.values_list("id", "version", "fingerprint")),
        AuditEvent.objects.count(),
        Entry.objects.count(),
        EntryEvent.objects.count(),
    )


def refused(match, call, **kwargs):
    before = state_of_db()
    with pytest.raises(DomainError, match=match):
        call(actor=ACTOR, **kwargs)
    assert state_of_db() == before


def shown(rows):
    return [{key: row[key] for key in SHOWN} for row in rows]


# --- legal moves -------------------------------------------------------------------


def test_close_publish_finalize(group):
    assert period_state(group, Q3) == PeriodState.OPEN
    services.period_close(actor=ACTOR, group=group, period=Q3)
    assert period_state(group, Q3) == PeriodState.CLOSING
    assert [e.code for e in closing_blockers(group, Q3)] == ["E10"]
    ledger.entry_approve(actor=ACTOR, entry=entry("E10"))  # deciding pending entries is still allowed
    assert not closing_blockers(group, Q3).exists()

    snapshot = services.period_publish(actor=ACTOR, group=group, period=Q3, today=FRI)
    row = GroupPeriod.objects.get(group=group, period=Q3)
    assert row.state == PeriodState.PUBLISHED
    assert (row.window_starts_on, row.window_ends_on) == (FRI, date(2026, 11, 27))
    assert snapshot.version == 1 and snapshot_current(group, Q3) == snapshot
    assert snapshot.fingerprint == services.fingerprint(snapshot.data) and len(snapshot.fingerprint) == 64

    final = services.period_finalize(actor=ACTOR, group=group, period=Q3, today=date(2026, 11, 28))
    assert final.state == PeriodState.FINAL
    actions = AuditEvent.objects.filter(object_id=f"QX-ALL/{Q3}").values_list("action", "before", "after")
    assert [(a, b["state"], c["state"]) for a, b, c in actions] == [
        ("period.close", "open", "closing"),
        ("period.publish", "closing", "published"),
        ("period.finalize", "published", "final"),
    ]
    assert actions[1][2]["fingerprint"] == snapshot.fingerprint


def test_window_counts_working_days_only(group):
    assert services.working_days_after(FRI, 1) == date(2026, 11, 23)  # Friday + 1 → Monday
    assert services.working_days_after(date(2026, 11, 23), 5) == date(2026, 11, 30)
    services.period_publish(actor=ACTOR, group=closed(group), period=Q3, window_days=3, today=FRI)
    assert GroupPeriod.objects.get(group=group).window_ends_on == date(2026, 11, 25)


def test_snapshot_holds_the_ranking_breakdowns_rule_versions_and_ledger_position(group):
    closed(group)
    ranking = group_ranking(group, Q3)
    position = (Entry.objects.latest("id").id, EntryEvent.objects.latest("id").id)
    data = services.period_publish(actor=ACTOR, group=group, period=Q3, today=FRI).data

    expected = ranking_as_dict(ranking)
    assert shown(data["ranking"]["rows"]) == expected["rows"]
    assert {k: v for k, v in data["ranking"].items() if k != "rows"} == {
        k: v for k, v in expected.items() if k != "rows"
    }
    # and that is the spec's worked example, to the cent
    example = load_json(EXAMPLES / "qixi-2026q3.expected.json")
    assert shown(data["ranking"]["rows"]) == example["rows"] and data["ranking"]["unranked"] == example["unranked"]

    rules = Rule.objects.filter(scheme__code="QX-2026")
    assert data["rule_versions"] == {r.code: r.version for r in rules} and len(data["rule_versions"]) == 8
    assert (data["ledger"]["entry_id"], data["ledger"]["entry_event_id"]) == position
    for stored, row in zip(data["ranking"]["rows"], ranking.rows, strict=True):
        assert Decimal(stored["exact"]["quantitative"]) == row.quantitative
        assert Decimal(stored["exact"]["deductions"]) == row.deductions
        assert stored["breakdown"]["days"] == row.breakdown.days
        assert [r["rule"] for r in stored["breakdown"]["rules"]] == [r.rule for r in row.breakdown.rules]
        assert sum(Decimal(c["amount"]) for c in stored["breakdown"]["categories"]) == row.quantitative


def test_fingerprint_is_sha256_of_canonical_json():
    data = {"b": "工分", "a": [1, {"d": None, "c": "1.50"}]}
    canonical = '{"a":[1,{"c":"1.50","d":null}],"b":"工分"}'
    assert services.fingerprint(data) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- a snapshot never moves --------------------------------------------------------------


def test_published_snapshot_is_unchanged_by_later_ledger_activity(group):
    published(group)
    snapshot = snapshot_current(group, Q3)
    frozen, print_ = snapshot.data, snapshot.fingerprint
    live_before = ranking_as_dict(group_ranking(group, Q3))
    assert shown(frozen["ranking"]["rows"]) == live_before["rows"]

    ledger.entry_revoke(actor=ACTOR, entry=entry("E14"), reason="处分已撤销")  # A05's veto
    ledger.entry_revoke(actor=ACTOR, entry=entry("E01"), reason="驻村天数重复登记")
    ledger.entry_approve(actor=ACTOR, entry=declare(day=date(2026, 10, 9)))  # Q4 is still open

    live_after = ranking_as_dict(group_ranking(group, Q3))
    assert live_after["rows"] != live_before["rows"]  # the live board moved …
    stored = Snapshot.objects.get(pk=snapshot.pk)
    assert stored.data == frozen and stored.fingerprint == print_  # … the publication did not
    assert services.fingerprint(stored.data) == print_
    assert Snapshot.objects.count() == 1
    stored.data = {}
    with pytest.raises(DomainError, match="append-only"):
        stored.save()
    with pytest.raises(DomainError, match="append-only"):
        Snapshot.objects.filter(pk=snapshot.pk).update(fingerprint="0" * 64)


def test_republication_differs_exactly_in_the_corrected_rows(group):
    published(group)
    v1 = snapshot_current(group, Q3)
    before = {r.cadre: row_as_dict(r) for r in group_ranking(group, Q3).rows}
    ledger.entry_revoke(actor=ACTOR, entry=entry("E14"), reason="异议成立：处分已撤销")  # A05's veto
    after = {r.cadre: row_as_dict(r) for r in group_ranking(group, Q3).rows}

    v2 = services.period_republish(actor=ACTOR, group=group, period=Q3, reason="异议成立", today=date(2026, 11, 25))
    assert (v2.version, snapshot_current(group, Q3)) == (2, v2)
    assert shown(v1.data["ranking"]["rows"]) == list(before.values())
    assert shown(v2.data["ranking"]["rows"]) == list(after.values())
    row = GroupPeriod.objects.get(group=group)
    assert row.state == PeriodState.PUBLISHED  # the window restarts
    assert (row.window_starts_on, row.window_ends_on) == (date(2026, 11, 25), date(2026, 12, 2))
    assert v2.data["ledger"]["entry_id"] > v1.data["ledger"]["entry_id"]  # the reversal is in v2's ledger

    diff = snapshot_diff(v1, v2)
    moved = {cadre for cadre in before if before[cadre] != after[cadre]}
    assert "A05" in moved and len(moved) < len(before)  # some rows did not move: the diff must leave them out
    assert diff.cadres == moved and not diff.added and not diff.removed
    for change in diff.changed:
        for key in SHOWN:
            if key in change.fields:
                assert change.fields[key] == (before[change.cadre][key], after[change.cadre][key])
            else:
                assert before[change.cadre][key] == after[change.cadre][key]
    a05 = next(c for c in diff.changed if c.cadre == "A05")
    assert a05.fields["vetoed"] == (True, False)
    assert a05.fields["quantitative"][1] == after["A05"]["quantitative"]
    assert AuditEvent.objects.filter(action="period.republish", after__version=2).count() == 1

    services.period_finalize(actor=ACTOR, group=group, period=Q3, today=date(2026, 12, 3))
    refused("已定稿", services.period_republish, group=group, period=Q3, reason="再改")


# --- illegal moves: refused, nothing changed ----------------------------------------------------


def test_publishing_an_open_quarter_is_refused(group):
    refused("进行中.*只有关账中", services.period_publish, group=group, period=Q3)
    assert not GroupPeriod.objects.exists()


def test_closing_twice_is_refused(group):
    services.period_close(actor=ACTOR, group=group, period=Q3)
    refused("关账中.*不能再关账", services.period_close, group=group, period=Q3)


def test_publishing_with_pending_entries_is_refused(group):
    services.period_close(actor=ACTOR, group=group, period=Q3)
    refused("1 条待审核", services.period_publish, group=group, period=Q3, today=FRI)
    assert period_state(group, Q3) == PeriodState.CLOSING


def test_declared_but_unsubmitted_entries_block_too(group):
    draft = ledger.entry_declare(
        actor=ACTOR,
        cadre=Cadre.objects.get(code="A04"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        occurred_on=date(2026, 8, 3),
        submit=False,
    )
    closed(group)
    assert list(closing_blockers(group, Q3)) == [draft]
    refused("1 条", services.period_publish, group=group, period=Q3, today=FRI)


def test_entries_of_other_quarters_and_non_members_do_not_block(group):
    declare(day=date(2026, 10, 8))  # Q4
    declare(cadre="A07", day=date(2026, 8, 8))  # A07 is of 桐村镇, not in QX-ALL
    closed(group)
    assert not closing_blockers(group, Q3).exists()
    services.period_publish(actor=ACTOR, group=group, period=Q3, today=FRI)


def test_a_zero_day_window_is_refused(group):
    closed(group)
    refused("至少为 1 个工作日", services.period_publish, group=group, period=Q3, window_days=0)


def test_publishing_twice_is_refused(group):
    published(group)
    refused("已公示.*只有关账中", services.period_publish, group=group, period=Q3, today=FRI)


def test_finalizing_before_the_window_ends_is_refused(group):
    published(group)
    for today in (FRI, date(2026, 11, 27)):  # the last day of the window is still inside it
        refused("异议期到 2026-11-27", services.period_finalize, group=group, period=Q3, today=today)


def test_finalizing_an_unpublished_quarter_is_refused(group):
    refused("进行中", services.period_finalize, group=group, period=Q3, today=date(2027, 1, 1))
    services.period_close(actor=ACTOR, group=group, period=Q3)
    refused("关账中", services.period_finalize, group=group, period=Q3, today=date(2027, 1, 1))


def test_republishing_needs_a_published_quarter_and_a_reason(group):
    closed(group)
    refused("关账中.*只有公示期内", services.period_republish, group=group, period=Q3, reason="更正")
    services.period_publish(actor=ACTOR, group=group, period=Q3, today=FRI)
    refused("理由", services.period_republish, group=group, period=Q3, reason=" ")


def test_a_final_quarter_never_changes(group):
    published(group)
    services.period_finalize(actor=ACTOR, group=group, period=Q3, today=date(2026, 12, 1))
    refused("已定稿", services.period_republish, group=group, period=Q3, reason="更正")
    refused("已定稿", services.period_close, group=group, period=Q3)
    refused("已定稿", services.period_publish, group=group, period=Q3)
    refused("已定稿", services.period_finalize, group=group, period=Q3, today=date(2027, 1, 1))


def test_the_ledger_of_a_final_quarter_never_changes(group):
    """No approval, rejection, revocation or re-scoring touches a final quarter; other quarters go on."""
    q4 = ledger.entry_declare(
        actor=ACTOR,
        cadre=Cadre.objects.get(code="A04"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        occurred_on=date(2026, 10, 9),
    )
    published(group)
    services.period_finalize(actor=ACTOR, group=group, period=Q3, today=date(2026, 12, 1))
    before = ranking_as_dict(group_ranking(group, Q3))
    refused("已定稿", ledger.entry_revoke, entry=entry("E14"), reason="更正")
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    rule.points, rule.version = Decimal(3), rule.version + 1
    rule.save()
    assert ledger.rule_rescore(actor=ACTOR, rule=rule, reason="新标准") == []  # E11, E13… are in the final Q3
    assert ranking_as_dict(group_ranking(group, Q3)) == before
    ledger.entry_approve(actor=ACTOR, entry=q4)  # the open quarter is not affected


def test_a_period_outside_the_scheme_year_is_refused(group):
    refused("2026 年，没有期间 2025Q4", services.period_close, group=group, period="2025Q4")


@pytest.mark.parametrize("step", ["closing", "published", "final"])
def test_declaring_into_a_quarter_past_open_is_refused(group, step):
    closed(group)
    if step != "closing":
        services.period_publish(actor=ACTOR, group=group, period=Q3, today=FRI)
    if step == "final":
        services.period_finalize(actor=ACTOR, group=group, period=Q3, today=date(2026, 12, 1))
    assert period_state(group, Q3) == step
    before = state_of_db()
    with pytest.raises(DomainError, match="2026Q3 已关账"):
        declare(day=date(2026, 9, 1))
    assert state_of_db() == before
