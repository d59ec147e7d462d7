"""A ranking as the interchange JSON of the spec (``*.expected.json``)."""

from __future__ import annotations

from typing import Any

from .decimals import fmt2
from .types import Ranking, Row


def row_as_dict(row: Row) -> dict[str, Any]:
    return {
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


def ranking_as_dict(ranking: Ranking) -> dict[str, Any]:
    return {
        "group": ranking.group,
        "period": ranking.period.code,
        "size": ranking.size,
        "rows": [row_as_dict(row) for row in ranking.rows],
        "unranked": [{"cadre": u.cadre, "days": u.days} for u in ranking.unranked],
    }
