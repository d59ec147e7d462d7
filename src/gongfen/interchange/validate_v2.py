"""The conditions of meaning of a ``gongfen-bundle/2`` scheme (shared/spec/scoring-v2.md §14, items 3–17).

:func:`check_scheme` runs after the JSON Schema (bundle-2.schema.json) on one scheme and reports every
problem with its JSON path through ``add(path, message)``; it returns what entries may name. The checks of
v1 (weights, grades, classes, rules, units, entries, ballots) stay in :mod:`.validate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import pairwise
from typing import Any

CATEGORIES = ("base", "stationing", "routine", "special", "deduction")
KINDS = ("per_unit", "base", "ratio_to_best", "bands", "by_rank")
PERIODS = ("month", "quarter", "half", "year")
TIER_POLICIES = ("proportional", "cutoffs", "pingshi")
VETO_MODES = ("bottom", "bar_top")
SEAT_ROUNDINGS = ("floor", "half_up", "ceil")
DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
FRACTION = re.compile(r"([0-9]+)/([0-9]+)")
PERIOD_CODE = {
    "month": re.compile(r"[0-9]{4}M(0[1-9]|1[0-2])"),
    "quarter": re.compile(r"[0-9]{4}Q[1-4]"),
    "half": re.compile(r"[0-9]{4}H[12]"),
    "year": re.compile(r"[0-9]{4}Y"),
}

Add = Callable[[str, str], None]


def dec(value: Any) -> Decimal | None:
    """A bundle decimal (a string like "-2.5" or a JSON integer), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            return None
    return None


def share(value: Any) -> Fraction | None:
    """A share: a decimal in [0, 1] or ``"n/d"`` with 0 ≤ n ≤ d, d > 0; else None."""
    if isinstance(value, str) and (m := FRACTION.fullmatch(value)):
        n, d = int(m.group(1)), int(m.group(2))
        return Fraction(n, d) if d > 0 and n <= d else None
    number = dec(value)
    return Fraction(number) if number is not None and 0 <= number <= 1 else None


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_period_code(code: Any, kind: str) -> bool:
    pattern = PERIOD_CODE.get(kind)
    return isinstance(code, str) and pattern is not None and pattern.fullmatch(code) is not None


