"""Random VALID bundles (scoring-v2.md §13.1, §14; scoring.md for /1) for differential testing.

One builder, two sources of choices:

    random_bundle(seed, format="gongfen-bundle/2") -> dict   # plain, seeded `random`: reproducible by seed
    bundles(formats=(...))                                   # a Hypothesis strategy (shrinks structurally)

The bundles are small on purpose so that the spec's corners collide: 1–12 cadres in the focus unit (plus a few
outsiders), ties and shared ranks, caps and floors binding at every level, allotments running dry, share ceilings
hitting tie groups, bar_top cadres in the first tier, posts starting or ending so that days == min_days or
min_days − 1 in some period, mid-period post changes under coefficients, units nested 3 deep with coefficient keys
at different levels, all four period kinds, several groups over one scheme, ballots of 1–9 per class with low
shares at exactly 1/3, entries in every status, decimal and integer quantities, annual grading with min_periods.

Everything stays inside the product's storage limits too (at most 4 decimals, 8 integer digits; codes without
whitespace or "/"; /1 decimals as strings), because a bundle the product cannot store tests nothing.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta
from typing import Any

FORMAT_V1 = "gongfen-bundle/1"
FORMAT_V2 = "gongfen-bundle/2"
CATEGORIES = ("base", "stationing", "routine", "special", "deduction")
POSITIONS = ("一般干部", "中层干部", "班子成员", "乡镇长")
GRADE_SETS = (
    {"优秀": "100", "良好": "85", "一般": "70", "较差": "50"},
    {"优秀": "100", "称职": "80", "基本称职": "60", "不称职": "40"},
    {"好": "95", "较好": "85.5", "一般": "70", "较差": "0"},
)
WEIGHTS = (("0.7", "0.3"), ("0.8", "0.2"), ("1", "0"), ("0.6", "0.4"), ("0.65", "0.35"), ("0.5", "0.5"))
CLASS_SETS = (
    {"leader": "0.4", "peer": "0.3", "public": "0.3"},
    {"peer": "1"},
    {"leader": "0.5", "peer": "0.5"},
    {"leader": "2", "peer": "1"},  # class weights need not sum to 1 (L divides by Σ w_k)
    {"leader": "0.35", "peer": "0.25", "public": "0.15"},
)
PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}
DEFAULT_MIN_DAYS = {"month": 10, "quarter": 30, "half": 60, "year": 120}


# ---------------------------------------------------------------------------
# Sources of choices
# ---------------------------------------------------------------------------


class RandomSource:
    """Choices from a seeded random.Random."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def randint(self, a: int, b: int) -> int:
        return self.rng.randint(a, b)

    def choice(self, seq):
        seq = list(seq)
        return seq[self.randint(0, len(seq) - 1)]

    def chance(self, p: float) -> bool:
        return self.randint(0, 999) < int(p * 1000)


