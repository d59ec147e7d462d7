"""A deliberately plain re-reading of ``scoring-v2.md``, for differential tests of the core.

It reads a (valid) bundle dict straight, follows the spec's sentences in their order, and shares no code
with ``gongfen.scoring``: dates are sets of days, every number a ``Fraction``, the tree is evaluated
recursively, ranks and tiers by counting. Slow, and meant to be: the core must agree with it to the
cent on random bundles (``test_v2_properties``).
"""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta
from fractions import Fraction

CATS = ("base", "stationing", "routine", "special", "deduction")
MIN_DAYS = {"month": 10, "quarter": 30, "half": 60, "year": 120}
PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}
PINGSHI = [
    {"name": "好", "min": "90", "max_share": "0.4", "seat_rounding": "floor", "min_seats": 1},
    {"name": "较好", "min": "80"},
    {"name": "一般", "min": "60"},
    {"name": "较差"},
]
ANNUAL = [{"name": "优秀", "max_share": "0.2"}, {"name": "称职"}, {"name": "基本称职"}, {"name": "不称职"}]


class NotRankable(Exception):
    pass


def F(x) -> Fraction | None:
    if x is None:
        return None
    if isinstance(x, str) and "/" in x:
        a, b = x.split("/")
        return Fraction(int(a), int(b))
    return Fraction(str(x)) if not isinstance(x, int) else Fraction(x)


def half_up(x: Fraction) -> Fraction:
    sign = -1 if x < 0 else 1
    return sign * Fraction(math.floor(abs(x) * 100 + Fraction(1, 2)), 100)


