"""Turns a spec bundle straight into scoring-core input, without Django.

Only for testing the core against the worked examples on their own; the
product feeds the core from the database (``gongfen.rankings``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from gongfen.scoring import CadreData, GroupInput, PeriodData, Post, RuleDef, SchemeDef, Selector, TierDef
from gongfen.scoring.periods import Quarter


def scheme_def(s: dict) -> SchemeDef:
    return SchemeDef(
        code=s["code"],
        year=s["year"],
        weight_quantitative=Decimal(s["weights"]["quantitative"]),
        weight_qualitative=Decimal(s["weights"]["qualitative"]),
        grades={k: Decimal(v) for k, v in s["grades"].items()},
        evaluator_classes={k: Decimal(v) for k, v in s["evaluator_classes"].items()},
        tiers=tuple(TierDef(t["name"], Decimal(t["cumulative"])) for t in s["tiers"]),
        rules=tuple(
            RuleDef(
                r["code"],
                r["category"],
                Decimal(r["points"]),
                Decimal(r["cap"]) if r.get("cap") is not None else None,
                bool(r.get("veto")),
                frozenset(r.get("positions") or ()),
            )
            for r in s["rules"]
        ),
        category_caps={k: Decimal(v) for k, v in (s.get("category_caps") or {}).items()},
        min_days=s.get("min_days", 30),
    )


def lineage(units: dict, code: str) -> frozenset[str]:
    out = []
    while code:
        out.append(code)
        code = units[code].get("parent")
    return frozenset(out)


def period_data(bundle: dict, scheme: SchemeDef, period: Quarter) -> PeriodData:
    units = {u["code"]: u for u in bundle["units"]}
    rules = {r.code: r for r in scheme.rules}
    amounts: dict = defaultdict(lambda: defaultdict(Decimal))
    counts: dict = defaultdict(lambda: defaultdict(int))
    for e in bundle["entries"]:
        day = date.fromisoformat(e["occurred_on"])
        if e["scheme"] != scheme.code or e["status"] != "approved" or Quarter.containing(day) != period:
            continue
        amounts[e["cadre"]][e["rule"]] += rules[e["rule"]].points * Decimal(e.get("quantity", "1"))
        counts[e["cadre"]][e["rule"]] += 1
    ballots: dict = defaultdict(lambda: defaultdict(list))
    for b in bundle["ballots"]:
        if b["scheme"] == scheme.code and b["period"] == period.code:
            ballots[b["cadre"]][b["class"]].append(b["grade"])
    cadres = []
    for c in bundle["cadres"]:
        posts = tuple(
            Post(
                lineage(units, p["unit"]),
                p["position"],
                date.fromisoformat(p["start"]),
                date.fromisoformat(p["end"]) if p.get("end") else None,
            )
            for p in c["posts"]
        )
        cadres.append(
            CadreData(
                c["code"],
                posts,
                dict(amounts[c["code"]]),
                dict(counts[c["code"]]),
                {k: tuple(v) for k, v in ballots[c["code"]].items()},
            )
        )
    return PeriodData(period, tuple(cadres))


def group_input(bundle: dict, group_code: str, period_code: str) -> GroupInput:
    group = next(g for g in bundle["groups"] if g["code"] == group_code)
    scheme = scheme_def(next(s for s in bundle["schemes"] if s["code"] == group["scheme"]))
    period = Quarter.parse(period_code)
    prev = period.previous()
    select = group["select"]
    return GroupInput(
        group_code,
        scheme,
        Selector(select.get("unit"), select.get("position")),
        period_data(bundle, scheme, period),
        period_data(bundle, scheme, prev) if prev else None,
    )