class SchemeCheck:
    """One v2 scheme's checks; ``leaves`` afterwards maps every item code to {"kind", "category"}."""

    def __init__(self, s: dict, path: str, add: Add, unit_known: Callable[[Any], bool]):
        self.s, self.path, self.add, self.unit_known = s, path, add, unit_known
        self.leaves: dict[str, dict] = {}
        self.vetoes: list[Any] = []
        self.codes: set[str] = set()

    def run(self) -> dict[str, dict]:
        s, path = self.s, self.path
        kind = s.get("period", "quarter")
        if kind not in PERIODS:
            self.add(f"{path}.period", f"考核周期 {kind!r} 不是 month/quarter/half/year 之一 (unknown period)")
        if "min_days" in s and not (is_int(s["min_days"]) and s["min_days"] >= 0):
            self.add(f"{path}.min_days", f"最少在岗天数须为不小于 0 的整数，得到 {s['min_days']!r} (min_days)")
        has_items, has_rules = "items" in s, "rules" in s
        if has_items == has_rules:
            self.add(path, "考核方案须有 items（指标体系）或 rules（赋分规则）之一，且只能有一个 (items xor rules)")
        tops: list[str] = list(CATEGORIES)
        if has_items and isinstance(s["items"], list):
            if "category_caps" in s:
                self.add(f"{path}.category_caps", "指标体系方案不用类别上限，请写在各指标上 (category_caps on items)")
            tops = [i.get("code") for i in s["items"] if isinstance(i, dict)]
            for i, item in enumerate(s["items"]):
                if isinstance(item, dict):
                    self.item(item, f"{path}.items[{i}]", top=True)
            if "deduction_item" in s and s["deduction_item"] not in self.codes:
                self.add(f"{path}.deduction_item", f"扣分指标 {s['deduction_item']!r} 不存在 (names no item)")
        elif has_rules:
            if "deduction_item" in s:
                self.add(f"{path}.deduction_item", "按赋分规则的方案不能指定扣分指标 (not on a rules scheme)")
            for j, rule in enumerate(s["rules"] if isinstance(s["rules"], list) else ()):
                if not isinstance(rule, dict):
                    continue
                if rule.get("code") in CATEGORIES:
                    self.add(
                        f"{path}.rules[{j}].code",
                        f"规则编码 {rule['code']!r} 与类别编码相同 (a rule code equals a category code)",
                    )
                veto = rule.get("veto", False)
                if veto not in (False, True, *VETO_MODES):
                    self.add(f"{path}.rules[{j}].veto", f"一票否决取值 {veto!r} 不对 (unknown veto)")
                elif veto is not False and rule.get("category") == "base":
                    self.add(f"{path}.rules[{j}].veto", "岗位分规则不能一票否决 (veto on a base rule)")
                self.vetoes.append(veto)
        self.coefficients(tops)
        veto_mode = s.get("veto_mode", "bottom")
        if veto_mode not in VETO_MODES:
            self.add(f"{path}.veto_mode", f"一票否决方式 {veto_mode!r} 不是 bottom/bar_top (unknown veto_mode)")
        can_bar_top = veto_mode == "bar_top" or "bar_top" in self.vetoes
        self.policy(can_bar_top)
        self.qualitative()
        self.annual(kind, can_bar_top)
        return self.leaves

    # --- the tree (4–10) -------------------------------------------------------------------------------

    def item(self, it: dict, ip: str, top: bool) -> None:
        code = it.get("code")
        if isinstance(code, str):
            if code in self.codes:
                self.add(f"{ip}.code", f"指标编码 {code!r} 在方案中重复 (item code repeats)")
            self.codes.add(code)
        has_kind, has_children = "kind" in it, "children" in it
        if has_kind == has_children:
            self.add(ip, "指标须有 kind（末级指标）或 children（下级指标）之一，且只能有一个 (kind xor children)")
            return
        self.bounds(it, ip)
        if top and it.get("cap_exempt"):
            self.add(f"{ip}.cap_exempt", "一级指标不能“不占上限” (a top-level item cannot be cap_exempt)")
        if it.get("veto", False) is not False and it.get("kind") != "per_unit":
            self.add(f"{ip}.veto", "只有按次计分（per_unit）的末级指标可以一票否决 (veto only on per_unit)")
        if has_children:
            if isinstance(code, str):
                self.leaves[code] = {"kind": "internal", "category": None}
            for i, child in enumerate(it["children"] if isinstance(it["children"], list) else ()):
                if isinstance(child, dict):
                    self.item(child, f"{ip}.children[{i}]", top=False)
            return
        self.leaf(it, ip)

    def bounds(self, it: dict, ip: str) -> None:
        for key in ("floor", "cap", "start", "allotment"):
            if key in it and dec(it[key]) is None:
                self.add(f"{ip}.{key}", f"{key} 不是小数：{it[key]!r} (not a decimal)")
        if "start" in it and "allotment" in it:
            self.add(ip, "不能同时有 start（起始分）和 allotment（扣完为止） (both start and allotment)")
        floor, cap = dec(it.get("floor")), dec(it.get("cap"))
        if "allotment" in it and dec(it["allotment"]) is not None:
            floor = Decimal(0) if floor is None else floor
            cap = dec(it["allotment"]) if cap is None else cap
        if floor is not None and cap is not None and floor > cap:
            self.add(ip, f"下限 {floor} 高于上限 {cap} (floor above cap)")

    def leaf(self, it: dict, ip: str) -> None:
        code, kind = it.get("code"), it.get("kind")
        if kind not in KINDS:
            self.add(f"{ip}.kind", f"末级指标类型 {kind!r} 未知 (unknown kind)")
            return
        if isinstance(code, str):
            self.leaves[code] = {"kind": kind, "category": None}
        if kind != "bands" and "points" not in it:
            self.add(f"{ip}.points", "缺少分值 (missing points)")
        elif kind != "bands" and dec(it["points"]) is None:
            self.add(f"{ip}.points", f"分值不是小数：{it['points']!r} (not a decimal)")
        points = dec(it.get("points"))
        if kind == "base":
            for key in ("floor", "cap", "start", "allotment"):
                if key in it:
                    self.add(f"{ip}.{key}", f"岗位分按在岗天数折算，不能有 {key} (a base leaf takes no {key})")
            positions = it.get("positions")
            if "positions" in it and not (isinstance(positions, list) and all(isinstance(p, str) for p in positions)):
                self.add(f"{ip}.positions", "positions 须为字符串列表 (positions must be a list of strings)")
        elif "positions" in it:
            self.add(f"{ip}.positions", "只有岗位分（base）指标有 positions (positions only on base)")
        if kind in ("ratio_to_best", "by_rank") and points is not None and points < 0:
            self.add(f"{ip}.points", f"该类指标的分值不能为负，得到 {points} (points must be ≥ 0)")
        if kind == "by_rank":
            step = dec(it.get("step"))
            if "step" not in it or step is None:
                self.add(f"{ip}.step", "按名次赋分须有每降一名减的分值 step (missing step)")
            elif step < 0:
                self.add(f"{ip}.step", f"step 不能为负，得到 {step} (step must be ≥ 0)")
        if kind == "bands":
            self.bands(it, ip)
        if kind == "per_unit":
            veto = it.get("veto", False)
            if veto not in (False, True, *VETO_MODES):
                self.add(f"{ip}.veto", f"一票否决取值 {veto!r} 不是 true/false/bottom/bar_top (unknown veto)")
            self.vetoes.append(veto)

    def bands(self, it: dict, ip: str) -> None:
        bands = it.get("bands")
        if not isinstance(bands, list) or not bands:
            self.add(f"{ip}.bands", "分档赋分须有至少一档 (bands empty or missing)")
            return
        mins = [dec(b.get("min")) if isinstance(b, dict) else None for b in bands]
        if None in mins:
            return  # the schema reported it
        if any(a <= b for a, b in pairwise(mins)):
            self.add(f"{ip}.bands", "各档的 min 须严格递减 (band mins must strictly decrease)")

    # --- coefficients (12) --------------------------------------------------------------------------------

    def coefficients(self, tops: Iterable[Any]) -> None:
        tops = list(tops)
        coefficients = self.s.get("coefficients", [])
        for ci, c in enumerate(coefficients if isinstance(coefficients, list) else ()):
            if not isinstance(c, dict):
                continue
            cp = f"{self.path}.coefficients[{ci}]"
            if c.get("by") not in ("position", "unit"):
                self.add(f"{cp}.by", f"系数依据 {c.get('by')!r} 不是 position/unit (unknown by)")
            values = c.get("values") if isinstance(c.get("values"), dict) else {}
            for key, value in values.items():
                number = dec(value)
                if number is not None and number <= 0:
                    self.add(f"{cp}.values.{key}", f"系数必须大于 0，得到 {value} (coefficient must be > 0)")
                if c.get("by") == "unit" and not self.unit_known(key):
                    self.add(f"{cp}.values.{key}", f"单位 {key!r} 不存在 (unknown unit)")
            if "default" in c and (number := dec(c["default"])) is not None and number <= 0:
                self.add(f"{cp}.default", f"默认系数必须大于 0，得到 {c['default']} (default must be > 0)")
            if "items" in c:
                items = c["items"] if isinstance(c["items"], list) else []
                if not items:
                    self.add(f"{cp}.items", "items 不能为空 (items empty)")
                for j, code in enumerate(items):
                    if code not in tops:
                        self.add(f"{cp}.items[{j}]", f"一级指标 {code!r} 不存在 (names no top-level item)")

    # --- tiers (14), qualitative (15), annual (16) ------------------------------------------------------------

    def policy(self, can_bar_top: bool) -> None:
        s, path = self.s, self.path
        policy = s.get("tier_policy", "proportional")
        if policy not in TIER_POLICIES:
            self.add(f"{path}.tier_policy", f"分档方式 {policy!r} 未知 (unknown tier_policy)")
        elif policy == "pingshi":
            if "tiers" in s:
                self.add(
                    f"{path}.tiers", "平时考核（pingshi）的档次是固定的，不能另给 tiers (pingshi comes without tiers)"
                )
        elif "tiers" not in s:
            self.add(f"{path}.tiers", "缺少必填字段 (missing field)")
        else:
            check_tiers(s["tiers"], policy, f"{path}.tiers", can_bar_top, self.add)

    def qualitative(self) -> None:
        q = self.s.get("qualitative")
        if not isinstance(q, dict):
            return
        qp = f"{self.path}.qualitative"
        method = q.get("method")
        if method not in ("trimmed_mean", "vote_share"):
            self.add(f"{qp}.method", f"定性评价方法 {method!r} 未知 (unknown method)")
        if method != "vote_share":
            return
        grades = self.s.get("grades") if isinstance(self.s.get("grades"), dict) else {}
        top = q.get("top") if isinstance(q.get("top"), list) else []
        low = q.get("low") if isinstance(q.get("low"), list) else []
        if not top:
            self.add(f"{qp}.top", "得票率方法须列出至少一个“好”等次 (top empty)")
        for key, names in (("top", top), ("low", low)):
            for j, grade in enumerate(names):
                if grade not in grades:
                    self.add(f"{qp}.{key}[{j}]", f"等次 {grade!r} 不在方案的等次中 (grade not in grades)")
        for grade in sorted(set(top) & set(low), key=str):
            self.add(f"{qp}.low", f"等次 {grade!r} 同时在 top 和 low 中 (top and low share a grade)")
        if "bands" in q:
            bands = q["bands"] if isinstance(q["bands"], list) else []
            mins = [share(b.get("min")) if isinstance(b, dict) else None for b in bands]
            for j, value in enumerate(mins):
                if value is None:
                    self.add(f"{qp}.bands[{j}].min", "得票率须为 0 到 1 之间的小数或 n/d (not a share)")
            if not bands:
                self.add(f"{qp}.bands", "bands 不能为空 (bands empty)")
            elif None not in mins and any(a <= b for a, b in pairwise(mins)):
                self.add(f"{qp}.bands", "各档的 min 须严格递减 (band mins must strictly decrease)")
        penalty = q.get("penalty")
        if isinstance(penalty, dict):
            if not low:
                self.add(f"{qp}.penalty", "penalty 须与 low 一起使用 (penalty without low)")
            if share(penalty.get("share")) is None:
                self.add(f"{qp}.penalty.share", "得票率须为 0 到 1 之间的小数或 n/d (not a share)")

    def annual(self, kind: str, can_bar_top: bool) -> None:
        a = self.s.get("annual")
        if a is None:
            return
        ap = f"{self.path}.annual"
        if kind == "year":
            self.add(ap, "按年考核的方案用自己的档次定等，不能再有 annual (annual on a year scheme)")
        if not isinstance(a, dict):
            return
        policy = a.get("tier_policy", "cutoffs")
        if policy not in ("cutoffs", "proportional"):
            self.add(f"{ap}.tier_policy", f"年度定等方式 {policy!r} 不是 cutoffs/proportional (unknown)")
        elif "tiers" in a:
            check_tiers(a["tiers"], policy, f"{ap}.tiers", can_bar_top, self.add)
        elif policy == "proportional":
            self.add(f"{ap}.tiers", "按比例定等须给出带 cumulative 的等次 (proportional grades need tiers)")
        if "min_periods" in a and not (is_int(a["min_periods"]) and a["min_periods"] >= 1):
            self.add(
                f"{ap}.min_periods",
                f"min_periods 须为不小于 1 的整数，得到 {a['min_periods']!r} (must be an integer ≥ 1)",
            )


