"""A reference implementation of scoring v2, written from the spec text alone.

This is the oracle the product's scoring core is tested against
(tests/reference/test_differential.py). It was written from
shared/spec/scoring-v2.md (and scoring.md for v1), section by section, without
reading the product's code: two implementations of one text, whose
differences are settled by the text. Clarity beats speed here; the comments
name the section every step comes from ("§4.2" = scoring-v2.md section 4.2,
"v1" = scoring.md).

    rank(bundle, group, period) -> dict     # the ranking JSON of §15
    periods_of(bundle, group) -> list[str]  # every period code the group can be ranked for

All arithmetic is exact (``Fraction``); rounding is half-up to 2 decimals and
happens only where the spec says so (§13: base and ratio_to_best scores, L,
Qn, C, A, and in annual grading Qn̄ and L̄). The bundle is assumed valid
(§14); checking validity is the loader's job, not this module's.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

__all__ = [
    "PeriodNotRankable",
    "fmt2",
    "fmt_exact",
    "parse_decimal",
    "parse_share",
    "periods_of",
    "rank",
    "rank_all",
    "round2",
]


class PeriodNotRankable(ValueError):
    """§2: the group cannot be ranked for this period (other kind, other year, or YYYYY without `annual`)."""


# ---------------------------------------------------------------------------
# Numbers (§13.1, v1 "Quantitative score": half-up to 2 decimals)
# ---------------------------------------------------------------------------

DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
FRACTION = re.compile(r"([0-9]+)/([0-9]+)")
CATEGORIES = ("base", "stationing", "routine", "special", "deduction")  # v1 rule categories, §4.5 order


def parse_decimal(value) -> Fraction:
    """§13.1: a decimal is a string -?[0-9]+(.[0-9]+)? or a JSON integer (§14: "a JSON integer is also read as a decimal")."""
    if isinstance(value, bool):
        raise TypeError(f"not a decimal: {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        return Fraction(value)
    raise ValueError(f"not a decimal: {value!r}")


def parse_share(value) -> Fraction:
    """§8, §14: a share is a decimal in [0, 1] or an exact fraction "n/d"."""
    if isinstance(value, str):
        match = FRACTION.fullmatch(value)
        if match:
            return Fraction(int(match.group(1)), int(match.group(2)))
    return parse_decimal(value)


def round2(x: Fraction) -> Fraction:
    """'round' of §0/v1: half-up (away from zero at the half) to 2 decimals: 0.125 → 0.13, −0.125 → −0.13."""
    return Fraction(round_cents(x), 100)


def round_cents(x: Fraction) -> int:
    """round2(x) × 100 as an integer: floor(|x| × 100 + 1/2) with x's sign (integer arithmetic, for speed)."""
    n, d = x.numerator, x.denominator
    cents = (abs(n) * 200 + d) // (2 * d)
    return -cents if n < 0 else cents


def fmt2(x: Fraction) -> str:
    """v1 fine points / §15: a string with exactly 2 decimals, display-rounded half-up; never "-0.00"."""
    cents = round_cents(Fraction(x))
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def fmt_exact(x: Fraction) -> str:
    """§15 `coefficients`: the multiplier written exactly in shortest form ("1", "0.9", "1.08")."""
    places = 0
    while (x * 10**places).denominator != 1:
        places += 1
        if places > 60:
            raise ValueError(f"{x} has no finite decimal form")
    scaled = int(x * 10**places)
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    if places == 0:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def seat_round(x: Fraction, how: str) -> int:
    """§10 seat_rounding R: floor (default, 最多不超过), half_up (四舍五入) or ceil (进一法)."""
    if how == "floor":
        return math.floor(x)
    if how == "half_up":
        return math.floor(x + Fraction(1, 2))
    if how == "ceil":
        return math.ceil(x)
    raise ValueError(f"unknown seat_rounding {how!r}")


# ---------------------------------------------------------------------------
# Periods (§2)
# ---------------------------------------------------------------------------

PERIOD_CODE = re.compile(r"([0-9]{4})(?:M(0[1-9]|1[0-2])|Q([1-4])|H([12])|(Y))")
MIN_DAYS_DEFAULT = {"month": 10, "quarter": 30, "half": 60, "year": 120}  # §3, §14


@dataclass(frozen=True)
class Period:
    code: str
    kind: str  # month | quarter | half | year
    year: int
    index: int  # 1-based position within the year (month 1–12, quarter 1–4, half 1–2, year 1)
    start: date
    end: date  # inclusive: a period is a closed range of dates

    @property
    def days(self) -> int:  # D
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def make_period(kind: str, year: int, index: int) -> Period:
    if kind == "month":
        start, end = date(year, index, 1), date(year, index, calendar.monthrange(year, index)[1])
        code = f"{year}M{index:02d}"
    elif kind == "quarter":
        first = 3 * index - 2
        start = date(year, first, 1)
        end = date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        code = f"{year}Q{index}"
    elif kind == "half":  # H1 = 1 Jan–30 Jun, H2 = 1 Jul–31 Dec
        start, end = (date(year, 1, 1), date(year, 6, 30)) if index == 1 else (date(year, 7, 1), date(year, 12, 31))
        code = f"{year}H{index}"
    elif kind == "year":
        start, end, code = date(year, 1, 1), date(year, 12, 31), f"{year}Y"
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    return Period(code, kind, year, index, start, end)


PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}


def periods_in_year(kind: str, year: int) -> list[Period]:
    return [make_period(kind, year, i) for i in range(1, PERIODS_PER_YEAR[kind] + 1)]


def parse_period(code: str) -> Period:
    match = PERIOD_CODE.fullmatch(code) if isinstance(code, str) else None
    if not match:
        raise PeriodNotRankable(f"not a period code: {code!r}")
    year = int(match.group(1))
    if match.group(2):
        return make_period("month", year, int(match.group(2)))
    if match.group(3):
        return make_period("quarter", year, int(match.group(3)))
    if match.group(4):
        return make_period("half", year, int(match.group(4)))
    return make_period("year", year, 1)


def previous_period(period: Period) -> Period | None:
    """§2: the period of the same kind just before, in the same year; a year's first one, and every
    `year` period, have none (streaks never cross a scheme's year, v1)."""
    if period.kind == "year" or period.index == 1:
        return None
    return make_period(period.kind, period.year, period.index - 1)


def parse_date(text: str) -> date:
    return date.fromisoformat(text)


# ---------------------------------------------------------------------------
# The scheme, read into one shape for both formats (§4, §4.5, §13, §14)
# ---------------------------------------------------------------------------


@dataclass
class Item:
    code: str
    children: list[Item] | None  # internal item (possibly empty) …
    kind: str | None  # … or a leaf kind (§5)
    start: Fraction = Fraction(0)
    floor: Fraction | None = None
    cap: Fraction | None = None
    cap_exempt: bool = False
    points: Fraction = Fraction(0)
    positions: list[str] | None = None  # base: None = any position
    bands: list[tuple[Fraction, Fraction]] = field(default_factory=list)  # bands: (min, points)
    step: Fraction = Fraction(0)  # by_rank
    veto: str | None = None  # per_unit: None, "bottom" or "bar_top" (true already resolved, §7)

    @property
    def is_leaf(self) -> bool:
        return self.children is None


@dataclass
class TierDef:
    name: str
    cumulative: Fraction | None = None  # proportional
    min: Fraction | None = None  # cutoffs
    max_share: Fraction | None = None
    seat_rounding: str = "floor"
    min_seats: int = 0


@dataclass
class Coefficient:
    by: str  # position | unit
    values: dict[str, Fraction]
    default: Fraction
    items: list[str] | None  # top-level codes; None = all of them


@dataclass
class Scheme:
    code: str
    year: int
    period_kind: str
    min_days: int
    weight_q: Fraction
    weight_l: Fraction
    grades: dict[str, Fraction]
    classes: dict[str, Fraction]
    items: list[Item]  # top-level items
    deduction_item: str | None
    coefficients: list[Coefficient]
    tier_policy: str
    tiers: list[TierDef]
    qualitative: dict
    annual: dict | None
    annual_policy: str = "cutoffs"
    annual_tiers: list[TierDef] = field(default_factory=list)
    annual_min_periods: int = 1

    def all_items(self) -> list[Item]:
        """Every item in tree pre-order (§15 `items` order)."""
        out: list[Item] = []

        def walk(item: Item) -> None:
            out.append(item)
            for child in item.children or []:
                walk(child)

        for top in self.items:
            walk(top)
        return out


def optional_decimal(obj: dict, key: str) -> Fraction | None:
    value = obj.get(key)
    return None if value is None else parse_decimal(value)


def read_tiers(raw: list[dict]) -> list[TierDef]:
    """§10, §14 tier: `cumulative` (proportional); `min`, `max_share`, `seat_rounding`, `min_seats` (cutoffs)."""
    tiers = []
    for t in raw:
        tiers.append(
            TierDef(
                name=t["name"],
                cumulative=optional_decimal(t, "cumulative"),
                min=optional_decimal(t, "min"),
                max_share=None if t.get("max_share") is None else parse_share(t["max_share"]),
                seat_rounding=t.get("seat_rounding", "floor"),
                min_seats=int(t.get("min_seats", 0)),
            )
        )
    return tiers


# §10 pingshi: the cutoffs policy with these tiers (好 min 90, max_share 0.4, floor, min_seats 1; 较好 80; 一般 60; 较差)
PINGSHI_TIERS = [
    TierDef("好", min=Fraction(90), max_share=Fraction(2, 5), seat_rounding="floor", min_seats=1),
    TierDef("较好", min=Fraction(80)),
    TierDef("一般", min=Fraction(60)),
    TierDef("较差"),
]
# §12.5 the national default annual grades: 优秀 (max_share 0.2), 称职, 基本称职, 不称职
ANNUAL_DEFAULT_TIERS = [
    TierDef("优秀", max_share=Fraction(1, 5)),
    TierDef("称职"),
    TierDef("基本称职"),
    TierDef("不称职"),
]


