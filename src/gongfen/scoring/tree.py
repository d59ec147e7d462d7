"""The item tree (spec v2 §4–§7), compiled once per ranking into a flat plan.

A v1 scheme (``rules`` + ``category_caps``) is read as the tree of §4.5; a v2
scheme brings its own ``items``. :class:`Plan` flattens the tree (pre-order
for output, reversed for evaluation: every child before its parent), resolves
allotments into start/floor/cap, veto modes and coefficient tables, and then
scores one cadre with one pass over that flat list:

    inner(leaf) = its score (§5); inner(internal) = Σ non-cap-exempt children
    raw = start + inner;  value = clamp(raw) + Σ cap-exempt children
    Q = Σ_top value(t) × k_t

Arithmetic is exact ``Decimal`` (in the core's 400-digit context sums and
products never round); the quotients of ``base`` proration and ``ratio_to_best``
go through :func:`round2_ratio` on integer ratios, never through a float.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .decimals import ZERO, round2, round2_ratio
from .periods import Period, covered_days, last_covered_day
from .types import (
    BAR_TOP,
    BOTTOM,
    CATEGORIES,
    ONE,
    Breakdown,
    CadreData,
    CategoryLine,
    ItemDef,
    ItemLine,
    Post,
    RuleLine,
    SchemeDef,
    Selector,
)

_round2_ratio = round2_ratio.__wrapped__  # the core runs in its exact context already
INTERNAL, PER_UNIT, BASE, RATIO, BANDS, BY_RANK = range(6)
KIND_IDS = {"per_unit": PER_UNIT, "base": BASE, "ratio_to_best": RATIO, "bands": BANDS, "by_rank": BY_RANK}


class SchemeError(ValueError):
    """A scheme the engine cannot read (an unknown category or leaf kind, a deduction item that does not exist…)."""


def v1_items(scheme: SchemeDef) -> tuple[ItemDef, ...]:
    """§4.5: five top-level items ``base`` … ``deduction``; each rule a leaf of its category, in ``rules`` order."""
    unknown = [rule.code for rule in scheme.rules if rule.category not in CATEGORIES]
    if unknown:
        raise SchemeError(f"rules of an unknown category in scheme {scheme.code}: {', '.join(unknown)}")
    leaves: dict[str, list[ItemDef]] = {c: [] for c in CATEGORIES}
    for rule in scheme.rules:
        if rule.category == "base":
            leaf = ItemDef(rule.code, kind="base", points=rule.points, positions=frozenset(rule.positions))
        else:
            negative = rule.category == "deduction"
            cap = rule.cap
            leaf = ItemDef(
                rule.code,
                kind="per_unit",
                points=rule.points,
                floor=-cap if negative and cap is not None else None,
                cap=cap if not negative else None,
                veto=rule.veto,
            )
        leaves[rule.category].append(leaf)
    items = []
    for category in CATEGORIES:
        cap = scheme.category_caps.get(category)
        negative = category == "deduction"
        items.append(
            ItemDef(
                category,
                children=tuple(leaves[category]),
                floor=-cap if negative and cap is not None else None,
                cap=cap if not negative and cap is not None else None,
            )
        )
    return tuple(items)


def scheme_items(scheme: SchemeDef) -> tuple[ItemDef, ...]:
    """The scheme's tree: its ``items``, or its v1 rules read as §4.5 says."""
    return scheme.items if scheme.items is not None else v1_items(scheme)


def days_of(posts: Sequence[Post], period: Period) -> int:
    """The days of the period covered by at least one of the posts."""
    return covered_days([(p.start, p.end) for p in posts], period.start, period.end)


