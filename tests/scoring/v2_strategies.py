"""Hypothesis strategies for random *valid* ``gongfen-bundle/2`` bundles (and v1 ones), small but nasty.

Trees up to three levels with every leaf kind, bounds, starts, allotments and cap-exempt children;
coefficients by position and unit; every period kind; min_days from 0; the three tier policies with
ceilings, seat rounding and minimum seats; both qualitative methods with "n/d" shares; veto modes;
annual gradings. Cadres share templates (same posts and entries) so that ties are common.
"""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import strategies as st

UNITS = [
    {"code": "KH", "name": "县", "kind": "county", "parent": None},
    {"code": "T1", "name": "一镇", "kind": "township", "parent": "KH"},
    {"code": "T1-A", "name": "甲", "kind": "office", "parent": "T1"},
    {"code": "T1-B", "name": "乙", "kind": "office", "parent": "T1"},
    {"code": "T2", "name": "二镇", "kind": "township", "parent": "KH"},
]
UNIT_CODES = [u["code"] for u in UNITS]
POSITIONS = ("一般干部", "中层干部", "乡镇长")
CODES = ("A1", "A2", "A9", "A10", "B1", "b1", "Z", "甲一", "乙二")
GRADES = {"优秀": "100", "良好": "85", "一般": "70", "较差": "50"}
CLASSES = ("leader", "peer", "public")
KINDS = ("month", "quarter", "half", "year")
PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}
POINTS = ("1", "2", "0.5", "1.5", "3", "0.25", "10", "0.333", "5")
QUANTITIES = ("1", "2", "3", "0.5", "1.5", "7", "0.25", 4, "95", "60")
SHARES = ("0.2", "0.25", "0.4", "1/3", "2/3", "0.5", "1/7", "0.3", "1")


def period_code(kind: str, year: int, n: int) -> str:
    return {"month": f"{year}M{n:02d}", "quarter": f"{year}Q{n}", "half": f"{year}H{n}"}.get(kind, f"{year}Y")


def all_periods(scheme: dict) -> list[str]:
    kind = scheme.get("period", "quarter")
    codes = [period_code(kind, scheme["year"], n) for n in range(1, PER_YEAR[kind] + 1)]
    if kind != "year" and scheme.get("annual") is not None:
        codes.append(f"{scheme['year']}Y")
    return codes


@st.composite
def bound_values(draw, allotment: bool):
    """(start, allotment, floor, cap) with floor ≤ cap after the allotment defaults."""
    out = {}
    amount = draw(st.sampled_from(("5", "10", "8", "20"))) if allotment else None
    if amount:
        out["allotment"] = amount
    elif draw(st.integers(0, 3)) == 0:
        out["start"] = draw(st.sampled_from(("2", "-1", "5", "0.5")))
    floor = draw(st.none() | st.sampled_from(("-10", "-3", "0", "-0.5", "1")))
    cap = draw(st.none() | st.sampled_from(("3", "6", "10", "15", "30", "0.5")))
    lo = floor if floor is not None else ("0" if amount else None)
    hi = cap if cap is not None else amount
    if lo is not None and hi is not None and float(lo) > float(hi):  # keep it valid
        floor, cap = None, None
    if floor is not None:
        out["floor"] = floor
    if cap is not None:
        out["cap"] = cap
    return out


