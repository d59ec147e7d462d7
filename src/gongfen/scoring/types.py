"""Plain data in and out of the scoring engine (no Django, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .periods import Quarter

CATEGORIES = ("base", "stationing", "routine", "special", "deduction")
RECOMMEND, RETRAIN, ADJUST = "recommend", "retrain", "adjust"


@dataclass(frozen=True)
class RuleDef:
    """One line of a scheme's scoring standard (赋分规则), as the engine sees it."""

    code: str
    category: str
    points: Decimal
    cap: Decimal | None = None
    veto: bool = False
    positions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TierDef:
    name: str
    cumulative: Decimal


@dataclass(frozen=True)
class SchemeDef:
    """A scheme's parameters (考核方案): weights, grades, classes, tiers, caps and rules."""

    code: str
    year: int
    weight_quantitative: Decimal
    weight_qualitative: Decimal
    grades: Mapping[str, Decimal]
    evaluator_classes: Mapping[str, Decimal]
    tiers: tuple[TierDef, ...]
    rules: tuple[RuleDef, ...]
    category_caps: Mapping[str, Decimal] = field(default_factory=dict)
    min_days: int = 30
    period_kind: str = "quarter"
    tier_policy: str = "proportional"
    action_policy: str = "streak"

    def rule(self, code: str) -> RuleDef:
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)


@dataclass(frozen=True)
class Selector:
    """Who a ranking group takes: posts under ``unit`` and/or of ``position`` (both → one post)."""

    unit: str | None = None
    position: str | None = None

    def matches(self, post: Post) -> bool:
        return (self.unit is None or self.unit in post.unit_lineage) and (
            self.position is None or self.position == post.position
        )


@dataclass(frozen=True)
class Post:
    """A post held over a date range; ``unit_lineage`` is the unit's code and all its ancestors'."""

    unit_lineage: frozenset[str]
    position: str
    start: date
    end: date | None = None


@dataclass(frozen=True)
class CadreData:
    """Everything the engine needs about one cadre for one scheme and period.

    ``rule_amounts``: per non-base rule, the sum of granted points × quantity
    over approved entries (the maintained totals). ``rule_counts``: per rule,
    the number of approved entries net of revocations (for vetoes).
    ``ballots``: per evaluator class, the grade names given.
    """

    code: str
    posts: tuple[Post, ...] = ()
    rule_amounts: Mapping[str, Decimal] = field(default_factory=dict)
    rule_counts: Mapping[str, int] = field(default_factory=dict)
    ballots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodData:
    period: Quarter
    cadres: tuple[CadreData, ...]


@dataclass(frozen=True)
class GroupInput:
    code: str
    scheme: SchemeDef
    selector: Selector
    current: PeriodData
    previous: PeriodData | None = None


# --- output -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleLine:
    """A rule's contribution: ``raw`` before its cap, ``amount`` after; base rules show days."""

    rule: str
    category: str
    raw: Decimal
    amount: Decimal
    cap: Decimal | None = None
    days: int | None = None


@dataclass(frozen=True)
class CategoryLine:
    category: str
    raw: Decimal
    amount: Decimal
    cap: Decimal | None = None


@dataclass(frozen=True)
class ClassMean:
    evaluator_class: str
    weight: Decimal
    ballots: int
    trimmed: bool
    mean: Decimal  # exact when it terminates, else to 10 places (display only)


@dataclass(frozen=True)
class Breakdown:
    """How a row's numbers came about: entries → rule caps → category caps → Q → Qn → C."""

    days: int
    period_days: int
    rules: tuple[RuleLine, ...]
    categories: tuple[CategoryLine, ...]
    max_quantitative: Decimal
    classes: tuple[ClassMean, ...]


@dataclass(frozen=True)
class Row:
    cadre: str
    rank: int
    tier: str
    tier_index: int
    quantitative: Decimal
    deductions: Decimal
    normalized: Decimal
    qualitative: Decimal | None
    composite: Decimal
    vetoed: bool
    actions: tuple[str, ...]
    breakdown: Breakdown


@dataclass(frozen=True)
class Unranked:
    cadre: str
    days: int


@dataclass(frozen=True)
class Ranking:
    group: str
    period: Quarter
    rows: tuple[Row, ...]
    unranked: tuple[Unranked, ...]

    @property
    def size(self) -> int:
        return len(self.rows)
