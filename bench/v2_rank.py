#!/usr/bin/env python3
"""Benchmark of the scoring core alone: a 1,000-cadre group on a v1 scheme and on an equivalent v2 tree.

    .venv/bin/python bench/v2_rank.py                  # 1,000 cadres, 2026Q3 with its previous quarter
    .venv/bin/python bench/v2_rank.py --cadres 5000 --repeat 20 --profile

No database: the synthetic group goes straight into ``gongfen.scoring.rank_group`` (the maintained
totals a ranking reads — amounts, measures, counts, posts, ballots — built in memory with a fixed seed).
Two schemes score the same entries:

- **v1**: 20 rules (2 base, 18 in the four other categories, caps on a third of them, category caps
  on special and deduction, one veto rule);
- **v2**: the same 20 leaves in a 3-level tree of 27 items — nested internal items with caps, a
  作风纪律 allotment, a cap-exempt bonus, a ``bands`` leaf, a ``ratio_to_best`` and a ``by_rank`` leaf
  in place of three per-unit rules — with a position and a unit coefficient, cut-off tiers under a
  share ceiling and vote-share qualitative scores.

Each ranking is timed ``--repeat`` times (the current quarter and its previous one, as the product
ranks them); it prints median and p95 per scheme and their ratio. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from gongfen.scoring import (
    Band,
    CadreData,
    CoefficientDef,
    GroupInput,
    ItemDef,
    PeriodData,
    Post,
    QualitativeDef,
    RuleDef,
    SchemeDef,
    Selector,
    TierDef,
    VoteBand,
    rank_group,
)
from gongfen.scoring.periods import Quarter

D = Decimal
CATEGORIES = ("stationing", "routine", "special", "deduction")
GRADES = {"优秀": D(100), "良好": D(85), "一般": D(70), "较差": D(50)}
CLASSES = {"leader": D("0.4"), "peer": D("0.3"), "public": D("0.3")}
UNITS = ("QX", "QX-A", "QX-B", "QX-C")


def v1_rules() -> tuple[RuleDef, ...]:
    rules = [
        RuleDef("B-GEN", "base", D(60), positions=frozenset({"一般干部"})),
        RuleDef("B-MID", "base", D(70), positions=frozenset({"中层干部"})),
    ]
    points = ("0.5", "1", "1.5", "2", "4", "3")
    for i in range(18):
        category = CATEGORIES[i % 4]
        p = D(points[i % len(points)])
        if category == "deduction":
            p = -p
        rules.append(RuleDef(f"R{i:02d}", category, p, D(20) if i % 3 == 0 else None, i == 3))
    return tuple(rules)


def v1_scheme() -> SchemeDef:
    return SchemeDef(
        code="V1",
        year=2026,
        weight_quantitative=D("0.7"),
        weight_qualitative=D("0.3"),
        grades=GRADES,
        evaluator_classes=CLASSES,
        tiers=tuple(TierDef(n, D(c)) for n, c in (("一档", "0.2"), ("二档", "0.7"), ("三档", "0.95"), ("四档", "1"))),
        rules=v1_rules(),
        category_caps={"special": D(15), "deduction": D(20)},
    )


def v2_scheme() -> SchemeDef:
    """The same 20 leaves (codes and points) in a deeper tree with every v2 feature on the path."""
    r = {rule.code: rule for rule in v1_rules()}

    def per_unit(code, **kw):
        rule = r[code]
        return ItemDef(code, kind="per_unit", points=rule.points, cap=None if rule.points < 0 else rule.cap, **kw)

    def deduction(code, **kw):
        rule = r[code]
        return ItemDef(code, kind="per_unit", points=rule.points, veto=rule.veto, **kw)

    items = (
        ItemDef(
            "base",
            children=(
                ItemDef("B-GEN", kind="base", points=D(60), positions=frozenset({"一般干部"})),
                ItemDef("B-MID", kind="base", points=D(70), positions=frozenset({"中层干部"})),
            ),
        ),
        ItemDef(
            "station",
            cap=D(25),
            children=(
                ItemDef("st-days", cap=D(20), children=(per_unit("R00"), per_unit("R04"))),
                ItemDef("st-visits", children=(per_unit("R08"), per_unit("R12"))),
                ItemDef("R16", kind="by_rank", points=D(10), step=D(2)),
            ),
        ),
        ItemDef(
            "duty",
            cap=D(40),
            children=(
                ItemDef("du-tasks", cap=D(25), children=(per_unit("R01"), per_unit("R05"), per_unit("R09"))),
                ItemDef("R13", kind="bands", bands=(Band(D(90), D(10)), Band(D(60), D(6)), Band(D(0), D(2)))),
                ItemDef(
                    "du-disc",
                    allotment=D(10),
                    children=(deduction("R07"), deduction("R11")),
                ),
                per_unit("R17", cap_exempt=True),
            ),
        ),
        ItemDef(
            "special",
            cap=D(15),
            children=(
                per_unit("R02"),
                per_unit("R06"),
                ItemDef("R10", kind="ratio_to_best", points=D(8)),
                per_unit("R14", cap_exempt=True),
            ),
        ),
        ItemDef("deduction", floor=D(-20), children=(deduction("R03"), deduction("R15"))),
    )
    return SchemeDef(
        code="V2",
        year=2026,
        weight_quantitative=D("0.7"),
        weight_qualitative=D("0.3"),
        grades=GRADES,
        evaluator_classes=CLASSES,
        tiers=(
            TierDef("一档", min=D(85), max_share=D("0.2")),
            TierDef("二档", min=D(70)),
            TierDef("三档", min=D(50)),
            TierDef("四档"),
        ),
        tier_policy="cutoffs",
        items=items,
        coefficients=(
            CoefficientDef("position", {"中层干部": D("0.9"), "一般干部": D("0.8")}, items=("duty",)),
            CoefficientDef("unit", {"QX-A": D("1.2"), "QX-B": D("1.1")}, items=("station",)),
        ),
        qualitative=QualitativeDef(
            "vote_share",
            top=frozenset({"优秀"}),
            low=frozenset({"较差"}),
            bands=(VoteBand(D("0.9"), D(100)), VoteBand(D("0.7"), D(90)), VoteBand(D(0), D(80))),
        ),
    )


def cadres(rules: tuple[RuleDef, ...], n: int, seed: int) -> tuple[CadreData, ...]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        unit = rnd.choice(UNITS)
        path = (unit, "QX") if unit != "QX" else ("QX",)
        position = rnd.choice(("一般干部", "中层干部"))
        start = date(2020, 1, 1) if rnd.random() < 0.9 else date(2026, 8, rnd.randint(1, 20))
        posts = (Post.in_unit((*path, "KH"), position, start),)
        amounts, counts, measures = {}, {}, {}
        for rule in rules[2:]:
            if rnd.random() < 0.4:
                quantity = D(rnd.randint(1, 6)) if rule.code != "R13" else D(rnd.randint(40, 100))
                entries = rnd.randint(1, 3)
                amounts[rule.code] = rule.points * quantity
                measures[rule.code] = quantity
                counts[rule.code] = entries if rule.code != "R03" or rnd.random() < 0.02 else 0
        ballots = {k: tuple(rnd.choice(tuple(GRADES)) for _ in range(rnd.randint(0, 7))) for k in CLASSES}
        out.append(CadreData(f"C{i:05d}", posts, amounts, counts, ballots, measures))
    return tuple(out)


def group(scheme: SchemeDef, data: tuple[CadreData, ...], previous: tuple[CadreData, ...]) -> GroupInput:
    return GroupInput(
        scheme.code,
        scheme,
        Selector(unit="QX"),
        PeriodData(Quarter(2026, 3), data),
        PeriodData(Quarter(2026, 2), previous),
    )


def timed(g: GroupInput, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each ranking (CPU time is steadier on a shared machine)."""
    rank_group(g)  # warm up
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        rank_group(g)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - t) * 1000)
    return sorted(wall), sorted(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cadres", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="cProfile one v2 ranking (top 20)")
    args = parser.parse_args()

    rules = v1_rules()
    current, previous = cadres(rules, args.cadres, args.seed), cadres(rules, args.cadres, args.seed + 1)
    v1, v2 = group(v1_scheme(), current, previous), group(v2_scheme(), current, previous)
    ranked = rank_group(v2)
    leaves = sum(1 for line in ranked.rows[0].breakdown.items if line.kind is not None)
    print(
        f"cadres: {args.cadres} (ranked now: {ranked.size}); v1: 20 rules; v2: {len(ranked.item_codes)} items, {leaves} leaves"
    )
    print("each ranking: 2026Q3 and its previous quarter 2026Q2, as the product ranks a period")
    print(f"{'scheme':8} {'median ms':>10} {'p95 ms':>8} {'CPU median ms':>14} {'CPU µs per cadre-period':>24}")
    results = {}
    for name, g in (("v1", v1), ("v2 tree", v2)):
        wall, cpu = timed(g, args.repeat)
        median, p95, cpu_median = statistics.median(wall), wall[int(0.95 * (len(wall) - 1))], statistics.median(cpu)
        results[name] = (median, cpu_median)
        print(
            f"{name:8} {median:>10.1f} {p95:>8.1f} {cpu_median:>14.1f} {1000 * cpu_median / (2 * args.cadres):>24.1f}"
        )
    (w1, c1), (w2, c2) = results["v1"], results["v2 tree"]
    print(f"v2 / v1: {w2 / w1:.2f} wall clock, {c2 / c1:.2f} CPU")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(rank_group, v2)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