@st.composite
def leaves(draw, code: str, exempt_ok: bool, positions_ok: bool = True):
    kind = draw(st.sampled_from(("per_unit", "per_unit", "per_unit", "base", "ratio_to_best", "bands", "by_rank")))
    it: dict = {"code": code, "name": code, "kind": kind}
    if kind == "per_unit":
        it["points"] = draw(st.sampled_from((*POINTS, "-1", "-2", "-0.5", "0")))
        if draw(st.integers(0, 3)) == 0:
            it["veto"] = draw(st.sampled_from((True, "bottom", "bar_top", False)))
    elif kind == "base":
        it["points"] = draw(st.sampled_from(("30", "40", "45", "0.01", "50.5")))
        if positions_ok and draw(st.booleans()):
            it["positions"] = draw(st.lists(st.sampled_from(POSITIONS), min_size=1, max_size=2, unique=True))
        if exempt_ok and draw(st.integers(0, 5)) == 0:
            it["cap_exempt"] = True
        return it
    elif kind == "ratio_to_best":
        it["points"] = draw(st.sampled_from(("15", "10", "1", "7")))
    elif kind == "bands":
        mins = sorted(draw(st.lists(st.sampled_from(("100", "90", "80", "60", "1", "0", "-1")), min_size=1,
                                    max_size=3, unique=True)), key=float, reverse=True)  # fmt: skip
        it["bands"] = [{"min": m, "points": draw(st.sampled_from(("20", "10", "5", "1", "0", "-2")))} for m in mins]
    else:
        it["points"] = draw(st.sampled_from(("10", "6", "0")))
        it["step"] = draw(st.sampled_from(("2", "3", "0", "0.5")))
    it.update(draw(bound_values(allotment=draw(st.integers(0, 6)) == 0)))
    if exempt_ok and draw(st.integers(0, 4)) == 0:
        it["cap_exempt"] = True
    return it


@st.composite
def items(draw, prefix: str, depth: int, top: bool):
    out = []
    for i in range(draw(st.integers(1 if top else 0, 3 if depth < 2 else 2))):
        code = f"{prefix}{i}"
        if depth < 2 and draw(st.integers(0, 2)) == 0:
            it = {"code": code, "name": code, "children": draw(items(code + ".", depth + 1, False))}
            it.update(draw(bound_values(allotment=draw(st.integers(0, 4)) == 0)))
            if not top and draw(st.integers(0, 4)) == 0:
                it["cap_exempt"] = True
        else:
            it = draw(leaves(code, exempt_ok=not top))
        out.append(it)
    return out


def flat(tree):
    for it in tree:
        yield it
        if "children" in it:
            yield from flat(it["children"])


@st.composite
def cutoff_tiers(draw, need_two: bool):
    n = draw(st.integers(2 if need_two else 1, 4))
    mins = sorted(draw(st.lists(st.sampled_from(("95", "90", "80", "70", "50", "30", "0")), max_size=n - 1,
                                unique=True)), key=float, reverse=True)  # fmt: skip
    tiers = []
    for i in range(n - 1):
        t: dict = {"name": f"档{i}"}
        if mins and draw(st.booleans()):
            t["min"] = mins.pop(0)
        if draw(st.booleans()):
            t["max_share"] = draw(st.sampled_from(SHARES))
            if draw(st.booleans()):
                t["seat_rounding"] = draw(st.sampled_from(("floor", "half_up", "ceil")))
            if draw(st.integers(0, 2)) == 0:
                t["min_seats"] = draw(st.integers(0, 3))
        tiers.append(t)
    tiers.append({"name": "末档"})
    return tiers


@st.composite
def proportional_tiers(draw, need_two: bool):
    inner = sorted(draw(st.lists(st.sampled_from(("0.1", "0.2", "0.25", "0.5", "0.7", "0.95")), unique=True,
                                 min_size=1 if need_two else 0, max_size=3)), key=float)  # fmt: skip
    return [{"name": f"T{i}", "cumulative": c} for i, c in enumerate([*inner, "1"])]


