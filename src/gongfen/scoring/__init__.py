"""The scoring core: plain data in, plain data out; no Django, no database.

It is the one place where the rules of ``shared/spec/scoring.md`` live.
"""

from .decimals import fmt2, round2
from .engine import RankingError, rank_group, rank_groups
from .output import ranking_as_dict
from .periods import PeriodError, Quarter, parse_period, period_of
from .qualitative import BallotError
from .types import (
    CATEGORIES,
    Breakdown,
    CadreData,
    GroupInput,
    PeriodData,
    Post,
    Ranking,
    Row,
    RuleDef,
    SchemeDef,
    Selector,
    TierDef,
)

__all__ = [
    "CATEGORIES",
    "BallotError",
    "Breakdown",
    "CadreData",
    "GroupInput",
    "PeriodData",
    "PeriodError",
    "Post",
    "Quarter",
    "Ranking",
    "RankingError",
    "Row",
    "RuleDef",
    "SchemeDef",
    "Selector",
    "TierDef",
    "fmt2",
    "parse_period",
    "period_of",
    "rank_group",
    "rank_groups",
    "ranking_as_dict",
    "round2",
]
