"""A scheme's item tree is kept as Rule rows (schemes app): parents, kinds, bounds; versioned like v1 rules — an
approved entry keeps the version it was granted under, and re-scoring is the explicit, audited command."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.ledger.selectors import totals_mismatches
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import Rule, RuleVersion, Scheme
from gongfen.scoring import ranking_as_dict
from tests.conftest import EXAMPLES, load_json
from tests.factories import ACTOR, example_bundle, load

pytestmark = pytest.mark.django_db


def test_the_tree_is_stored_node_by_node_in_pre_order():
    load(example_bundle("majin-2026q3.json"))
    scheme = Scheme.objects.get(code="MJ-2026")
    assert (scheme.shape, scheme.bundle_version, scheme.period_kind, scheme.min_days) == ("items", 2, "quarter", 30)
    nodes = {r.code: r for r in Rule.objects.filter(scheme=scheme).select_related("parent")}
    assert nodes["duty"].kind == "internal" and nodes["duty"].parent is None and nodes["duty"].cap == 25
    assert nodes["D-DISC"].parent.code == "duty" and nodes["D-DISC"].allotment == 10
    assert nodes["D-LATE"].parent.code == "D-DISC" and nodes["D-LATE"].points == -1
    assert nodes["D-PRAISE"].cap_exempt and nodes["K-VETO"].veto
    assert nodes["B-MID"].kind == "base" and nodes["B-MID"].positions == ["中层干部"]
    order = list(Rule.objects.filter(scheme=scheme).order_by("sort_order").values_list("code", flat=True))
    assert order[:5] == ["base", "B-LEAD", "B-MID", "B-GEN", "station"]
    assert scheme.coefficients[0]["values"]["中层干部"] == "0.9"
    assert RuleVersion.objects.filter(rule__scheme=scheme, version=1).count() == len(nodes)
    assert RuleVersion.objects.get(rule=nodes["D-LATE"]).parent_code == "D-DISC"


def test_a_changed_leaf_gets_a_new_version_and_approved_entries_keep_theirs_until_rescored():
    bundle = example_bundle("majin-2026q3.json")
    load(bundle)
    before = ranking_as_dict(group_ranking(group_by_code("MJ-ALL"), "2026Q3"))
    assert before == load_json(EXAMPLES / "majin-2026q3.expected.json")
    later = example_bundle("majin-2026q3.json")
    later["schemes"][0]["items"][1]["children"][0]["points"] = "1"  # Z-DAY: 0.5 → 1 a day
    load(later)
    rule = Rule.objects.get(scheme__code="MJ-2026", code="Z-DAY")
    assert rule.version == 2 and rule.points == 1
    assert set(Entry.objects.filter(rule=rule).values_list("rule_version", "points")) == {(1, Decimal("0.5"))}
    assert ranking_as_dict(group_ranking(group_by_code("MJ-ALL"), "2026Q3")) == before  # granted points stand
    ledger.rule_rescore(actor=ACTOR, rule=rule, reason="细则修订")
    after = ranking_as_dict(group_ranking(group_by_code("MJ-ALL"), "2026Q3"))
    m01 = next(r for r in after["rows"] if r["cadre"] == "M01")
    assert m01["items"]["Z-DAY"] != next(r for r in before["rows"] if r["cadre"] == "M01")["items"]["Z-DAY"]
    assert totals_mismatches() == []
