"""The scheme editor's services: the bundle-fragment path of ``gongfen load``, derive, rule removal."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.interchange.selectors import bundle_dump
from gongfen.interchange.validate import BundleInvalid
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.org.models import Unit
from gongfen.schemes import services
from gongfen.schemes.models import Rule, RuleVersion, Scheme
from tests.factories import example_bundle, load

pytestmark = pytest.mark.django_db

ACTOR = Actor(None, "test")


@pytest.fixture
def county():
    """The qixi example (QX-2026, with approved entries and ballots), a county template KH-2026 and TC-2026."""
    load(example_bundle())
    qx = next(s for s in bundle_dump()["schemes"] if s["code"] == "QX-2026")
    kh = copy.deepcopy(qx) | {"code": "KH-2026", "name": "开化县2026年考评模板", "unit": "KH"}
    tc = copy.deepcopy(qx) | {"code": "TC-2026", "name": "桐村镇细则", "unit": "TC", "derived_from": "KH-2026"}
    load({"format": "gongfen-bundle/1", "schemes": [kh, tc]})


def scheme(code: str) -> Scheme:
    return Scheme.objects.select_related("unit", "derived_from").get(code=code)


def rule(scheme_code: str, code: str) -> Rule:
    return Rule.objects.select_related("scheme").get(scheme__code=scheme_code, code=code)


def state() -> dict:
    """What a refused change must leave alone."""
    return {
        "dump": bundle_dump(),
        "versions": RuleVersion.objects.count(),
        "audit": AuditEvent.objects.count(),
        "entries": sorted(Entry.objects.values_list("code", "points", "amount", "rule_version")),
    }


# --- the bundle fragment ---------------------------------------------------------------------


def test_a_scheme_as_a_bundle_fragment_is_what_dump_writes(county):
    dumped = {s["code"]: s for s in bundle_dump()["schemes"]}
    for code in ("QX-2026", "KH-2026", "TC-2026"):
        assert services.scheme_as_bundle(scheme(code)) == dumped[code]


def test_saving_an_unchanged_scheme_changes_nothing_and_audits_no_scheme_change(county):
    before = state()
    services.scheme_save(actor=ACTOR, scheme_dict=services.scheme_as_bundle(scheme("QX-2026")))
    after = state()
    assert after["dump"] == before["dump"] and after["versions"] == before["versions"]
    assert not AuditEvent.objects.filter(action__in=["scheme.save", "rule.update"]).exists()


def test_a_scheme_keeps_its_unit_and_year(county):
    item = services.scheme_as_bundle(scheme("QX-2026"))
    before = state()
    with pytest.raises(DomainError) as caught:
        services.scheme_save(actor=ACTOR, scheme_dict=item | {"unit": "TC"})
    assert caught.value.field == "unit"
    with pytest.raises(DomainError) as caught:
        services.scheme_save(actor=ACTOR, scheme_dict=item | {"year": 2027})
    assert caught.value.field == "year"
    assert state() == before


# --- rules ----------------------------------------------------------------------------------


def test_editing_a_rule_makes_a_version_keeps_approved_points_and_audits(county):
    r = rule("QX-2026", "R-TASK")
    approved = dict(Entry.objects.filter(rule=r, status=EntryStatus.APPROVED).values_list("code", "points"))
    assert approved and set(approved.values()) == {Decimal("1.5")}
    item = services.rule_as_bundle(r) | {"points": "2", "cap": "9"}
    edited = services.rule_edit(actor=ACTOR, rule=r, rule_dict=item, reason="2027 年起提高")
    assert (edited.version, edited.points, edited.cap) == (2, Decimal(2), Decimal(9))
    assert list(RuleVersion.objects.filter(rule=r).values_list("version", "points")) == [
        (1, Decimal("1.5")),
        (2, Decimal(2)),
    ]
    assert dict(Entry.objects.filter(code__in=approved).values_list("code", "points")) == approved
    event = AuditEvent.objects.get(action="scheme.save", object_id="QX-2026")
    assert event.reason == "2027 年起提高"
    old = next(x for x in event.before["rules"] if x["code"] == "R-TASK")
    new = next(x for x in event.after["rules"] if x["code"] == "R-TASK")
    assert (old["points"], new["points"], new["cap"]) == ("1.5", "2", "9")
    assert AuditEvent.objects.filter(action="rule.update", object_id="QX-2026/R-TASK").exists()


def test_a_rule_keeps_its_position_and_code(county):
    r = rule("QX-2026", "S-RES")
    services.rule_edit(actor=ACTOR, rule=r, rule_dict=services.rule_as_bundle(r) | {"name": "征迁攻坚"})
    codes = [x["code"] for x in services.scheme_as_bundle(scheme("QX-2026"))["rules"]]
    assert codes.index("S-RES") == 4
    with pytest.raises(DomainError) as caught:
        services.rule_edit(actor=ACTOR, rule=r, rule_dict=services.rule_as_bundle(r) | {"code": "S-NEW"})
    assert caught.value.field == "code"


def test_a_rule_with_entries_keeps_its_category_as_the_loader_says(county):
    r = rule("QX-2026", "R-TASK")
    before = state()
    with pytest.raises(BundleInvalid) as caught:
        services.rule_edit(actor=ACTOR, rule=r, rule_dict=services.rule_as_bundle(r) | {"category": "special"})
    assert [p.path for p in caught.value.problems] == ["$.schemes[0].rules[3].category"]
    assert state() == before


def test_adding_a_rule_appends_it_with_version_one(county):
    item = {"code": "L-FIRE", "name": "森林防火巡查", "category": "routine", "points": "0.5", "unit": "次"}
    added = services.rule_add(actor=ACTOR, scheme=scheme("QX-2026"), rule_dict=item)
    assert (added.version, added.points, added.unit_label) == (1, Decimal("0.5"), "次")
    assert services.scheme_as_bundle(scheme("QX-2026"))["rules"][-1] == item
    assert RuleVersion.objects.filter(rule=added, version=1).exists()


def test_adding_a_rule_with_a_used_code_is_the_loaders_duplicate(county):
    before = state()
    item = {"code": "R-TASK", "name": "重复", "category": "routine", "points": "1"}
    with pytest.raises(BundleInvalid) as caught:
        services.rule_add(actor=ACTOR, scheme=scheme("QX-2026"), rule_dict=item)
    assert [p.path for p in caught.value.problems] == ["$.schemes[0].rules[8].code"]
    assert "重复" in caught.value.problems[0].message
    assert state() == before


def test_removing_a_rule_without_entries(county):
    r = rule("TC-2026", "S-INV")
    services.rule_remove(actor=ACTOR, rule=r, reason="本镇无招商任务")
    assert not Rule.objects.filter(pk=r.pk).exists()
    assert not RuleVersion.objects.filter(rule_id=r.pk).exists()
    event = AuditEvent.objects.get(action="rule.remove")
    assert (event.object_id, event.reason) == ("TC-2026/S-INV", "本镇无招商任务")
    assert event.before["points"] == "6" and event.before["versions"][0]["version"] == 1


def test_a_rule_named_by_an_entry_is_not_removed(county):
    before = state()
    for code in ("R-TASK", "D-ERR"):  # D-ERR: approved and rejected entries
        with pytest.raises(DomainError) as caught:
            services.rule_remove(actor=ACTOR, rule=rule("QX-2026", code), reason="不再使用")
        assert caught.value.field == "rule" and "不能删除" in caught.value.message
    with pytest.raises(DomainError) as caught:
        services.rule_remove(actor=ACTOR, rule=rule("TC-2026", "S-INV"), reason="  ")
    assert caught.value.field == "reason"
    assert state() == before


# --- parameters -------------------------------------------------------------------------------


def test_parameters_are_checked_as_the_loader_checks_them(county):
    before = state()
    with pytest.raises(BundleInvalid) as caught:
        services.scheme_params_put(
            actor=ACTOR,
            scheme=scheme("QX-2026"),
            params={"weights": {"quantitative": "0.7", "qualitative": "0.4"}, "grades": {"优秀": "100"}},
        )
    paths = {p.path for p in caught.value.problems}
    assert "$.schemes[0].weights" in paths
    assert "$.schemes[0].grades" in paths  # 良好 … are used by the quarter's ballots
    assert state() == before


def test_parameters_saved(county):
    params = {"tiers": [{"name": "优", "cumulative": "0.3"}, {"name": "其他", "cumulative": "1"}], "min_days": 45}
    saved = services.scheme_params_put(actor=ACTOR, scheme=scheme("QX-2026"), params=params, reason="两档")
    assert (saved.tiers, saved.min_days) == (params["tiers"], 45)
    assert AuditEvent.objects.get(action="scheme.save").reason == "两档"
    with pytest.raises(DomainError):
        services.scheme_params_put(actor=ACTOR, scheme=saved, params={"unit": "TC"})


# --- derive -----------------------------------------------------------------------------------


def test_derive_copies_parameters_and_rules_from_the_template(county):
    template, unit = scheme("KH-2026"), Unit.objects.get(code="QX")
    code, name = services.scheme_derive_proposal(template=template, unit=unit, year=2027)
    assert (code, name) == ("KH-QX-2027", "齐溪镇2027年干部实绩考评实施细则")
    derived = services.scheme_derive(actor=ACTOR, template=template, unit=unit, code=code, name=name, year=2027)
    assert (derived.unit, derived.year, derived.derived_from) == (unit, 2027, template)
    mine, theirs = services.scheme_as_bundle(derived), services.scheme_as_bundle(template)
    assert mine["rules"] == theirs["rules"]
    assert {k: v for k, v in mine.items() if k not in ("code", "name", "unit", "year", "derived_from")} == {
        k: v for k, v in theirs.items() if k not in ("code", "name", "unit", "year", "derived_from")
    }
    assert set(derived.rules.values_list("version", flat=True)) == {1}
    assert AuditEvent.objects.filter(action="scheme.derive", object_id=code).exists()
    assert AuditEvent.objects.filter(action="scheme.create", object_id=code).exists()


def test_derive_from_own_scheme_proposes_a_plain_code(county):
    assert (
        services.scheme_derive_proposal(template=scheme("QX-2026"), unit=Unit.objects.get(code="QX"), year=2027)[0]
        == "QX-2027"
    )


@pytest.mark.parametrize(
    ("template", "unit", "year", "code", "field"),
    [
        ("KH-2026", "QX", 2026, "KH-QX-2026", "year"),  # 齐溪镇 has QX-2026 already
        ("KH-2026", "QX", 2027, "TC-2026", "code"),  # the code is another scheme's
        ("TC-2026", "QX", 2027, "TC-QX-2027", "template"),  # 桐村镇 is not above 齐溪镇
        ("QX-2026", "KH", 2027, "QX-KH-2027", "template"),  # nor is 齐溪镇 above the county
    ],
)
def test_derive_refuses(county, template, unit, year, code, field):
    before = state()
    with pytest.raises(DomainError) as caught:
        services.scheme_derive(
            actor=ACTOR, template=scheme(template), unit=Unit.objects.get(code=unit), code=code, name="x", year=year
        )
    assert caught.value.field == field
    assert state() == before


def test_derive_a_second_scheme_for_the_same_unit_and_year_is_refused_clearly(county):
    template, unit = scheme("KH-2026"), Unit.objects.get(code="QX")
    services.scheme_derive(actor=ACTOR, template=template, unit=unit, code="KH-QX-2027", name="细则", year=2027)
    with pytest.raises(DomainError) as caught:
        services.scheme_derive(actor=ACTOR, template=template, unit=unit, code="QX-2027-B", name="又一个", year=2027)
    assert "已有考核方案 KH-QX-2027" in caught.value.message and "每年只有一个方案" in caught.value.message


def test_derive_with_a_malformed_code_is_refused_by_the_bundle_check(county):
    before = state()
    with pytest.raises(BundleInvalid) as caught:
        services.scheme_derive(
            actor=ACTOR,
            template=scheme("KH-2026"),
            unit=Unit.objects.get(code="QX"),
            code="QX 2027",
            name="细则",
            year=2027,
        )
    assert [p.path for p in caught.value.problems] == ["$.schemes[0].code"]
    assert state() == before
