"""The random bundles are valid, reproducible, and exercise every corner of the spec; the reference agrees with
itself where the spec says two inputs mean the same (a /1 bundle and its §4.5 tree; any order of the lists)."""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from fractions import Fraction

import pytest

from .generate import FORMAT_V1, FORMAT_V2, random_bundle, v1_as_v2, walk_items
from .spec_v2 import GroupRanker, World, parse_period, parse_share, periods_of, rank, rank_all, rank_with
from .validity import problems

SEEDS = range(300)
V2_ONLY_ROW_KEYS = ("veto", "items", "coefficients")


def test_same_seed_same_bundle_and_seeds_differ():
    assert random_bundle(7) == random_bundle(7)
    assert random_bundle(7, FORMAT_V1) == random_bundle(7, FORMAT_V1)
    assert random_bundle(7) != random_bundle(8)


@pytest.mark.parametrize("fmt", [FORMAT_V2, FORMAT_V1])
def test_every_generated_bundle_is_valid(fmt):
    for seed in SEEDS:
        bundle = random_bundle(seed, fmt)
        assert problems(bundle) == [], f"seed {seed}"
        json.dumps(bundle)  # plain JSON values only


def test_the_validity_checker_sees_breaks():
    """The checker above is only a guarantee if it refuses what §14 refuses."""
    base = next(b for b in (random_bundle(s) for s in range(200)) if "items" in b["schemes"][0])
    assert problems(base) == []

    def broken(change) -> list[str]:
        bundle = copy.deepcopy(base)
        change(bundle, bundle["schemes"][0])
        return problems(bundle)

    assert broken(lambda b, s: s.update(tier_policy="pingshi", tiers=[{"name": "x"}]))
    assert broken(
        lambda b, s: s.update(tier_policy="cutoffs", tiers=[{"name": "a"}, {"name": "b", "max_share": "0.2"}])
    )
    assert broken(lambda b, s: s.update(veto_mode="bar_top", tier_policy="cutoffs", tiers=[{"name": "a"}]))
    assert broken(lambda b, s: s["items"][0].update(cap_exempt=True))
    assert broken(lambda b, s: s["items"].append({"code": s["items"][0]["code"], "children": []}))
    assert broken(
        lambda b, s: s["items"].append(
            {"code": "Z", "kind": "bands", "bands": [{"min": "1", "points": "1"}, {"min": "1", "points": "2"}]}
        )
    )
    assert broken(lambda b, s: s["items"].append({"code": "Z", "children": [], "allotment": "5", "floor": "6"}))
    assert broken(lambda b, s: s.update(qualitative={"method": "vote_share", "top": [], "low": []}))
    assert broken(
        lambda b, s: b["entries"].append(
            {
                "id": "X",
                "cadre": b["cadres"][0]["code"],
                "scheme": "S1",
                "rule": s["items"][0]["code"],
                "occurred_on": "2026-01-01",
            }
        )
    )
    assert broken(lambda b, s: s.update(annual={"min_periods": 0}))
    assert broken(lambda b, s: s.update(weights={"quantitative": "0.5", "qualitative": "0.6"}))
    assert broken(lambda b, s: s.update(coefficients=[{"by": "unit", "values": {"NOWHERE": "1"}}]))


def product_checker():
    """The product's bundle check (gongfen.interchange.validate), outside any database."""
    from gongfen.interchange.validate import Workspace, check_bundle

    def check(bundle):
        workspace = Workspace()
        if not hasattr(workspace, "counted_rounds"):  # filled from the database by services.workspace_for
            workspace.counted_rounds = set()
        return check_bundle(bundle, workspace)

    return check


@pytest.mark.parametrize("fmt", [FORMAT_V1, FORMAT_V2])
def test_generated_bundles_pass_the_products_bundle_check(fmt):
    check = product_checker()
    for seed in range(120):
        bundle = random_bundle(seed, fmt)
        refused = check(bundle)
        assert refused == [], f"seed {seed}: {refused}"


# ---------------------------------------------------------------------------
# Coverage: the generator reaches every feature and the corners the issue names
# ---------------------------------------------------------------------------