def resolve_veto(raw, veto_mode: str) -> str | None:
    """§7: `veto` true means the scheme's `veto_mode` (default bottom); false/absent means no veto."""
    if raw is True:
        return veto_mode
    if raw in (None, False):
        return None
    return raw  # "bottom" | "bar_top"


def read_item(raw: dict, veto_mode: str) -> Item:
    """§4.1, §4.3, §5: one item of an `items` scheme."""
    item = Item(code=raw["code"], children=None, kind=None, cap_exempt=bool(raw.get("cap_exempt", False)))
    if "children" in raw:
        item.children = [read_item(child, veto_mode) for child in raw["children"]]
    else:
        item.kind = raw["kind"]
    item.floor = optional_decimal(raw, "floor")
    item.cap = optional_decimal(raw, "cap")
    if raw.get("allotment") is not None:
        # §4.3: allotment A means start = A, floor = 0, cap = A; an explicit floor or cap replaces that default
        allotment = parse_decimal(raw["allotment"])
        item.start = allotment
        if item.floor is None:
            item.floor = Fraction(0)
        if item.cap is None:
            item.cap = allotment
    else:
        item.start = optional_decimal(raw, "start") or Fraction(0)  # §4.2: start default 0
    if item.kind is not None:
        if "points" in raw:
            item.points = parse_decimal(raw["points"])
        if item.kind == "base":
            positions = raw.get("positions")
            item.positions = list(positions) if positions else None  # v1: empty or missing = any position
        if item.kind == "bands":
            item.bands = [(parse_decimal(b["min"]), parse_decimal(b["points"])) for b in raw["bands"]]
        if item.kind == "by_rank":
            item.step = parse_decimal(raw["step"])
        if item.kind == "per_unit":
            item.veto = resolve_veto(raw.get("veto"), veto_mode)
    return item


def items_from_rules(scheme: dict, veto_mode: str) -> list[Item]:
    """§4.5 the v1 mapping: five top-level items base, stationing, routine, special, deduction (each present
    even without rules); each rule a leaf of its category in `rules` order; rule cap → leaf cap (floor −cap for
    deduction); category_caps[k] → item k's cap (floor −cap for deduction)."""
    category_caps = scheme.get("category_caps") or {}
    tops = {}
    for category in CATEGORIES:
        top = Item(code=category, children=[], kind=None)
        cap = category_caps.get(category)
        if cap is not None:
            if category == "deduction":
                top.floor = -parse_decimal(cap)
            else:
                top.cap = parse_decimal(cap)
        tops[category] = top
    for rule in scheme.get("rules", []):
        category = rule["category"]
        leaf = Item(code=rule["code"], children=None, kind="base" if category == "base" else "per_unit")
        leaf.points = parse_decimal(rule["points"])
        if category == "base":
            positions = rule.get("positions")
            leaf.positions = list(positions) if positions else None
        else:
            leaf.veto = resolve_veto(rule.get("veto"), veto_mode)
            cap = rule.get("cap")
            if cap is not None:
                if category == "deduction":
                    leaf.floor = -parse_decimal(cap)
                else:
                    leaf.cap = parse_decimal(cap)
        tops[category].children.append(leaf)
    return [tops[c] for c in CATEGORIES]


def read_scheme(raw: dict) -> Scheme:
    period_kind = raw.get("period", "quarter")  # §14: default quarter (v1)
    veto_mode = raw.get("veto_mode", "bottom")  # §7
    if "rules" in raw:
        items = items_from_rules(raw, veto_mode)
        deduction_item = "deduction"  # §4.5: the deduction item is the `deduction` item
    else:
        items = [read_item(i, veto_mode) for i in raw["items"]]
        deduction_item = raw.get("deduction_item")
    tier_policy = raw.get("tier_policy", "proportional")  # §10
    tiers = PINGSHI_TIERS if tier_policy == "pingshi" else read_tiers(raw["tiers"])
    coefficients = [
        Coefficient(
            by=c["by"],
            values={k: parse_decimal(v) for k, v in c["values"].items()},
            default=parse_decimal(c.get("default", "1")),  # §14: default "1"
            items=list(c["items"]) if c.get("items") is not None else None,  # missing = all top-level items
        )
        for c in raw.get("coefficients", [])
    ]
    scheme = Scheme(
        code=raw["code"],
        year=int(raw["year"]),
        period_kind=period_kind,
        min_days=int(raw["min_days"]) if raw.get("min_days") is not None else MIN_DAYS_DEFAULT[period_kind],
        weight_q=parse_decimal(raw["weights"]["quantitative"]),
        weight_l=parse_decimal(raw["weights"]["qualitative"]),
        grades={g: parse_decimal(v) for g, v in raw["grades"].items()},
        classes={k: parse_decimal(v) for k, v in raw["evaluator_classes"].items()},
        items=items,
        deduction_item=deduction_item,
        coefficients=coefficients,
        tier_policy=tier_policy,
        tiers=tiers,
        qualitative=raw.get("qualitative") or {"method": "trimmed_mean"},
        annual=raw.get("annual"),
    )
    if scheme.deduction_item is None and any(i.code == "deduction" for i in scheme.all_items()):
        scheme.deduction_item = "deduction"  # §4.4: else the item coded `deduction` if there is one
    if scheme.annual is not None:  # §12.5, §14 annual
        scheme.annual_policy = scheme.annual.get("tier_policy", "cutoffs")
        raw_tiers = scheme.annual.get("tiers")
        scheme.annual_tiers = read_tiers(raw_tiers) if raw_tiers is not None else ANNUAL_DEFAULT_TIERS
        scheme.annual_min_periods = int(scheme.annual.get("min_periods", 1))
    return scheme


