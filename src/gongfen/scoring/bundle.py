"""Rank straight from an interchange bundle, in memory (``gongfen-bundle/1`` and ``/2``, spec v2 §13–§15).

:func:`rank_bundle` reads a *valid* bundle (checking it is the interchange's job) with every default of
§13/§14 — a missing ``status`` is approved, ``quantity`` 1, JSON integers as decimals, ``"n/d"`` shares,
``min_days`` by period kind, the ``pingshi`` tiers, the annual defaults — and returns the ranking JSON of
§15. The product ranks from its database instead; this is the reference path of the core alone (the
worked examples, the differential tests) and uses the very same engine.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .annual import grade_year
from .engine import RankingError, rank_group
from .output import ranking_as_dict
from .periods import PERIOD_KINDS, PeriodError, is_year_code, parse_period
from .tree import BASE, INTERNAL, PER_UNIT, Plan
from .types import (
    ANNUAL_TIERS,
    AnnualDef,
    Band,
    CadreData,
    CoefficientDef,
    GroupInput,
    ItemDef,
    Penalty,
    PeriodData,
    Post,
    QualitativeDef,
    RuleDef,
    SchemeDef,
    Selector,
    TierDef,
    VoteBand,
    YearInput,
)

FORMATS = {"gongfen-bundle/1": 1, "gongfen-bundle/2": 2}
ONE = Decimal(1)


def decimal(value: Any) -> Decimal | None:
    """A bundle decimal: a string like ``"-2.5"`` or a JSON integer; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a decimal")
    return Decimal(value) if isinstance(value, int) else Decimal(str(value))


def share(value: Any) -> Fraction | None:
    """A share: a decimal in [0, 1] or an exact fraction ``"n/d"``."""
    if value is None:
        return None
    if isinstance(value, str) and "/" in value:
        num, den = value.split("/")
        return Fraction(int(num), int(den))
    return Fraction(decimal(value))


def tier_def(t: dict) -> TierDef:
    return TierDef(
        t["name"],
        cumulative=decimal(t.get("cumulative")),
        min=decimal(t.get("min")),
        max_share=share(t.get("max_share")),
        seat_rounding=t.get("seat_rounding", "floor"),
        min_seats=int(t.get("min_seats", 0)),
    )


def item_def(it: dict) -> ItemDef:
    children = None
    if "children" in it and it.get("kind") is None:
        children = tuple(item_def(child) for child in it["children"] or ())
    return ItemDef(
        it["code"],
        children=children,
        kind=it.get("kind"),
        floor=decimal(it.get("floor")),
        cap=decimal(it.get("cap")),
        start=decimal(it.get("start")),
        allotment=decimal(it.get("allotment")),
        cap_exempt=bool(it.get("cap_exempt", False)),
        points=decimal(it.get("points")),
        positions=frozenset(it.get("positions") or ()),
        bands=tuple(Band(decimal(b["min"]), decimal(b["points"])) for b in it.get("bands") or ()),
        step=decimal(it.get("step")),
        veto=it.get("veto", False) or False,
        name=it.get("name", ""),
        unit=it.get("unit", ""),
    )


def qualitative_def(q: dict | None) -> QualitativeDef:
    if not q:
        return QualitativeDef()
    penalty = q.get("penalty")
    return QualitativeDef(
        method=q.get("method", "trimmed_mean"),
        top=frozenset(q.get("top") or ()),
        low=frozenset(q.get("low") or ()),
        bands=tuple(VoteBand(share(b["min"]), decimal(b["score"])) for b in q.get("bands") or ()),
        penalty=Penalty(share(penalty["share"]), decimal(penalty["score"])) if penalty else None,
    )


def annual_def(a: dict | None) -> AnnualDef | None:
    if a is None:
        return None
    tiers = a.get("tiers")
    return AnnualDef(
        tier_policy=a.get("tier_policy", "cutoffs"),
        tiers=tuple(tier_def(t) for t in tiers) if tiers else ANNUAL_TIERS,
        min_periods=int(a.get("min_periods", 1)),
    )


