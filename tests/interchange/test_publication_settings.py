"""Publication settings and adjustments in the bundle: optional with defaults, kept by dump → load, checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from gongfen.common import Actor
from gongfen.interchange.selectors import bundle_dump
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryKind
from gongfen.ledger.selectors import totals_mismatches
from gongfen.publication import services as publication
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import RankingGroup, Scheme
from gongfen.scoring import ranking_as_dict
from tests.clock import at
from tests.factories import example_bundle, load
from tests.interchange.test_broken_bundles import problems_of, snapshot

pytestmark = pytest.mark.django_db
ACTOR = Actor(None, "test")


def with_settings() -> dict:
    bundle = example_bundle()
    bundle["schemes"][0]["objection_days"] = 7
    bundle["groups"][0] |= {"publish_scope": "units", "publish_units": ["QX-WL", "QX"]}
    bundle["groups"].append(
        {"code": "QX-CTY", "name": "齐溪镇（全县公示）", "scheme": "QX-2026", "select": {"unit": "QX"}}
        | {"publish_scope": "county"}
    )
    return bundle


def test_the_settings_are_optional_with_defaults():
    load(example_bundle())
    assert Scheme.objects.get().objection_days == 5
    group = RankingGroup.objects.get()
    assert group.publish_scope == "group" and not group.publish_units.exists()
    dumped = bundle_dump()
    assert "objection_days" not in dumped["schemes"][0]  # defaults are not written
    assert set(dumped["groups"][0]) == {"code", "name", "scheme", "select"}


@pytest.mark.django_db(transaction=True)  # flush needs no open transaction on PostgreSQL
def test_a_dump_then_a_load_keeps_them():
    load(with_settings())
    assert Scheme.objects.get().objection_days == 7
    assert sorted(group_by_code("QX-ALL").publish_units.values_list("code", flat=True)) == ["QX", "QX-WL"]
    dumped = bundle_dump()
    assert dumped["schemes"][0]["objection_days"] == 7
    groups = {g["code"]: g for g in dumped["groups"]}
    assert groups["QX-ALL"]["publish_scope"] == "units" and groups["QX-ALL"]["publish_units"] == ["QX", "QX-WL"]
    assert groups["QX-CTY"]["publish_scope"] == "county" and "publish_units" not in groups["QX-CTY"]

    # loading the dump again changes nothing; loading it into an empty workspace gives the same dump
    before = snapshot()
    load(dumped)
    assert snapshot()["dump"] == before["dump"]
    call_command("flush", interactive=False, verbosity=0)
    load(dumped)
    assert bundle_dump()["groups"] == dumped["groups"] and bundle_dump()["schemes"] == dumped["schemes"]


def test_changing_the_scope_back_clears_the_named_units():
    load(with_settings())
    bundle = example_bundle()
    load({"format": "gongfen-bundle/1", "groups": bundle["groups"]})
    group = group_by_code("QX-ALL")
    assert group.publish_scope == "group" and not group.publish_units.exists()


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (lambda b: b["schemes"][0].update(objection_days=0), "$.schemes[0].objection_days", "取值超出范围"),
        (lambda b: b["schemes"][0].update(objection_days=61), "$.schemes[0].objection_days", "取值超出范围"),
        (lambda b: b["schemes"][0].update(objection_days="5"), "$.schemes[0].objection_days", "类型不对"),
        (lambda b: b["groups"][0].update(publish_scope="town"), "$.groups[0].publish_scope", "不在允许范围内"),
        (
            lambda b: b["groups"][0].update(publish_scope="units", publish_units=["NOPE"]),
            "$.groups[0].publish_units[0]",
            "单位 'NOPE' 不存在",
        ),
        (
            lambda b: b["groups"][0].update(publish_scope="units"),
            "$.groups[0].publish_units",
            "须列出至少一个单位",
        ),
        (
            lambda b: b["groups"][0].update(publish_scope="county", publish_units=["QX"]),
            "$.groups[0].publish_units",
            "只有公示范围为指定单位（units）时才列出单位",
        ),
        (
            lambda b: b["groups"][0].update(publish_scope="units", publish_units=["QX", "QX"]),
            "$.groups[0].publish_units",
            "",
        ),
    ],
)
def test_bad_values_are_refused_with_a_json_path(mutate, path, message):
    load(example_bundle())
    before = snapshot()
    bundle = example_bundle()
    mutate(bundle)
    problems = problems_of(bundle)
    assert any(p == path and message in m for p, m in problems), problems
    assert snapshot() == before


# --- adjustments in the bundle --------------------------------------------------------------


@pytest.fixture
def adjusted(clock):
    """The example with Q3 final and two approved adjustments in Q4 (one −, one +) and a pending one."""
    clock.move_to(at(date(2026, 11, 25)))
    load(example_bundle())
    group = group_by_code("QX-ALL")
    publication.period_close(actor=ACTOR, group=group, period="2026Q3")
    ledger.entry_reject(actor=ACTOR, entry=Entry.objects.get(code="E10"), reason="x")
    publication.period_publish(actor=ACTOR, group=group, period="2026Q3", today=date(2026, 11, 2))
    publication.period_finalize(actor=ACTOR, group=group, period="2026Q3", today=date(2026, 11, 10))
    for code, sign in (("E05", -1), ("E09", 1), ("E06", -1)):
        adjustment = ledger.adjustment_declare(
            actor=ACTOR, original=Entry.objects.get(code=code), sign=sign, quantity=Decimal(1), reason="更正"
        )
        if code != "E06":
            ledger.entry_approve(actor=Actor(None, "reviewer"), entry=adjustment)


@pytest.mark.django_db(transaction=True)  # flush needs no open transaction on PostgreSQL
def test_adjustments_are_dumped_with_what_they_adjust_and_load_back_the_same(adjusted):
    dumped = bundle_dump()
    items = {e["id"]: e for e in dumped["entries"]}
    assert items["E05~A1"]["adjusts"] == "E05" and items["E05~A1"]["sign"] == -1
    assert items["E09~A1"]["adjusts"] == "E09" and "sign" not in items["E09~A1"]
    assert items["E06~A1"]["status"] == "pending"
    ranking = ranking_as_dict(group_ranking(group_by_code("QX-ALL"), "2026Q4"))

    call_command("flush", interactive=False, verbosity=0)
    load(dumped)
    assert ranking_as_dict(group_ranking(group_by_code("QX-ALL"), "2026Q4")) == ranking
    again = Entry.objects.get(code="E05~A1")
    assert (again.kind, again.adjusts.code, again.sign, again.amount) == (
        EntryKind.ADJUSTMENT,
        "E05",
        -1,
        Decimal("-1.5"),
    )
    assert totals_mismatches() == []
    # the pending one is still an adjustment that takes points away once approved
    approved = ledger.entry_approve(actor=ACTOR, entry=Entry.objects.get(code="E06~A1"))
    assert approved.amount == Decimal("-1.5")


def test_a_sign_without_adjusts_or_an_unknown_original_is_refused():
    bundle = example_bundle()
    bundle["entries"][0]["sign"] = -1
    bundle["entries"][1]["adjusts"] = "NOPE"
    problems = problems_of(bundle)
    assert ("$.entries[0].sign", "只有更正调整记录（adjusts）才有 sign (sign only with adjusts)") in problems
    assert ("$.entries[1].adjusts", "被更正的原记录 'NOPE' 不存在 (unknown entry)") in problems
