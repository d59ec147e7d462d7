"""The invalidity conditions of scoring-v2.md §14 (and v1's list), as a plain checker of the generator's output.

Only for the tests: the generator must never emit an invalid bundle, or the differential test would compare two
readings of something the spec refuses. ``problems(bundle)`` returns a list of "$.path: what" strings; empty means
valid. It checks meaning, not JSON types beyond what the conditions name (the generator builds the right types).
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from fractions import Fraction

from .spec_v2 import DECIMAL, FRACTION, PERIOD_CODE

V2_SCHEME_FIELDS = (
    "period",
    "items",
    "coefficients",
    "deduction_item",
    "tier_policy",
    "veto_mode",
    "qualitative",
    "annual",
)
CATEGORIES = ("base", "stationing", "routine", "special", "deduction")
KINDS = ("per_unit", "base", "ratio_to_best", "bands", "by_rank")
PERIOD_KIND = {"M": "month", "Q": "quarter", "H": "half", "Y": "year"}
CODE = re.compile(r"[^\s/]{1,64}")


def dec(value) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        return Fraction(value)
    return None


def share(value) -> Fraction | None:
    if isinstance(value, str):
        m = FRACTION.fullmatch(value)
        if m:
            n, d = int(m.group(1)), int(m.group(2))
            return Fraction(n, d) if d > 0 and n <= d else None
    v = dec(value)
    return v if v is not None and 0 <= v <= 1 else None


def valid_date(text) -> bool:
    try:
        return isinstance(text, str) and len(text) == 10 and bool(date.fromisoformat(text))
    except ValueError:
        return False


def period_kind_of(code) -> str | None:
    m = PERIOD_CODE.fullmatch(code) if isinstance(code, str) else None
    return PERIOD_KIND[code[4]] if m else None


def problems(bundle: dict) -> list[str]:
    out: list[str] = []

    def bad(path: str, what: str) -> None:
        out.append(f"{path}: {what}")

    fmt = bundle.get("format")
    if fmt not in ("gongfen-bundle/1", "gongfen-bundle/2"):
        bad("$.format", "unknown format")  # 1
    v2 = fmt == "gongfen-bundle/2"

    def unique(key: str, field: str = "code") -> dict:
        seen = {}
        for i, obj in enumerate(bundle.get(key, [])):
            code = obj.get(field)
            if not isinstance(code, str) or not CODE.fullmatch(code):
                bad(f"$.{key}[{i}].{field}", "not a code")
            elif code in seen:
                bad(f"$.{key}[{i}].{field}", "repeats")
            seen[code] = obj
        return seen

    units = unique("units")
    cadres = unique("cadres")
    schemes = unique("schemes")
    unique("groups")
    unique("entries", "id")
    for code, unit in units.items():  # references and cycles
        parent, chain = unit.get("parent"), {code}
        while parent is not None:
            if parent not in units:
                bad(f"$.units.{code}.parent", "names nothing")
                break
            if parent in chain:
                bad(f"$.units.{code}.parent", "cycle")
                break
            chain.add(parent)
            parent = units[parent].get("parent")
    for ci, cadre in enumerate(bundle.get("cadres", [])):
        for pi, post in enumerate(cadre.get("posts", [])):
            path = f"$.cadres[{ci}].posts[{pi}]"
            if post.get("unit") not in units:
                bad(path + ".unit", "names nothing")
            if not valid_date(post.get("start")) or (post.get("end") is not None and not valid_date(post["end"])):
                bad(path, "bad date")
            elif post.get("end") is not None and post["end"] < post["start"]:
                bad(path, "ends before it starts")

    leaves_of: dict[str, dict[str, dict]] = {}
    for si, s in enumerate(bundle.get("schemes", [])):
        leaves_of[s["code"]] = scheme_problems(s, f"$.schemes[{si}]", v2, units, bad)
    for gi, g in enumerate(bundle.get("groups", [])):
        if g.get("scheme") not in schemes:
            bad(f"$.groups[{gi}].scheme", "names nothing")
        select = g.get("select") or {}
        if not select or set(select) - {"unit", "position"}:
            bad(f"$.groups[{gi}].select", "must name a unit, a position or both")
        if "unit" in select and select["unit"] not in units:
            bad(f"$.groups[{gi}].select.unit", "names nothing")
    for ei, e in enumerate(bundle.get("entries", [])):
        path = f"$.entries[{ei}]"
        if e.get("cadre") not in cadres:
            bad(path + ".cadre", "names nothing")
        if e.get("scheme") not in schemes:
            bad(path + ".scheme", "names nothing")
        elif e.get("rule") not in leaves_of[e["scheme"]]:
            bad(path + ".rule", "names no leaf of its scheme, or a base leaf/rule")  # 10
        if not valid_date(e.get("occurred_on")):
            bad(path + ".occurred_on", "bad date")
        if "quantity" in e and ((q := dec(e["quantity"])) is None or q <= 0):
            bad(path + ".quantity", "not a decimal > 0")
        if e.get("status", "approved") not in ("declared", "pending", "approved", "rejected", "revoked"):
            bad(path + ".status", "unknown")
        if not v2 and isinstance(e.get("quantity"), int):
            bad(path + ".quantity", "a /1 decimal is a string")
    for bi, b in enumerate(bundle.get("ballots", [])):
        path = f"$.ballots[{bi}]"
        s = schemes.get(b.get("scheme"))
        if b.get("cadre") not in cadres or s is None:
            bad(path, "names nothing")
            continue
        if b.get("grade") not in s["grades"] or b.get("class") not in s["evaluator_classes"]:
            bad(path, "grade or class not in its scheme")
        if period_kind_of(b.get("period")) != s.get("period", "quarter"):
            bad(path + ".period", "not a period code of its scheme's kind")  # 17
    return out


def scheme_problems(s: dict, path: str, v2: bool, units: dict, bad) -> dict[str, dict]:
    """Checks one scheme; returns the leaves (or non-base rules) an entry may name."""
    if not v2:
        for key in V2_SCHEME_FIELDS:
            if key in s:
                bad(f"{path}.{key}", "a v2 field in a /1 bundle")  # 2
    if s.get("unit") not in units:
        bad(path + ".unit", "names nothing")
    if not isinstance(s.get("year"), int) or isinstance(s.get("year"), bool):
        bad(path + ".year", "not an integer")  # 11
    kind = s.get("period", "quarter")
    if kind not in ("month", "quarter", "half", "year"):
        bad(path + ".period", "unknown")
    if "min_days" in s and (not isinstance(s["min_days"], int) or s["min_days"] < 0):
        bad(path + ".min_days", "not an integer ≥ 0")
    w = s.get("weights", {})
    wq, wl = dec(w.get("quantitative")), dec(w.get("qualitative"))
    if wq is None or wl is None or wq + wl != 1:
        bad(path + ".weights", "do not sum to 1")
    for g, v in s.get("grades", {}).items():
        if dec(v) is None:
            bad(f"{path}.grades.{g}", "not a decimal")
    for k, v in s.get("evaluator_classes", {}).items():
        if dec(v) is None or dec(v) <= 0:
            bad(f"{path}.evaluator_classes.{k}", "weight ≤ 0")
    if ("items" in s) == ("rules" in s):
        bad(path, "needs exactly one of items and rules")  # 3
    veto_mode = s.get("veto_mode", "bottom")
    if veto_mode not in ("bottom", "bar_top"):
        bad(path + ".veto_mode", "unknown")  # 14
    entry_leaves: dict[str, dict] = {}
    vetoes: list = []
    tops: list[str] = []
    if "rules" in s:
        tops = list(CATEGORIES)
        if "deduction_item" in s:
            bad(path + ".deduction_item", "not on a rules scheme")
        seen = set()
        for ri, r in enumerate(s["rules"]):
            rp = f"{path}.rules[{ri}]"
            if r["code"] in seen:
                bad(rp + ".code", "repeats")
            seen.add(r["code"])
            if v2 and r["code"] in CATEGORIES:
                bad(rp + ".code", "a category code")  # 3
            category, points = r.get("category"), dec(r.get("points"))
            if category not in CATEGORIES or points is None:
                bad(rp, "unknown category or bad points")
                continue
            if (category == "deduction" and points > 0) or (category != "deduction" and points < 0):
                bad(rp + ".points", "sign contradicts its category")
            cap = r.get("cap")
            if cap is not None and (category == "base" or dec(cap) is None or dec(cap) < 0):
                bad(rp + ".cap", "a base rule's cap, or a cap < 0")
            veto = r.get("veto", False)
            if veto not in (False, None) and (category == "base" or (not v2 and veto is not True)):
                bad(rp + ".veto", "not allowed here")
            if v2 and veto not in (True, False, None, "bottom", "bar_top"):
                bad(rp + ".veto", "unknown")
            vetoes.append(veto)
            if category != "base":
                entry_leaves[r["code"]] = r
        for k, v in (s.get("category_caps") or {}).items():
            if k not in CATEGORIES or dec(v) is None or dec(v) < 0:
                bad(f"{path}.category_caps.{k}", "unknown category or cap < 0")
    elif "items" in s:
        if "category_caps" in s:
            bad(path + ".category_caps", "on an items scheme")  # 3
        codes: set[str] = set()
        tops = [i.get("code") for i in s["items"]]

        def item(it: dict, ip: str, top: bool) -> None:
            code = it.get("code")
            if code in codes:
                bad(ip + ".code", "repeats within its scheme")  # 4
            codes.add(code)
            if ("kind" in it) == ("children" in it):
                bad(ip, "needs exactly one of kind and children")
                return
            for key in ("floor", "cap", "start", "allotment"):
                if key in it and dec(it[key]) is None:
                    bad(f"{ip}.{key}", "not a decimal")  # 5
            if "start" in it and "allotment" in it:
                bad(ip, "both start and allotment")
            floor, cap = dec(it.get("floor")), dec(it.get("cap"))
            if "allotment" in it:
                floor = Fraction(0) if floor is None else floor
                cap = dec(it["allotment"]) if cap is None else cap
            if floor is not None and cap is not None and floor > cap:
                bad(ip, "floor above cap")
            if top and it.get("cap_exempt"):
                bad(ip + ".cap_exempt", "on a top-level item")  # 7
            if it.get("veto") not in (None, False) and it.get("kind") != "per_unit":
                bad(ip + ".veto", "only on a per_unit leaf")  # 8
            if "children" in it:
                for ci, child in enumerate(it["children"]):
                    item(child, f"{ip}.children[{ci}]", False)
                return
            kind = it["kind"]
            if kind not in KINDS:
                bad(ip + ".kind", "unknown")
                return
            if kind != "bands" and dec(it.get("points")) is None:
                bad(ip + ".points", "missing")
            if kind == "base":
                if any(k in it for k in ("floor", "cap", "start", "allotment")):
                    bad(ip, "a base leaf with floor, cap, start or allotment")  # 6
                if "positions" in it and not (
                    isinstance(it["positions"], list) and all(isinstance(p, str) for p in it["positions"])
                ):
                    bad(ip + ".positions", "not a list of strings")
            else:
                entry_leaves[code] = it
            if kind in ("ratio_to_best", "by_rank") and (dec(it.get("points")) or 0) < 0:
                bad(ip + ".points", "negative")  # 9
            if kind == "by_rank" and (dec(it.get("step")) is None or dec(it["step"]) < 0):
                bad(ip + ".step", "missing or negative")
            if kind == "bands":
                bands = it.get("bands") or []
                mins = [dec(b.get("min")) for b in bands]
                if not bands or None in mins or any(a <= b for a, b in itertools.pairwise(mins)):
                    bad(ip + ".bands", "empty, or mins not strictly decreasing")
                if any(dec(b.get("points")) is None for b in bands):
                    bad(ip + ".bands", "points not a decimal")
            if kind == "per_unit":
                if it.get("veto", False) not in (True, False, "bottom", "bar_top"):
                    bad(ip + ".veto", "unknown")
                vetoes.append(it.get("veto", False))

        for ti, top in enumerate(s["items"]):
            item(top, f"{path}.items[{ti}]", True)
        if "deduction_item" in s and s["deduction_item"] not in codes:
            bad(path + ".deduction_item", "names no item")  # 13
    for ci, c in enumerate(s.get("coefficients", [])):  # 12
        cp = f"{path}.coefficients[{ci}]"
        if c.get("by") not in ("position", "unit"):
            bad(cp + ".by", "unknown")
        for k, v in c.get("values", {}).items():
            if dec(v) is None or dec(v) <= 0:
                bad(f"{cp}.values.{k}", "≤ 0")
            if c.get("by") == "unit" and k not in units:
                bad(f"{cp}.values.{k}", "names no unit")
        if "default" in c and (dec(c["default"]) is None or dec(c["default"]) <= 0):
            bad(cp + ".default", "≤ 0")
        if "items" in c and (not c["items"] or any(t not in tops for t in c["items"])):
            bad(cp + ".items", "empty or names no top-level item")
    can_bar_top = veto_mode == "bar_top" or "bar_top" in vetoes
    policy = s.get("tier_policy", "proportional")
    if policy not in ("proportional", "cutoffs", "pingshi"):
        bad(path + ".tier_policy", "unknown")
    elif policy == "pingshi":
        if "tiers" in s:
            bad(path + ".tiers", "pingshi comes without tiers")
    else:
        tier_problems(s.get("tiers"), policy, path + ".tiers", can_bar_top, bad)
    q = s.get("qualitative")
    if q is not None:  # 15
        method = q.get("method")
        if method not in ("trimmed_mean", "vote_share"):
            bad(path + ".qualitative.method", "unknown")
        if method == "vote_share":
            grades = s.get("grades", {})
            top, low = q.get("top") or [], q.get("low") or []
            if not top or any(g not in grades for g in [*top, *low]) or set(top) & set(low):
                bad(path + ".qualitative", "top empty, grades unknown, or top and low share a grade")
            if "bands" in q:
                mins = [share(b.get("min")) for b in q["bands"]]
                if not q["bands"] or None in mins or any(a <= b for a, b in itertools.pairwise(mins)):
                    bad(path + ".qualitative.bands", "empty, bad share or not strictly decreasing")
            if "penalty" in q and (not low or share(q["penalty"].get("share")) is None):
                bad(path + ".qualitative.penalty", "without low, or a bad share")
    a = s.get("annual")
    if a is not None:  # 16
        if kind == "year":
            bad(path + ".annual", "on a year scheme")
        apolicy = a.get("tier_policy", "cutoffs")
        if apolicy not in ("cutoffs", "proportional"):
            bad(path + ".annual.tier_policy", "unknown")
        elif "tiers" in a:
            tier_problems(a["tiers"], apolicy, path + ".annual.tiers", can_bar_top, bad)
        elif apolicy == "proportional":
            bad(path + ".annual.tiers", "proportional grades need tiers with cumulative")
        mp = a.get("min_periods", 1)
        if not isinstance(mp, int) or isinstance(mp, bool) or mp < 1:
            bad(path + ".annual.min_periods", "not an integer ≥ 1")
    return entry_leaves


def tier_problems(tiers, policy: str, path: str, can_bar_top: bool, bad) -> None:
    if not tiers:
        bad(path, "empty")
        return
    names = [t.get("name") for t in tiers]
    if len(set(names)) != len(names):
        bad(path, "names repeat")
    if can_bar_top and len(tiers) < 2:
        bad(path, "a scheme that can veto bar_top needs two tiers")
    if policy == "proportional":
        cums = [dec(t.get("cumulative")) for t in tiers]
        if None in cums or any(not (0 < c <= 1) for c in cums) or cums[-1] != 1:
            bad(path, "cumulative not in (0, 1] or not ending at 1")
        elif any(a >= b for a, b in itertools.pairwise(cums)):
            bad(path, "cumulative not strictly increasing")
        return
    last_min = None
    for i, t in enumerate(tiers):
        tp = f"{path}[{i}]"
        if i == len(tiers) - 1 and ("min" in t or "max_share" in t):
            bad(tp, "the last cutoffs tier has min or max_share")
        if "min" in t:
            m = dec(t["min"])
            if m is None or (last_min is not None and m >= last_min):
                bad(tp + ".min", "does not strictly decrease")
            last_min = m
        if "max_share" in t and ((v := share(t["max_share"])) is None or v <= 0):
            bad(tp + ".max_share", "not a share > 0")
        if ("seat_rounding" in t or "min_seats" in t) and "max_share" not in t:
            bad(tp, "seat_rounding or min_seats without max_share")
        if t.get("seat_rounding", "floor") not in ("floor", "half_up", "ceil"):
            bad(tp + ".seat_rounding", "unknown")
        ms = t.get("min_seats", 0)
        if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
            bad(tp + ".min_seats", "not an integer ≥ 0")