def scheme_def(s: dict, version: int = 2) -> SchemeDef:
    """A bundle's scheme as the core's :class:`SchemeDef` (v1 ``rules`` or a v2 ``items`` tree)."""
    rules = ()
    if "rules" in s and s.get("items") is None:
        rules = tuple(
            RuleDef(
                r["code"],
                r["category"],
                decimal(r["points"]),
                decimal(r.get("cap")),
                r.get("veto", False) or False,
                frozenset(r.get("positions") or ()),
            )
            for r in s["rules"]
        )
    items = tuple(item_def(it) for it in s["items"]) if s.get("items") is not None else None
    return SchemeDef(
        code=s["code"],
        year=int(s["year"]),
        weight_quantitative=decimal(s["weights"]["quantitative"]),
        weight_qualitative=decimal(s["weights"]["qualitative"]),
        grades={k: decimal(v) for k, v in s["grades"].items()},
        evaluator_classes={k: decimal(v) for k, v in s["evaluator_classes"].items()},
        tiers=tuple(tier_def(t) for t in s.get("tiers") or ()),
        rules=rules,
        category_caps={k: decimal(v) for k, v in (s.get("category_caps") or {}).items()},
        min_days=s.get("min_days"),
        period_kind=s.get("period", "quarter"),
        tier_policy=s.get("tier_policy", "proportional"),
        items=items,
        deduction_item=s.get("deduction_item"),
        coefficients=tuple(
            CoefficientDef(
                c["by"],
                {k: decimal(v) for k, v in c["values"].items()},
                decimal(c["default"]) if c.get("default") is not None else ONE,
                tuple(c["items"]) if c.get("items") is not None else None,
            )
            for c in s.get("coefficients") or ()
        ),
        veto_mode=s.get("veto_mode", "bottom"),
        qualitative=qualitative_def(s.get("qualitative")),
        annual=annual_def(s.get("annual")),
        version=version,
    )


class _Bundle:
    """The bundle's facts indexed once: unit paths, posts, entries and ballots by scheme and period."""

    def __init__(self, bundle: dict):
        fmt = bundle.get("format")
        if fmt not in FORMATS:
            raise RankingError(f"unknown bundle format {fmt!r}")
        self.version = FORMATS[fmt]
        self.bundle = bundle
        parents = {u["code"]: u.get("parent") for u in bundle.get("units", ())}
        self.paths: dict[str, tuple[str, ...]] = {}
        for code in parents:
            path, unit = [], code
            while unit is not None and unit not in path:
                path.append(unit)
                unit = parents.get(unit)
            self.paths[code] = tuple(path)
        self.posts = {
            c["code"]: tuple(
                Post.in_unit(
                    self.paths.get(p["unit"], (p["unit"],)),
                    p["position"],
                    date.fromisoformat(p["start"]),
                    date.fromisoformat(p["end"]) if p.get("end") else None,
                )
                for p in c.get("posts") or ()
            )
            for c in bundle.get("cadres", ())
        }

    def period_data(self, scheme: SchemeDef, plan: Plan, periods) -> list[PeriodData]:
        """The data of each period: every cadre, its leaves' measures, per_unit amounts, counts, ballots."""
        kind = PERIOD_KINDS[scheme.period_kind]
        wanted = {p: i for i, p in enumerate(periods)}
        leaves = {plan.codes[i]: (plan.kinds[i], plan.nodes[i].points) for i in range(plan.size)}
        measures = [defaultdict(lambda: defaultdict(lambda: Decimal(0))) for _ in periods]
        amounts = [defaultdict(lambda: defaultdict(lambda: Decimal(0))) for _ in periods]
        counts = [defaultdict(lambda: defaultdict(int)) for _ in periods]
        for e in self.bundle.get("entries", ()):
            if e.get("scheme") != scheme.code or e.get("status", "approved") != "approved":
                continue
            leaf = leaves.get(e.get("rule"))
            if leaf is None or leaf[0] in (BASE, INTERNAL):
                continue
            i = wanted.get(kind.containing(date.fromisoformat(e["occurred_on"])))
            if i is None:
                continue
            quantity = decimal(e.get("quantity", 1))
            cadre, rule = e["cadre"], e["rule"]
            measures[i][cadre][rule] += quantity
            counts[i][cadre][rule] += 1
            if leaf[0] == PER_UNIT:
                amounts[i][cadre][rule] += leaf[1] * quantity
        codes = {p.code: i for p, i in wanted.items()}
        ballots = [defaultdict(lambda: defaultdict(list)) for _ in periods]
        for b in self.bundle.get("ballots", ()):
            i = codes.get(b.get("period"))
            if b.get("scheme") == scheme.code and i is not None:
                ballots[i][b["cadre"]][b["class"]].append(b["grade"])
        out = []
        for i, period in enumerate(periods):
            cadres = tuple(
                CadreData(
                    code,
                    posts,
                    dict(amounts[i].get(code, {})),
                    dict(counts[i].get(code, {})),
                    {k: tuple(v) for k, v in ballots[i].get(code, {}).items()},
                    dict(measures[i].get(code, {})),
                )
                for code, posts in self.posts.items()
            )
            out.append(PeriodData(period, cadres))
        return out