# ---------------------------------------------------------------------------
# The organisation: units, posts, membership (v1 "Membership", §3)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    unit: str
    position: str
    start: date
    end: date | None  # inclusive; None = still held


class World:
    """The bundle's data, indexed once: units, cadres' posts, approved entries, ballots."""

    def __init__(self, bundle: dict):
        self.format = bundle.get("format", "gongfen-bundle/1")
        self.parent = {u["code"]: u.get("parent") for u in bundle.get("units", [])}
        self.posts: dict[str, list[Post]] = {}
        for cadre in bundle.get("cadres", []):
            self.posts[cadre["code"]] = [
                Post(p["unit"], p["position"], parse_date(p["start"]), parse_date(p["end"]) if p.get("end") else None)
                for p in cadre.get("posts", [])
            ]
        self.schemes = {s["code"]: read_scheme(s) for s in bundle.get("schemes", [])}
        self.groups = {g["code"]: g for g in bundle.get("groups", [])}
        # §5: an entry without `status` is approved; any other status counts for nothing. quantity default 1.
        self.entries: list[tuple[str, str, str, date, Fraction]] = []  # (scheme, cadre, leaf, occurred_on, quantity)
        for e in bundle.get("entries", []):
            if e.get("status", "approved") != "approved":
                continue
            quantity = parse_decimal(e["quantity"]) if e.get("quantity") is not None else Fraction(1)
            self.entries.append((e["scheme"], e["cadre"], e["rule"], parse_date(e["occurred_on"]), quantity))
        self.ballots = bundle.get("ballots", [])

    def lineage(self, unit: str) -> list[str]:
        """The unit and its ancestors, nearest first."""
        chain = []
        while unit is not None and unit not in chain:
            chain.append(unit)
            unit = self.parent.get(unit)
        return chain


def post_matches(world: World, post: Post, select: dict) -> bool:
    """v1: {"unit": U} = posts in U or any unit below it; {"position": P}; both = one and the same post meets both."""
    if "unit" in select and select["unit"] not in world.lineage(post.unit):
        return False
    return not ("position" in select and post.position != select["position"])


def clipped(post: Post, period: Period) -> tuple[date, date] | None:
    """The days of the period a post covers, as a closed range, or None."""
    start = max(post.start, period.start)
    end = period.end if post.end is None else min(post.end, period.end)
    return (start, end) if start <= end else None


def covered_days(posts: list[Post], period: Period) -> int:
    """The number of days of the period covered by at least one of the posts (overlaps count once)."""
    ranges = sorted(r for r in (clipped(p, period) for p in posts) if r is not None)
    total, reach = 0, None  # reach = the last day already counted
    for start, end in ranges:
        if reach is not None and start <= reach:
            start = reach + timedelta(days=1)
        if start <= end:
            total += (end - start).days + 1
            reach = end if reach is None else max(reach, end)
    return total


# ---------------------------------------------------------------------------
# One group in one period (§3–§11)
# ---------------------------------------------------------------------------


@dataclass
class Row:
    cadre: str
    days: int
    items: dict[str, Fraction] = field(default_factory=dict)  # every item's value, before coefficients
    coefficients: dict[str, Fraction] = field(default_factory=dict)  # k_t of every top-level item
    q: Fraction = Fraction(0)  # Q, exact
    d_total: Fraction = Fraction(0)  # D_total, exact
    veto: str | None = None  # None | bottom | bar_top
    qn: Fraction = Fraction(0)
    l: Fraction | None = None  # noqa: E741 (the spec's name)
    c: Fraction = Fraction(0)
    rank: int = 0
    tier: int = 0  # tier position


@dataclass
class PeriodResult:
    period: Period
    rows: list[Row]  # ranked members in output order
    unranked: list[tuple[str, int]]
    tiers: list[TierDef]
    l_present: bool

    def row(self, cadre: str) -> Row | None:
        return next((r for r in self.rows if r.cadre == cadre), None)


