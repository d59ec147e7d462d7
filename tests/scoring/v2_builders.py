"""Small ``gongfen-bundle/2`` bundles for hand-made cases of the v2 engine (see ``test_v2_engine``).

Default world: units KH > T > (T-A, T-B); group G selects unit T; scheme S of 2026, quarterly,
weights 1/0 (C = Qn unless a test gives ballots and other weights), four proportional tiers
0.25/0.5/0.75/1; every cadre holds one post 一般干部 in T since 2020.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from gongfen.scoring import rank_group
from gongfen.scoring.annual import grade_year
from gongfen.scoring.bundle import rank_bundle, rank_bundle_input
from gongfen.scoring.types import YearInput

UNITS = [
    {"code": "KH", "name": "县", "kind": "county", "parent": None},
    {"code": "T", "name": "镇", "kind": "township", "parent": "KH"},
    {"code": "T-A", "name": "甲片", "kind": "office", "parent": "T"},
    {"code": "T-B", "name": "乙片", "kind": "office", "parent": "T"},
]
TIERS = [
    {"name": "一档", "cumulative": "0.25"},
    {"name": "二档", "cumulative": "0.5"},
    {"name": "三档", "cumulative": "0.75"},
    {"name": "四档", "cumulative": "1"},
]


def leaf(code: str, kind: str = "per_unit", points: str | None = "1", **kw) -> dict:
    out: dict[str, Any] = {"code": code, "kind": kind}
    if points is not None and kind != "bands":
        out["points"] = points
    out.update(kw)
    return out


def node(code: str, *children: dict, **kw) -> dict:
    return {"code": code, "children": list(children), **kw}


def scheme(items=None, **kw) -> dict:
    out: dict[str, Any] = {
        "code": "S",
        "name": "方案",
        "unit": "T",
        "year": 2026,
        "weights": {"quantitative": "1", "qualitative": "0"},
        "grades": {"优秀": "100", "良好": "85", "一般": "70", "较差": "50"},
        "evaluator_classes": {"leader": "0.5", "peer": "0.5"},
        "tiers": copy.deepcopy(TIERS),
    }
    if items is not None:
        out["items"] = items
    out.update(kw)
    if out.get("tier_policy") == "pingshi":
        out.pop("tiers", None)
    return out


def post(unit: str = "T", position: str = "一般干部", start: str = "2020-01-01", end: str | None = None) -> dict:
    return {"unit": unit, "position": position, "start": start, "end": end}


def cadre(code: str, *posts: dict) -> dict:
    return {"code": code, "name": code, "posts": list(posts) or [post()]}


_IDS = itertools.count(1)


def entry(cadre_code: str, rule: str, day: str = "2026-08-01", quantity=None, status="approved") -> dict:
    out: dict[str, Any] = {"id": f"E{next(_IDS)}", "cadre": cadre_code, "scheme": "S", "rule": rule, "occurred_on": day}
    if quantity is not None:
        out["quantity"] = quantity
    if status is not None:
        out["status"] = status
    return out


def ballot(cadre_code: str, grade: str, klass: str = "peer", period: str = "2026Q3") -> dict:
    return {"cadre": cadre_code, "scheme": "S", "period": period, "class": klass, "grade": grade}


def bundle(the_scheme: dict, cadres, entries=(), ballots=(), select=None, fmt: int = 2) -> dict:
    return {
        "format": f"gongfen-bundle/{fmt}",
        "units": copy.deepcopy(UNITS),
        "cadres": list(cadres),
        "schemes": [the_scheme],
        "groups": [{"code": "G", "name": "组", "scheme": "S", "select": select or {"unit": "T"}}],
        "entries": list(entries),
        "ballots": list(ballots),
    }


def rank(b: dict, period: str = "2026Q3") -> dict:
    return rank_bundle(b, "G", period)


def by_cadre(ranking: dict) -> dict[str, dict]:
    return {row["cadre"]: row for row in ranking["rows"]}


def core_ranking(b: dict, period: str = "2026Q3"):
    """The core's Ranking (rows with their breakdowns) of the bundle's group G."""
    prepared = rank_bundle_input(b, "G", period)
    return grade_year(prepared) if isinstance(prepared, YearInput) else rank_group(prepared)


def items_of(ranking, cadre_code: str) -> dict:
    row = next(r for r in ranking.rows if r.cadre == cadre_code)
    return {line.code: line for line in row.breakdown.items}