class HypothesisSource(RandomSource):
    """Choices drawn from Hypothesis, so that a failing bundle shrinks (integers towards 0: fewer features)."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw = draw
        self.st = st

    def randint(self, a: int, b: int) -> int:
        return self.draw(self.st.integers(a, b))

    def chance(self, p: float) -> bool:
        return self.randint(0, 999) >= 1000 - int(p * 1000)  # shrinks to False


def sample(src: RandomSource, seq, k: int) -> list:
    pool = list(seq)
    out = []
    for _ in range(min(k, len(pool))):
        out.append(pool.pop(src.randint(0, len(pool) - 1)))
    return out


# ---------------------------------------------------------------------------
# Periods (the same rules as spec §2; repeated here so the generator does not lean on the oracle)
# ---------------------------------------------------------------------------


def period_bounds(kind: str, year: int, index: int) -> tuple[date, date, str]:
    if kind == "month":
        return date(year, index, 1), date(year, index, calendar.monthrange(year, index)[1]), f"{year}M{index:02d}"
    if kind == "quarter":
        m = 3 * index - 2
        return date(year, m, 1), date(year, m + 2, calendar.monthrange(year, m + 2)[1]), f"{year}Q{index}"
    if kind == "half":
        if index == 1:
            return date(year, 1, 1), date(year, 6, 30), f"{year}H1"
        return date(year, 7, 1), date(year, 12, 31), f"{year}H2"
    return date(year, 1, 1), date(year, 12, 31), f"{year}Y"


def all_periods(kind: str, year: int) -> list[tuple[date, date, str]]:
    return [period_bounds(kind, year, i) for i in range(1, PERIODS_PER_YEAR[kind] + 1)]


# ---------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------


class Builder:
    def __init__(self, src: RandomSource, fmt: str):
        self.src = src
        self.fmt = fmt
        self.v2 = fmt == FORMAT_V2
        self.item_counter = 0

    # --- numbers ---------------------------------------------------------------

    def num(self, text: str) -> Any:
        """A decimal as a string, or (in /2, sometimes) as the JSON integer it equals (§14)."""
        if self.v2 and "." not in text and self.src.chance(0.3):
            return int(text)
        return text

    def pick(self, *options: str) -> Any:
        return self.num(self.src.choice(options))

    # --- units -------------------------------------------------------------------

    def units(self) -> list[dict]:
        """A county, 1–3 townships/departments, offices under them, villages under offices: 3 levels below the root."""
        src = self.src
        units = [{"code": "KH", "name": "开化县", "kind": "county", "parent": None}]
        for t in range(1, src.randint(1, 3) + 1):
            top = f"U{t}"
            units.append(
                {
                    "code": top,
                    "name": f"单位{t}",
                    "kind": src.choice(("township", "department", "subdistrict")),
                    "parent": "KH",
                }
            )
            for o in range(src.randint(0, 3)):
                office = f"{top}{chr(ord('A') + o)}"
                units.append({"code": office, "name": f"科室{office}", "kind": "office", "parent": top})
                for v in range(src.randint(0, 2)):
                    village = f"{office}{v + 1}"
                    units.append({"code": village, "name": f"村{village}", "kind": "village", "parent": office})
        if src.chance(0.3):
            units.append({"code": "TF", "name": "专班", "kind": "task_force", "parent": "KH"})
        return units

    # --- cadres and posts -----------------------------------------------------------

    def day_in(self, start: date, end: date) -> date:
        return start + timedelta(days=self.src.randint(0, (end - start).days))

    def edge_length(self, length: int, min_days: int) -> int:
        """A number of days in a period of `length` days that sits on the min_days edge, or anywhere."""
        options = [min_days - 1, min_days, min_days + 1, 1, length, self.src.randint(1, length)]
        return max(1, min(length, self.src.choice(options)))

    def posts(self, unit_codes: list[str], focus: list[str], year: int, kind: str, min_days: int) -> list[dict]:
        src = self.src
        periods = all_periods(kind, year)
        long_ago = date(year - src.randint(1, 3), src.randint(1, 12), 1)

        def post(unit, position, start, end):
            return {
                "unit": unit,
                "position": position,
                "start": start.isoformat(),
                "end": None if end is None else end.isoformat(),
            }

        unit = src.choice(focus)
        position = src.choice(POSITIONS[:3]) if src.chance(0.8) else src.choice(POSITIONS)
        pattern = src.choice(
            ("steady", "steady", "steady", "joiner", "leaver", "mover", "mover", "double", "short", "span")
        )
        p_start, p_end, _ = src.choice(periods)
        length = (p_end - p_start).days + 1
        if pattern == "steady":
            end = None if src.chance(0.8) else date(year + 1, 3, 31)
            return [post(unit, position, long_ago, end)]
        if pattern == "joiner":  # starts so that the period holds exactly k days of it
            k = self.edge_length(length, min_days)
            return [post(unit, position, p_end - timedelta(days=k - 1), None)]
        if pattern == "leaver":
            k = self.edge_length(length, min_days)
            return [post(unit, position, long_ago, p_start + timedelta(days=k - 1))]
        if pattern == "mover":  # a change of post inside a period: other unit and/or position
            change = self.day_in(p_start, p_end)
            other_unit = src.choice(unit_codes) if src.chance(0.5) else unit
            other_position = src.choice(POSITIONS)
            first = post(unit, position, long_ago, change - timedelta(days=1))
            second = post(
                other_unit, other_position, change, None if src.chance(0.8) else self.day_in(change, date(year, 12, 31))
            )
            return [first, second] if src.chance(0.5) else [second, first]
        if pattern == "double":  # two posts at once, one elsewhere (overlapping days count once)
            return [
                post(unit, position, long_ago, None),
                post(
                    src.choice(unit_codes),
                    src.choice(POSITIONS),
                    self.day_in(date(year, 1, 1), date(year, 12, 31)),
                    None,
                ),
                *([post(unit, src.choice(POSITIONS), self.day_in(p_start, p_end), None)] if src.chance(0.3) else []),
            ]
        if pattern == "short":  # in and out within one period
            a = self.day_in(p_start, p_end)
            return [post(unit, position, a, self.day_in(a, p_end))]
        # span: from inside one period to inside a later one
        a = self.day_in(date(year, 1, 1), date(year, 12, 31))
        return [post(unit, position, a, self.day_in(a, date(year, 12, 31)))]

    # --- items (§4, §5) --------------------------------------------------------------

    def new_code(self, prefix: str) -> str:
        self.item_counter += 1
        return f"{prefix}{self.item_counter}"

    def bounds(self, item: dict, top: bool, allow_allotment: bool = True) -> None:
        """floor, cap, start or allotment and cap_exempt, always with floor ≤ cap after the allotment defaults."""
        src = self.src
        if allow_allotment and src.chance(0.15):
            allotment = src.choice(("0", "5", "10", "3.5", "20"))
            item["allotment"] = self.num(allotment)
            if src.chance(0.2):
                item["floor"] = self.num(src.choice(("-5", "0", "1"))) if allotment != "0" else self.num("-2")
            if src.chance(0.15):
                item["cap"] = self.num(src.choice(("30", "8")))  # ≥ every floor above
        else:
            floor = cap = None
            if src.chance(0.25):
                floor = src.choice(("-20", "-10", "-5", "0", "-2.5"))
                item["floor"] = self.num(floor)
            if src.chance(0.35):
                cap = src.choice(("5", "10", "15", "20", "25", "40", "0", "12.5"))
                if floor is not None and float(cap) < float(floor):
                    cap = "0"
                item["cap"] = self.num(cap)
            if src.chance(0.15):
                item["start"] = self.num(src.choice(("5", "10", "-3", "2.5")))
        if not top and src.chance(0.15):
            item["cap_exempt"] = True

    def leaf(self, top: bool) -> dict:
        src = self.src
        kind = src.choice(("per_unit", "per_unit", "ratio_to_best", "bands", "by_rank"))
        item: dict[str, Any] = {"code": self.new_code("L"), "kind": kind}
        if src.chance(0.5):
            item["name"] = f"细项{item['code']}"
        if kind == "per_unit":
            item["points"] = self.pick("1", "2", "0.5", "1.5", "3", "-1", "-2", "-0.25", "0", "5")
            if src.chance(0.18):
                item["veto"] = src.choice((True, True, "bottom", "bar_top", False))
            elif src.chance(0.05):
                item["veto"] = False
            if src.chance(0.3):
                item["unit"] = src.choice(("次", "项", "天", "个"))
        elif kind == "ratio_to_best":
            item["points"] = self.pick("10", "15", "7.5", "20", "0")
            item["unit"] = "万元"
        elif kind == "bands":
            mins = sorted(
                {
                    src.choice(("100", "95", "90", "80", "60", "50", "19", "3", "2", "1", "0", "-1"))
                    for _ in range(src.randint(1, 4))
                },
                key=float,
                reverse=True,
            )
            item["bands"] = [
                {"min": self.num(m), "points": self.pick("20", "18", "15", "10", "5", "0", "-3")} for m in mins
            ]
        else:  # by_rank
            item["points"] = self.pick("10", "6", "5", "200", "3")
            item["step"] = self.pick("2", "1", "0", "4", "0.5", "7")
        self.bounds(item, top)
        return item

    def base_leaf(self) -> dict:
        item: dict[str, Any] = {
            "code": self.new_code("B"),
            "kind": "base",
            "points": self.pick("30", "40", "45", "50", "45.5", "0"),
        }
        if self.src.chance(0.7):
            item["positions"] = sample(self.src, POSITIONS, self.src.randint(0, 2))  # [] = any position (v1)
        return item

    def internal(self, depth: int, top: bool) -> dict:
        src = self.src
        item: dict[str, Any] = {"code": self.new_code("I"), "name": "指标", "children": []}
        for _ in range(src.randint(0, 3) if depth < 3 else 0):
            if src.chance(0.3 if depth < 2 else 0):
                item["children"].append(self.internal(depth + 1, False))
            elif src.chance(0.05):
                item["children"].append(self.base_leaf())
            else:
                item["children"].append(self.leaf(False))
        self.bounds(item, top)
        return item

    def item_tree(self) -> tuple[list[dict], str | None]:
        src = self.src
        tops = []
        if src.chance(0.9):  # the base item with its prorated leaves
            tops.append(
                {"code": "base", "name": "岗位分", "children": [self.base_leaf() for _ in range(src.randint(1, 3))]}
            )
        for _ in range(src.randint(1, 3)):
            tops.append(self.internal(1, True) if src.chance(0.85) else self.leaf(True))
        deduction_item = None
        shape = src.choice(("deduction", "deduction", "allotment", "none", "named"))
        if shape == "deduction":  # §4.4 the item coded `deduction`
            ded = {
                "code": "deduction",
                "name": "扣分",
                "children": [self.leaf(False) for _ in range(src.randint(0, 3))],
            }
            for child in ded["children"]:
                if child["kind"] == "per_unit" and not str(child["points"]).startswith("-") and src.chance(0.7):
                    child["points"] = self.pick("-1", "-2", "-3", "-0.5")
            if src.chance(0.6):
                ded["floor"] = self.pick("-15", "-10", "-20", "-3")
            tops.append(ded)
        elif shape == "allotment":  # 扣完为止 as the deduction item, named by deduction_item
            ded = {"code": self.new_code("K"), "allotment": self.pick("10", "20", "6"), "children": []}
            for _ in range(src.randint(1, 3)):
                child = {"code": self.new_code("L"), "kind": "per_unit", "points": self.pick("-1", "-2", "-3", "-4")}
                if src.chance(0.15):
                    child["veto"] = src.choice((True, "bottom", "bar_top"))
                ded["children"].append(child)
            if src.chance(0.3):
                ded["children"].append(
                    {"code": self.new_code("L"), "kind": "per_unit", "points": self.pick("2", "-2"), "cap_exempt": True}
                )
            tops.append(ded)
            deduction_item = ded["code"]
        elif shape == "named":  # deduction_item naming any item, even a nested one
            codes = codes_of(tops)
            deduction_item = src.choice(codes)
        if src.chance(0.5):
            tops = shuffled(src, tops)
        return tops, deduction_item

    # --- v1 rules (§4.5) --------------------------------------------------------------

    def rules(self) -> tuple[list[dict], dict]:
        src = self.src
        rules = []
        n = 0
        for category in CATEGORIES:
            count = src.randint(1, 3) if category == "base" else src.randint(0, 3)
            for _ in range(count):
                n += 1
                rule: dict[str, Any] = {"code": f"R{n}", "name": f"规则{n}", "category": category}
                if category == "base":
                    rule["points"] = self.pick("30", "40", "45", "50", "60", "45.5")
                    if src.chance(0.7):
                        rule["positions"] = sample(src, POSITIONS, src.randint(0, 2))
                    rules.append(rule)
                    continue
                if category == "deduction":
                    rule["points"] = self.pick("-1", "-2", "-3", "-0.5", "-50", "0")
                else:
                    rule["points"] = self.pick("1", "2", "0.5", "1.5", "4", "6", "0")
                if src.chance(0.3):
                    rule["cap"] = self.pick("5", "10", "12", "20", "0", "2.5")
                if src.chance(0.12):
                    rule["veto"] = True if not self.v2 else src.choice((True, True, "bottom", "bar_top"))
                elif src.chance(0.05):
                    rule["veto"] = False
                if src.chance(0.3):
                    rule["unit"] = src.choice(("次", "项", "天"))
                rules.append(rule)
        caps = {}
        for category in CATEGORIES:
            if src.chance(0.2):
                caps[category] = self.pick("10", "15", "20", "40", "0", "7.5")
        if src.chance(0.5):
            rules = shuffled(src, rules)
        return rules, caps

    # --- tiers (§10) ------------------------------------------------------------------

    def proportional_tiers(self, at_least: int) -> list[dict]:
        src = self.src
        cuts = sorted(
            set(
                sample(
                    src,
                    ("0.1", "0.2", "0.25", "0.35", "0.5", "0.6", "0.7", "0.8", "0.95"),
                    src.randint(max(0, at_least - 1), 3),
                )
            ),
            key=float,
        )
        names = ("一档", "二档", "三档", "四档")
        return [{"name": names[i], "cumulative": self.num(c)} for i, c in enumerate([*cuts, "1"])]

    def cutoff_tiers(self, at_least: int, names=("一档", "二档", "三档", "四档", "五档")) -> list[dict]:
        src = self.src
        count = src.randint(max(at_least, 1), 4)
        mins = sorted(
            sample(src, ("95", "90", "85", "80", "70", "60", "50", "0", "-10"), count), key=float, reverse=True
        )
        tiers = []
        last_min = None
        for i in range(count - 1):
            tier: dict[str, Any] = {"name": names[i]}
            if src.chance(0.7):
                m = mins[i]
                if last_min is None or float(m) < last_min:
                    tier["min"] = self.num(m)
                    last_min = float(m)
            if src.chance(0.6 if i == 0 else 0.2):
                tier["max_share"] = src.choice(("0.2", "0.25", "0.4", "1/3", "0.5", "0.1", "1", "2/7", "0.15"))
                if src.chance(0.6):
                    tier["seat_rounding"] = src.choice(("floor", "half_up", "ceil"))
                if src.chance(0.3):
                    tier["min_seats"] = src.randint(0, 2)
            tiers.append(tier)
        tiers.append({"name": names[count - 1]})
        return tiers

    # --- qualitative (§8) ----------------------------------------------------------------

    def qualitative(self, grades: dict) -> dict | None:
        src = self.src
        if not self.v2:
            return None
        roll = src.randint(0, 9)
        if roll < 3:
            return None
        if roll < 5:
            return {"method": "trimmed_mean"}
        names = list(grades)
        top = sample(src, names, src.randint(1, 2))
        rest = [g for g in names if g not in top]
        q: dict[str, Any] = {"method": "vote_share", "top": top}
        if src.chance(0.8):
            q["low"] = sample(src, rest, src.randint(1, len(rest)))
        if src.chance(0.7):
            mins = sorted(
                set(sample(src, ("0.9", "0.8", "0.7", "0.6", "0.5", "1/3", "0", "2/3", "1"), src.randint(1, 5))),
                key=lambda s: eval_share(s),
                reverse=True,
            )
            q["bands"] = [{"min": m, "score": self.pick("100", "95", "90", "85", "80", "60")} for m in mins]
        if "low" in q and src.chance(0.7):
            q["penalty"] = {
                "share": src.choice(("1/3", "1/3", "0.5", "0.2", "2/3")),
                "score": self.pick("65", "50", "0"),
            }
        return q

    # --- schemes -----------------------------------------------------------------------

    def scheme(self, code: str, unit: str, units: list[dict], year: int) -> dict:
        src = self.src
        kind = src.choice(("month", "quarter", "half", "year")) if self.v2 else "quarter"
        grades = dict(src.choice(GRADE_SETS))
        if self.v2:
            grades = {g: self.num(v) for g, v in grades.items()}
        weights = src.choice(WEIGHTS)
        scheme: dict[str, Any] = {
            "code": code,
            "name": f"方案{code}",
            "unit": unit,
            "year": year,
            "weights": {"quantitative": self.num(weights[0]), "qualitative": self.num(weights[1])},
            "grades": grades,
            "evaluator_classes": {k: self.num(v) for k, v in src.choice(CLASS_SETS).items()},
        }
        if self.v2 and (kind != "quarter" or src.chance(0.5)):
            scheme["period"] = kind
        default = DEFAULT_MIN_DAYS[kind]
        roll = src.randint(0, 9)
        if roll < 4:
            pass  # the default by period kind
        elif roll < 5:
            scheme["min_days"] = 0
        elif roll < 6:
            scheme["min_days"] = 1
        else:
            scheme["min_days"] = src.choice((default, default // 2, default + 5, 3, 31, 15))
        veto_mode = src.choice((None, None, "bottom", "bar_top")) if self.v2 else None
        if veto_mode:
            scheme["veto_mode"] = veto_mode
        use_rules = not self.v2 or src.chance(0.2)
        if use_rules:
            rules, caps = self.rules()
            scheme["rules"] = rules
            if caps or not self.v2 or src.chance(0.5):
                scheme["category_caps"] = caps
            tops = list(CATEGORIES)
        else:
            items, deduction_item = self.item_tree()
            scheme["items"] = items
            if deduction_item is not None:
                scheme["deduction_item"] = deduction_item
            tops = [i["code"] for i in items]
        can_bar_top = veto_mode == "bar_top" or any(v == "bar_top" for v in veto_values(scheme))
        at_least = 2 if can_bar_top else 1
        policy = (
            src.choice(("proportional", "proportional", "cutoffs", "cutoffs", "pingshi")) if self.v2 else "proportional"
        )
        if policy != "proportional" or (self.v2 and src.chance(0.3)):
            scheme["tier_policy"] = policy
        if policy == "proportional":
            scheme["tiers"] = self.proportional_tiers(at_least)
        elif policy == "cutoffs":
            scheme["tiers"] = self.cutoff_tiers(at_least)
        if self.v2:
            coefficients = self.coefficients(units, tops)
            if coefficients or src.chance(0.2):
                scheme["coefficients"] = coefficients
            q = self.qualitative(grades)
            if q is not None:
                scheme["qualitative"] = q
            if kind != "year" and src.chance(0.55):
                scheme["annual"] = self.annual(kind, at_least)
        return scheme

    def coefficients(self, units: list[dict], tops: list[str]) -> list[dict]:
        src = self.src
        out = []
        for by in sample(src, ("position", "unit", "position"), src.randint(0, 2)):
            if by == "position":
                keys = sample(src, POSITIONS, src.randint(1, 3))
            else:  # keys at different levels of the unit tree: root, township, office, village
                keys = sample(src, [u["code"] for u in units], src.randint(1, 3))
            c: dict[str, Any] = {
                "by": by,
                "values": {k: self.pick("0.8", "0.9", "1", "1.1", "1.2", "1.05", "2", "0.75") for k in keys},
            }
            if src.chance(0.4):
                c["default"] = self.pick("1", "0.9", "1.1")
            if src.chance(0.7):
                c["items"] = sample(src, tops, src.randint(1, len(tops)))
            out.append(c)
        return out

    def annual(self, kind: str, at_least: int) -> dict:
        src = self.src
        annual: dict[str, Any] = {}
        if src.chance(0.6):
            annual["min_periods"] = src.choice((1, 1, 2, 3, PERIODS_PER_YEAR[kind], PERIODS_PER_YEAR[kind] - 1 or 1))
        roll = src.randint(0, 9)
        if roll < 4:
            return annual  # the national default grades by cutoffs
        if roll < 7:
            annual["tier_policy"] = "cutoffs"
            tiers = self.cutoff_tiers(at_least, ("优秀", "称职", "基本称职", "不称职", "末等"))
            if len(tiers) > 1 and src.chance(0.5):
                tiers[0]["max_share"] = src.choice(("0.2", "0.25", "0.15"))
            annual["tiers"] = tiers
            if src.chance(0.3):
                del annual["tier_policy"]
            return annual
        annual["tier_policy"] = "proportional"
        annual["tiers"] = [
            {"name": t["name"].replace("档", "等")} | {"cumulative": t["cumulative"]}
            for t in self.proportional_tiers(at_least)
        ]
        return annual

    # --- entries and ballots ----------------------------------------------------------------

    def entries(self, schemes: list[dict], cadres: list[str], year: int) -> list[dict]:
        src = self.src
        out = []
        statuses = (None, None, None, "approved", "approved", "pending", "rejected", "declared", "revoked")
        for scheme in schemes:
            leaves = entry_leaves(scheme)
            if not leaves:
                continue
            periods = all_periods(scheme.get("period", "quarter"), year)
            measured = measure_leaves(scheme)
            # most entries of a leaf fall in one or two "busy" periods, so that measures collide within a period
            busy = {leaf: sample(src, periods, src.randint(1, 2)) for leaf in leaves}
            for cadre in cadres:
                for leaf in leaves:
                    if not src.chance(0.45):
                        continue
                    for _ in range(src.randint(1, 3)):
                        p_start, p_end, _code = src.choice(busy[leaf] if src.chance(0.7) else periods)
                        roll = src.randint(0, 19)
                        if roll == 0:
                            day = date(year - 1, 12, 31)
                        elif roll == 1:
                            day = date(year + 1, 1, 1)
                        elif roll < 5:
                            day = p_start
                        elif roll < 8:
                            day = p_end
                        else:
                            day = self.day_in(p_start, p_end)
                        entry: dict[str, Any] = {
                            "id": f"E{len(out) + 1:04d}",
                            "cadre": cadre,
                            "scheme": scheme["code"],
                            "rule": leaf,
                            "occurred_on": day.isoformat(),
                        }
                        if leaf in measured and src.chance(0.6):  # few distinct measures: shared places
                            entry["quantity"] = self.pick("1", "2", "2", "3", "90", "100")
                        elif src.chance(0.8):
                            entry["quantity"] = self.pick(
                                "1", "1", "2", "3", "0.5", "1.25", "4", "19", "90", "92", "100", "0.0001"
                            )
                        status = src.choice(statuses)
                        if status is not None:
                            entry["status"] = status
                        out.append(entry)
        if src.chance(0.5):
            out = shuffled(src, out)
        return out

    def ballots(self, schemes: list[dict], cadres: list[str], year: int) -> list[dict]:
        src = self.src
        out = []
        for scheme in schemes:
            if src.chance(0.25):
                continue  # no ballots: L absent
            codes = [c for _, _, c in all_periods(scheme.get("period", "quarter"), year)]
            chosen = sample(src, codes, src.randint(1, min(len(codes), 4)))
            grades = list(scheme["grades"])
            q = scheme.get("qualitative") or {}
            low = list(q.get("low", [])) or grades[-1:]
            top = list(q.get("top", [])) or grades[:1]
            for code in chosen:
                for cadre in cadres:
                    if not src.chance(0.6):
                        continue
                    for klass in sample(
                        src, list(scheme["evaluator_classes"]), src.randint(1, len(scheme["evaluator_classes"]))
                    ):
                        n = src.randint(1, 9)
                        if src.chance(0.35):  # a low share of exactly one third
                            n = src.choice((3, 6, 9))
                            picks = [src.choice(low) for _ in range(n // 3)] + [
                                src.choice(top + grades) for _ in range(n - n // 3)
                            ]
                            picks = [g if g not in low or i < n // 3 else src.choice(top) for i, g in enumerate(picks)]
                        elif src.chance(0.3):  # unanimous
                            picks = [src.choice(grades)] * n
                        else:
                            picks = [src.choice(grades) for _ in range(n)]
                        for grade in picks:
                            out.append(
                                {
                                    "cadre": cadre,
                                    "scheme": scheme["code"],
                                    "period": code,
                                    "class": klass,
                                    "grade": grade,
                                }
                            )
        if src.chance(0.5):
            out = shuffled(src, out)
        return out

    # --- the whole bundle --------------------------------------------------------------------

    def bundle(self) -> dict:
        src = self.src
        year = src.choice((2026, 2026, 2024, 2027))
        units = self.units()
        unit_codes = [u["code"] for u in units]
        tops = [u["code"] for u in units if u["parent"] == "KH"]
        focus_unit = src.choice([u for u in tops if u != "TF"] or tops)
        focus = [c for c in unit_codes if c == focus_unit or c.startswith(focus_unit)]
        schemes = [self.scheme("S1", focus_unit, units, year)]
        if src.chance(0.25):
            schemes.append(self.scheme("S2", src.choice(unit_codes), units, year))
        kind = schemes[0].get("period", "quarter")
        min_days = schemes[0].get("min_days", DEFAULT_MIN_DAYS[kind])
        cadres = []
        in_focus = src.randint(1, 12)
        for i in range(in_focus + src.randint(0, 3)):
            inside = focus if i < in_focus else unit_codes  # a few outsiders anywhere
            cadres.append(
                {
                    "code": f"C{i + 1:02d}",
                    "name": f"干部{i + 1}",
                    "posts": self.posts(unit_codes, inside, year, kind, min_days),
                }
            )
        if src.chance(0.2):
            cadres.append({"code": "C99", "name": "无岗位", "posts": []})
        groups = []
        held = [p for c in cadres for p in c["posts"]] or [{"unit": focus_unit, "position": POSITIONS[0]}]
        parents = {u["code"]: u["parent"] for u in units}
        for g in range(src.choice((1, 2, 2, 3))):
            for scheme in schemes if g == 0 else [src.choice(schemes)]:
                post = src.choice(held)  # select around a post someone holds, so that groups are seldom empty
                lineage = [post["unit"]]
                while parents[lineage[-1]] is not None:
                    lineage.append(parents[lineage[-1]])
                unit = focus_unit if focus_unit in lineage and src.chance(0.5) else src.choice(lineage)
                roll = src.randint(0, 9)
                if roll < 5:
                    select = {"unit": unit}
                elif roll < 8:
                    select = {"position": post["position"] if src.chance(0.8) else src.choice(POSITIONS)}
                else:
                    select = {"unit": unit, "position": post["position"]}
                code = f"G{len(groups) + 1}"
                groups.append({"code": code, "name": f"排名组{code}", "scheme": scheme["code"], "select": select})
        cadre_codes = [c["code"] for c in cadres]
        bundle = {
            "format": self.fmt,
            "units": units,
            "cadres": shuffled(src, cadres) if src.chance(0.3) else cadres,
            "schemes": schemes,
            "groups": groups,
            "entries": self.entries(schemes, cadre_codes, year),
            "ballots": self.ballots(schemes, cadre_codes, year),
        }
        return bundle


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def shuffled(src: RandomSource, seq: list) -> list:
    return sample(src, seq, len(seq))


def eval_share(text: str) -> float:
    if "/" in text:
        n, d = text.split("/")
        return int(n) / int(d)
    return float(text)


def codes_of(items: list[dict]) -> list[str]:
    out = []
    for item in items:
        out.append(item["code"])
        out.extend(codes_of(item.get("children", [])))
    return out


def walk_items(items: list[dict]):
    for item in items:
        yield item
        yield from walk_items(item.get("children", []))


def veto_values(scheme: dict) -> list:
    if "rules" in scheme:
        return [r.get("veto") for r in scheme["rules"]]
    return [i.get("veto") for i in walk_items(scheme["items"])]


def entry_leaves(scheme: dict) -> list[str]:
    """The codes an entry may name: non-base rules, or leaves other than base."""
    if "rules" in scheme:
        return [r["code"] for r in scheme["rules"] if r["category"] != "base"]
    return [i["code"] for i in walk_items(scheme["items"]) if "kind" in i and i["kind"] != "base"]


def measure_leaves(scheme: dict) -> set[str]:
    """Leaves whose score depends on the measure's value among others or on bands."""
    return {
        i["code"] for i in walk_items(scheme.get("items", [])) if i.get("kind") in ("ratio_to_best", "by_rank", "bands")
    }


