"""Hypothesis strategies for the scoring core's input, and small builders for hand-made cases.

The strategies draw small but nasty groups: a fixed unit tree, a few positions, codes that sort
differently as strings and as numbers ("A10" < "A9"), posts that start/end inside, before and after
the quarter, caps on rules and categories, vetoes, ballots with and without trimming, and "templates"
shared by several cadres so that ties on every key are common.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from gongfen.scoring import CadreData, GroupInput, PeriodData, Post, RuleDef, SchemeDef, Selector, TierDef
from gongfen.scoring.periods import Quarter

# --- fixed world ------------------------------------------------------------------

UNIT_PARENT = {"KH": None, "QX": "KH", "QX-WL": "QX", "TC": "KH", "SK": "KH"}
POSITIONS = ("一般干部", "中层干部", "乡镇长")
CODE_POOL = ("A1", "A2", "A9", "A10", "A11", "A01", "B1", "b1", "Z", "甲一", "乙二", "A1-2")
CLASS_POOL = ("leader", "peer", "public")
NON_BASE = ("stationing", "routine", "special", "deduction")
CUMULATIVE_POOL = tuple(
    Decimal(s)
    for s in ("0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.333", "0.5", "0.6", "0.7", "0.75", "0.9", "0.95")
)


def lineage(unit: str) -> frozenset[str]:
    out = []
    code: str | None = unit
    while code is not None:
        out.append(code)
        code = UNIT_PARENT[code]
    return frozenset(out)


def cents(n: int) -> Decimal:
    """``n`` hundredths as an exact Decimal (no float anywhere)."""
    return Decimal(n).scaleb(-2)


# --- builders for hand-made cases -------------------------------------------------

TIERS4 = (
    TierDef("一档", Decimal("0.2")),
    TierDef("二档", Decimal("0.7")),
    TierDef("三档", Decimal("0.95")),
    TierDef("四档", Decimal("1")),
)
GRADES = {"优秀": Decimal("100"), "良好": Decimal("85"), "一般": Decimal("70"), "较差": Decimal("50")}
CLASSES = {"leader": Decimal("0.4"), "peer": Decimal("0.3"), "public": Decimal("0.3")}


def make_scheme(rules=(), **kw) -> SchemeDef:
    fields = {
        "code": "S",
        "year": 2026,
        "weight_quantitative": Decimal("0.7"),
        "weight_qualitative": Decimal("0.3"),
        "grades": GRADES,
        "evaluator_classes": CLASSES,
        "tiers": TIERS4,
        "rules": tuple(rules),
    }
    fields.update(kw)
    return SchemeDef(**fields)


def rule(code, category, points, cap=None, veto=False, positions=()) -> RuleDef:
    return RuleDef(
        code,
        category,
        Decimal(points),
        None if cap is None else Decimal(cap),
        veto,
        frozenset(positions),
    )


def post(unit="QX", position="一般干部", start="2020-01-01", end=None) -> Post:
    return Post(
        lineage(unit),
        position,
        date.fromisoformat(start),
        None if end is None else date.fromisoformat(end),
    )


def cadre(code, posts=None, amounts=None, counts=None, ballots=None) -> CadreData:
    """A cadre; ``amounts`` values are strings/Decimals; ``counts`` default to 1 per amount given."""
    amounts = {k: Decimal(v) for k, v in (amounts or {}).items()}
    if counts is None:
        counts = dict.fromkeys(amounts, 1)
    return CadreData(
        code,
        tuple(posts) if posts is not None else (post(),),
        amounts,
        counts,
        {k: tuple(v) for k, v in (ballots or {}).items()},
    )


def group(scheme, cadres, period="2026Q3", previous=None, selector=None, code="G") -> GroupInput:
    quarter = Quarter.parse(period)
    prev = None
    if previous is not None:
        prev = PeriodData(quarter.previous(), tuple(previous))
    return GroupInput(code, scheme, selector or Selector(unit="QX"), PeriodData(quarter, tuple(cadres)), prev)


# --- strategies -------------------------------------------------------------------


@st.composite
def tiers(draw) -> tuple[TierDef, ...]:
    inner = draw(st.lists(st.sampled_from(CUMULATIVE_POOL), unique=True, max_size=4))
    cums = [*sorted(inner), Decimal("1")]
    return tuple(TierDef(f"T{i}", c) for i, c in enumerate(cums))


@st.composite
def rules(draw) -> tuple[RuleDef, ...]:
    out = []
    for i in range(draw(st.integers(0, 2))):
        points = cents(draw(st.integers(1, 10000)))
        positions = draw(st.frozensets(st.sampled_from(POSITIONS), max_size=2))
        out.append(RuleDef(f"BASE{i}", "base", points, None, False, positions))
    for i in range(draw(st.integers(1, 5))):
        category = draw(st.sampled_from(NON_BASE))
        points = cents(draw(st.integers(1, 3000)))
        if category == "deduction":
            points = -points
        cap = draw(st.none() | st.integers(1, 4000).map(cents))
        veto = category == "deduction" and draw(st.booleans())
        out.append(RuleDef(f"R{i}", category, points, cap, veto, frozenset()))
    return tuple(out)


@st.composite
def schemes(draw, year: int | None = None) -> SchemeDef:
    year = year if year is not None else draw(st.sampled_from((2024, 2026)))
    wq = cents(draw(st.sampled_from((0, 25, 50, 70, 100)) | st.integers(0, 100)))
    grade_names = draw(st.lists(st.sampled_from(("G1", "G2", "G3", "G4")), min_size=1, unique=True))
    grades = {g: cents(draw(st.integers(0, 10000))) for g in grade_names}
    class_names = draw(st.lists(st.sampled_from(CLASS_POOL), min_size=1, unique=True))
    classes = {k: cents(draw(st.integers(1, 100))) for k in class_names}
    rs = draw(rules())
    cat_caps = {
        c: cents(draw(st.integers(1, 5000)))
        for c in draw(st.lists(st.sampled_from(("base", *NON_BASE)), unique=True, max_size=3))
    }
    return SchemeDef(
        code="S",
        year=year,
        weight_quantitative=wq,
        weight_qualitative=Decimal(1) - wq,
        grades=grades,
        evaluator_classes=classes,
        tiers=draw(tiers()),
        rules=rs,
        category_caps=cat_caps,
        min_days=draw(st.sampled_from((1, 10, 30, 45))),
    )


QUANTITIES = tuple(Decimal(s) for s in ("1", "1", "2", "3", "0.5", "1.5", "0.25", "0.1", "0.2", "7", "0.001"))


@st.composite
def period_facts(draw, scheme: SchemeDef):
    """(amounts, counts, ballots) for one cadre in one quarter, as approved entries would give them."""
    amounts: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for r in scheme.rules:
        if r.category == "base":
            continue
        quantities = draw(st.lists(st.sampled_from(QUANTITIES), max_size=3))
        if quantities:
            amounts[r.code] = sum((r.points * q for q in quantities), Decimal(0))
            counts[r.code] = len(quantities)
    ballots: dict[str, tuple[str, ...]] = {}
    if draw(st.booleans()):
        for klass in scheme.evaluator_classes:
            ballots[klass] = tuple(draw(st.lists(st.sampled_from(sorted(scheme.grades)), max_size=7)))
    return amounts, counts, ballots


def descendants(unit: str | None) -> list[str]:
    return sorted(u for u in UNIT_PARENT if unit is None or unit in lineage(u))


@st.composite
def posts(draw, period: Quarter, selector: Selector | None = None) -> tuple[Post, ...]:
    """0–3 posts; most match ``selector`` and most cover the whole quarter (and the one before)."""
    out = []
    for _ in range(draw(st.sampled_from((1, 1, 2, 3, 0)))):
        if selector is not None and draw(st.integers(0, 3)) > 0:
            unit = draw(st.sampled_from(descendants(selector.unit)))
            position = selector.position or draw(st.sampled_from(POSITIONS))
        else:
            unit = draw(st.sampled_from(sorted(UNIT_PARENT)))
            position = draw(st.sampled_from(POSITIONS))
        if draw(st.booleans()):  # held since well before the previous quarter
            start = period.start - timedelta(days=draw(st.integers(92, 400)))
            end = None if draw(st.booleans()) else period.end + timedelta(days=draw(st.integers(-40, 60)))
        else:
            start = period.start + timedelta(days=draw(st.integers(-200, 95)))
            end = None if draw(st.integers(0, 2)) == 0 else start + timedelta(days=draw(st.integers(0, 200)))
        out.append(Post(lineage(unit), position, start, end))
    return tuple(out)


@st.composite
def selectors(draw) -> Selector:
    unit = draw(st.sampled_from(sorted(UNIT_PARENT)))
    position = draw(st.sampled_from(POSITIONS))
    kind = draw(st.sampled_from(("unit", "unit", "position", "both")))
    if kind == "unit":
        return Selector(unit=unit)
    if kind == "position":
        return Selector(position=position)
    return Selector(unit=unit, position=position)


@dataclass(frozen=True)
class _Template:
    posts: tuple[Post, ...]
    current: tuple
    previous: tuple


@st.composite
def groups(draw, with_previous: bool | None = None, max_cadres: int = 8) -> GroupInput:
    """A random group. Several cadres share a template (same posts, entries, ballots) so ties are common."""
    scheme = draw(schemes())
    number = draw(st.integers(1, 4))
    period = Quarter(scheme.year, number)
    prev_period = period.previous()
    if with_previous is False:
        prev_period = None
    selector = draw(selectors())
    templates = [
        _Template(
            draw(posts(period, selector)),
            draw(period_facts(scheme)),
            draw(period_facts(scheme)) if prev_period else None,
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    codes = draw(st.lists(st.sampled_from(CODE_POOL), min_size=1, max_size=max_cadres, unique=True))
    current, previous = [], []
    for code in codes:
        t = templates[draw(st.integers(0, len(templates) - 1))]
        # mostly in both quarters' data; some cadres are given for one quarter only
        where = draw(st.sampled_from(("both", "both", "both", "current", "previous"))) if prev_period else "current"
        if where != "previous":
            current.append(CadreData(code, t.posts, *t.current))
        if prev_period and where != "current":
            previous.append(CadreData(code, t.posts, *t.previous))
    return GroupInput(
        "G",
        scheme,
        selector,
        PeriodData(period, tuple(current)),
        PeriodData(prev_period, tuple(previous)) if prev_period else None,
    )


# --- permutations -----------------------------------------------------------------


def _shuffled(rnd: random.Random, items) -> tuple:
    items = list(items)
    rnd.shuffle(items)
    return tuple(items)


def _shuffled_map(rnd: random.Random, mapping) -> dict:
    return dict(_shuffled(rnd, mapping.items()))


def permute_cadre(rnd: random.Random, c: CadreData) -> CadreData:
    return replace(
        c,
        posts=_shuffled(rnd, c.posts),
        rule_amounts=_shuffled_map(rnd, c.rule_amounts),
        rule_counts=_shuffled_map(rnd, c.rule_counts),
        ballots={k: _shuffled(rnd, v) for k, v in _shuffled(rnd, c.ballots.items())},
    )


def permute_group(rnd: random.Random, g: GroupInput) -> GroupInput:
    """Same facts, every order changed: cadres, posts, ballots within a class, classes, rules, caps, grades."""
    s = g.scheme
    scheme = replace(
        s,
        rules=_shuffled(rnd, s.rules),
        grades=_shuffled_map(rnd, s.grades),
        evaluator_classes=_shuffled_map(rnd, s.evaluator_classes),
        category_caps=_shuffled_map(rnd, s.category_caps),
    )

    def period(p: PeriodData | None) -> PeriodData | None:
        if p is None:
            return None
        return PeriodData(p.period, _shuffled(rnd, (permute_cadre(rnd, c) for c in p.cadres)))

    return replace(g, scheme=scheme, current=period(g.current), previous=period(g.previous))
