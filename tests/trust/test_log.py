"""The log itself: every event and snapshot gets a leaf in its transaction, `gongfen verify` recomputes it,
names the first row changed behind the product's back, and `--since` proves a head is extended."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from gongfen import cli
from gongfen.common import Actor, DomainError
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryEvent
from gongfen.org.models import Cadre
from gongfen.publication.models import Snapshot
from gongfen.schemes.models import Rule
from gongfen.trust import merkle
from gongfen.trust.models import EMPTY_ROOT_HEX, LogHead, LogLeaf
from gongfen.trust.selectors import log_consistency, log_head, log_verify
from tests.conftest import EXAMPLES
from tests.factories import example_bundle, load
from tests.publication.helpers import publish_q3
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
ACTOR = Actor(None, "test")
REVIEWER = Actor(None, "reviewer")
DAY = date(2026, 8, 3)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def stored_hashes() -> list[bytes]:
    return [bytes.fromhex(h) for h in LogLeaf.objects.order_by("index").values_list("hash", flat=True)]


def assert_log_complete():
    """Gapless indexes, one leaf per event and snapshot, the head is the root of the stored leaves."""
    indexes = list(LogLeaf.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(len(indexes)))
    assert len(indexes) == EntryEvent.objects.count() + Snapshot.objects.count()
    size, root = log_head()
    assert (size, root) == (len(indexes), merkle.root(stored_hashes()).hex())
    result = log_verify()
    assert result.intact, result.problems


def activity() -> dict[str, Entry]:
    """Declare, submit, approve, reject, revoke, re-score, publish and republish, through the services."""
    task = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    a04 = Cadre.objects.get(code="A04")
    kept = ledger.entry_declare(actor=ACTOR, cadre=a04, rule=task, occurred_on=DAY, quantity=Decimal("2.5"))
    ledger.entry_approve(actor=REVIEWER, entry=kept, reason="核实")
    draft = ledger.entry_declare(actor=ACTOR, cadre=a04, rule=task, occurred_on=DAY, submit=False)
    ledger.entry_submit(actor=ACTOR, entry=draft)
    ledger.entry_reject(actor=REVIEWER, entry=draft, reason="佐证不足")
    ledger.entry_revoke(actor=REVIEWER, entry=Entry.objects.get(code="E01"), reason="重复登记")
    bundle = example_bundle()
    for rule in bundle["schemes"][0]["rules"]:
        if rule["code"] == "R-TASK":
            rule["points"] = "3"
    load({"format": bundle["format"], "schemes": bundle["schemes"]})  # a new version of R-TASK
    ledger.rule_rescore(actor=ACTOR, rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"), reason="新版")
    return {"kept": kept, "draft": draft}


def test_a_fresh_workspace_has_the_empty_head(capsys):
    assert log_head() == (0, EMPTY_ROOT_HEX) == (0, merkle.EMPTY_ROOT.hex())
    code, out, _ = run(capsys, "verify")
    assert code == 0 and f"intact: 0 leaves, root {EMPTY_ROOT_HEX}" in out


def test_the_log_is_intact_after_loading_the_examples_and_normal_activity(county, capsys):
    assert_log_complete()
    activity()
    group = publish_q3()
    from gongfen.publication import services as publication

    publication.period_republish(actor=ACTOR, group=group, period="2026Q3", reason="更正")
    assert_log_complete()
    actions = set(EntryEvent.objects.values_list("action", flat=True))
    assert {"import", "declare", "submit", "approve", "reject", "revoke", "rescore"} <= actions
    code, out, _ = run(capsys, "verify")
    size, root = log_head()
    assert code == 0 and f"intact: {size} leaves, root {root}" in out


def test_every_example_bundle_loads_into_an_intact_log(capsys):
    for path in sorted(EXAMPLES.glob("*.json")):
        if path.name.startswith("index") or path.name.endswith(".expected.json"):
            continue
        assert run(capsys, "load", str(path))[0] == 0, path.name
    assert LogLeaf.objects.count() == EntryEvent.objects.count() > 0
    assert_log_complete()


def test_a_demo_county_through_its_lifecycle_keeps_the_log_intact(capsys):
    assert run(capsys, "demo", "--cadres", "120")[0] == 0
    assert Snapshot.objects.exists() and Snapshot.objects.filter(tree_size__isnull=True).count() == 0
    assert_log_complete()


def test_a_publication_records_the_head_it_was_computed_at_and_the_snapshot_follows_it(county):
    size_before = log_head()[0]
    publish_q3()
    snapshot = Snapshot.objects.get()
    # the close-out rejected E10 first: its event is inside the recorded head, the snapshot's leaf right after
    reject_leaf = LogLeaf.objects.get(event__entry__code="E10", event__action="reject")
    assert reject_leaf.index == size_before
    assert (snapshot.tree_size, snapshot.tree_root) == (size_before + 1, merkle.root(stored_hashes()[:-1]).hex())
    assert snapshot.log_leaf.index == snapshot.tree_size
    assert log_head()[0] == snapshot.tree_size + 1


def test_a_refused_write_adds_no_leaf(county):
    before = (log_head(), LogLeaf.objects.count())
    with pytest.raises(DomainError):
        ledger.entry_approve(actor=REVIEWER, entry=Entry.objects.get(code="E01"))  # already approved
    with pytest.raises(DomainError):  # a later check fails after the events were written: all rolled back
        ledger.entry_declare(
            actor=ACTOR,
            cadre=Cadre.objects.get(code="A01"),
            rule=Rule.objects.get(scheme__code="QX-2026", code="S-INV"),
            occurred_on=DAY,
            files=[("x.exe", b"MZ\x90\x00")],
        )
    assert (log_head(), LogLeaf.objects.count()) == before


def test_leaves_are_append_only_in_the_product(county):
    leaf = LogLeaf.objects.first()
    with pytest.raises(DomainError):
        LogLeaf.objects.filter(pk=leaf.pk).update(hash="0" * 64)
    with pytest.raises(DomainError):
        leaf.delete()


# --- tampering behind the product's back ------------------------------------------------------------


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_amount_changed_with_sql_is_named_by_verify(county, capsys):
    activity()
    assert run(capsys, "verify")[0] == 0
    approve = EntryEvent.objects.get(entry__code="E03", action="import")
    sql("UPDATE ledger_entry SET amount = amount + 5 WHERE code = %s", ["E03"])
    code, out, err = run(capsys, "verify")
    assert code == 1 and "intact" not in out
    first = err.splitlines()[0]
    leaf = LogLeaf.objects.get(event=approve)
    assert f"日志第 {leaf.index} 号叶子" in first and "E03" in first and "import" in first and f"#{approve.pk}" in first


def test_an_event_reason_changed_with_sql_is_named_by_verify(county, capsys):
    entries = activity()
    event = EntryEvent.objects.get(entry=entries["draft"], action="reject")
    sql(f"UPDATE {EntryEvent._meta.db_table} SET reason = %s WHERE id = %s", ["理由已改", event.pk])
    code, _, err = run(capsys, "verify")
    assert code == 1
    assert entries["draft"].code in err.splitlines()[0] and "reject" in err.splitlines()[0]


def test_the_first_of_several_changed_rows_is_named_and_the_others_counted(county, capsys):
    sql("UPDATE ledger_entry SET description = %s WHERE code IN (%s, %s)", ["改", "E02", "E05"])
    code, _, err = run(capsys, "verify")
    lines = err.splitlines()
    assert code == 1 and "E02" in lines[0] and "共 2 片叶子与台账不符" in lines[1]


def test_a_snapshot_changed_with_sql_is_named(county, capsys):
    publish_q3()
    snapshot = Snapshot.objects.get()
    sql(f"UPDATE {Snapshot._meta.db_table} SET fingerprint = %s WHERE id = %s", ["0" * 64, snapshot.pk])
    code, _, err = run(capsys, "verify")
    assert code == 1 and "公示快照 QX-ALL 2026Q3 第 1 版" in err


def test_an_event_deleted_from_the_log_is_reported_missing(county, capsys):
    last = LogLeaf.objects.order_by("-index").first()
    sql(f"DELETE FROM {LogLeaf._meta.db_table} WHERE id = %s", [last.pk])
    code, _, err = run(capsys, "verify")
    assert code == 1 and "不在日志中" in err and "树头" in err


def rewrite_the_log_from(index: int) -> None:
    """What a forger with database access would do: rehash every leaf from ``index`` on and the head."""
    from gongfen.trust import leaves

    recomputed = {row["id"]: leaves.leaf_hash(data) for row, data in leaves.event_rows()}
    for leaf in LogLeaf.objects.filter(index__gte=index, kind="entry_event"):
        sql(f"UPDATE {LogLeaf._meta.db_table} SET hash = %s WHERE id = %s", [recomputed[leaf.event_id].hex(), leaf.pk])
    sql(f"UPDATE {LogHead._meta.db_table} SET root = %s WHERE id = 1", [merkle.root(stored_hashes()).hex()])


def test_a_rewritten_log_is_caught_by_the_published_head_and_by_since(county, capsys):
    publish_q3()
    snapshot = Snapshot.objects.get()
    sql("UPDATE ledger_entry SET amount = amount + 5 WHERE code = %s", ["E03"])
    rewrite_the_log_from(0)
    code, _, err = run(capsys, "verify")
    assert code == 1 and "公示快照 QX-ALL 2026Q3 第 1 版" in err and "记录的树头" in err
    ok, message = log_consistency(snapshot.tree_size, bytes.fromhex(snapshot.tree_root))
    assert not ok and "不是树头" in message


# --- --since -----------------------------------------------------------------------------------------


def test_since_accepts_every_earlier_head_and_the_current_one(county, capsys):
    heads = [log_head()]
    activity()
    heads.append(log_head())
    publish_q3()
    heads.append(log_head())
    for size, root in heads:
        code, out, _ = run(capsys, "verify", "--since", f"{size}:{root}")
        assert code == 0 and "一致" in out and "是树头" in out, (size, out)
    assert run(capsys, "verify", "--since", f"0:{EMPTY_ROOT_HEX}")[0] == 0


def test_since_refuses_a_forged_head(county, capsys):
    size, root = log_head()
    activity()
    forged = merkle.node_hash(bytes.fromhex(root), b"\x00" * 32).hex()
    code, out, err = run(capsys, "verify", "--since", f"{size}:{forged}")
    assert code == 1 and "intact" in out and "不一致" in err
    code, _, err = run(capsys, "verify", "--since", f"{size - 1}:{root}")  # the right root at the wrong size
    assert code == 1 and "不一致" in err
    code, _, err = run(capsys, "verify", "--since", f"{log_head()[0] + 1}:{root}")
    assert code == 1 and "还大" in err


@pytest.mark.parametrize("head", ["", "12", "12:zz", "x:" + "0" * 64, "12:" + "0" * 62, "-1:" + "0" * 64])
def test_since_with_a_malformed_head_exits_2(county, capsys, head):
    code, _, err = run(capsys, "verify", f"--since={head}")
    assert code == 2 and "树头格式" in err
