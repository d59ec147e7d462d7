"""How strong is the differential test? Plant one bug at a time in a copy of the reference and count the bundles
the comparison needs to see it (a manual tool, not a test: it takes a minute or two).

    .venv/bin/python -m tests.reference.mutants [BUNDLES]

Each mutant is a one-line edit of spec_v2.py that a careless reading of the spec could make. A mutant that
survives is either equivalent (no input can tell, e.g. capping K at N) or a corner the generator never reaches:
then teach generate.py to reach it. A mutant whose text no longer occurs in spec_v2.py is reported as stale.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

from .differential import compare
from .generate import FORMAT_V1, random_bundle

SOURCE = Path(__file__).with_name("spec_v2.py")
MUTANTS = {  # name: (text in spec_v2.py, replacement)
    "seat half_up read as floor": ("return math.floor(x + Fraction(1, 2))", "return math.floor(x)"),
    "seat ceil read as floor": ("return math.ceil(x)", "return math.floor(x)"),
    "a share ceiling splits a tie": (
        "            if seats is not None and held + len(group) > seats:\n                break",
        "            if seats is not None and held + len(group) > seats:\n"
        "                for row in group[: seats - held]:\n                    placed[row.cadre] = i\n"
        "                break",
    ),
    "bar_top a first-tier candidate": ('and not (i == 0 and r.veto == "bar_top")', ""),
    "proportional bar_top keeps the first tier": (
        "                row.tier = 1  # goes",
        "                row.tier = 0  # goes",
    ),
    "by_rank dense places": (
        "r = 1 + sum(1 for c in ranked if m.get((c, leaf.code), Fraction(0)) > own)",
        "r = 1 + len({m.get((c, leaf.code), Fraction(0)) for c in ranked if m.get((c, leaf.code), Fraction(0)) > own})",
    ),
    "ratio_to_best misses a member": (
        "best = max((m.get((c, leaf.code), Fraction(0)) for c in ranked), default=Fraction(0))",
        "best = max((m.get((c, leaf.code), Fraction(0)) for c in ranked[:-1]), default=Fraction(0))",
    ),
    "trimmed mean from 4 ballots": ("if len(values) >= 5:", "if len(values) >= 4:"),
    "penalty at low > share": ('low >= parse_share(penalty["share"])', 'low > parse_share(penalty["share"])'),
    "no vote band matched gives 100 × top": (
        "            return Fraction(0)\n        return 100 * top",
        "            return 100 * top\n        return 100 * top",
    ),
    "coefficient of the first member day": ("last_day = max(r[1] for r", "last_day = min(r[0] for r"),
    "coefficient the smallest over posts": (
        "value = max(self.coefficient_value(coefficient, post) for post in held)",
        "value = min(self.coefficient_value(coefficient, post) for post in held)",
    ),
    "unit coefficient of the farthest ancestor": (
        "for unit in self.world.lineage(post.unit):  # the nearest",
        "for unit in reversed(self.world.lineage(post.unit)):  # the nearest",
    ),
    "A off by a little": (
        "row.c = round2(sum((pr.c for _, pr in mine), Fraction(0)) / n)",
        "row.c = round2(sum((pr.c for _, pr in mine), Fraction(0)) / n + Fraction(1, 1000))",
    ),
    "min_days exclusive": ("if days >= threshold:", "if days > threshold:"),
    "cap_exempt inside the clamp": ("                if child.cap_exempt:\n", "                if False:\n"),
    "allotment without its floor 0": ("            item.floor = Fraction(0)", "            item.floor = None"),
    "annual veto from ranked periods only": (
        "row.veto = self.veto_of(cadre, lambda day: day.year == scheme.year)",
        "row.veto = self.veto_of(cadre, lambda day: any(r.period.contains(day) for r, _ in mine))",
    ),
    "min_periods ignored": ("if len(mine) < scheme.annual_min_periods or not mine:", "if not mine:"),
    "no D_total tie-break": (
        'return (row.veto == "bottom", -row.c, -row.q, -row.d_total)',
        'return (row.veto == "bottom", -row.c, -row.q)',
    ),
    "no Q tie-break": (
        'return (row.veto == "bottom", -row.c, -row.q, -row.d_total)',
        'return (row.veto == "bottom", -row.c, -row.d_total)',
    ),
    "L 1 without ballots": ("result[cadre] = Fraction(0)  # a ranked", "result[cadre] = Fraction(1)  # a ranked"),
    "veto true always bottom": (
        "    if raw is True:\n        return veto_mode",
        '    if raw is True:\n        return "bottom"',
    ),
    "bar_top prevails over bottom": (
        '        if "bottom" in modes:\n            return "bottom"',
        '        if "bar_top" in modes:\n            return "bar_top"',
    ),
    "base not rounded": (
        "return round2(leaf.points * covered_days(posts, period) / period.days)",
        "return leaf.points * covered_days(posts, period) / period.days",
    ),
    "pending entries count": (
        'if e.get("status", "approved") != "approved":',
        'if e.get("status", "approved") in ("rejected",):',
    ),
    "month min_days default 30": ('MIN_DAYS_DEFAULT = {"month": 10,', 'MIN_DAYS_DEFAULT = {"month": 30,'),
    "year min_days default 100": ('"half": 60, "year": 120}', '"half": 60, "year": 100}'),
    "pingshi without min_seats": ('seat_rounding="floor", min_seats=1)', 'seat_rounding="floor", min_seats=0)'),
    "annual 优秀 share 0.25": (
        'TierDef("优秀", max_share=Fraction(1, 5))',
        'TierDef("优秀", max_share=Fraction(1, 4))',
    ),
    "streak without the previous first tier": (
        "(row.tier == first and earlier and earlier.tier == first)",
        "(row.tier == first and earlier is not None)",
    ),
    "adjust without a previous period": (
        "if earlier is not None and earlier.tier == last:",
        "if earlier is None or earlier.tier == last:",
    ),
    "L̄ over every period": (
        "with_l = [pr.l for r, pr in mine if r.l_present]",
        "with_l = [pr.l or Fraction(0) for r, pr in mine] if any(r.l_present for r, _ in mine) else []",
    ),
    "quantity default 2": ("else Fraction(1)\n", "else Fraction(2)\n"),
    "start ignored": ("        raw = item.start + inner\n", "        raw = inner\n"),
    "positions [] means none": (
        "item.positions = list(positions) if positions else None  # v1",
        "item.positions = list(positions) if positions is not None else None  # v1",
    ),
    "K capped at N (equivalent: never more than N candidates)": ("seats = min(n, max(", "seats = (max("),
}


def mutant(old: str, new: str):
    text = SOURCE.read_text(encoding="utf-8")
    if old not in text:
        return None
    name = "tests.reference._mutant"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(text.replace(old, new, 1), str(SOURCE), "exec"), module.__dict__)
    return module


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 200
    bundles = [random_bundle(s) for s in range(count)] + [random_bundle(s, FORMAT_V1) for s in range(count // 3)]
    alive = []
    for name, (old, new) in MUTANTS.items():
        module = mutant(old, new)
        if module is None:
            print(f"{name:55s} STALE (text not in spec_v2.py)")
            continue
        started = time.time()
        found = next((i for i, b in enumerate(bundles) if compare(b, module.rank, (module.PeriodNotRankable,))), None)
        verdict = "ALIVE" if found is None else f"caught by bundle {found}"
        print(f"{name:55s} {verdict}  ({time.time() - started:.1f}s)", flush=True)
        if found is None:
            alive.append(name)
    print(f"{len(MUTANTS) - len(alive)} of {len(MUTANTS)} caught; alive: {alive}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
