"""Every invalidity condition of scoring-v2.md §14 (items 1–17): a broken ``gongfen-bundle/2`` loads nothing and
names the JSON path of what is wrong; and the corners §13 settles as valid load.

Each case breaks the worked example ``majin-2026q3.json`` (or ``nongye-2026m07-m08.json``) one way and is
tried on an empty workspace and on one that already holds the example.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from gongfen.interchange.validate import BundleInvalid
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.scoring import ranking_as_dict
from tests.factories import example_bundle, load
from tests.interchange.test_broken_bundles import snapshot

pytestmark = pytest.mark.django_db

MAJIN, NONGYE, KH = "majin-2026q3.json", "nongye-2026m07-m08.json", "kh-heads-annual-2026.json"
S = "$.schemes[0]"
Change = Callable[[dict, dict], None]  # (bundle, its first scheme)


def item(scheme: dict, *path: int) -> dict:
    """The item at ``items[a].children[b]…``."""
    node = scheme["items"][path[0]]
    for i in path[1:]:
        node = node["children"][i]
    return node


def setting(**values) -> Change:
    return lambda b, s: s.update(values)


def dropping(key: str) -> Change:
    return lambda b, s: s.pop(key)


def on_item(*path: int, **values) -> Change:
    return lambda b, s: item(s, *path).update(values)


def without(*path: int, key: str) -> Change:
    return lambda b, s: item(s, *path).pop(key)


def entry_rule(rule: str) -> Change:
    return lambda b, s: b["entries"][0].update(rule=rule)


CUTOFFS = [{"name": "一档", "min": "85", "max_share": "0.25"}, {"name": "二档", "min": "70"}, {"name": "三档"}]

# (id, bundle, change, path, pattern of the message); the §14 item in the id
CASES: list[tuple[str, str, Change, str, str]] = [
    ("1-format", MAJIN, lambda b, s: b.update(format="gongfen-bundle/3"), "$.format", "gongfen-bundle/3"),
    ("2-v2-field-in-v1", "qixi-2026q3.json", setting(period="month"), f"{S}.period", "unknown field"),
    ("2-items-in-v1", "qixi-2026q3.json", setting(coefficients=[]), f"{S}.coefficients", "unknown field"),
    ("3-both-items-and-rules", MAJIN, setting(rules=[]), S, "items xor rules"),
    ("3-neither", MAJIN, dropping("items"), S, "items xor rules"),
    ("3-category-caps-on-items", MAJIN, setting(category_caps={"special": "5"}), f"{S}.category_caps", "items"),
    (
        "3-rule-code-is-a-category",
        MAJIN,
        lambda b, s: (
            s.pop("items"),
            s.update(
                category_caps={},
                rules=[{"code": "special", "name": "x", "category": "special", "points": "1"}],
            ),
            b.update(entries=[]),
        ),
        f"{S}.rules[0].code",
        "category code",
    ),
    ("4-item-code-repeats", MAJIN, on_item(1, 1, code="Z-DAY"), f"{S}.items[1].children[1].code", "repeats"),
    ("4-kind-and-children", MAJIN, on_item(1, kind="per_unit", points="1"), f"{S}.items[1]", "kind xor children"),
    ("4-neither-kind-nor-children", MAJIN, without(1, 0, key="kind"), f"{S}.items[1].children[0]", "kind xor"),
    ("4-unknown-kind", MAJIN, on_item(1, 0, kind="formula"), f"{S}.items[1].children[0].kind", "unknown kind"),
    ("4-leaf-without-points", MAJIN, without(1, 0, key="points"), f"{S}.items[1].children[0].points", "missing"),
    ("4-bands-without-bands", NONGYE, without(1, 0, key="bands"), f"{S}.items[1].children[0].bands", "bands"),
    ("4-by-rank-without-step", NONGYE, without(2, 0, key="step"), f"{S}.items[2].children[0].step", "step"),
    ("5-not-a-decimal", MAJIN, on_item(1, cap="20.5.1"), f"{S}.items[1].cap", "not a decimal"),
    ("5-a-float", MAJIN, on_item(1, cap=20.5), f"{S}.items[1].cap", ""),
    ("5-floor-above-cap", MAJIN, on_item(1, floor="30"), f"{S}.items[1]", "floor above cap"),
    ("5-floor-above-allotment", MAJIN, on_item(2, 2, floor="11"), f"{S}.items[2].children[2]", "floor above cap"),
    ("5-start-and-allotment", MAJIN, on_item(2, 2, start="1"), f"{S}.items[2].children[2]", "both start"),
    ("6-base-with-cap", MAJIN, on_item(0, 0, cap="10"), f"{S}.items[0].children[0].cap", "base leaf"),
    ("6-base-with-allotment", MAJIN, on_item(0, 0, allotment="1"), f"{S}.items[0].children[0].allotment", "base"),
    ("6-base-positions", MAJIN, on_item(0, 0, positions="班子成员"), f"{S}.items[0].children[0].positions", ""),
    ("7-top-level-cap-exempt", MAJIN, on_item(3, cap_exempt=True), f"{S}.items[3].cap_exempt", "top-level"),
    ("8-veto-on-internal", MAJIN, on_item(4, veto=True), f"{S}.items[4].veto", "per_unit"),
    ("8-veto-on-bands", NONGYE, on_item(1, 0, veto="bottom"), f"{S}.items[1].children[0].veto", "per_unit"),
    ("8-unknown-veto", MAJIN, on_item(4, 1, veto="yes"), f"{S}.items[4].children[1].veto", "unknown veto"),
    ("9-ratio-negative", NONGYE, on_item(1, 1, points="-15"), f"{S}.items[1].children[1].points", "≥ 0"),
    ("9-by-rank-negative", NONGYE, on_item(2, 0, points="-1"), f"{S}.items[2].children[0].points", "≥ 0"),
    ("9-step-negative", NONGYE, on_item(2, 0, step="-2"), f"{S}.items[2].children[0].step", "≥ 0"),
    ("9-bands-empty", NONGYE, on_item(1, 0, bands=[]), f"{S}.items[1].children[0].bands", "empty"),
    (
        "9-bands-not-decreasing",
        NONGYE,
        on_item(1, 0, bands=[{"min": "90", "points": "18"}, {"min": "90", "points": "10"}]),
        f"{S}.items[1].children[0].bands",
        "strictly decrease",
    ),
    ("10-entry-names-internal", MAJIN, entry_rule("station"), "$.entries[0].rule", "internal item"),
    ("10-entry-names-base-leaf", MAJIN, entry_rule("B-MID"), "$.entries[0].rule", "base leaf"),
    ("10-entry-names-nothing", MAJIN, entry_rule("Z-NOPE"), "$.entries[0].rule", "unknown rule"),
    ("11-unknown-period", MAJIN, setting(period="week"), f"{S}.period", "unknown period"),
    ("11-min-days-negative", MAJIN, setting(min_days=-1), f"{S}.min_days", ""),
    ("11-year-not-integer", MAJIN, setting(year="2026"), f"{S}.year", "wrong type"),
    (
        "12-unknown-by",
        MAJIN,
        lambda b, s: s["coefficients"][0].update(by="rank"),
        f"{S}.coefficients[0].by",
        "unknown by",
    ),
    (
        "12-value-zero",
        MAJIN,
        lambda b, s: s["coefficients"][0]["values"].update({"中层干部": "0"}),
        f"{S}.coefficients[0].values.中层干部",
        "> 0",
    ),
    (
        "12-default-negative",
        MAJIN,
        lambda b, s: s["coefficients"][1].update(default="-1"),
        f"{S}.coefficients[1].default",
        "> 0",
    ),
    (
        "12-unit-key-names-no-unit",
        MAJIN,
        lambda b, s: s["coefficients"][1]["values"].update({"NOWHERE": "1.1"}),
        f"{S}.coefficients[1].values.NOWHERE",
        "unknown unit",
    ),
    ("12-items-empty", MAJIN, lambda b, s: s["coefficients"][0].update(items=[]), f"{S}.coefficients[0].items", ""),
    (
        "12-items-names-no-top-level-item",
        MAJIN,
        lambda b, s: s["coefficients"][0].update(items=["D-TASK"]),
        f"{S}.coefficients[0].items[0]",
        "top-level",
    ),
    ("13-deduction-item-names-nothing", MAJIN, setting(deduction_item="nope"), f"{S}.deduction_item", "no item"),
    ("14-unknown-tier-policy", MAJIN, setting(tier_policy="quota"), f"{S}.tier_policy", "unknown"),
    ("14-unknown-veto-mode", MAJIN, setting(veto_mode="top"), f"{S}.veto_mode", "unknown"),
    ("14-pingshi-with-tiers", MAJIN, setting(tier_policy="pingshi"), f"{S}.tiers", "pingshi"),
    ("14-tiers-empty", MAJIN, setting(tiers=[]), f"{S}.tiers", "empty"),
    (
        "14-tier-names-repeat",
        NONGYE,
        lambda b, s: s["tiers"][1].update(name="一档"),
        f"{S}.tiers[1].name",
        "duplicate tier name",
    ),
    ("14-mins-not-decreasing", NONGYE, lambda b, s: s["tiers"][2].update(min="70"), f"{S}.tiers[2].min", "decrease"),
    (
        "14-max-share-zero",
        NONGYE,
        lambda b, s: s["tiers"][0].update(max_share="0"),
        f"{S}.tiers[0].max_share",
        "share > 0",
    ),
    (
        "14-max-share-malformed",
        NONGYE,
        lambda b, s: s["tiers"][0].update(max_share="1/0"),
        f"{S}.tiers[0].max_share",
        "share > 0",
    ),
    (
        "14-seat-rounding-without-max-share",
        NONGYE,
        lambda b, s: s["tiers"][1].update(seat_rounding="ceil"),
        f"{S}.tiers[1].seat_rounding",
        "without max_share",
    ),
    (
        "14-unknown-seat-rounding",
        NONGYE,
        lambda b, s: s["tiers"][0].update(seat_rounding="up"),
        f"{S}.tiers[0].seat_rounding",
        "unknown",
    ),
    (
        "14-min-seats-negative",
        NONGYE,
        lambda b, s: s["tiers"][0].update(min_seats=-1),
        f"{S}.tiers[0].min_seats",
        "",
    ),
    ("14-last-tier-with-min", NONGYE, lambda b, s: s["tiers"][3].update(min="10"), f"{S}.tiers[3].min", "last"),
    (
        "14-bar-top-with-one-tier",
        MAJIN,
        setting(veto_mode="bar_top", tier_policy="cutoffs", tiers=[{"name": "全部"}]),
        f"{S}.tiers",
        "two tiers",
    ),
    (
        "14-proportional-not-ending-at-1",
        MAJIN,
        lambda b, s: s["tiers"][3].update(cumulative="0.99"),
        f"{S}.tiers[3].cumulative",
        "end at 1",
    ),
    ("15-unknown-method", NONGYE, lambda b, s: s["qualitative"].update(method="median"), f"{S}.qualitative.method", ""),
    ("15-top-empty", NONGYE, lambda b, s: s["qualitative"].update(top=[]), f"{S}.qualitative.top", "top empty"),
    (
        "15-top-grade-unknown",
        NONGYE,
        lambda b, s: s["qualitative"].update(top=["极好"]),
        f"{S}.qualitative.top[0]",
        "not in grades",
    ),
    (
        "15-top-and-low-share",
        NONGYE,
        lambda b, s: s["qualitative"].update(low=["优秀"]),
        f"{S}.qualitative.low",
        "share a grade",
    ),
    ("15-bands-empty", NONGYE, lambda b, s: s["qualitative"].update(bands=[]), f"{S}.qualitative.bands", "empty"),
    (
        "15-bands-not-decreasing",
        NONGYE,
        lambda b, s: s["qualitative"]["bands"][1].update(min="0.95"),
        f"{S}.qualitative.bands",
        "decrease",
    ),
    (
        "15-penalty-without-low",
        NONGYE,
        lambda b, s: s["qualitative"].pop("low"),
        f"{S}.qualitative.penalty",
        "without low",
    ),
    (
        "15-share-outside-0-1",
        NONGYE,
        lambda b, s: s["qualitative"]["penalty"].update(share="4/3"),
        f"{S}.qualitative.penalty.share",
        "share",
    ),
    ("16-annual-on-a-year-scheme", KH, lambda b, s: s.update(period="year"), f"{S}.annual", "year scheme"),
    (
        "16-unknown-annual-policy",
        KH,
        lambda b, s: s["annual"].update(tier_policy="pingshi"),
        f"{S}.annual.tier_policy",
        "unknown",
    ),
    (
        "16-annual-tiers-break-14",
        KH,
        lambda b, s: s["annual"]["tiers"][3].update(max_share="0.1"),
        f"{S}.annual.tiers[3].max_share",
        "last",
    ),
    ("16-min-periods-zero", KH, lambda b, s: s["annual"].update(min_periods=0), f"{S}.annual.min_periods", "≥ 1"),
    (
        "17-ballot-period-of-another-kind",
        NONGYE,
        lambda b, s: b["ballots"][0].update(period="2026Q3"),
        "$.ballots[0].period",
        "not a period of its kind",
    ),
]


def problems_of(bundle) -> list[tuple[str, str]]:
    with pytest.raises(BundleInvalid) as caught:
        load(bundle)
    assert caught.value.problems, "BundleInvalid without problems"
    return [(p.path, p.message) for p in caught.value.problems]


@pytest.fixture(params=["empty", "loaded"])
def workspace(request):
    """An empty workspace, or one holding the example the case breaks (loaded by the test)."""
    return request.param


@pytest.mark.parametrize(("name", "source", "change", "path", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_v2_bundle_names_its_path_and_loads_nothing(workspace, name, source, change, path, pattern):
    if workspace == "loaded":
        load(example_bundle(source))
    bundle = example_bundle(source)
    change(bundle, bundle["schemes"][0])
    before = snapshot()
    problems = problems_of(bundle)
    hits = [message for p, message in problems if p == path]
    assert hits, f"no problem at {path}; got {problems}"
    assert any(re.search(pattern, m) for m in hits), f"no {pattern!r} at {path}; got {hits}"
    assert snapshot() == before


def test_every_condition_of_section_14_has_a_case():
    numbers = {int(c[0].split("-")[0]) for c in CASES}
    assert numbers == set(range(1, 18))


# --- what §13 settles as valid ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda b, s: s["rules"][3].update(points="0"),  # a routine rule of 0 points (recorded, scores nothing)
        lambda b, s: s["rules"][6].update(points="0"),  # a deduction rule of 0 points
        lambda b, s: s["rules"][2].update(cap="0"),  # a rule cap of 0
        lambda b, s: s["category_caps"].update(special="0"),  # a category cap of 0
        lambda b, s: s.update(min_days=0),  # min_days 0: nobody unranked (§3)
    ],
    ids=["points-0", "deduction-points-0", "cap-0", "category-cap-0", "min-days-0"],
)
def test_zeros_the_spec_allows_in_a_v1_bundle_load_and_rank_as_the_core_ranks_them(change):
    from gongfen.scoring.bundle import rank_bundle

    bundle = example_bundle()
    change(bundle, bundle["schemes"][0])
    load(bundle)
    got = ranking_as_dict(group_ranking(group_by_code("QX-ALL"), "2026Q3"))
    assert got == rank_bundle(bundle, "QX-ALL", "2026Q3")


def test_json_integers_are_decimals_in_a_v2_bundle():
    from gongfen.scoring.bundle import rank_bundle

    bundle = example_bundle(MAJIN)
    item(bundle["schemes"][0], 1).update(cap=20)
    bundle["entries"][0]["quantity"] = 20
    load(bundle)
    got = ranking_as_dict(group_ranking(group_by_code("MJ-ALL"), "2026Q3"))
    assert got == rank_bundle(example_bundle(MAJIN), "MJ-ALL", "2026Q3")