def show(x: Fraction | None) -> str | None:
    if x is None:
        return None
    r = half_up(x)
    cents = abs(r.numerator * 100 // r.denominator)
    text = f"{cents // 100}.{cents % 100:02d}"
    return "-" + text if r < 0 and cents else text


def shortest(x: Fraction) -> str:
    # x terminates (a product of decimals): write it with as few digits as needed
    for places in range(0, 60):
        scaled = x * 10**places
        if scaled.denominator == 1:
            n = scaled.numerator
            sign = "-" if n < 0 else ""
            digits = str(abs(n)).rjust(places + 1, "0")
            whole, frac = digits[: len(digits) - places], digits[len(digits) - places :]
            return sign + whole + ("." + frac if places else "")
    raise AssertionError(x)


# --- periods -------------------------------------------------------------------------------------


def period_days(kind: str, year: int, number: int) -> list[date]:
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
    out = []
    for month in range(months * (number - 1) + 1, months * number + 1):
        out += [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    return out


def code_of(kind: str, year: int, number: int) -> str:
    return {"month": f"{year}M{number:02d}", "quarter": f"{year}Q{number}", "half": f"{year}H{number}"}.get(
        kind, f"{year}Y"
    )


def parse(kind: str, code: str) -> tuple[int, int]:
    for n in range(1, PER_YEAR[kind] + 1):
        for year in (int(code[:4]),) if code[:4].isdigit() else ():
            if code_of(kind, year, n) == code:
                return year, n
    raise NotRankable(code)


# --- the bundle ------------------------------------------------------------------------------------


class World:
    def __init__(self, bundle: dict, group: str):
        self.bundle = bundle
        self.v2 = bundle["format"] == "gongfen-bundle/2"
        self.parent = {u["code"]: u.get("parent") for u in bundle["units"]}
        g = [x for x in bundle["groups"] if x["code"] == group]
        if not g:
            raise NotRankable(group)
        self.group = g[0]
        self.s = next(s for s in bundle["schemes"] if s["code"] == self.group["scheme"])
        self.kind = self.s.get("period", "quarter")
        self.year = self.s["year"]
        self.min_days = self.s["min_days"] if self.s.get("min_days") is not None else MIN_DAYS[self.kind]
        self.tree = self.s["items"] if "items" in self.s else self.v1_tree()
        self.flat: list[tuple[dict, int]] = []  # (item, depth) pre-order
        self.walk(self.tree, 0)
        self.item = {it["code"]: it for it, _ in self.flat}
        self.tiers = PINGSHI if self.s.get("tier_policy") == "pingshi" else self.s["tiers"]

    def v1_tree(self) -> list[dict]:
        out = []
        for cat in CATS:
            kids = []
            for r in self.s["rules"]:
                if r["category"] != cat:
                    continue
                if cat == "base":
                    kids.append(
                        {"code": r["code"], "kind": "base", "points": r["points"], "positions": r.get("positions")}
                    )
                else:
                    k = {"code": r["code"], "kind": "per_unit", "points": r["points"], "veto": r.get("veto", False)}
                    if r.get("cap") is not None:
                        k["floor" if cat == "deduction" else "cap"] = (
                            str(-F(r["cap"])) if cat == "deduction" else r["cap"]
                        )
                    kids.append(k)
            it = {"code": cat, "children": kids}
            cap = (self.s.get("category_caps") or {}).get(cat)
            if cap is not None:
                it["floor" if cat == "deduction" else "cap"] = str(-F(cap)) if cat == "deduction" else cap
            out.append(it)
        return out

    def walk(self, items, depth):
        for it in items:
            self.flat.append((it, depth))
            if "children" in it and "kind" not in it:
                self.walk(it["children"], depth + 1)

    def lineage(self, unit: str) -> list[str]:
        out = []
        while unit is not None:
            out.append(unit)
            unit = self.parent.get(unit)
        return out

    def matches(self, p: dict) -> bool:
        sel = self.group["select"]
        if sel.get("unit") is not None and sel["unit"] not in self.lineage(p["unit"]):
            return False
        return sel.get("position") is None or p["position"] == sel["position"]

    def covers(self, p: dict, d: date) -> bool:
        start = date.fromisoformat(p["start"])
        end = date.fromisoformat(p["end"]) if p.get("end") else None
        return start <= d and (end is None or d <= end)

    def member_posts(self, c: dict) -> list[dict]:
        return [p for p in c["posts"] if self.matches(p)]

    def days(self, c: dict, dates: list[date], positions=None) -> int:
        posts = [p for p in self.member_posts(c) if positions is None or p["position"] in positions]
        return sum(1 for d in dates if any(self.covers(p, d) for p in posts))

    def entries(self, cadre: str, dates: list[date]):
        ds = set(dates)
        for e in self.bundle["entries"]:
            mine = e["cadre"] == cadre and e["scheme"] == self.s["code"]
            if mine and e.get("status", "approved") == "approved" and date.fromisoformat(e["occurred_on"]) in ds:
                yield e

    def measure(self, cadre: str, leaf: str, dates) -> Fraction:
        return sum((F(e.get("quantity", 1)) for e in self.entries(cadre, dates) if e["rule"] == leaf), Fraction(0))


# --- one period ----------------------------------------------------------------------------------------


def bounds(it: dict):
    start, lo, hi = F(it.get("start")) or Fraction(0), F(it.get("floor")), F(it.get("cap"))
    if it.get("allotment") is not None:
        start = F(it["allotment"])
        lo = Fraction(0) if it.get("floor") is None else lo
        hi = F(it["allotment"]) if it.get("cap") is None else hi
    return start, lo, hi


def clamp(x, lo, hi):
    if lo is not None and x < lo:
        x = lo
    if hi is not None and x > hi:
        x = hi
    return x


def rank_period(w: World, number: int, previous_tiers=None):
    dates = period_days(w.kind, w.year, number)
    pcode = code_of(w.kind, w.year, number)
    ranked, unranked = [], []
    for c in w.bundle["cadres"]:
        d = w.days(c, dates)
        if d == 0:
            continue
        if d < max(w.min_days, 1):
            unranked.append((c["code"], d))
        else:
            ranked.append(c)
    codes = [c["code"] for c in ranked]
    m = {(c["code"], it["code"]): w.measure(c["code"], it["code"], dates) for c in ranked for it, _ in w.flat}

    def score(c, it) -> Fraction:
        kind, code = it["kind"], it["code"]
        mine = m[(c["code"], code)]
        if kind == "per_unit":
            return F(it["points"]) * mine
        if kind == "base":
            positions = it.get("positions")
            d = w.days(c, dates, positions if positions else None)
            return half_up(F(it["points"]) * d / len(dates))
        if kind == "ratio_to_best":
            best = max(m[(o, code)] for o in codes)
            return Fraction(0) if best == 0 else half_up(F(it["points"]) * mine / best)
        if kind == "bands":
            for band in it["bands"]:
                if mine >= F(band["min"]):
                    return F(band["points"])
            return Fraction(0)
        if kind == "by_rank":
            if mine == 0:
                return Fraction(0)
            r = 1 + sum(1 for o in codes if m[(o, code)] > mine)
            return max(Fraction(0), F(it["points"]) - F(it["step"]) * (r - 1))
        raise AssertionError(kind)

    def value(c, it, out) -> Fraction:
        start, lo, hi = bounds(it)
        if "kind" in it:
            raw = start + score(c, it) if it["kind"] != "base" else score(c, it)
            v = raw if it["kind"] == "base" else clamp(raw, lo, hi)
        else:
            kids = [(k, value(c, k, out)) for k in it["children"]]
            raw = start + sum((v for k, v in kids if not k.get("cap_exempt")), Fraction(0))
            v = clamp(raw, lo, hi) + sum((v for k, v in kids if k.get("cap_exempt")), Fraction(0))
        out[it["code"]] = v
        return v

    rows = []
    for c in ranked:
        vals: dict[str, Fraction] = {}
        for t in w.tree:
            value(c, t, vals)
        # coefficients: the last member day's matching posts
        last = max(d for d in dates if any(w.covers(p, d) for p in w.member_posts(c)))
        held = [p for p in w.member_posts(c) if w.covers(p, last)]
        ks = {t["code"]: Fraction(1) for t in w.tree}
        for co in w.s.get("coefficients") or []:
            default = F(co.get("default", "1"))
            best = None
            for p in held:
                if co["by"] == "position":
                    v = F(co["values"][p["position"]]) if p["position"] in co["values"] else default
                else:
                    v = next((F(co["values"][u]) for u in w.lineage(p["unit"]) if u in co["values"]), default)
                best = v if best is None or v > best else best
            for t in co.get("items") or [t["code"] for t in w.tree]:
                ks[t] *= best
        q = sum((vals[t["code"]] * ks[t["code"]] for t in w.tree), Fraction(0))
        ded = w.s.get("deduction_item") or ("deduction" if "deduction" in w.item else None)
        d_total = vals[ded] if ded else Fraction(0)
        modes = set()
        for e in w.entries(c["code"], dates):
            it = w.item[e["rule"]]
            if it.get("kind") == "per_unit" and it.get("veto"):
                modes.add(w.s.get("veto_mode", "bottom") if it["veto"] is True else it["veto"])
        veto = "bottom" if "bottom" in modes else ("bar_top" if modes else None)
        rows.append({"cadre": c["code"], "Q": q, "D": d_total, "veto": veto, "items": vals, "k": ks})
    # L
    ballots = [
        b for b in w.bundle["ballots"] if b["scheme"] == w.s["code"] and b["period"] == pcode and b["cadre"] in codes
    ]
    qual = w.s.get("qualitative") or {"method": "trimmed_mean"}
    for r in rows:
        if not ballots:
            r["L"] = None
            continue
        num = den = Fraction(0)
        for klass, weight in w.s["evaluator_classes"].items():
            grades = [b["grade"] for b in ballots if b["cadre"] == r["cadre"] and b["class"] == klass]
            if not grades:
                continue
            if qual.get("method", "trimmed_mean") == "trimmed_mean":
                vs = sorted(F(w.s["grades"][g]) for g in grades)
                if len(vs) >= 5:
                    vs = vs[1:-1]
                s_k = sum(vs, Fraction(0)) / len(vs)
            else:
                n = len(grades)
                top = Fraction(sum(1 for g in grades if g in qual["top"]), n)
                low = Fraction(sum(1 for g in grades if g in (qual.get("low") or [])), n)
                pen = qual.get("penalty")
                if pen and low >= F(pen["share"]):
                    s_k = F(pen["score"])
                elif qual.get("bands"):
                    s_k = next((F(b["score"]) for b in qual["bands"] if top >= F(b["min"])), Fraction(0))
                else:
                    s_k = 100 * top
            num += F(weight) * s_k
            den += F(weight)
        r["L"] = half_up(num / den) if den else Fraction(0)
    max_q = max((r["Q"] for r in rows), default=Fraction(0))
    wq, wl = F(w.s["weights"]["quantitative"]), F(w.s["weights"]["qualitative"])
    for r in rows:
        r["Qn"] = half_up(100 * r["Q"] / max_q) if max_q > 0 else Fraction(0)
        r["C"] = r["Qn"] if r["L"] is None else half_up(wq * r["Qn"] + wl * r["L"])
    order(rows, "C", "Q", "D")
    tiers_of(rows, w.s.get("tier_policy", "proportional"), w.tiers)
    last = len(w.tiers) - 1
    for r in rows:
        prev = (previous_tiers or {}).get(r["cadre"])
        acts = []
        if r["veto"] is None and (r["rank"] == 1 or (r["tier"] == 0 and prev == 0)):
            acts.append("recommend")
        if r["tier"] == last:
            acts.append("retrain")
            if prev == last:
                acts.append("adjust")
        r["actions"] = acts
        r["tier_name"] = w.tiers[r["tier"]]["name"]
    rows.sort(key=lambda r: (r["rank"], r["cadre"]))
    return rows, sorted(unranked), pcode


def order(rows, c, q, d):
    def key(r):
        return (1 if r["veto"] == "bottom" else 0, -r[c], -r[q], -r[d])

    for r in rows:
        r["rank"] = 1 + sum(1 for o in rows if key(o) < key(r))


def tiers_of(rows, policy, tiers):
    n, last = len(rows), len(tiers) - 1
    for r in rows:
        r["tier"] = last
    if policy == "proportional":
        for r in rows:
            if r["veto"] == "bottom":
                continue
            for i, t in enumerate(tiers):
                if r["rank"] <= math.floor(F(t["cumulative"]) * n):
                    r["tier"] = i
                    break
            if r["tier"] == 0 and r["veto"] == "bar_top":
                r["tier"] = 1
        return
    free = sorted((r for r in rows if r["veto"] != "bottom"), key=lambda r: (r["rank"], r["cadre"]))
    for i, t in enumerate(tiers[:-1]):
        cands = [r for r in free if not (i == 0 and r["veto"] == "bar_top")]
        k = None
        if t.get("max_share") is not None:
            x = F(t["max_share"]) * n
            how = t.get("seat_rounding", "floor")
            k = math.floor(x) if how == "floor" else math.ceil(x) if how == "ceil" else math.floor(x + Fraction(1, 2))
            k = min(max(t.get("min_seats", 0), k), n)
        taken = []
        for rank in sorted({r["rank"] for r in cands}):
            grp = [r for r in cands if r["rank"] == rank]
            if t.get("min") is not None and grp[0]["C"] < F(t["min"]):
                break
            if k is not None and len(taken) + len(grp) > k:
                break
            taken += grp
        for r in taken:
            r["tier"] = i
        free = [r for r in free if r not in taken]


def as_json(group, pcode, rows, unranked, v2):
    out_rows = []
    for r in rows:
        row = {
            "cadre": r["cadre"],
            "rank": r["rank"],
            "tier": r["tier_name"],
            "quantitative": show(r["Q"]),
            "quantitative_normalized": show(r["Qn"]),
            "qualitative": show(r["L"]),
            "composite": show(r["C"]),
            "vetoed": r["veto"] is not None,
            "actions": r["actions"],
        }
        if v2:
            row["veto"] = r["veto"]
            if "periods" in r:
                row["periods"] = r["periods"]
            else:
                row["items"] = {code: show(v) for code, v in r["items"].items()}
                row["coefficients"] = {code: shortest(k) for code, k in r["k"].items()}
        out_rows.append(row)
    return {
        "group": group,
        "period": pcode,
        "size": len(rows),
        "rows": out_rows,
        "unranked": [{"cadre": c, "days": d} for c, d in unranked],
    }


def reference_rank(bundle: dict, group: str, period: str) -> dict:
    w = World(bundle, group)
    if w.kind != "year" and period == f"{w.year}Y" and w.s.get("annual") is not None:
        return annual(w, group)
    year, number = parse(w.kind, period)
    if year != w.year:
        raise NotRankable(period)
    previous = None
    if number > 1:
        prev_rows, _, _ = rank_period(w, number - 1)
        previous = {r["cadre"]: r["tier"] for r in prev_rows}
    rows, unranked, pcode = rank_period(w, number, previous)
    for r in rows:  # items in pre-order
        r["items"] = {it["code"]: r["items"][it["code"]] for it, _ in w.flat}
    return as_json(group, pcode, rows, unranked, w.v2)


def annual(w: World, group: str) -> dict:
    a = w.s["annual"]
    per: dict[str, list] = {}
    for number in range(1, PER_YEAR[w.kind] + 1):
        rows, _, pcode = rank_period(w, number)
        for r in rows:
            per.setdefault(r["cadre"], []).append((pcode, r))
    year_dates = period_days("year", w.year, 1)
    members, unranked = [], []
    for c in w.bundle["cadres"]:
        got = per.get(c["code"], [])
        if len(got) >= a.get("min_periods", 1):
            members.append((c, got))
        else:
            d = w.days(c, year_dates)
            if d:
                unranked.append((c["code"], d))
    rows = []
    for c, got in members:
        n = len(got)
        ls = [r["L"] for _, r in got if r["L"] is not None]
        modes = set()
        for e in w.entries(c["code"], year_dates):
            it = w.item[e["rule"]]
            if it.get("kind") == "per_unit" and it.get("veto"):
                modes.add(w.s.get("veto_mode", "bottom") if it["veto"] is True else it["veto"])
        rows.append(
            {
                "cadre": c["code"],
                "C": half_up(sum((r["C"] for _, r in got), Fraction(0)) / n),
                "Q": sum((r["Q"] for _, r in got), Fraction(0)) / n,
                "D": sum((r["D"] for _, r in got), Fraction(0)) / n,
                "Qn": half_up(sum((r["Qn"] for _, r in got), Fraction(0)) / n),
                "L": half_up(sum(ls, Fraction(0)) / len(ls)) if ls else None,
                "veto": "bottom" if "bottom" in modes else ("bar_top" if modes else None),
                "periods": [p for p, _ in got],
            }
        )
    tiers = a.get("tiers") or ANNUAL
    order(rows, "C", "Q", "D")
    tiers_of(rows, a.get("tier_policy", "cutoffs"), tiers)
    last = len(tiers) - 1
    for r in rows:
        r["actions"] = (["recommend"] if r["veto"] is None and r["rank"] == 1 else []) + (
            ["retrain"] if r["tier"] == last else []
        )
        r["tier_name"] = tiers[r["tier"]]["name"]
    rows.sort(key=lambda r: (r["rank"], r["cadre"]))
    return as_json(group, f"{w.year}Y", rows, sorted(unranked), True)


def _self_check() -> None:  # the little helpers do what they say
    assert show(Fraction(-1, 8)) == "-0.13" and show(Fraction(-1, 1000)) == "0.00" and show(Fraction(5)) == "5.00"
    assert (
        shortest(Fraction(108, 100)) == "1.08" and shortest(Fraction(1)) == "1" and shortest(Fraction(9, 10)) == "0.9"
    )
    assert len(period_days("half", 2024, 1)) == 182 and len(period_days("month", 2026, 2)) == 28
    assert period_days("quarter", 2026, 3)[-1] - period_days("quarter", 2026, 3)[0] == timedelta(days=91)


_self_check()