def bundle_features(bundle: dict) -> set[str]:
    f = {bundle["format"]}
    year = bundle["schemes"][0]["year"]
    if year % 4 == 0:
        f.add("leap year")
    for s in bundle["schemes"]:
        f.add("period " + s.get("period", "quarter"))
        f.add("min_days " + ("default" if "min_days" not in s else "0" if s["min_days"] == 0 else "set"))
        f.add("tier_policy " + s.get("tier_policy", "proportional"))
        f.add("veto_mode " + s.get("veto_mode", "bottom"))
        q = s.get("qualitative") or {"method": "trimmed_mean"}
        f.add("qualitative " + q["method"])
        if "penalty" in q:
            f.add("penalty " + q["penalty"]["share"])
        if "bands" in q:
            f.add("vote bands")
        if "rules" in s:
            f.add("rules scheme " + bundle["format"])
            f.update("rule veto " + str(r["veto"]) for r in s["rules"] if "veto" in r)
            if any(r.get("positions") == [] for r in s["rules"]):
                f.add("positions []")
            if s.get("category_caps"):
                f.add("category_caps")
        for item in walk_items(s.get("items", [])):
            f.add("leaf " + item["kind"] if "kind" in item else "internal")
            f.update(k for k in ("floor", "cap", "start", "allotment", "cap_exempt") if k in item)
            if item.get("positions") == []:
                f.add("positions []")
            if "veto" in item:
                f.add("veto " + str(item["veto"]))
            if item.get("children") == []:
                f.add("empty internal")
        if "deduction_item" in s:
            f.add("deduction_item")
        for c in s.get("coefficients", []):
            f.add("coefficient " + c["by"])
            if c["by"] == "unit" and any(k.startswith("U") and len(k) >= 3 for k in c["values"]):  # U1A, U1A1
                f.add("coefficient key below a township")
        for t in s.get("tiers", []):
            f.update(k for k in ("max_share", "min", "min_seats") if k in t)
            if "seat_rounding" in t:
                f.add("seat_rounding " + t["seat_rounding"])
        if "annual" in s:
            a = s["annual"]
            f.add("annual " + a.get("tier_policy", "cutoffs") + (" tiers" if "tiers" in a else " default"))
            if a.get("min_periods", 1) > 1:
                f.add("min_periods > 1")
    groups_per_scheme = Counter(g["scheme"] for g in bundle["groups"])
    if max(groups_per_scheme.values()) > 1:
        f.add("several groups on one scheme")
    for g in bundle["groups"]:
        f.add("select " + "+".join(sorted(g["select"])))
    for e in bundle["entries"]:
        f.add("status " + e.get("status", "missing"))
        q = e.get("quantity")
        f.add(
            "quantity "
            + ("missing" if q is None else "integer" if isinstance(q, int) else "decimal" if "." in q else "string")
        )
    if any(isinstance(v, int) for s in bundle["schemes"] for v in s["grades"].values()):
        f.add("integer decimals")
    counts = Counter((b["scheme"], b["period"], b["cadre"], b["class"]) for b in bundle["ballots"])
    f.update(f"ballots per class {n}" for n in counts.values())
    for s in bundle["schemes"]:
        q = s.get("qualitative") or {}
        if q.get("method") == "vote_share" and q.get("low"):
            lows = Counter(
                (b["period"], b["cadre"], b["class"])
                for b in bundle["ballots"]
                if b["scheme"] == s["code"] and b["grade"] in q["low"]
            )
            if any(
                Fraction(lows[tuple(key)], n) == Fraction(1, 3) for (sc, *key), n in counts.items() if sc == s["code"]
            ):
                f.add("low share exactly 1/3")
    for c in bundle["cadres"]:
        if len(c["posts"]) > 1:
            f.add("several posts")
    return f


def outcome_features(bundle: dict) -> set[str]:
    """Corners seen in the reference's own computation (its internals are fair game for a coverage count)."""
    f = set()
    world = World(bundle)
    by_cadre_period: dict[tuple, set] = {}
    for group in world.groups:
        ranker = GroupRanker(world, group)
        scheme = ranker.scheme
        raw_scheme = next(s for s in bundle["schemes"] if s["code"] == scheme.code)
        kinds = {i.code: i.kind for i in scheme.all_items() if i.is_leaf}
        for code in periods_of(bundle, group):
            out = rank_with(ranker, code)
            ranks = [r["rank"] for r in out["rows"]]
            if len(set(ranks)) < len(ranks):
                f.add("shared rank")
            for r in out["rows"]:
                if r.get("veto") == "bar_top" and r["rank"] == 1:
                    f.add("bar_top at rank 1")
                if "recommend" in r["actions"] and r["rank"] > 1:
                    f.add("recommend by streak")
                if "adjust" in r["actions"]:
                    f.add("adjust")
                if any(k != "1" for k in r.get("coefficients", {}).values()):
                    f.add("coefficient ≠ 1")
                for leaf, value in r.get("items", {}).items():
                    if kinds.get(leaf) in ("ratio_to_best", "by_rank"):
                        by_cadre_period.setdefault((scheme.code, r["cadre"], code, leaf), set()).add(value)
            if code.endswith("Y") and scheme.period_kind != "year":
                f.add("annual ranking")
                if out["unranked"]:
                    f.add("annual unranked")
                continue
            period = parse_period(code)
            result = ranker.period_result(period)
            for _cadre, days in result.unranked:
                if days == scheme.min_days - 1:
                    f.add("days == min_days - 1 (unranked)")
            for row in result.rows:
                if row.days == scheme.min_days:
                    f.add("days == min_days (ranked)")
                if len(ranker.matching_posts(row.cadre)) > 1 and any(k != 1 for k in row.coefficients.values()):
                    f.add("post change under a coefficient")
            for item in scheme.all_items():
                for row in result.rows:
                    if item.is_leaf:
                        continue
                    inner = item.start + sum(
                        (row.items[c.code] for c in item.children if not c.cap_exempt), Fraction(0)
                    )
                    if item.cap is not None and inner > item.cap:
                        f.add("cap binds")
                    if item.floor is not None and inner < item.floor:
                        f.add("floor binds")
                        if item.cap == item.start and item.floor == 0:
                            f.add("allotment runs dry")
            policy = raw_scheme.get("tier_policy", "proportional")
            if policy in ("cutoffs", "pingshi") and result.rows:
                first = scheme.tiers[0]
                if first.max_share is not None:
                    n = len(result.rows)
                    held = sum(1 for r in result.rows if r.tier == 0)
                    waiting = [r for r in result.rows if r.tier != 0 and r.veto is None]
                    if waiting and held < n:
                        group_size = sum(1 for r in waiting if r.rank == waiting[0].rank)
                        if group_size > 1 and (first.min is None or waiting[0].c >= first.min):
                            f.add("share ceiling keeps a tie group out")
    if any(len(values) > 1 for values in by_cadre_period.values()):
        f.add("ratio_to_best/by_rank differ per group")
    return f