def check_tiers(tiers: Any, policy: str, path: str, can_bar_top: bool, add: Add) -> None:
    """Tiers of ``policy`` (proportional or cutoffs), §10 and §14 item 14."""
    if not isinstance(tiers, list):
        return
    if not tiers:
        add(path, "档次不能为空 (tiers empty)")
        return
    names = [t.get("name") for t in tiers if isinstance(t, dict)]
    for j, t in enumerate(tiers):
        if isinstance(t, dict) and names.count(t.get("name")) > 1:
            add(f"{path}[{j}].name", f"档次名称 {t.get('name')!r} 重复 (duplicate tier name)")
    if can_bar_top and len(tiers) < 2:
        add(path, "可能“不得评为第一档”（bar_top）的方案至少要两档 (bar_top needs two tiers)")
    if policy == "proportional":
        previous = Decimal(0)
        for j, t in enumerate(tiers):
            number = dec(t.get("cumulative")) if isinstance(t, dict) else None
            if number is None:
                add(f"{path}[{j}].cumulative", "按比例分档须有累计比例 cumulative (missing cumulative)")
                continue
            if number <= previous or number > 1:
                add(f"{path}[{j}].cumulative", f"累计比例须在 (0, 1] 内且严格递增，得到 {number} (cumulative)")
            previous = max(previous, number)
        last = dec(tiers[-1].get("cumulative")) if isinstance(tiers[-1], dict) else None
        if last is not None and last != 1:
            add(f"{path}[{len(tiers) - 1}].cumulative", f"最后一档的累计比例必须为 1，得到 {last} (must end at 1)")
        return
    last_min = None
    for j, t in enumerate(tiers):
        if not isinstance(t, dict):
            continue
        tp = f"{path}[{j}]"
        if j == len(tiers) - 1:
            for key in ("min", "max_share"):
                if key in t:
                    add(f"{tp}.{key}", f"最后一档不能有 {key} (the last cutoffs tier has {key})")
        if "min" in t:
            number = dec(t["min"])
            if number is not None and last_min is not None and number >= last_min:
                add(f"{tp}.min", f"各档分数线须严格递减：{number} 不低于 {last_min} (mins must strictly decrease)")
            if number is not None:
                last_min = number
        if "max_share" in t and ((value := share(t["max_share"])) is None or value <= 0):
            add(f"{tp}.max_share", f"比例上限须为大于 0 的比例，得到 {t['max_share']!r} (not a share > 0)")
        for key in ("seat_rounding", "min_seats"):
            if key in t and "max_share" not in t:
                add(f"{tp}.{key}", f"{key} 只能与 max_share 一起使用 ({key} without max_share)")
        if "seat_rounding" in t and t["seat_rounding"] not in SEAT_ROUNDINGS:
            add(f"{tp}.seat_rounding", f"取整方式 {t['seat_rounding']!r} 不是 floor/half_up/ceil (unknown)")
        if "min_seats" in t and not (is_int(t["min_seats"]) and t["min_seats"] >= 0):
            add(f"{tp}.min_seats", f"min_seats 须为不小于 0 的整数，得到 {t['min_seats']!r} (an integer ≥ 0)")