class GroupRanker:
    def __init__(self, world: World, group_code: str):
        if group_code not in world.groups:
            raise LookupError(f"no group {group_code!r}")
        self.world = world
        self.group = world.groups[group_code]
        self.select = self.group["select"]
        self.scheme = world.schemes[self.group["scheme"]]
        self.cache: dict[str, PeriodResult] = {}

    # --- membership (§3) -------------------------------------------------

    def matching_posts(self, cadre: str) -> list[Post]:
        return [p for p in self.world.posts[cadre] if post_matches(self.world, p, self.select)]

    def members(self, period: Period) -> tuple[list[str], list[tuple[str, int]], dict[str, int]]:
        """Ranked members (days ≥ max(min_days, 1)) and unranked cadres (1 ≤ days < min_days), by code."""
        ranked, unranked, days_of = [], [], {}
        threshold = max(self.scheme.min_days, 1)
        for cadre in sorted(self.world.posts):  # codes compare as plain strings (v1)
            days = covered_days(self.matching_posts(cadre), period)
            if days >= threshold:
                ranked.append(cadre)
                days_of[cadre] = days
            elif days >= 1:
                unranked.append((cadre, days))
        return ranked, unranked, days_of

    # --- measures and leaves (§5) ------------------------------------------

    def measures(self, period: Period, ranked: list[str]) -> dict[tuple[str, str], Fraction]:
        """m per (cadre, leaf): the sum of the quantities of the cadre's approved entries of the scheme naming
        the leaf whose occurred_on falls in the period."""
        wanted = set(ranked)
        m: dict[tuple[str, str], Fraction] = {}
        for scheme, cadre, leaf, day, quantity in self.world.entries:
            if scheme == self.scheme.code and cadre in wanted and period.contains(day):
                m[(cadre, leaf)] = m.get((cadre, leaf), Fraction(0)) + quantity
        return m

    def leaf_score(self, leaf: Item, cadre: str, period: Period, m: dict, ranked: list[str]) -> Fraction:
        """§5 table: the score of a leaf for one cadre."""
        own = m.get((cadre, leaf.code), Fraction(0))
        if leaf.kind == "per_unit":
            return leaf.points * own
        if leaf.kind == "base":
            # round(points × d / D): d = days covered by posts matching the group selector whose position is in
            # `positions` (v1 step 1)
            posts = [p for p in self.matching_posts(cadre) if leaf.positions is None or p.position in leaf.positions]
            return round2(leaf.points * covered_days(posts, period) / period.days)
        if leaf.kind == "ratio_to_best":
            best = max((m.get((c, leaf.code), Fraction(0)) for c in ranked), default=Fraction(0))
            return Fraction(0) if best == 0 else round2(leaf.points * own / best)
        if leaf.kind == "bands":
            return next((points for minimum, points in leaf.bands if own >= minimum), Fraction(0))
        if leaf.kind == "by_rank":
            if own <= 0:
                return Fraction(0)  # by_rank never scores a member without a record (§13)
            r = 1 + sum(1 for c in ranked if m.get((c, leaf.code), Fraction(0)) > own)
            return max(Fraction(0), leaf.points - leaf.step * (r - 1))
        raise ValueError(f"unknown leaf kind {leaf.kind!r}")

    # --- the item tree (§4.2) ---------------------------------------------

    def item_value(self, item: Item, cadre: str, period: Period, m: dict, ranked: list[str], out: dict) -> Fraction:
        """value = clamp(start + inner) + Σ values of cap_exempt children; inner(leaf) = its score,
        inner(internal) = Σ values of children that are not cap_exempt. Records every value in `out`."""
        out[item.code] = None  # keep pre-order in `out`
        if item.is_leaf:
            inner, exempt = self.leaf_score(item, cadre, period, m, ranked), Fraction(0)
        else:
            inner, exempt = Fraction(0), Fraction(0)
            for child in item.children:
                value = self.item_value(child, cadre, period, m, ranked, out)
                if child.cap_exempt:
                    exempt += value
                else:
                    inner += value
        raw = item.start + inner
        if item.floor is not None:
            raw = max(raw, item.floor)
        if item.cap is not None:
            raw = min(raw, item.cap)
        out[item.code] = raw + exempt
        return out[item.code]

    # --- coefficients (§6) --------------------------------------------------

    def multipliers(self, cadre: str, period: Period) -> dict[str, Fraction]:
        """k_t per top-level item: the product of the coefficients that apply to t. A coefficient's value is the
        largest, over the matching posts held on ℓ (the last member day), of the post's value."""
        posts = self.matching_posts(cadre)
        last_day = max(r[1] for r in (clipped(p, period) for p in posts) if r is not None)
        held = [p for p in posts if p.start <= last_day and (p.end is None or last_day <= p.end)]
        k = {top.code: Fraction(1) for top in self.scheme.items}
        for coefficient in self.scheme.coefficients:
            value = max(self.coefficient_value(coefficient, post) for post in held)
            applies_to = set(coefficient.items) if coefficient.items is not None else set(k)  # applies or not
            for code in applies_to:
                k[code] *= value
        return k

    def coefficient_value(self, coefficient: Coefficient, post: Post) -> Fraction:
        if coefficient.by == "position":
            return coefficient.values.get(post.position, coefficient.default)
        for unit in self.world.lineage(post.unit):  # the nearest of the post's unit and its ancestors
            if unit in coefficient.values:
                return coefficient.values[unit]
        return coefficient.default

    # --- veto (§7) ------------------------------------------------------------

    def veto_leaves(self) -> dict[str, str]:
        return {i.code: i.veto for i in self.scheme.all_items() if i.is_leaf and i.veto}

    def veto_of(self, cadre: str, within) -> str | None:
        """The heavier mode among the cadre's approved entries of veto leaves dated `within` (bottom prevails)."""
        veto_leaves = self.veto_leaves()
        modes = {
            veto_leaves[leaf]
            for scheme, who, leaf, day, _ in self.world.entries
            if scheme == self.scheme.code and who == cadre and leaf in veto_leaves and within(day)
        }
        if "bottom" in modes:
            return "bottom"
        return "bar_top" if "bar_top" in modes else None

    # --- qualitative score L (v1 "Qualitative score", §8) -----------------------

    def qualitative(self, period: Period, ranked: list[str]) -> tuple[bool, dict[str, Fraction]]:
        """Returns (L present, L per ranked cadre)."""
        by_cadre: dict[str, dict[str, list[str]]] = {c: {} for c in ranked}
        for ballot in self.world.ballots:
            if ballot["scheme"] == self.scheme.code and ballot["period"] == period.code and ballot["cadre"] in by_cadre:
                by_cadre[ballot["cadre"]].setdefault(ballot["class"], []).append(ballot["grade"])
        if not any(by_cadre.values()):
            return False, {}  # no ranked member has a ballot: L is absent for everyone
        method = self.scheme.qualitative.get("method", "trimmed_mean")
        result = {}
        for cadre, classes in by_cadre.items():
            if not classes:
                result[cadre] = Fraction(0)  # a ranked cadre without ballots gets L = 0
                continue
            weighted, weights = Fraction(0), Fraction(0)
            for klass, grades in classes.items():
                score = self.trimmed_mean(grades) if method == "trimmed_mean" else self.vote_share(grades)
                weighted += self.scheme.classes[klass] * score
                weights += self.scheme.classes[klass]
            result[cadre] = round2(weighted / weights)
        return True, result

    def trimmed_mean(self, grades: list[str]) -> Fraction:
        """v1: map grades; with 5 or more ballots drop one highest and one lowest; the mean of the rest."""
        values = sorted(self.scheme.grades[g] for g in grades)
        if len(values) >= 5:
            values = values[1:-1]
        return sum(values, Fraction(0)) / len(values)

    def vote_share(self, grades: list[str]) -> Fraction:
        """§8: s_k = penalty.score if low ≥ penalty.share; else the first band with top ≥ min (0 when none);
        else (no bands) 100 × top."""
        q = self.scheme.qualitative
        n = len(grades)
        top = Fraction(sum(1 for g in grades if g in q["top"]), n)
        low = Fraction(sum(1 for g in grades if g in q.get("low", [])), n)
        penalty = q.get("penalty")
        if penalty is not None and low >= parse_share(penalty["share"]):
            return parse_decimal(penalty["score"])
        if q.get("bands") is not None:
            for band in q["bands"]:
                if top >= parse_share(band["min"]):
                    return parse_decimal(band["score"])
            return Fraction(0)
        return 100 * top

    # --- the period ranking (§3–§11) ---------------------------------------------

    def period_result(self, period: Period) -> PeriodResult:
        if period.code not in self.cache:
            self.cache[period.code] = self.compute_period(period)
        return self.cache[period.code]

    def compute_period(self, period: Period) -> PeriodResult:
        scheme = self.scheme
        ranked, unranked, days_of = self.members(period)
        m = self.measures(period, ranked)
        rows = []
        for cadre in ranked:
            row = Row(cadre=cadre, days=days_of[cadre])
            for top in scheme.items:
                self.item_value(top, cadre, period, m, ranked, row.items)
            row.coefficients = self.multipliers(cadre, period)
            # §6: Q = Σ over top-level items of value(t) × k_t, exact
            row.q = sum((row.items[t.code] * row.coefficients[t.code] for t in scheme.items), Fraction(0))
            # §4.4: D_total = the deduction item's value before coefficients, else 0
            row.d_total = row.items[scheme.deduction_item] if scheme.deduction_item else Fraction(0)
            row.veto = self.veto_of(cadre, period.contains)
            rows.append(row)
        l_present, l_values = self.qualitative(period, ranked)
        composites(rows, scheme, l_values if l_present else None)
        rows = order_and_rank(rows)
        assign_tiers(rows, scheme.tier_policy, scheme.tiers)
        return PeriodResult(period, rows, unranked, scheme.tiers, l_present)

    def period_ranking(self, period: Period) -> dict:
        result = self.period_result(period)
        previous = previous_period(period)
        before = self.period_result(previous) if previous is not None else None
        first, last = 0, len(result.tiers) - 1
        v2 = self.world.format == "gongfen-bundle/2"
        rows = []
        for row in result.rows:
            # §11 actions, in the order recommend, retrain, adjust
            earlier = before.row(row.cadre) if before is not None else None
            actions = []
            if row.veto is None and (row.rank == 1 or (row.tier == first and earlier and earlier.tier == first)):
                actions.append("recommend")
            if row.tier == last:
                actions.append("retrain")
                if earlier is not None and earlier.tier == last:
                    actions.append("adjust")
            out = {
                "cadre": row.cadre,
                "rank": row.rank,
                "tier": result.tiers[row.tier].name,
                "quantitative": fmt2(row.q),
                "quantitative_normalized": fmt2(row.qn),
                "qualitative": None if row.l is None else fmt2(row.l),
                "composite": fmt2(row.c),
                "vetoed": row.veto is not None,
                "actions": actions,
            }
            if v2:  # §15
                out["veto"] = row.veto
                out["items"] = {code: fmt2(value) for code, value in row.items.items()}
                out["coefficients"] = {code: fmt_exact(k) for code, k in row.coefficients.items()}
            rows.append(out)
        return {
            "group": self.group["code"],
            "period": period.code,
            "size": len(result.rows),
            "rows": rows,
            "unranked": [{"cadre": c, "days": d} for c, d in result.unranked],
        }

    # --- annual grading (§12) -----------------------------------------------------

    def annual_ranking(self, year_period: Period) -> dict:
        scheme = self.scheme
        results = [self.period_result(p) for p in periods_in_year(scheme.period_kind, scheme.year)]
        annual_rows, periods_of_cadre = [], {}
        for cadre in sorted(self.world.posts):
            mine = [(r, r.row(cadre)) for r in results if r.row(cadre) is not None]
            if len(mine) < scheme.annual_min_periods or not mine:  # 12.1 annual members
                continue
            n = len(mine)
            row = Row(cadre=cadre, days=0)
            row.c = round2(sum((pr.c for _, pr in mine), Fraction(0)) / n)  # 12.2 A = round(Σ C_p / n)
            row.q = sum((pr.q for _, pr in mine), Fraction(0)) / n  # Q̄ exact
            row.d_total = sum((pr.d_total for _, pr in mine), Fraction(0)) / n  # D̄ exact
            row.qn = round2(sum((pr.qn for _, pr in mine), Fraction(0)) / n)  # Qn̄ = round(Σ Qn_p / n)
            with_l = [pr.l for r, pr in mine if r.l_present]
            row.l = round2(sum(with_l, Fraction(0)) / len(with_l)) if with_l else None  # L̄
            row.veto = self.veto_of(cadre, lambda day: day.year == scheme.year)  # 12.3 the annual veto
            annual_rows.append(row)
            periods_of_cadre[cadre] = [r.period.code for r, _ in mine]
        annual_rows = order_and_rank(annual_rows)  # 12.4
        assign_tiers(annual_rows, scheme.annual_policy, scheme.annual_tiers)  # 12.5
        last = len(scheme.annual_tiers) - 1
        rows = []
        for row in annual_rows:
            actions = []  # 12.6: recommend when not vetoed and rank 1; retrain in the last grade; no adjust
            if row.veto is None and row.rank == 1:
                actions.append("recommend")
            if row.tier == last:
                actions.append("retrain")
            rows.append(
                {
                    "cadre": row.cadre,
                    "rank": row.rank,
                    "tier": scheme.annual_tiers[row.tier].name,
                    "quantitative": fmt2(row.q),
                    "quantitative_normalized": fmt2(row.qn),
                    "qualitative": None if row.l is None else fmt2(row.l),
                    "composite": fmt2(row.c),
                    "vetoed": row.veto is not None,
                    "actions": actions,
                    "veto": row.veto,
                    "periods": periods_of_cadre[row.cadre],
                }
            )
        members = {r.cadre for r in annual_rows}
        unranked = []  # 12.7: at least one day of the year covered by a matching post, not an annual member
        for cadre in sorted(self.world.posts):
            days = covered_days(self.matching_posts(cadre), year_period)
            if cadre not in members and days >= 1:
                unranked.append({"cadre": cadre, "days": days})
        return {
            "group": self.group["code"],
            "period": year_period.code,
            "size": len(annual_rows),
            "rows": rows,
            "unranked": unranked,
        }