EXPECTED_FEATURES = {
    FORMAT_V1, FORMAT_V2, "leap year", "period month", "period quarter", "period half", "period year",
    "min_days default", "min_days 0", "min_days set", "tier_policy proportional", "tier_policy cutoffs",
    "tier_policy pingshi", "veto_mode bar_top", "veto_mode bottom", "qualitative trimmed_mean",
    "qualitative vote_share", "penalty 1/3", "vote bands", "rules scheme gongfen-bundle/2",
    "rules scheme gongfen-bundle/1", "rule veto True", "rule veto bar_top", "rule veto bottom", "category_caps",
    "leaf per_unit", "leaf base", "leaf ratio_to_best", "leaf bands", "leaf by_rank", "internal", "empty internal",
    "floor", "cap", "start", "allotment", "cap_exempt", "veto True", "veto bottom", "veto bar_top", "veto False",
    "deduction_item", "coefficient position", "coefficient unit", "coefficient key below a township",
    "max_share", "min", "min_seats", "seat_rounding floor", "seat_rounding half_up", "seat_rounding ceil",
    "annual cutoffs default", "annual cutoffs tiers", "annual proportional tiers", "min_periods > 1",
    "several groups on one scheme", "select unit", "select position", "select position+unit",
    "status missing", "status approved", "status pending", "status rejected", "status declared", "status revoked",
    "quantity missing", "quantity integer", "quantity decimal", "quantity string", "integer decimals",
    "ballots per class 1", "ballots per class 5", "ballots per class 9", "low share exactly 1/3", "several posts",
    "positions []",
}  # fmt: skip
EXPECTED_OUTCOMES = {
    "shared rank", "bar_top at rank 1", "recommend by streak", "adjust", "coefficient ≠ 1", "annual ranking",
    "annual unranked", "days == min_days - 1 (unranked)", "days == min_days (ranked)",
    "post change under a coefficient", "cap binds", "floor binds", "allotment runs dry",
    "share ceiling keeps a tie group out", "ratio_to_best/by_rank differ per group",
}  # fmt: skip


def test_generator_reaches_every_feature_and_corner():
    features, outcomes = Counter(), Counter()
    for seed in range(100):
        for fmt in (FORMAT_V2, FORMAT_V1) if seed % 3 == 0 else (FORMAT_V2,):
            bundle = random_bundle(seed, fmt)
            features.update(bundle_features(bundle))
            outcomes.update(outcome_features(bundle))
    assert EXPECTED_FEATURES - set(features) == set()
    assert EXPECTED_OUTCOMES - set(outcomes) == set()


# ---------------------------------------------------------------------------
# The reference agrees with itself where the spec says inputs mean the same
# ---------------------------------------------------------------------------


def v1_view(ranking: dict) -> dict:
    out = copy.deepcopy(ranking)
    for row in out["rows"]:
        for key in V2_ONLY_ROW_KEYS:
            row.pop(key, None)
    return out


def test_a_v1_bundle_and_its_item_tree_rank_the_same():
    """§4.5: v1 is the special case the mapping puts onto the v2 machinery."""
    for seed in range(60):
        v1 = random_bundle(seed, FORMAT_V1)
        v2 = v1_as_v2(v1)
        assert problems(v2) == []
        as_tree = rank_all(v2)
        for key, ranking in rank_all(v1).items():
            assert ranking == v1_view(as_tree[key]), (seed, key)


def test_the_order_of_the_lists_changes_nothing():
    rng = random.Random(16)
    for seed in range(40):
        bundle = random_bundle(seed)
        permuted = copy.deepcopy(bundle)
        for key in ("cadres", "groups", "entries", "ballots"):
            rng.shuffle(permuted[key])
        for cadre in permuted["cadres"]:
            rng.shuffle(cadre["posts"])
        assert rank_all(bundle) == rank_all(permuted), seed


def test_rank_all_is_rank_for_each_period():
    for seed in range(15):
        bundle = random_bundle(seed)
        for (group, code), ranking in rank_all(bundle).items():
            assert rank(bundle, group, code) == ranking
    assert parse_share("2/7") == Fraction(2, 7)