@st.composite
def schemes(draw, kind: str | None = None, v1: bool = False):
    kind = kind or draw(st.sampled_from(KINDS))
    wq, wl = draw(st.sampled_from((("1", "0"), ("0.7", "0.3"), ("0.5", "0.5"), ("0.8", "0.2"), ("0", "1"))))
    s: dict = {
        "code": "S",
        "name": "方案",
        "unit": "KH",
        "year": 2026,
        "weights": {"quantitative": wq, "qualitative": wl},
        "grades": dict(GRADES),
        "evaluator_classes": {k: draw(st.sampled_from(("0.5", "0.3", "1"))) for k in CLASSES},
    }
    if draw(st.booleans()):
        s["min_days"] = draw(st.sampled_from((0, 1, 5, 10, 30, 45)))
    if v1:
        return s
    s["period"] = kind
    tree = draw(items("I", 0, True))
    codes = [it["code"] for it in flat(tree)]
    if draw(st.booleans()):  # an item coded deduction
        tree.append({"code": "deduction", "name": "扣分", "floor": "-15",
                     "children": [{"code": "K", "name": "K", "kind": "per_unit", "points": "-2",
                                   **({"veto": True} if draw(st.booleans()) else {})}]})  # fmt: skip
    elif draw(st.integers(0, 2)) == 0:
        s["deduction_item"] = draw(st.sampled_from(codes))
    s["items"] = tree
    tops = [t["code"] for t in tree]
    coefficients = []
    for _ in range(draw(st.integers(0, 2))):
        by = draw(st.sampled_from(("position", "unit")))
        keys = POSITIONS if by == "position" else UNIT_CODES
        values = {k: draw(st.sampled_from(("0.8", "0.9", "1.2", "1.1", "1", "1.05"))) for k in
                  draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))}  # fmt: skip
        co: dict = {"by": by, "values": values}
        if draw(st.booleans()):
            co["default"] = draw(st.sampled_from(("1", "0.5", "1.5")))
        if draw(st.booleans()):
            co["items"] = draw(st.lists(st.sampled_from(tops), min_size=1, unique=True))
        coefficients.append(co)
    if coefficients:
        s["coefficients"] = coefficients
    s["veto_mode"] = draw(st.sampled_from(("bottom", "bar_top")))
    policy = draw(st.sampled_from(("proportional", "cutoffs", "pingshi")))
    s["tier_policy"] = policy
    if policy == "proportional":
        s["tiers"] = draw(proportional_tiers(need_two=True))
    elif policy == "cutoffs":
        s["tiers"] = draw(cutoff_tiers(need_two=True))
    if draw(st.booleans()):
        q: dict = {"method": "vote_share", "top": ["优秀"]}
        if draw(st.booleans()):
            q["top"] = ["优秀", "良好"]
        if draw(st.booleans()):
            q["low"] = ["较差"] if draw(st.booleans()) else ["较差", "一般"]
            if draw(st.booleans()):
                q["penalty"] = {"share": draw(st.sampled_from(SHARES)), "score": "40"}
        if draw(st.booleans()):
            picked = draw(st.lists(st.sampled_from((*SHARES, "0")), min_size=1, max_size=3, unique=True))
            mins = sorted(picked, key=_share, reverse=True)  # distinct values: strictly decreasing
            q["bands"] = [{"min": m, "score": str(100 - 10 * i)} for i, m in enumerate(mins)]
        s["qualitative"] = q
    if kind != "year" and draw(st.booleans()):
        annual: dict = {}
        if draw(st.booleans()):
            annual["min_periods"] = draw(st.integers(1, 3))
        choice = draw(st.sampled_from(("default", "cutoffs", "proportional")))
        if choice == "cutoffs":
            annual["tiers"] = draw(cutoff_tiers(need_two=True))
        elif choice == "proportional":
            annual["tier_policy"] = "proportional"
            annual["tiers"] = draw(proportional_tiers(need_two=True))
        s["annual"] = annual
    return s


def _share(text: str) -> Fraction:
    if "/" in text:
        a, b = text.split("/")
        return Fraction(int(a), int(b))
    return Fraction(text)