# ---------------------------------------------------------------------------
# Composite, order, tiers: shared by period rankings and annual grading (§9, §10, §12.4–5)
# ---------------------------------------------------------------------------


def composites(rows: list[Row], scheme: Scheme, l_values: dict[str, Fraction] | None) -> None:
    """v1 "Composite C": Qn = round(100 × Q / maxQ) (0 for everyone when maxQ ≤ 0), maxQ over ranked members,
    vetoed included; C = round(w_q·Qn + w_l·L) with the rounded Qn and L, or C = Qn when L is absent."""
    max_q = max((r.q for r in rows), default=Fraction(0))
    for row in rows:
        row.qn = round2(100 * row.q / max_q) if max_q > 0 else Fraction(0)
        if l_values is None:
            row.l, row.c = None, row.qn
        else:
            row.l = l_values[row.cadre]
            row.c = round2(scheme.weight_q * row.qn + scheme.weight_l * row.l)


def order_and_rank(rows: list[Row]) -> list[Row]:
    """§9: cadres vetoed `bottom` after all others; then C, Q, D_total descending (exact values); equal keys share
    a rank (1, 2, 2, 4) and are listed by cadre code. A bar_top cadre is ordered as if not vetoed."""

    def key(row: Row):
        return (row.veto == "bottom", -row.c, -row.q, -row.d_total)

    keys = [key(row) for row in rows]
    for row, mine in zip(rows, keys, strict=True):
        row.rank = 1 + sum(1 for other in keys if other < mine)
    return sorted(rows, key=lambda r: (r.rank, r.cadre))