def random_bundle(seed: int, format: str = FORMAT_V2) -> dict:
    """A valid bundle of `format`, the same for the same seed."""
    return Builder(RandomSource(random.Random(seed)), format).bundle()


def bundles(formats: tuple[str, ...] = (FORMAT_V2, FORMAT_V1)):
    """A Hypothesis strategy of valid bundles."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        fmt = draw(st.sampled_from(formats))
        return Builder(HypothesisSource(draw), fmt).bundle()

    return strategy()


def v1_as_v2(bundle: dict) -> dict:
    """A /1 bundle rewritten as the /2 item tree of §4.5 (five top-level items, rules as leaves, caps as caps or
    floors). Its rankings must equal the /1 bundle's on every v1 key."""
    import copy

    out = copy.deepcopy(bundle)
    out["format"] = FORMAT_V2
    for scheme in out["schemes"]:
        caps = scheme.pop("category_caps", None) or {}
        items = []
        for category in CATEGORIES:
            top: dict[str, Any] = {"code": category, "children": []}
            if category in caps:
                if category == "deduction":
                    top["floor"] = "-" + caps[category] if caps[category] != "0" else "0"
                else:
                    top["cap"] = caps[category]
            items.append(top)
        by_code = {i["code"]: i for i in items}
        for rule in scheme.pop("rules"):
            leaf: dict[str, Any] = {"code": rule["code"], "name": rule["name"], "points": rule["points"]}
            if rule["category"] == "base":
                leaf["kind"] = "base"
                if rule.get("positions"):
                    leaf["positions"] = rule["positions"]
            else:
                leaf["kind"] = "per_unit"
                if rule.get("veto") is not None:
                    leaf["veto"] = rule["veto"]
                if rule.get("cap") is not None:
                    if rule["category"] == "deduction":
                        leaf["floor"] = "-" + rule["cap"] if rule["cap"] != "0" else "0"
                    else:
                        leaf["cap"] = rule["cap"]
            by_code[rule["category"]]["children"].append(leaf)
        scheme["items"] = items
    return out
