"""The demo county generator: deterministic, believable, and a valid ``gongfen-bundle/1``.

Plain pytest, no Django: ``PYTHONPATH=src:. pytest -p no:django tests/demo``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path

import pytest

from gongfen.demo import build_demo_bundle

ROOT = Path(__file__).resolve().parents[2]
UNITS_FILE = ROOT / "src" / "gongfen" / "demo" / "kaihua-units.json"
SCHEMA_FILE = ROOT / "src" / "gongfen" / "interchange" / "bundle.schema.json"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD = re.compile(r"^(\d{4})Q([1-4])$")
STATUSES = {"approved", "pending", "rejected", "revoked"}
CATEGORIES = {"base", "stationing", "routine", "special", "deduction"}
QUARTER_STARTS = {1: (1, 1), 2: (4, 1), 3: (7, 1), 4: (10, 1)}


@pytest.fixture(scope="module")
def bundle() -> dict:
    return build_demo_bundle()


@pytest.fixture(scope="module")
def small() -> dict:
    return build_demo_bundle(seed=7, cadres=300)


def dumps(b: dict) -> str:
    return json.dumps(b, ensure_ascii=False, sort_keys=True)


def quarter_bounds(code: str) -> tuple[date, date]:
    match = PERIOD.match(code)
    assert match, code
    year, q = int(match.group(1)), int(match.group(2))
    start = date(year, *QUARTER_STARTS[q])
    end = date(year + 1, 1, 1) if q == 4 else date(year, *QUARTER_STARTS[q + 1])
    return start, end - timedelta(days=1)


# ------------------------------------------------------------------------------------------- checker


class Index:
    """Lookups over a bundle, for the checker and the tests."""

    def __init__(self, b: dict):
        self.units = {u["code"]: u for u in b["units"]}
        self.cadres = {c["code"]: c for c in b["cadres"]}
        self.schemes = {s["code"]: s for s in b["schemes"]}
        self.groups = {g["code"]: g for g in b["groups"]}
        self.groups_of_scheme: dict[str, list[dict]] = {}
        for g in b["groups"]:
            self.groups_of_scheme.setdefault(g["scheme"], []).append(g)

    def lineage(self, unit: str) -> set[str]:
        out = set()
        while unit is not None and unit not in out:
            out.add(unit)
            unit = self.units[unit]["parent"]
        return out

    @staticmethod
    def holds(post: dict, day: date) -> bool:
        return date.fromisoformat(post["start"]) <= day and (
            post["end"] is None or day <= date.fromisoformat(post["end"])
        )

    def matches(self, post: dict, select: dict) -> bool:
        return ("unit" not in select or select["unit"] in self.lineage(post["unit"])) and (
            "position" not in select or post["position"] == select["position"]
        )

    def days_in(self, cadre: str, select: dict, start: date, end: date) -> int:
        days: set[date] = set()
        for post in self.cadres[cadre]["posts"]:
            if not self.matches(post, select):
                continue
            lo = max(start, date.fromisoformat(post["start"]))
            hi = min(end, date.fromisoformat(post["end"])) if post["end"] else end
            days.update(lo + timedelta(days=i) for i in range((hi - lo).days + 1))
        return len(days)

    def posts_on(self, cadre: str, day: date) -> list[dict]:
        return [p for p in self.cadres[cadre]["posts"] if self.holds(p, day)]


def _is_date(value) -> bool:
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _dec(value) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def check_bundle(b: dict) -> list[str]:
    """Every "a bundle is invalid when…" rule of the spec, plus the generator's own promises."""
    errors: list[str] = []

    def err(path: str, message: str) -> None:
        errors.append(f"{path}: {message}")

    if b.get("format") != "gongfen-bundle/1":
        err("format", "not gongfen-bundle/1")
    for key, field in (
        ("units", "code"),
        ("cadres", "code"),
        ("schemes", "code"),
        ("groups", "code"),
        ("entries", "id"),
    ):
        for value, n in Counter(item[field] for item in b[key]).items():
            if n > 1:
                err(key, f"{field} {value} repeats")
    ix = Index(b)

    for i, u in enumerate(b["units"]):
        if u["parent"] is not None and u["parent"] not in ix.units:
            err(f"units[{i}].parent", f"{u['parent']} names nothing")
    for code in ix.units:
        seen, unit = set(), code
        while unit is not None:
            if unit in seen:
                err("units", f"cycle through {code}")
                break
            seen.add(unit)
            unit = ix.units[unit]["parent"] if unit in ix.units else None

    for i, c in enumerate(b["cadres"]):
        if not c["posts"]:
            err(f"cadres[{i}]", "no post")
        for j, p in enumerate(c["posts"]):
            path = f"cadres[{i}].posts[{j}]"
            if p["unit"] not in ix.units:
                err(path, f"unit {p['unit']} names nothing")
            if not _is_date(p["start"]) or (p["end"] is not None and not _is_date(p["end"])):
                err(path, "bad date")
            elif p["end"] is not None and p["end"] < p["start"]:
                err(path, "ends before it starts")

    for i, s in enumerate(b["schemes"]):
        path = f"schemes[{i}]"
        if s["unit"] not in ix.units:
            err(path, f"unit {s['unit']} names nothing")
        if s.get("derived_from") is not None and s["derived_from"] not in ix.schemes:
            err(path, f"derived_from {s['derived_from']} names nothing")
        weights = [_dec(s["weights"].get(k)) for k in ("quantitative", "qualitative")]
        if None in weights or sum(weights) != 1 or min(weights) < 0:
            err(path, f"weights {s['weights']} do not sum to 1")
        for k, w in s["evaluator_classes"].items():
            if _dec(w) is None or _dec(w) <= 0:
                err(path, f"evaluator class {k} weight {w} is not > 0")
        for g, v in s["grades"].items():
            if _dec(v) is None:
                err(path, f"grade {g} value {v} is not a decimal")
        cumulative = [_dec(t["cumulative"]) for t in s["tiers"]]
        if (
            not cumulative
            or None in cumulative
            or cumulative[-1] != 1
            or cumulative[0] <= 0
            or any(a >= b for a, b in pairwise(cumulative))
        ):
            err(path, f"tiers {s['tiers']} are not strictly increasing to 1")
        for k, cap in (s.get("category_caps") or {}).items():
            if k not in CATEGORIES or _dec(cap) is None or _dec(cap) < 0:
                err(path, f"category cap {k}={cap}")
        for value, n in Counter(r["code"] for r in s["rules"]).items():
            if n > 1:
                err(path, f"rule {value} repeats")
        for j, r in enumerate(s["rules"]):
            rpath = f"{path}.rules[{j}]"
            points = _dec(r["points"])
            if r["category"] not in CATEGORIES or points is None:
                err(rpath, "bad category or points")
                continue
            if r["category"] == "base" and r.get("cap") is not None:
                err(rpath, "a base rule has a cap")
            if (r["category"] == "deduction") != (points < 0) or points == 0:
                err(rpath, f"points {r['points']} contradict category {r['category']}")
            if r.get("cap") is not None and (_dec(r["cap"]) is None or _dec(r["cap"]) <= 0):
                err(rpath, f"cap {r['cap']}")
            if r.get("veto") and r["category"] != "deduction":
                err(rpath, "a veto outside deductions")

    for i, g in enumerate(b["groups"]):
        if g["scheme"] not in ix.schemes:
            err(f"groups[{i}]", f"scheme {g['scheme']} names nothing")
        if not g["select"] or ("unit" in g["select"] and g["select"]["unit"] not in ix.units):
            err(f"groups[{i}]", f"selector {g['select']}")

    for i, e in enumerate(b["entries"]):
        path = f"entries[{i}]"
        if e["cadre"] not in ix.cadres or e["scheme"] not in ix.schemes:
            err(path, "cadre or scheme names nothing")
            continue
        rules = {r["code"]: r for r in ix.schemes[e["scheme"]]["rules"]}
        if e["rule"] not in rules:
            err(path, f"rule {e['rule']} not in {e['scheme']}")
            continue
        if rules[e["rule"]]["category"] == "base":
            err(path, "an entry names a base rule")
        quantity = _dec(e.get("quantity", "1"))
        if quantity is None or quantity <= 0:
            err(path, f"quantity {e.get('quantity')}")
        if e["status"] not in STATUSES:
            err(path, f"status {e['status']}")
        if not _is_date(e["occurred_on"]):
            err(path, "bad date")
            continue
        day = date.fromisoformat(e["occurred_on"])
        if not date(2026, 1, 1) <= day <= date(2026, 11, 24):
            err(path, f"{day} outside 2026-01-01..2026-11-24")
        posts = ix.posts_on(e["cadre"], day)
        scheme_unit = ix.schemes[e["scheme"]]["unit"]
        if not any(scheme_unit in ix.lineage(p["unit"]) for p in posts):
            err(path, f"{e['cadre']} has no post under {scheme_unit} on {day}")
        selects = [g["select"] for g in ix.groups_of_scheme.get(e["scheme"], [])]
        if not any(ix.matches(p, sel) for p in posts for sel in selects):
            err(path, f"{e['cadre']} is in no group of {e['scheme']} on {day}")

    members: dict[tuple[str, str, str], bool] = {}
    for i, v in enumerate(b["ballots"]):
        path = f"ballots[{i}]"
        scheme = ix.schemes.get(v["scheme"])
        if v["cadre"] not in ix.cadres or scheme is None:
            err(path, "cadre or scheme names nothing")
            continue
        if v["class"] not in scheme["evaluator_classes"]:
            err(path, f"class {v['class']} not in {v['scheme']}")
        if v["grade"] not in scheme["grades"]:
            err(path, f"grade {v['grade']} not in {v['scheme']}")
        if v["period"] not in ("2026Q1", "2026Q2", "2026Q3"):
            err(path, f"period {v['period']} is not an evaluated quarter")
            continue
        key = (v["cadre"], v["scheme"], v["period"])
        if key not in members:
            start, end = quarter_bounds(v["period"])
            members[key] = any(
                ix.days_in(v["cadre"], g["select"], start, end) >= scheme.get("min_days", 30)
                for g in ix.groups_of_scheme.get(v["scheme"], [])
            )
        if not members[key]:
            err(path, f"{v['cadre']} is not a ranked member of a {v['scheme']} group in {v['period']}")
    return errors