def assign_tiers(rows: list[Row], policy: str, tiers: list[TierDef]) -> None:
    """§10. `rows` are in rank order; sets row.tier (a position in `tiers`)."""
    n = len(rows)
    last = len(tiers) - 1
    if policy == "proportional":
        for row in rows:
            if row.veto == "bottom":
                row.tier = last  # a cadre vetoed bottom is in the last tier under every policy
                continue
            row.tier = next(
                (i for i, t in enumerate(tiers) if row.rank <= math.floor(t.cumulative * n)), last
            )  # first match wins, else the last tier
            if row.tier == 0 and row.veto == "bar_top":
                row.tier = 1  # goes to the second; its place is not passed on
        return
    # cutoffs (and pingshi, which is cutoffs with fixed tiers)
    placed: dict[str, int] = {r.cadre: last for r in rows if r.veto == "bottom"}
    for i, tier in enumerate(tiers[:-1]):
        candidates = [r for r in rows if r.cadre not in placed and not (i == 0 and r.veto == "bar_top")]
        if tier.max_share is None:
            seats = None  # unlimited
        else:
            seats = min(n, max(tier.min_seats, seat_round(tier.max_share * n, tier.seat_rounding)))
        held = 0
        for group in tie_groups(candidates):
            if tier.min is not None and group[0].c < tier.min:
                break  # the first group whose C is below min stops admission
            if seats is not None and held + len(group) > seats:
                break  # …or whose admission would make the tier hold more than K_i: a tie is never split
            for row in group:
                placed[row.cadre] = i
            held += len(group)
    for row in rows:
        row.tier = placed.get(row.cadre, last)  # everyone left after the last-but-one tier: the last tier


