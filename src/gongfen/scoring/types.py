"""Plain data in and out of the scoring engine (no Django, no database).

Input: a :class:`SchemeDef` (v1 ``rules`` + ``category_caps``, or a v2 item tree
``items``), a :class:`Selector`, and per period the :class:`CadreData` of the
cadres that may be members. Output: a :class:`Ranking` of :class:`Row` s, each
with its :class:`Breakdown`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .periods import Period

if TYPE_CHECKING:  # pragma: no cover
    from .tree import Plan

CATEGORIES = ("base", "stationing", "routine", "special", "deduction")
RECOMMEND, RETRAIN, ADJUST = "recommend", "retrain", "adjust"
BOTTOM, BAR_TOP = "bottom", "bar_top"
LEAF_KINDS = ("per_unit", "base", "ratio_to_best", "bands", "by_rank")
DEFAULT_MIN_DAYS = {"month": 10, "quarter": 30, "half": 60, "year": 120}
ONE = Decimal(1)


def _stable_repr(obj) -> str:
    """A dataclass's repr with its sets sorted: the same in every process (the ranking cache keys on reprs)."""
    parts = []
    for name in obj.__dataclass_fields__:
        value = getattr(obj, name)
        text = f"frozenset({sorted(value)!r})" if isinstance(value, frozenset) else repr(value)
        parts.append(f"{name}={text}")
    return f"{type(obj).__name__}({', '.join(parts)})"


@dataclass(frozen=True)
class RuleDef:
    """One line of a v1 scheme's scoring standard (赋分规则); §4.5 reads it as a leaf of its category's item."""

    code: str
    category: str
    points: Decimal
    cap: Decimal | None = None
    veto: bool | str = False
    positions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Band:
    """A ``bands`` leaf's band: the points of the first band whose ``min`` the measure reaches."""

    min: Decimal
    points: Decimal


@dataclass(frozen=True)
class ItemDef:
    """An item of a v2 scheme's tree (指标体系, §4): internal (``children``) or a leaf (``kind``, §5).

    ``allotment`` A means start A, floor 0, cap A unless ``floor``/``cap`` are given (扣完为止).
    ``veto``: False, True (the scheme's ``veto_mode``), ``"bottom"`` or ``"bar_top"`` (per_unit leaves).
    """

    code: str
    children: tuple[ItemDef, ...] | None = None
    kind: str | None = None
    floor: Decimal | None = None
    cap: Decimal | None = None
    start: Decimal | None = None
    allotment: Decimal | None = None
    cap_exempt: bool = False
    points: Decimal | None = None
    positions: frozenset[str] = frozenset()
    bands: tuple[Band, ...] = ()
    step: Decimal | None = None
    veto: bool | str = False
    name: str = ""
    unit: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "positions", frozenset(self.positions))

    def __repr__(self) -> str:
        return _stable_repr(self)

    @property
    def is_leaf(self) -> bool:
        return self.kind is not None


@dataclass(frozen=True)
class CoefficientDef:
    """岗位系数 / 难度系数 (§6): by ``position`` or ``unit``; ``items`` = top-level codes (None = all)."""

    by: str
    values: Mapping[str, Decimal]
    default: Decimal = ONE
    items: tuple[str, ...] | None = None


def _share(value: Decimal | Fraction | str | int | None) -> Fraction | None:
    if value is None or isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        num, den = value.split("/")
        return Fraction(int(num), int(den))
    return Fraction(Decimal(value) if isinstance(value, str) else value)


@dataclass(frozen=True)
class TierDef:
    """A tier (分档). ``cumulative`` for proportional tiers; ``min``, ``max_share``, ``seat_rounding``
    (floor | half_up | ceil) and ``min_seats`` for cut-off tiers (§10). Shares are kept as exact fractions."""

    name: str
    cumulative: Decimal | None = None
    min: Decimal | None = None
    max_share: Fraction | None = None
    seat_rounding: str = "floor"
    min_seats: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_share", _share(self.max_share))


PINGSHI_TIERS = (
    TierDef("好", min=Decimal(90), max_share=Fraction(2, 5), seat_rounding="floor", min_seats=1),
    TierDef("较好", min=Decimal(80)),
    TierDef("一般", min=Decimal(60)),
    TierDef("较差"),
)
ANNUAL_TIERS = (TierDef("优秀", max_share=Fraction(1, 5)), TierDef("称职"), TierDef("基本称职"), TierDef("不称职"))


@dataclass(frozen=True)
class VoteBand:
    min: Fraction
    score: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "min", _share(self.min))


@dataclass(frozen=True)
class Penalty:
    share: Fraction
    score: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "share", _share(self.share))


@dataclass(frozen=True)
class QualitativeDef:
    """How L is computed (§8): ``trimmed_mean`` (v1) or ``vote_share`` with ``top``/``low`` grades."""

    method: str = "trimmed_mean"
    top: frozenset[str] = frozenset()
    low: frozenset[str] = frozenset()
    bands: tuple[VoteBand, ...] = ()
    penalty: Penalty | None = None

    def __repr__(self) -> str:
        return _stable_repr(self)