def group_parts(bundle: dict, group: str) -> tuple[_Bundle, dict, SchemeDef, Selector]:
    b = _Bundle(bundle)
    found = next((g for g in bundle.get("groups", ()) if g.get("code") == group), None)
    if found is None:
        raise RankingError(f"the bundle has no group {group}")
    scheme_dict = next((s for s in bundle.get("schemes", ()) if s.get("code") == found.get("scheme")), None)
    if scheme_dict is None:
        raise RankingError(f"group {group} names no scheme of the bundle")
    select = found.get("select") or {}
    return b, found, scheme_def(scheme_dict, b.version), Selector(select.get("unit"), select.get("position"))


def rank_bundle_input(bundle: dict, group: str, period: str) -> GroupInput | YearInput:
    """The core's input for one group and period of a bundle (a :class:`YearInput` for an annual grading)."""
    b, _, scheme, selector = group_parts(bundle, group)
    plan = Plan(scheme)
    if is_year_code(period) and scheme.period_kind != "year":
        if scheme.annual is None:
            raise RankingError(
                f"scheme {scheme.code} of group {group} has no annual grading; it has no period {period}"
            )
        year = int(period[:4])
        if year != scheme.year:
            raise RankingError(f"group {group} uses scheme {scheme.code} of {scheme.year}; it has no period {period}")
        periods = PERIOD_KINDS[scheme.period_kind].all_of_year(year)
        return YearInput(group, scheme, selector, tuple(b.period_data(scheme, plan, periods)))
    try:
        current = parse_period(period, scheme.period_kind)
    except PeriodError as exc:
        raise RankingError(f"group {group}: {exc}") from exc
    if current.year != scheme.year:
        raise RankingError(f"group {group} uses scheme {scheme.code} of {scheme.year}; it has no period {period}")
    previous = current.previous()
    data = b.period_data(scheme, plan, [current] if previous is None else [current, previous])
    return GroupInput(group, scheme, selector, data[0], data[1] if previous is not None else None)


def rank_bundle(bundle: dict, group: str, period: str) -> dict:
    """The ranking JSON (§15) of ``group`` for ``period`` (``YYYYY``: the annual grading where §12 allows).

    Raises :class:`RankingError` for a group the bundle does not have or a period the group cannot be
    ranked for. The bundle must be valid; it is read as its ``format`` says.
    """
    version = FORMATS.get(bundle.get("format"))
    if version is None:
        raise RankingError(f"unknown bundle format {bundle.get('format')!r}")
    prepared = rank_bundle_input(bundle, group, period)
    ranking = grade_year(prepared) if isinstance(prepared, YearInput) else rank_group(prepared)
    return ranking_as_dict(ranking, version)