def tie_groups(rows: list[Row]) -> list[list[Row]]:
    """Consecutive runs of rows sharing a rank."""
    groups: list[list[Row]] = []
    for row in rows:
        if groups and groups[-1][0].rank == row.rank:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def rank(bundle: dict, group: str, period: str) -> dict:
    """The ranking JSON (§15) of `group` for `period`; PeriodNotRankable for a period it cannot be ranked for (§2)."""
    return rank_with(GroupRanker(World(bundle), group), period)


def rank_all(bundle: dict) -> dict[tuple[str, str], dict]:
    """Every ranking of the bundle, {(group, period): ranking} over every group and every code of periods_of;
    the same results as `rank`, computed once per period (the period rankings are shared by streaks and §12)."""
    world = World(bundle)
    out = {}
    for group in world.groups:
        ranker = GroupRanker(world, group)
        for code in rankable_codes(ranker.scheme):
            out[(group, code)] = rank_with(ranker, code)
    return out


def rank_with(ranker: GroupRanker, period: str) -> dict:
    scheme = ranker.scheme
    asked = parse_period(period)
    if asked.year != scheme.year:
        raise PeriodNotRankable(f"{period} is outside the scheme's year {scheme.year}")
    if asked.kind == scheme.period_kind:
        return ranker.period_ranking(asked)
    if asked.kind == "year" and scheme.annual is not None:
        return ranker.annual_ranking(asked)  # §12: YYYYY of a non-yearly scheme with `annual`
    raise PeriodNotRankable(f"{period} is not a {scheme.period_kind} period of {scheme.code}")


def periods_of(bundle: dict, group: str) -> list[str]:
    """Every period code `group` can be ranked for: the periods of its scheme's kind within the scheme's year,
    plus YYYYY (the annual grading) when the scheme has `annual`."""
    world = World(bundle)
    return rankable_codes(world.schemes[world.groups[group]["scheme"]])


def rankable_codes(scheme: Scheme) -> list[str]:
    codes = [p.code for p in periods_in_year(scheme.period_kind, scheme.year)]
    if scheme.annual is not None and scheme.period_kind != "year":
        codes.append(f"{scheme.year}Y")
    return codes