@dataclass(frozen=True)
class AnnualDef:
    """The annual grading of a non-yearly scheme (§12)."""

    tier_policy: str = "cutoffs"
    tiers: tuple[TierDef, ...] = ANNUAL_TIERS
    min_periods: int = 1


@dataclass(frozen=True)
class SchemeDef:
    """A scheme's parameters (考核方案).

    Exactly one of ``rules`` (v1, with ``category_caps``; §4.5 maps them onto a tree) and ``items``
    (a v2 tree) carries the scoring standard. ``min_days`` None means the default of the period kind;
    ``tiers`` may be empty for ``pingshi`` (its tiers are filled in). ``version`` is the interchange
    shape of the rankings: 1 or 2 (0: 2 when the scheme has ``items``, else 1).
    """

    code: str
    year: int
    weight_quantitative: Decimal
    weight_qualitative: Decimal
    grades: Mapping[str, Decimal]
    evaluator_classes: Mapping[str, Decimal]
    tiers: tuple[TierDef, ...]
    rules: tuple[RuleDef, ...] = ()
    category_caps: Mapping[str, Decimal] = field(default_factory=dict)
    min_days: int | None = None
    period_kind: str = "quarter"
    tier_policy: str = "proportional"
    action_policy: str = "streak"
    items: tuple[ItemDef, ...] | None = None
    deduction_item: str | None = None
    coefficients: tuple[CoefficientDef, ...] = ()
    veto_mode: str = BOTTOM
    qualitative: QualitativeDef = QualitativeDef()
    annual: AnnualDef | None = None
    version: int = 0

    def __post_init__(self) -> None:
        if self.min_days is None:
            object.__setattr__(self, "min_days", DEFAULT_MIN_DAYS.get(self.period_kind, 30))
        if self.tier_policy == "pingshi":  # its tiers are fixed (§10); a scheme may not bring others
            object.__setattr__(self, "tiers", PINGSHI_TIERS)
        if not self.version:
            object.__setattr__(self, "version", 2 if self.items is not None else 1)

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
    """A post held over a date range (``end`` inclusive, None = still held).

    ``unit_lineage``: the unit's code and all its ancestors' (the selector); ``unit_path``: the same codes
    ordered nearest first (the unit itself, its parent, …), which unit coefficients need (§6).
    :meth:`in_unit` builds both from the path.
    """

    unit_lineage: frozenset[str]
    position: str
    start: date
    end: date | None = None
    unit_path: tuple[str, ...] = ()

    @classmethod
    def in_unit(cls, unit_path, position: str, start: date, end: date | None = None) -> Post:
        path = tuple(unit_path)
        return cls(frozenset(path), position, start, end, path)


@dataclass(frozen=True)
class CadreData:
    """Everything the engine needs about one cadre for one scheme and period.

    ``rule_amounts``: per ``per_unit`` leaf (v1: non-base rule), the sum of granted points × quantity over
    approved entries (the maintained totals). ``measures``: per leaf, the sum of the quantities of those
    entries (m, §5), which the other leaf kinds score; a ``per_unit`` leaf without an amount scores
    points × m. ``rule_counts``: per leaf, the number of approved entries net of revocations (vetoes).
    ``ballots``: per evaluator class, the grade names given.
    """

    code: str
    posts: tuple[Post, ...] = ()
    rule_amounts: Mapping[str, Decimal] = field(default_factory=dict)
    rule_counts: Mapping[str, int] = field(default_factory=dict)
    ballots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    measures: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodData:
    period: Period
    cadres: tuple[CadreData, ...]


@dataclass(frozen=True)
class GroupInput:
    code: str
    scheme: SchemeDef
    selector: Selector
    current: PeriodData
    previous: PeriodData | None = None


@dataclass(frozen=True)
class YearInput:
    """The annual grading's input (§12): the data of the periods of the scheme's year (each at most once).

    A cadre's posts are the union of its posts over the periods given; its veto counts in any period count
    for the annual veto, ranked then or not.
    """

    code: str
    scheme: SchemeDef
    selector: Selector
    periods: tuple[PeriodData, ...]


# --- output -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleLine:
    """A leaf's contribution in v1 terms: ``raw`` before its cap, ``amount`` after; base leaves show days."""

    rule: str
    category: str
    raw: Decimal
    amount: Decimal
    cap: Decimal | None = None
    days: int | None = None


@dataclass(frozen=True)
class CategoryLine:
    """A top-level item in v1 terms: ``raw`` = the sum of its leaves, ``amount`` its value."""

    category: str
    raw: Decimal
    amount: Decimal
    cap: Decimal | None = None