@st.composite
def v1_rules(draw):
    rules = []
    for i in range(draw(st.integers(0, 2))):
        r = {"code": f"B{i}", "name": "岗位", "category": "base", "points": draw(st.sampled_from(("30", "45", "0.01")))}
        if draw(st.booleans()):
            r["positions"] = draw(st.lists(st.sampled_from(POSITIONS), min_size=1, max_size=2, unique=True))
        rules.append(r)
    for i in range(draw(st.integers(1, 5))):
        category = draw(st.sampled_from(("stationing", "routine", "special", "deduction")))
        points = draw(st.sampled_from(POINTS))
        r = {
            "code": f"R{i}",
            "name": "r",
            "category": category,
            "points": "-" + points if category == "deduction" else points,
        }
        if draw(st.booleans()):
            r["cap"] = draw(st.sampled_from(("5", "10", "2.5", "0")))
        if category == "deduction" and draw(st.integers(0, 3)) == 0:
            r["veto"] = True
        rules.append(r)
    return rules


@st.composite
def posts(draw, year: int = 2026):
    out = []
    for _ in range(draw(st.sampled_from((1, 1, 2, 3)))):
        if draw(st.integers(0, 3)) > 0:  # mostly where the groups look, and most of the year
            unit = draw(st.sampled_from(("T1", "T1-A", "T1-B")))
            position = draw(st.sampled_from(POSITIONS[:2]))
        else:
            unit = draw(st.sampled_from(UNIT_CODES))
            position = draw(st.sampled_from(POSITIONS))
        if draw(st.integers(0, 2)) > 0:
            start = date(year - 1, 6, 1)
            end = None if draw(st.booleans()) else date(year, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
        else:
            start = date(year, 1, 1) + timedelta(days=draw(st.integers(-30, 364)))
            end = None if draw(st.booleans()) else start + timedelta(days=draw(st.integers(0, 200)))
        out.append({"unit": unit, "position": position, "start": start.isoformat(),
                    "end": end.isoformat() if end else None})  # fmt: skip
    return out


def entry_leaves(scheme: dict) -> list[str]:
    if "rules" in scheme:
        return [r["code"] for r in scheme["rules"] if r["category"] != "base"]
    return [it["code"] for it in flat(scheme["items"]) if it.get("kind") not in (None, "base")]


@st.composite
def bundles(draw, kind: str | None = None, v1: bool = False, max_cadres: int = 9):
    scheme = draw(schemes(kind, v1))
    if v1:
        scheme["tiers"] = draw(proportional_tiers(need_two=False))
        scheme["rules"] = draw(v1_rules())
        caps = draw(st.lists(st.sampled_from(("base", "stationing", "routine", "special", "deduction")),
                             unique=True, max_size=3))  # fmt: skip
        if caps:
            scheme["category_caps"] = {c: draw(st.sampled_from(("5", "20", "60", "0.5"))) for c in caps}
    kind = scheme.get("period", "quarter")
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=max_cadres, unique=True))
    leaves_ = entry_leaves(scheme)
    periods = [p for p in all_periods(scheme) if not p.endswith("Y") or kind == "year"]
    hot = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))  # months with most entries
    templates = []
    for _ in range(draw(st.integers(1, 5))):
        ps = draw(posts())
        es = []
        if leaves_:
            for _ in range(draw(st.integers(0, 10))):
                if draw(st.integers(0, 4)) > 0:
                    day = date(2026, draw(st.sampled_from(hot)), draw(st.integers(1, 28)))
                else:
                    day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
                e = {"rule": draw(st.sampled_from(leaves_)), "occurred_on": day.isoformat()}
                quantity = draw(st.sampled_from((None, *QUANTITIES)))
                if quantity is not None:
                    e["quantity"] = quantity
                status = draw(st.sampled_from((None, "approved", "approved", "pending", "rejected")))
                if status is not None:
                    e["status"] = status
                es.append(e)
        bs = []
        if draw(st.integers(0, 2)) > 0:
            for _ in range(draw(st.integers(0, 7))):
                bs.append({"period": draw(st.sampled_from(periods)), "class": draw(st.sampled_from(CLASSES)),
                           "grade": draw(st.sampled_from(sorted(GRADES)))})  # fmt: skip
        templates.append((ps, es, bs))
    cadres, entries, ballots = [], [], []
    for code in codes:
        ps, es, bs = templates[draw(st.integers(0, len(templates) - 1))]
        cadres.append({"code": code, "name": code, "posts": copy.deepcopy(ps)})
        own = []
        if leaves_ and draw(st.booleans()):  # some entries of its own, so that not every template ties
            for _ in range(draw(st.integers(1, 3))):
                day = date(2026, draw(st.sampled_from(hot)), draw(st.integers(1, 28)))
                own.append({"rule": draw(st.sampled_from(leaves_)), "occurred_on": day.isoformat(),
                            "quantity": draw(st.sampled_from(QUANTITIES))})  # fmt: skip
        for e in [*es, *own]:
            entries.append({"id": f"E{len(entries)}", "cadre": code, "scheme": "S", **e})
        for b in bs:
            ballots.append({"cadre": code, "scheme": "S", **b})
    select = draw(st.sampled_from(({"unit": "KH"}, {"unit": "T1"}, {"unit": "T1"}, {"unit": "T1-A"},
                                   {"position": "一般干部"}, {"unit": "T1", "position": "中层干部"})))  # fmt: skip
    return {
        "format": "gongfen-bundle/1" if v1 else "gongfen-bundle/2",
        "units": copy.deepcopy(UNITS),
        "cadres": cadres,
        "schemes": [scheme],
        "groups": [{"code": "G", "name": "组", "scheme": "S", "select": select}],
        "entries": entries,
        "ballots": ballots,
    }