class Context:
    """What one ranking (one group, one period) shares among its rows: the best measures, the places."""

    def __init__(self, period: Period, selector: Selector, best: dict[int, Decimal], places: dict[int, list]):
        self.period = period
        self.selector = selector
        self.best = best  # ratio_to_best node → M
        self.places = places  # by_rank node → ranked members' measures, descending

    def place(self, node: int, measure: Decimal) -> int | None:
        """r = 1 + the number of ranked members with a larger measure (None without a record)."""
        if not measure > 0:
            return None
        ordered = self.places[node]  # descending; find the first index whose value is not larger
        lo, hi = 0, len(ordered)
        while lo < hi:
            mid = (lo + hi) // 2
            if ordered[mid] > measure:
                lo = mid + 1
            else:
                hi = mid
        return lo + 1


class Plan:
    """A scheme compiled for ranking: the flat tree, veto leaves, coefficient tables."""

    def __init__(self, scheme: SchemeDef):
        self.scheme = scheme
        self.v1 = scheme.items is None
        items = scheme_items(scheme)
        codes: list[str] = []
        nodes: list[ItemDef] = []
        parents: list[int] = []
        depths: list[int] = []
        tops: list[int] = []

        def walk(item: ItemDef, parent: int, depth: int) -> None:
            index = len(nodes)
            codes.append(item.code)
            nodes.append(item)
            parents.append(parent)
            depths.append(depth)
            if parent < 0:
                tops.append(index)
            if item.kind is None:
                for child in item.children or ():
                    walk(child, index, depth + 1)
            elif item.kind not in KIND_IDS:
                raise SchemeError(f"item {item.code} of scheme {scheme.code} has an unknown kind {item.kind!r}")

        for item in items:
            walk(item, -1, 0)
        if len(set(codes)) != len(codes):
            raise SchemeError(f"an item code repeats in scheme {scheme.code}")
        self.codes = tuple(codes)
        self.nodes = tuple(nodes)
        self.parents = tuple(parents)
        self.depths = tuple(depths)
        self.tops = tuple(tops)
        self.top_codes = tuple(codes[i] for i in tops)
        self.index = {code: i for i, code in enumerate(codes)}
        n = len(nodes)
        self.size = n
        has_exempt = [False] * n
        for i, item in enumerate(nodes):
            if item.cap_exempt and parents[i] >= 0:
                has_exempt[parents[i]] = True
        # effective bounds (§4.3: allotment A = start A, floor 0, cap A unless given)
        self.starts: list[Decimal | None] = []
        self.floors: list[Decimal | None] = []
        self.caps: list[Decimal | None] = []
        for item in nodes:
            start, floor, cap = item.start, item.floor, item.cap
            if item.allotment is not None:
                start = item.allotment
                floor = ZERO if floor is None else floor
                cap = item.allotment if cap is None else cap
            if item.kind == "base":
                start = floor = cap = None
            self.starts.append(start)
            self.floors.append(floor)
            self.caps.append(cap)
        self.kinds = tuple(KIND_IDS.get(item.kind, INTERNAL) if item.kind else INTERNAL for item in nodes)
        self.relative = tuple(i for i in range(n) if self.kinds[i] in (RATIO, BY_RANK))
        # veto leaves: per_unit only (§7); True means the scheme's veto_mode
        veto = []
        for i, item in enumerate(nodes):
            if item.veto and self.kinds[i] == PER_UNIT:
                mode = scheme.veto_mode if item.veto is True else item.veto
                if mode not in (BOTTOM, BAR_TOP):
                    raise SchemeError(f"item {item.code} of scheme {scheme.code} has an unknown veto {item.veto!r}")
                veto.append((item.code, mode))
        self.veto_leaves = tuple(veto)
        # the deduction item (§4.4)
        if scheme.deduction_item is not None:
            if scheme.deduction_item not in self.index:
                raise SchemeError(f"deduction_item {scheme.deduction_item} names no item of scheme {scheme.code}")
            self.deduction = self.index[scheme.deduction_item]
        else:
            self.deduction = self.index.get("deduction")
        # coefficients (§6): for each top-level item, the coefficients that apply to it
        self.coefficients = tuple(scheme.coefficients)
        applies = []
        for coefficient in self.coefficients:
            names = coefficient.items
            if names is not None and any(code not in self.top_codes for code in names):
                raise SchemeError(f"a coefficient of scheme {scheme.code} names an item that is not top-level")
            applies.append(tuple(j for j, t in enumerate(tops) if names is None or codes[t] in names))
        self.applies = tuple(applies)
        self.unit_ones = tuple(ONE for _ in tops)
        self._coefficient_memo: dict[tuple, tuple[Decimal, ...]] = {}
        # evaluation order: reversed pre-order puts every child before its parent
        steps = []
        for i in reversed(range(n)):
            item = nodes[i]
            kind = self.kinds[i]
            a = b = None
            if kind == PER_UNIT:
                a = item.points
            elif kind == BASE:
                points = Decimal(item.points)
                a = (*points.as_integer_ratio(), round2(points), frozenset(item.positions))
            elif kind == RATIO:
                a = Decimal(item.points).as_integer_ratio()
            elif kind == BANDS:
                a = tuple((Decimal(band.min), band.points) for band in item.bands)
            elif kind == BY_RANK:
                a, b = Decimal(item.points), Decimal(item.step)
            steps.append(
                (
                    i,
                    parents[i],
                    bool(item.cap_exempt and parents[i] >= 0),
                    kind,
                    item.code,
                    self.starts[i],
                    self.floors[i],
                    self.caps[i],
                    has_exempt[i],
                    a,
                    b,
                )
            )
        self.steps = tuple(steps)
        self.steps_by_node = {step[0]: step for step in steps}
        self.tree_values = self._generate()
        self.top_steps = tuple(zip(tops, range(len(tops)), strict=True))
        if self.v1:
            self.rule_nodes = tuple(self.index[rule.code] for rule in scheme.rules)
            self.rule_caps = {rule.code: rule.cap for rule in scheme.rules}
            self.rule_categories = {rule.code: rule.category for rule in scheme.rules}

    def __getstate__(self):  # the generated function is rebuilt, not pickled (rankings are cached pickled)
        return {k: v for k, v in self.__dict__.items() if k != "tree_values"}

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)
        self.tree_values = self._generate()

    # --- one ranking -------------------------------------------------------------------------

    def context(self, members: Sequence[tuple[CadreData, tuple[Post, ...], int]], period: Period, selector) -> Context:
        """The best measure of each ratio_to_best leaf and the measures of each by_rank leaf, among ranked members."""
        best: dict[int, Decimal] = {}
        places: dict[int, list] = {}
        for i in self.relative:
            code = self.codes[i]
            measures = [Decimal(c.measures.get(code, ZERO)) for c, _, _ in members]
            if self.kinds[i] == RATIO:
                best[i] = max(measures, default=ZERO)
            else:
                places[i] = sorted(measures, reverse=True)
        return Context(period, selector, best, places)

    def coefficient_values(self, posts: Sequence[Post], period: Period) -> tuple[Decimal, ...]:
        """k_t of every top-level item from the posts held on the last member day (§6).

        Cadres holding the same posts (position and unit) on that day share one computation.
        """
        if not self.coefficients:
            return self.unit_ones
        if len(posts) == 1:  # a member's only member post covers its last member day
            held = posts
        else:
            last = last_covered_day([(p.start, p.end) for p in posts], period.start, period.end)
            held = [p for p in posts if last is not None and p.start <= last and (p.end is None or p.end >= last)]
        key = tuple((p.position, p.unit_path or p.unit_lineage) for p in held)
        ks = self._coefficient_memo.get(key)
        if ks is None:
            ks = self._coefficient_memo[key] = self._coefficients_of(held)
        return ks

    def _coefficients_of(self, held: Sequence[Post]) -> tuple[Decimal, ...]:
        ks = [ONE] * len(self.tops)
        for coefficient, applies in zip(self.coefficients, self.applies, strict=True):
            value = None
            for post in held:
                candidate = _coefficient_of(coefficient, post)
                if value is None or candidate > value:
                    value = candidate
            if value is None:
                value = coefficient.default
            for j in applies:
                ks[j] = ks[j] * value
        return tuple(ks)

    def evaluate(self, cadre: CadreData, posts: tuple[Post, ...], days: int, period: Period, ctx: Context):
        """One cadre's tree: (Q, D_total, veto mode, values, raws, coefficients); values/raws in pre-order."""
        values, raws = self.tree_values(cadre.rule_amounts, cadre.measures, days, posts, period, ctx)
        ks = self.coefficient_values(posts, period) if self.coefficients else self.unit_ones
        total = ZERO
        for t, j in self.top_steps:
            k = ks[j]
            total += values[t] if k == 1 else values[t] * k
        deductions = ZERO if self.deduction is None else values[self.deduction]
        veto = None
        if self.veto_leaves:
            counts, measures = cadre.rule_counts, cadre.measures
            for code, mode in self.veto_leaves:
                count = counts.get(code)
                if count is None:
                    count = 1 if measures.get(code) else 0
                if count > 0:
                    if mode == BOTTOM:
                        veto = BOTTOM
                        break
                    veto = BAR_TOP
        return total, deductions, veto, values, raws, ks

    # --- the leaves' scores (§5), shared by both evaluators ------------------------------------

    def base_score(self, i: int, posts: tuple[Post, ...], days: int, period: Period) -> Decimal:
        """round(points × d / D), d = the days of the member posts whose position the leaf covers."""
        pn, pd, full, positions = self.steps_by_node[i][9]
        if positions:
            held = {p.position for p in posts}
            if held.isdisjoint(positions):
                return ZERO
            if not held <= positions:
                days = days_of([p for p in posts if p.position in positions], period)
        if days == 0:
            return ZERO
        if days == period.days:
            return full
        return _round2_ratio(pn * days, pd * period.days)

    def bands_score(self, i: int, m) -> Decimal:
        if m is None:
            m = ZERO
        for low, points in self.steps_by_node[i][9]:
            if m >= low:
                return points
        return ZERO

    def ratio_score(self, i: int, m, ctx: Context) -> Decimal:
        top = ctx.best[i]
        if not m or not top > 0:
            return ZERO
        pn, pd = self.steps_by_node[i][9]
        mn, md = Decimal(m).as_integer_ratio()
        tn, td = top.as_integer_ratio()
        return _round2_ratio(pn * mn * td, pd * md * tn)

    def rank_score(self, i: int, m, ctx: Context) -> Decimal:
        if not m or not m > 0:
            return ZERO
        _, _, _, _, _, _, _, _, _, points, step = self.steps_by_node[i]
        score = points - step * (ctx.place(i, Decimal(m)) - 1)
        return ZERO if score < 0 else score

    def tree_values_loop(self, amounts, measures, days, posts, period, ctx):
        """The tree in one loop over the flat plan (the reference for :meth:`tree_values`, same results)."""
        n = self.size
        inner = [ZERO] * n
        extra = [ZERO] * n
        values = [ZERO] * n
        raws = [ZERO] * n
        for i, parent, exempt, kind, code, start, floor, cap, has_exempt, a, _ in self.steps:
            if kind == INTERNAL:
                score = inner[i]
            elif kind == PER_UNIT:
                score = amounts.get(code)
                if score is None:
                    m = measures.get(code)
                    score = a * m if m else ZERO
                elif score.__class__ is not Decimal:
                    score = Decimal(score)
            elif kind == BASE:
                score = self.base_score(i, posts, days, period)
            elif kind == BANDS:
                score = self.bands_score(i, measures.get(code))
            elif kind == RATIO:
                score = self.ratio_score(i, measures.get(code), ctx)
            else:
                score = self.rank_score(i, measures.get(code), ctx)
            raw = score if start is None else start + score
            clamped = raw
            if floor is not None and clamped < floor:
                clamped = floor
            if cap is not None and clamped > cap:
                clamped = cap
            value = clamped + extra[i] if has_exempt else clamped
            raws[i] = raw
            values[i] = value
            if parent >= 0:
                if exempt:
                    extra[parent] += value
                else:
                    inner[parent] += value
        return values, raws

    def _generate(self):
        """The tree as one generated function of straight-line code: no loop, no dispatch per item.

        Only indices go into the source; codes, points and bounds are looked up in the namespace,
        so nothing a scheme says can change the code. The result equals :meth:`tree_values_loop`
        (the property tests compare them, representation included).
        """
        n = self.size
        namespace: dict = {
            "ZERO": ZERO,
            "Decimal": Decimal,
            "base": self.base_score,
            "bands": self.bands_score,
            "ratio": self.ratio_score,
            "by_rank": self.rank_score,
        }
        children: list[list[int]] = [[] for _ in range(n)]
        for i, parent in enumerate(self.parents):
            if parent >= 0:
                children[parent].append(i)
        lines = ["def tree_values(amounts, measures, days, posts, period, ctx):"]
        emit = lines.append
        emit("    amounts_get = amounts.get")
        emit("    measures_get = measures.get")
        for i, _parent, _exempt, kind, code, start, floor, cap, _has, a, _ in self.steps:
            namespace[f"K{i}"] = code
            if kind == INTERNAL:
                kids = [c for c in children[i] if not (self.nodes[c].cap_exempt)]
                emit(f"    r{i} = " + " + ".join(["ZERO", *(f"v{c}" for c in kids)]))
            elif kind == PER_UNIT:
                namespace[f"P{i}"] = a
                emit(f"    r{i} = amounts_get(K{i})")
                emit(f"    if r{i} is None:")
                emit(f"        m = measures_get(K{i})")
                emit(f"        r{i} = P{i} * m if m else ZERO")
                emit(f"    elif r{i}.__class__ is not Decimal:")
                emit(f"        r{i} = Decimal(r{i})")
            elif kind == BASE:
                emit(f"    r{i} = base({i}, posts, days, period)")
            elif kind == BANDS:
                emit(f"    r{i} = bands({i}, measures_get(K{i}))")
            elif kind == RATIO:
                emit(f"    r{i} = ratio({i}, measures_get(K{i}), ctx)")
            else:
                emit(f"    r{i} = by_rank({i}, measures_get(K{i}), ctx)")
            if start is not None:
                namespace[f"S{i}"] = start
                emit(f"    r{i} = S{i} + r{i}")
            emit(f"    v{i} = r{i}")
            if floor is not None:
                namespace[f"LO{i}"] = floor
                emit(f"    if v{i} < LO{i}:")
                emit(f"        v{i} = LO{i}")
            if cap is not None:
                namespace[f"HI{i}"] = cap
                emit(f"    if v{i} > HI{i}:")
                emit(f"        v{i} = HI{i}")
            exempt = [c for c in children[i] if self.nodes[c].cap_exempt]
            if exempt:
                emit(f"    v{i} = v{i} + (" + " + ".join(["ZERO", *(f"v{c}" for c in exempt)]) + ")")
        emit(
            "    return [" + ", ".join(f"v{i}" for i in range(n)) + "], [" + ", ".join(f"r{i}" for i in range(n)) + "]"
        )
        exec(compile("\n".join(lines), f"<plan {self.scheme.code}>", "exec"), namespace)
        return namespace["tree_values"]

    # --- the breakdown's views, built on first use ---------------------------------------------

    def _member_posts(self, bd: Breakdown) -> tuple[Post, ...]:
        return tuple(p for p in bd.cadre.posts if bd.context.selector.matches(p))

    def measure(self, bd: Breakdown, i: int):
        kind = self.kinds[i]
        if kind == INTERNAL:
            return None
        if kind == BASE:
            positions = self.nodes[i].positions
            posts = self._member_posts(bd)
            held = [p for p in posts if not positions or p.position in positions]
            return days_of(held, bd.context.period) if held else 0
        m = bd.cadre.measures.get(self.codes[i])
        if m is None and kind != PER_UNIT:
            return ZERO
        return m

    def item_lines(self, bd: Breakdown) -> tuple[ItemLine, ...]:
        ctx: Context = bd.context
        lines = []
        ks = dict(zip(self.tops, bd.coefficients, strict=False))
        for i, item in enumerate(self.nodes):
            raw, value = bd.raws[i], bd.values[i]
            start, floor, cap = self.starts[i], self.floors[i], self.caps[i]
            inner = raw if start is None else raw - start
            clamped = raw
            bound = None
            if floor is not None and clamped < floor:
                clamped, bound = floor, "floor"
            if cap is not None and clamped > cap:
                clamped, bound = cap, "cap"
            kind = self.kinds[i]
            measure = self.measure(bd, i)
            best = ctx.best.get(i) if kind == RATIO else None
            place = ctx.place(i, Decimal(measure)) if kind == BY_RANK and measure is not None else None
            band = None
            if kind == BANDS:
                band = next((j for j, b in enumerate(item.bands) if measure >= b.min), None)
            parent = self.parents[i]
            lines.append(
                ItemLine(
                    code=item.code,
                    name=item.name,
                    parent=self.codes[parent] if parent >= 0 else None,
                    depth=self.depths[i],
                    kind=item.kind,
                    cap_exempt=bool(item.cap_exempt),
                    start=start,
                    floor=floor,
                    cap=cap,
                    inner=inner,
                    raw=raw,
                    clamped=clamped,
                    exempt=value - clamped,
                    value=value,
                    bound=bound,
                    measure=measure,
                    best=best,
                    place=place,
                    band=band,
                    coefficient=ks.get(i),
                )
            )
        return tuple(lines)

    def rule_lines(self, bd: Breakdown) -> tuple[RuleLine, ...]:
        """The v1 rule lines: a base leaf with days, a recorded leaf; v2 trees: every leaf with a record or days."""
        lines = []
        amounts, measures = bd.cadre.rule_amounts, bd.cadre.measures
        order = self.rule_nodes if self.v1 else [i for i in range(self.size) if self.kinds[i] != INTERNAL]
        for i in order:
            code = self.codes[i]
            top = i
            while self.parents[top] >= 0:
                top = self.parents[top]
            category = self.rule_categories[code] if self.v1 else self.codes[top]
            if self.kinds[i] == BASE:
                days = self.measure(bd, i)
                if days:
                    lines.append(RuleLine(code, category, bd.raws[i], bd.values[i], None, days))
            elif code in amounts or (not self.v1 and code in measures):
                cap = self.rule_caps[code] if self.v1 else self.caps[i]
                lines.append(RuleLine(code, category, bd.raws[i], bd.values[i], cap))
        return tuple(lines)

    def category_lines(self, bd: Breakdown) -> tuple[CategoryLine, ...]:
        """The v1 category lines (a category with lines or a cap); v2 trees: every top-level item."""
        if not self.v1:
            return tuple(
                CategoryLine(
                    self.codes[t], bd.raws[t], bd.values[t], self.caps[t] if self.caps[t] is not None else None
                )
                for t in self.tops
            )
        present = {line.category for line in bd.rules}
        caps = self.scheme.category_caps
        return tuple(
            CategoryLine(c, bd.raws[t], bd.values[t], caps.get(c))
            for c, t in zip(self.top_codes, self.tops, strict=True)
            if c in present or c in caps
        )


def _coefficient_of(coefficient, post: Post) -> Decimal:
    values = coefficient.values
    if coefficient.by == "position":
        return values.get(post.position, coefficient.default)
    path = post.unit_path
    if not path:  # no order known: only an unambiguous lineage can be read
        keys = [code for code in post.unit_lineage if code in values]
        if len(keys) > 1:
            raise SchemeError("a unit coefficient needs the posts' unit_path (nearest unit first)")
        return values[keys[0]] if keys else coefficient.default
    for code in path:
        value = values.get(code)
        if value is not None:
            return value
    return coefficient.default


__all__ = ["Context", "Plan", "SchemeError", "days_of", "scheme_items", "v1_items"]
