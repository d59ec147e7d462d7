"""Comparing the product's pure ranker with the reference, and shrinking a bundle on which they differ.

    python -m tests.reference.differential SEED [FORMAT]    # reproduce one seed: prints the shrunk bundle and diff

``compare(bundle, rank_product)`` returns the first (group, period) on which the two differ, or None. The product
side is any callable ``(bundle, group, period) -> dict`` that raises for an unrankable period (the test passes
``gongfen.scoring.bundle.rank_bundle``).
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .generate import FORMAT_V2, random_bundle
from .spec_v2 import PeriodNotRankable, rank, rank_all
from .validity import problems

Ranker = Callable[[dict, str, str], dict]
NOT_RANKABLE = "not rankable"


@dataclass
class Mismatch:
    group: str
    period: str
    reference: object  # the ranking dict, or NOT_RANKABLE
    product: object  # the ranking dict, NOT_RANKABLE, or the repr of an unexpected exception

    def describe(self) -> str:
        lines = [f"group {self.group}, period {self.period}"]
        ref, got = self.reference, self.product
        if not isinstance(ref, dict) or not isinstance(got, dict):
            lines.append(f"  reference: {short(ref)}")
            lines.append(f"  product:   {short(got)}")
            return "\n".join(lines)
        for key in ("group", "period", "size", "unranked"):
            if ref.get(key) != got.get(key):
                lines.append(f"  {key}: reference {json.dumps(ref.get(key), ensure_ascii=False)}")
                lines.append(f"  {key}: product   {json.dumps(got.get(key), ensure_ascii=False)}")
        ref_rows = {r["cadre"]: r for r in ref.get("rows", [])}
        got_rows = {r.get("cadre"): r for r in got.get("rows", [])}
        if [r["cadre"] for r in ref.get("rows", [])] != [r.get("cadre") for r in got.get("rows", [])]:
            lines.append(f"  row order: reference {[r['cadre'] for r in ref.get('rows', [])]}")
            lines.append(f"  row order: product   {[r.get('cadre') for r in got.get('rows', [])]}")
        for cadre in sorted(set(ref_rows) | set(got_rows), key=str):
            a, b = ref_rows.get(cadre), got_rows.get(cadre)
            if a == b:
                continue
            if a is None or b is None:
                lines.append(f"  {cadre}: reference {short(a)}  product {short(b)}")
                continue
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    lines.append(
                        f"  {cadre}.{key}: reference {json.dumps(a.get(key), ensure_ascii=False)}"
                        f"  product {json.dumps(b.get(key), ensure_ascii=False)}"
                    )
        return "\n".join(lines)


def short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) < 400 else text[:400] + "…"


def outcome(ranker: Ranker, bundle: dict, group: str, period: str, unrankable: tuple[type[BaseException], ...]):
    try:
        return ranker(copy.deepcopy(bundle), group, period)
    except unrankable:
        return NOT_RANKABLE
    except Exception as error:  # a crash is a difference too, and is reported as one
        return f"{type(error).__name__}: {error}"


def not_rankable_codes(bundle: dict, group: str) -> list[str]:
    """A few period codes the group must refuse (§2): another year, another kind, YYYYY without `annual`."""
    scheme = next(
        s for s in bundle["schemes"] if s["code"] == next(g for g in bundle["groups"] if g["code"] == group)["scheme"]
    )
    year, kind = scheme["year"], scheme.get("period", "quarter")
    codes = [f"{year + 1}Q1", f"{year - 1}M12", f"{year + 1}Y"]
    codes += [c for k, c in (("month", f"{year}M03"), ("quarter", f"{year}Q2"), ("half", f"{year}H2")) if k != kind]
    if kind != "year" and "annual" not in scheme:
        codes.append(f"{year}Y")
    return codes


def compare_one(bundle: dict, group: str, period: str, product: Ranker, unrankable) -> Mismatch | None:
    ref = outcome(rank, bundle, group, period, (PeriodNotRankable,))
    got = outcome(product, bundle, group, period, unrankable)
    return None if ref == got else Mismatch(group, period, ref, got)


def compare(bundle: dict, product: Ranker, unrankable: tuple[type[BaseException], ...]) -> Mismatch | None:
    """The first (group, period) where product and reference differ: every group × every rankable period
    (periods_of, annual grading included), then a few periods each group must refuse."""
    for (group, period), ref in rank_all(bundle).items():
        got = outcome(product, bundle, group, period, unrankable)
        if got != ref:
            return Mismatch(group, period, ref, got)
    for group in [g["code"] for g in bundle["groups"]]:
        for period in not_rankable_codes(bundle, group):
            mismatch = compare_one(bundle, group, period, product, unrankable)
            if mismatch is not None:
                return mismatch
    return None


# ---------------------------------------------------------------------------
# Shrinking: greedy removal while the bundle stays valid and the difference stays
# ---------------------------------------------------------------------------


def _without(bundle: dict, key: str, drop: set[int]) -> dict:
    out = copy.deepcopy(bundle)
    out[key] = [x for i, x in enumerate(out.get(key, [])) if i not in drop]
    return out


def _candidates(bundle: dict, group: str):
    """Smaller bundles, biggest cuts first."""
    for key in ("entries", "ballots"):
        n = len(bundle.get(key, []))
        size = n
        while size >= 1:
            for start in range(0, n, size):
                yield _without(bundle, key, set(range(start, min(n, start + size))))
            size //= 2
    for i, cadre in enumerate(bundle.get("cadres", [])):  # a cadre and everything of it
        out = _without(bundle, "cadres", {i})
        out["entries"] = [e for e in out["entries"] if e["cadre"] != cadre["code"]]
        out["ballots"] = [b for b in out["ballots"] if b["cadre"] != cadre["code"]]
        yield out
    for i, g in enumerate(bundle.get("groups", [])):
        if g["code"] != group:
            yield _without(bundle, "groups", {i})
    target_scheme = next(g["scheme"] for g in bundle["groups"] if g["code"] == group)
    for i, s in enumerate(bundle.get("schemes", [])):
        if s["code"] != target_scheme:
            out = _without(bundle, "schemes", {i})
            for key in ("groups", "entries", "ballots"):
                out[key] = [x for x in out[key] if x["scheme"] != s["code"]]
            yield out
    for ci, cadre in enumerate(bundle.get("cadres", [])):
        for pi in range(len(cadre.get("posts", []))):
            out = copy.deepcopy(bundle)
            del out["cadres"][ci]["posts"][pi]
            yield out
    used = {p["unit"] for c in bundle["cadres"] for p in c.get("posts", [])} | {s["unit"] for s in bundle["schemes"]}
    parents = {u.get("parent") for u in bundle["units"]}
    for i, u in enumerate(bundle.get("units", [])):
        if u["code"] not in used and u["code"] not in parents:
            yield _without(bundle, "units", {i})
    for si, scheme in enumerate(bundle["schemes"]):
        yield from _scheme_candidates(bundle, si, scheme)
    for i, e in enumerate(bundle.get("entries", [])):
        for field in ("quantity", "status"):
            if field in e:
                out = copy.deepcopy(bundle)
                del out["entries"][i][field]
                yield out


def _scheme_candidates(bundle: dict, si: int, scheme: dict):
    for key in ("annual", "qualitative", "coefficients", "veto_mode", "min_days", "deduction_item", "category_caps"):
        if key in scheme:
            out = copy.deepcopy(bundle)
            del out["schemes"][si][key]
            yield out
    for ci in range(len(scheme.get("coefficients", []))):
        out = copy.deepcopy(bundle)
        del out["schemes"][si]["coefficients"][ci]
        yield out
    if "rules" in scheme:
        for ri, rule in enumerate(scheme["rules"]):
            out = copy.deepcopy(bundle)
            del out["schemes"][si]["rules"][ri]
            out["entries"] = [
                e for e in out["entries"] if not (e["scheme"] == scheme["code"] and e["rule"] == rule["code"])
            ]
            yield out
        return

    # items: delete a subtree (and the entries naming its leaves), or drop an optional field
    def paths(items, prefix=()):
        for i, item in enumerate(items):
            yield (*prefix, i), item
            yield from paths(item.get("children", []), (*prefix, i, "children"))

    for path, item in list(paths(scheme.get("items", []))):
        out = copy.deepcopy(bundle)
        container = out["schemes"][si]["items"]
        for step in path[:-1]:
            container = container[step]
        removed = container.pop(path[-1])
        gone = set(_codes(removed))
        out["entries"] = [e for e in out["entries"] if not (e["scheme"] == scheme["code"] and e["rule"] in gone)]
        yield out
        for field in ("floor", "cap", "start", "allotment", "cap_exempt", "veto", "name", "positions", "unit"):
            if field in item:
                out = copy.deepcopy(bundle)
                target = out["schemes"][si]["items"]
                for step in path:
                    target = target[step]
                del target[field]
                yield out


def _codes(item: dict):
    yield item["code"]
    for child in item.get("children", []):
        yield from _codes(child)


def shrink(bundle: dict, group: str, period: str, product: Ranker, unrankable, budget: int = 3000) -> dict:
    """Greedily removes parts of the bundle while it stays valid (§14) and the two still differ on (group, period)."""
    current = bundle
    improved = True
    while improved and budget > 0:
        improved = False
        for candidate in _candidates(current, group):
            budget -= 1
            if budget <= 0:
                break
            if problems(candidate):
                continue
            if compare_one(candidate, group, period, product, unrankable) is not None:
                current = candidate
                improved = True
                break
    return current


def report(bundle: dict, mismatch: Mismatch, product: Ranker, unrankable, label: str) -> str:
    """The text a failing test shows: the shrunk bundle and the differing rows on it."""
    small = shrink(bundle, mismatch.group, mismatch.period, product, unrankable)
    again = compare_one(small, mismatch.group, mismatch.period, product, unrankable) or mismatch
    return (
        f"product and reference differ ({label})\n{again.describe()}\n"
        f"shrunk bundle:\n{json.dumps(small, ensure_ascii=False, separators=(',', ':'))}\n"
    )


def product_ranker() -> tuple[Ranker, tuple[type[BaseException], ...]]:
    from gongfen.scoring import RankingError
    from gongfen.scoring.bundle import rank_bundle

    return rank_bundle, (RankingError,)


def main(argv: list[str]) -> int:
    seed = int(argv[0])
    fmt = argv[1] if len(argv) > 1 else FORMAT_V2
    bundle = random_bundle(seed, fmt)
    product, unrankable = product_ranker()
    mismatch = compare(bundle, product, unrankable)
    if mismatch is None:
        print(f"seed {seed} ({fmt}): product and reference agree")
        return 0
    print(report(bundle, mismatch, product, unrankable, f"seed {seed}, {fmt}"))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