# --------------------------------------------------------------------------------------------- tests


def test_same_seed_gives_the_same_bytes_and_another_seed_differs(bundle):
    assert dumps(build_demo_bundle()) == dumps(bundle)
    assert dumps(build_demo_bundle(seed=2027)) != dumps(bundle)


def test_output_does_not_depend_on_hash_randomisation(small):
    code = (
        "import hashlib, json; from gongfen.demo import build_demo_bundle; "
        "print(hashlib.sha256(json.dumps(build_demo_bundle(seed=7, cadres=300), ensure_ascii=False, "
        "sort_keys=True).encode()).hexdigest())"
    )
    expected = hashlib.sha256(dumps(small).encode()).hexdigest()
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT / "src")}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected


def test_bundle_is_valid(bundle):
    assert check_bundle(bundle) == []


def test_small_county_is_valid_too(small):
    assert check_bundle(small) == []
    assert 290 <= len(small["cadres"]) <= 310
    ix = Index(small)
    day = date(2026, 9, 30)
    for position in ("乡镇长", "党委书记"):
        holders = {c for c in ix.cadres for p in ix.posts_on(c, day) if p["position"] == position}
        assert len(holders) == 15


def test_matches_the_json_schema_when_there_is_one(small):
    if not SCHEMA_FILE.exists():
        pytest.skip("no bundle.schema.json beside this checkout")
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(small, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_real_townships_and_unit_tree(bundle):
    ix = Index(bundle)
    units_file = json.loads(UNITS_FILE.read_text(encoding="utf-8"))
    names = {u["name"]: u for u in bundle["units"]}
    for township in units_file["townships"]:
        unit = names[township["name"]]
        assert unit["parent"] == "KH"
        assert unit["kind"] == ("subdistrict" if township["name"].endswith("办事处") else "township")
        children = [u for u in bundle["units"] if u["parent"] == unit["code"]]
        offices = [u for u in children if u["kind"] == "office"]
        villages = sorted(u["name"] for u in children if u["kind"] == "village")
        assert 2 <= len(offices) <= 4
        assert villages == sorted(township["villages"])
    assert ix.units["KH"] == {"code": "KH", "name": "开化县", "kind": "county", "parent": None}
    departments = [u for u in bundle["units"] if u["kind"] == "department"]
    assert 10 <= len(departments) <= 15
    assert all(u["name"] in units_file["typical_county_departments"] for u in departments)
    centre = names["开化水库征迁指挥中心"]
    assert centre["kind"] == "task_force"
    groups = [u for u in bundle["units"] if u["parent"] == centre["code"]]
    assert len(groups) >= 4 and all(u["kind"] == "task_force" for u in groups)
    assert "岭里三组" in {u["name"] for u in groups}
    assert all(re.fullmatch(r"[A-Z0-9-]{2,16}", u["code"]) for u in bundle["units"])


def test_about_the_requested_number_of_cadres_with_chinese_names(bundle):
    assert 1150 <= len(bundle["cadres"]) <= 1250
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", c["name"]) for c in bundle["cadres"])
    assert "朱福存" not in {c["name"] for c in bundle["cadres"]}


def test_township_sizes_are_believable(bundle):
    ix = Index(bundle)
    day = date(2026, 9, 30)
    sizes = Counter()
    for code in ix.cadres:
        for post in ix.posts_on(code, day):
            unit = post["unit"]
            while ix.units[unit]["parent"] not in (None, "KH"):
                unit = ix.units[unit]["parent"]
            if ix.units[unit]["kind"] in ("township", "subdistrict") and post["position"] != "驻村干部":
                sizes[ix.units[unit]["name"]] += 1
    assert len(sizes) == 15
    assert all(35 <= n <= 95 for n in sizes.values()), sizes
    assert 40 <= sizes["齐溪镇"] < 50


def test_one_head_and_one_secretary_per_township_on_sept_30(bundle):
    ix = Index(bundle)
    day = date(2026, 9, 30)
    for position in ("乡镇长", "党委书记"):
        posts = [(c, p) for c in ix.cadres for p in ix.posts_on(c, day) if p["position"] == position]
        assert len({c for c, _ in posts}) == 15
        assert len({p["unit"] for _, p in posts}) == 15


def test_heads_promoted_to_secretary_mid_year(bundle):
    promoted = []
    for c in bundle["cadres"]:
        for a, b in pairwise(c["posts"]):
            if a["position"] == "乡镇长" and b["position"] == "党委书记" and a["unit"] == b["unit"]:
                assert date.fromisoformat(a["end"]) + timedelta(days=1) == date.fromisoformat(b["start"])
                promoted.append((b["unit"], b["start"]))
    assert len(promoted) >= 2
    assert ("KH-TC", "2026-08-20") in promoted


def test_the_2026q3_board_of_heads_has_16_rows_for_15_townships(bundle):
    """What the README says where a reader meets the 16 rows: 桐村镇's post changed hands on 2026-08-20 and both
    holders served the scheme's minimum days in Q3; in Q2 中村乡's outgoing head served fewer and is not ranked."""
    ix = Index(bundle)
    heads = ix.groups["G-HEADS"]
    minimum = ix.schemes[heads["scheme"]]["min_days"]
    assert minimum == 30

    def served(start: date, end: date) -> dict[str, int]:
        days = {c: ix.days_in(c, heads["select"], start, end) for c in ix.cadres}
        return {c: d for c, d in days.items() if d > 0}

    q3 = served(date(2026, 7, 1), date(2026, 9, 30))
    assert len(q3) == 16 and all(d >= minimum for d in q3.values())
    towns = Counter(p["unit"] for c in q3 for p in ix.cadres[c]["posts"] if p["position"] == "乡镇长")
    assert len(towns) == 15 and towns["KH-TC"] == 2
    assert sorted(d for c, d in q3.items() if d < 92) == [42, 50]  # 8-20…9-30 and 7-1…8-19
    q2 = served(date(2026, 4, 1), date(2026, 6, 30))
    short = {c: d for c, d in q2.items() if d < minimum}
    assert list(short.values()) == [22] and sum(d >= minimum for d in q2.values()) == 15
    (short_post,) = [p for p in ix.cadres[next(iter(short))]["posts"] if p["position"] == "乡镇长"]
    assert ix.units[short_post["unit"]]["name"] == "中村乡"


def test_mid_quarter_moves_between_units(bundle):
    moves = []
    for c in bundle["cadres"]:
        home = [p for p in c["posts"] if p["position"] not in ("组员", "组长", "驻村干部")]
        for a, b in pairwise(home):
            if a["end"] and date.fromisoformat(a["end"]) + timedelta(days=1) == date.fromisoformat(b["start"]):
                start = date.fromisoformat(b["start"])
                if a["unit"] != b["unit"] and start.year == 2026 and (start.month - 1) % 3 + start.day > 1:
                    moves.append(c["code"])
    assert 20 <= len(moves) <= 80


def test_concurrent_posts_in_task_force_and_villages(bundle):
    ix = Index(bundle)
    day = date(2026, 9, 30)
    task_force, stationed = [], []
    for code, cadre in ix.cadres.items():
        kinds = [ix.units[p["unit"]]["kind"] for p in ix.posts_on(code, day)]
        if "task_force" in kinds and len(kinds) >= 2:
            task_force.append(code)
        if "village" in kinds:
            assert any(p["position"] == "驻村干部" for p in cadre["posts"])
            stationed.append(code)
    assert 20 <= len(task_force) <= 80
    assert len(stationed) >= 10
    leaders = Counter(p["unit"] for c in bundle["cadres"] for p in c["posts"] if p["position"] == "组长")
    groups = [u["code"] for u in bundle["units"] if u["parent"] == "KH-SK"]
    assert sorted(leaders) == sorted(groups) and set(leaders.values()) == {1}
    # like 朱福存: a 一般干部 of 齐溪镇文旅办 and a 组员 of 岭里三组, with reservoir points in 齐溪镇's scheme
    ll3 = next(u["code"] for u in bundle["units"] if u["name"] == "岭里三组")
    volunteer = next(
        c
        for c in bundle["cadres"]
        if {(p["unit"], p["position"]) for p in c["posts"]} >= {("KH-QX-WL", "一般干部"), (ll3, "组员")}
    )
    assert any(
        e["cadre"] == volunteer["code"] and e["rule"] == "S-RES" and e["scheme"] == "KH-QX-2026"
        for e in bundle["entries"]
    )


def test_newcomers_unranked_in_their_first_quarter(bundle):
    ix = Index(bundle)
    late = set()
    for code, cadre in ix.cadres.items():
        first = min(p["start"] for p in cadre["posts"])
        if first.startswith("2026"):
            start = date.fromisoformat(first)
            quarter = f"2026Q{(start.month - 1) // 3 + 1}"
            _, q_end = quarter_bounds(quarter)
            if (q_end - start).days + 1 < 30:
                late.add(quarter)
                assert not any(v["cadre"] == code and v["period"] == quarter for v in bundle["ballots"])
    assert {"2026Q1", "2026Q2", "2026Q3"} <= late


def test_statuses_vetoes_and_ledger_volume(bundle):
    statuses = Counter(e["status"] for e in bundle["entries"])
    assert set(statuses) == STATUSES
    n = len(bundle["entries"])
    assert statuses["approved"] / n > 0.8
    assert 0.01 <= statuses["rejected"] / n <= 0.06
    assert 0 < statuses["revoked"] / n <= 0.01
    recent = [e for e in bundle["entries"] if e["occurred_on"] >= "2026-11-10"]
    assert sum(e["status"] == "pending" for e in recent) / len(recent) > 0.5
    assert 30 <= n / len(bundle["cadres"]) <= 50
    ix = Index(bundle)
    vetoes = [
        e
        for e in bundle["entries"]
        if e["status"] == "approved"
        and any(r["code"] == e["rule"] and r.get("veto") for r in ix.schemes[e["scheme"]]["rules"])
    ]
    assert 3 <= len(vetoes) <= 6
    per_cadre = Counter(e["cadre"] for e in bundle["entries"])
    counts = sorted(per_cadre.values())
    assert counts[len(counts) // 10] * 1.5 < counts[9 * len(counts) // 10]  # diligence spreads the ledger
    assert sum(1 for e in bundle["entries"] if e.get("description")) / n > 0.7


def test_schemes_are_tailored_from_the_template(bundle):
    ix = Index(bundle)
    template = ix.schemes["KH-TPL-2026"]
    categories = {r["category"] for r in template["rules"]}
    assert categories == CATEGORIES
    assert template["weights"] == {"quantitative": "0.7", "qualitative": "0.3"}
    assert template["evaluator_classes"] == {"leader": "0.4", "peer": "0.3", "public": "0.3"}
    assert [t["cumulative"] for t in template["tiers"]] == ["0.2", "0.7", "0.95", "1"]
    assert any(r.get("veto") and r["points"] == "-50" for r in template["rules"])
    base = {r["positions"][0]: r["points"] for r in template["rules"] if r["category"] == "base"}
    assert base["一般干部"] == "60" and base["中层干部"] == "70" and base["副乡镇长"] == "75"
    derived = [s for s in bundle["schemes"] if s.get("derived_from") == "KH-TPL-2026"]
    assert len(derived) == sum(1 for u in bundle["units"] if u["kind"] in ("township", "subdistrict", "department"))
    template_rules = {r["code"]: r for r in template["rules"]}
    for scheme in derived:
        assert scheme["code"] == f"{scheme['unit']}-2026"
        changed = [r for r in scheme["rules"] if template_rules.get(r["code"]) != r]
        assert changed or len(scheme["rules"]) != len(template_rules), scheme["code"]
    assert any(r["name"] == "森林防火巡查" for s in derived for r in s["rules"])
    heads = ix.schemes["KH-HEAD-2026"]
    assert heads["weights"] == {"quantitative": "0.8", "qualitative": "0.2"}
    assert heads["evaluator_classes"] == {"leader": "0.5", "peer": "0.5"}
    assert ix.groups["G-HEADS"]["select"] == {"position": "乡镇长"}
    assert ix.groups["G-SECS"]["select"] == {"position": "党委书记"}
    assert ix.groups["G-QX"] == {
        "code": "G-QX",
        "name": "齐溪镇全体干部",
        "scheme": "KH-QX-2026",
        "select": {"unit": "KH-QX"},
    }


def test_ballots_for_every_group_in_q1_to_q3(bundle):
    seen = Counter((v["scheme"], v["period"]) for v in bundle["ballots"])
    for group in bundle["groups"]:
        for period in ("2026Q1", "2026Q2", "2026Q3"):
            assert seen[(group["scheme"], period)] > 0, (group["code"], period)
    classes = Counter(v["class"] for v in bundle["ballots"])
    assert set(classes) == {"leader", "peer", "public"}
    assert set(Counter(v["grade"] for v in bundle["ballots"])) == {"优秀", "良好", "一般", "较差"}


def test_rankings_spread_in_the_scoring_core(bundle):
    from gongfen.scoring import rank_group, ranking_as_dict
    from tests.scoring.bundle_adapter import group_input

    for code in ("G-QX", "G-HEADS", "G-ZZB"):
        ranking = ranking_as_dict(rank_group(group_input(bundle, code, "2026Q3")))
        composites = [Decimal(r["composite"]) for r in ranking["rows"]]
        assert ranking["size"] >= 10
        assert max(composites) - min(composites) > 15
        assert {r["tier"] for r in ranking["rows"]} >= {"一档", "四档"}


def test_the_checker_catches_broken_bundles(small):
    broken = json.loads(dumps(small))
    broken["units"].append(dict(broken["units"][1]))  # a repeated code
    broken["units"][0]["parent"] = broken["units"][1]["code"]  # a cycle
    broken["cadres"][0]["posts"][0]["end"] = "2001-01-01"  # ends before it starts
    broken["schemes"][0]["tiers"][-1]["cumulative"] = "0.9"
    broken["schemes"][0]["rules"][0]["cap"] = "5"  # a cap on a base rule
    broken["entries"][0]["quantity"] = "0"
    broken["ballots"][0]["grade"] = "很好"
    errors = "\n".join(check_bundle(broken))
    for needle in ("repeats", "cycle", "ends before", "tiers", "base rule has a cap", "quantity 0", "grade 很好"):
        assert needle in errors


def test_progress_is_reported():
    calls = []
    build_demo_bundle(cadres=300, progress=lambda step, done, total: calls.append((step, done, total)))
    steps = [c[0] for c in calls]
    assert {"units", "cadres", "entries", "ballots"} <= set(steps)
    assert all(0 <= done <= total for _, done, total in calls)
    assert ("entries", 300, 300) in calls
