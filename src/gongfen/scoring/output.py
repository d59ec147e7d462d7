"""A ranking as the interchange JSON of the spec (``*.expected.json``, v2 §15).

Version 1 (a ``gongfen-bundle/1`` bundle) is exactly v1's shape. Version 2 adds to each period row
``veto``, ``items`` (every item code, tree pre-order → its value before coefficients, 2 decimals) and
``coefficients`` (every top-level item → k_t in shortest exact form); to each annual row ``veto`` and
``periods``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .decimals import fmt2
from .types import Ranking, Row


def shortest(value: Decimal) -> str:
    """A decimal written exactly in its shortest form: "1", "0.9", "1.08", "10"."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def row_as_dict(row: Row, version: int = 1, ranking: Ranking | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "cadre": row.cadre,
        "rank": row.rank,
        "tier": row.tier,
        "quantitative": fmt2(row.quantitative),
        "quantitative_normalized": fmt2(row.normalized),
        "qualitative": fmt2(row.qualitative),
        "composite": fmt2(row.composite),
        "vetoed": row.vetoed,
        "actions": list(row.actions),
    }
    if version >= 2:
        out["veto"] = row.veto
        if ranking is not None and ranking.annual:
            out["periods"] = list(row.periods)
        else:
            bd = row.breakdown
            codes = ranking.item_codes if ranking is not None else bd.item_codes
            tops = ranking.top_codes if ranking is not None else bd.plan.top_codes
            out["items"] = {code: fmt2(value) for code, value in zip(codes, bd.values, strict=True)}
            out["coefficients"] = {code: shortest(k) for code, k in zip(tops, bd.coefficients, strict=True)}
    return out


def ranking_as_dict(ranking: Ranking, version: int | None = None) -> dict[str, Any]:
    """The ranking JSON; ``version`` defaults to the ranking's own (its scheme's interchange shape)."""
    version = ranking.version if version is None else version
    return {
        "group": ranking.group,
        "period": ranking.period.code,
        "size": ranking.size,
        "rows": [row_as_dict(row, version, ranking) for row in ranking.rows],
        "unranked": [{"cadre": u.cadre, "days": u.days} for u in ranking.unranked],
    }