@dataclass(frozen=True)
class ItemLine:
    """One item of the tree for one cadre and period (pre-order in :attr:`Breakdown.items`).

    ``inner``: a leaf's score (§5) or the sum of the non-cap-exempt children; ``raw`` = start + inner;
    ``clamped`` = clamp(raw); ``exempt`` = the sum of the cap-exempt children; ``value`` = clamped + exempt
    (before coefficients). ``bound``: ``"floor"`` or ``"cap"`` when that clamp bound (raw was beyond it),
    else None. Leaves: ``measure`` (m; for ``base`` the days d), ``best`` (M of ``ratio_to_best``),
    ``place`` (r of ``by_rank``, None without a record), ``band`` (index of the band hit, ``bands``).
    ``coefficient``: k_t of a top-level item, else None.
    """

    code: str
    name: str
    parent: str | None
    depth: int
    kind: str | None
    cap_exempt: bool
    start: Decimal | None
    floor: Decimal | None
    cap: Decimal | None
    inner: Decimal
    raw: Decimal
    clamped: Decimal
    exempt: Decimal
    value: Decimal
    bound: str | None
    measure: Decimal | int | None = None
    best: Decimal | None = None
    place: int | None = None
    band: int | None = None
    coefficient: Decimal | None = None


@dataclass(frozen=True)
class ClassMean:
    """One evaluator class's part of L: ``mean`` is the class score (trimmed mean, or the vote-share score)."""

    evaluator_class: str
    weight: Decimal
    ballots: int
    trimmed: bool
    mean: Decimal  # exact when it terminates, else to 10 places (display only)
    top: int | None = None  # vote_share: ballots with a ``top`` grade
    low: int | None = None  # vote_share: ballots with a ``low`` grade
    penalized: bool = False  # vote_share: the penalty applied
    band: int | None = None  # vote_share: index of the band hit


@dataclass(frozen=True)
class Breakdown:
    """How a row's numbers came about: entries → leaves → items (clamps) → coefficients → Q → Qn → C.

    Compared and stored: ``values`` and ``raws`` (start + inner) of every item in tree pre-order (see
    ``item_codes``), ``coefficients`` (k_t of every top-level item) and the veto mode. ``items``,
    ``rules`` and ``categories`` are views built on first use from these, the cadre's input and the
    ranking's shared context: the tree with every clamp that bound, the measures, the best measure of
    ``ratio_to_best``, the band hit and the place on the measure (:class:`ItemLine`), and the v1 rule and
    category lines. A row's breakdown costs two tuples while ranking; the views only when shown.
    """

    days: int
    period_days: int
    max_quantitative: Decimal
    classes: tuple[ClassMean, ...]
    values: tuple[Decimal, ...] = ()
    raws: tuple[Decimal, ...] = ()
    coefficients: tuple[Decimal, ...] = ()
    veto: str | None = None
    plan: Plan | None = field(default=None, compare=False, repr=False)
    context: Any = field(default=None, compare=False, repr=False)
    cadre: CadreData | None = field(default=None, compare=False, repr=False)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return self.plan.codes if self.plan is not None else ()

    @cached_property
    def items(self) -> tuple[ItemLine, ...]:
        return self.plan.item_lines(self) if self.plan is not None else ()

    @cached_property
    def rules(self) -> tuple[RuleLine, ...]:
        return self.plan.rule_lines(self) if self.plan is not None else ()

    @cached_property
    def categories(self) -> tuple[CategoryLine, ...]:
        return self.plan.category_lines(self) if self.plan is not None else ()

    def item(self, code: str) -> ItemLine:
        return self.items[self.plan.index[code]]

    def __getstate__(self):  # the views are rebuilt on first use after unpickling
        return {k: v for k, v in self.__dict__.items() if k not in ("items", "rules", "categories")}


@dataclass(frozen=True)
class PeriodResult:
    """A cadre's ranked row in one period of the year (annual grading, §12)."""

    period: str
    rank: int
    tier: str
    quantitative: Decimal
    deductions: Decimal
    normalized: Decimal
    qualitative: Decimal | None
    composite: Decimal
    veto: str | None


@dataclass(frozen=True)
class AnnualBreakdown:
    """How an annual row came about: its days in the year and its row of each period of P."""

    days: int
    period_days: int
    periods: tuple[PeriodResult, ...]


@dataclass(frozen=True)
class Row:
    cadre: str
    rank: int
    tier: str
    tier_index: int
    quantitative: Decimal  # Q exact (annual: Q̄, a Fraction when it does not terminate)
    deductions: Decimal  # D_total exact (annual: D̄)
    normalized: Decimal
    qualitative: Decimal | None
    composite: Decimal
    vetoed: bool  # vetoed in either mode
    actions: tuple[str, ...]
    breakdown: Breakdown | AnnualBreakdown
    veto: str | None = None  # None, "bottom" or "bar_top"
    periods: tuple[str, ...] = ()  # annual: the codes of P


@dataclass(frozen=True)
class Unranked:
    cadre: str
    days: int


@dataclass(frozen=True)
class Ranking:
    group: str
    period: Period
    rows: tuple[Row, ...]
    unranked: tuple[Unranked, ...]
    annual: bool = False  # a §12 annual grading (period is the year)
    version: int = 1  # interchange shape of ranking_as_dict: 1 (v1 keys only) or 2 (§15)
    item_codes: tuple[str, ...] = ()  # the scheme's items, tree pre-order
    top_codes: tuple[str, ...] = ()  # its top-level items

    @property
    def size(self) -> int:
        return len(self.rows)