def shuffled(bundle: dict, rnd: random.Random) -> dict:
    """The same bundle with every list whose order carries no meaning shuffled."""
    b = copy.deepcopy(bundle)
    for key in ("units", "cadres", "entries", "ballots"):
        rnd.shuffle(b[key])
    for c in b["cadres"]:
        rnd.shuffle(c["posts"])
    for s in b["schemes"]:
        s["grades"] = dict(rnd.sample(list(s["grades"].items()), len(s["grades"])))
        s["evaluator_classes"] = dict(rnd.sample(list(s["evaluator_classes"].items()), len(s["evaluator_classes"])))
        for co in s.get("coefficients") or ():
            co["values"] = dict(rnd.sample(list(co["values"].items()), len(co["values"])))
    return b


def as_v2_tree(bundle: dict) -> dict:
    """A v1 bundle written out as ``gongfen-bundle/2`` with the §4.5 tree in ``items``."""
    b = copy.deepcopy(bundle)
    b["format"] = "gongfen-bundle/2"
    for s in b["schemes"]:
        caps = s.pop("category_caps", None) or {}
        rules = s.pop("rules")
        tree = []
        for cat in ("base", "stationing", "routine", "special", "deduction"):
            kids = []
            for r in rules:
                if r["category"] != cat:
                    continue
                leaf = {"code": r["code"], "name": r["name"], "kind": "base" if cat == "base" else "per_unit",
                        "points": r["points"]}  # fmt: skip
                if cat == "base" and r.get("positions"):
                    leaf["positions"] = r["positions"]
                if cat != "base":
                    if r.get("veto"):
                        leaf["veto"] = True
                    if r.get("cap") is not None:
                        leaf["floor" if cat == "deduction" else "cap"] = (
                            ("-" + r["cap"]) if cat == "deduction" else r["cap"]
                        )
                kids.append(leaf)
            item = {"code": cat, "name": cat, "children": kids}
            if cat in caps:
                item["floor" if cat == "deduction" else "cap"] = ("-" + caps[cat]) if cat == "deduction" else caps[cat]
            tree.append(item)
        s["items"] = tree
    return b
