"""Checking a bundle before anything is written: the JSON Schema, then the spec's rules.

Every problem is reported with its JSON path (``$.entries[3].rule``); a
bundle with any problem loads nothing. References may name objects of the
bundle or objects already in the workspace (load is an upsert by code).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator

from gongfen.common import DomainError

DECIMAL_PLACES = 4
INTEGER_DIGITS = 8  # points, caps and quantities are stored as decimal(12, 4)
REVERSAL_SUFFIX = re.compile(r"~R[0-9]+$")  # codes the product gives reversing entries
LEGAL_MOVES = {  # existing status → statuses a bundle may move an entry to
    "declared": {"declared", "pending", "approved", "rejected"},
    "pending": {"pending", "approved", "rejected"},
    "approved": {"approved", "revoked"},
    "rejected": {"rejected"},
    "revoked": {"revoked"},
}


# The bundle formats this version reads (docs/bundle.md). A bundle of any other is refused with one
# problem naming what it found, before any other check; to read a new format, add it here (and teach
# bundle.schema.json and the loader its fields).
BUNDLE_FORMATS: tuple[str, ...] = ("gongfen-bundle/1", "gongfen-bundle/2")
FORMAT_V1, FORMAT_V2 = BUNDLE_FORMATS
WRITTEN_FORMAT = FORMAT_V2  # what `gongfen dump` writes when a scheme needs it (else /1, see selectors.bundle_dump)
SCHEMA_FILES = {FORMAT_V1: "bundle.schema.json", FORMAT_V2: "bundle-2.schema.json"}


@dataclass(frozen=True)
class BundleProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class BundleInvalid(DomainError):
    def __init__(self, problems: list[BundleProblem]):
        self.problems = problems
        super().__init__(f"数据包有 {len(problems)} 处错误，未导入任何数据 (bundle invalid, nothing loaded)")


@cache
def bundle_schema(fmt: str = FORMAT_V1) -> dict:
    name = SCHEMA_FILES[fmt]
    return json.loads(resources.files("gongfen.interchange").joinpath(name).read_text("utf-8"))


def json_path(parts) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@dataclass
class Workspace:
    """What the database already holds, as far as checking references needs."""

    units: dict[str, str | None] = field(default_factory=dict)  # code -> parent code
    cadres: set[str] = field(default_factory=set)
    schemes: dict[str, dict] = field(
        default_factory=dict
    )  # code -> {"grades","classes","rules":{code:{category,veto}}}
    rules_with_entries: set[tuple[str, str]] = field(default_factory=set)  # (scheme, rule)
    ballot_usage: dict[str, set[tuple[str, str, str]]] = field(
        default_factory=dict
    )  # scheme -> {(period, class, grade)}
    groups: set[str] = field(default_factory=set)
    entries: dict[str, dict] = field(default_factory=dict)  # only those the bundle names
    # four eyes: why the loading actor may not decide an entry of (cadre code, recorder's user id), or None;
    # ``people`` is False for a workspace nobody has an account in yet (a load there is history, not a decision)
    refusal: Callable[[str, int | None], str | None] = lambda cadre, recorded_by: None
    people: bool = False
    # schemes with an evaluation round open: {"grades": {name: value}, "classes": {name: weight}} as they stand
    open_rounds: dict[str, dict] = field(default_factory=dict)


class Checker:
    def __init__(self, bundle: dict, workspace: Workspace):
        self.bundle = bundle
        self.ws = workspace
        self.v2 = bundle.get("format") == FORMAT_V2
        self.problems: list[BundleProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(BundleProblem(path, message))

    def items(self, key: str):
        value = self.bundle.get(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield i, item, f"$.{key}[{i}]"

    # --- scalar helpers ----------------------------------------------------

    def decimal(self, value: Any, path: str, what: str) -> Decimal | None:
        if self.v2 and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a /2 bundle may write a decimal as a JSON integer
        if not isinstance(value, str):
            return None  # the schema reported it
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -DECIMAL_PLACES:
            self.add(path, f"{what}最多 {DECIMAL_PLACES} 位小数，得到 {value!r} (at most {DECIMAL_PLACES} decimals)")
        if abs(number) >= 10**INTEGER_DIGITS:
            self.add(path, f"{what}数值过大：{value!r}，整数部分最多 {INTEGER_DIGITS} 位 (too large)")
        return number

    def date(self, value: Any, path: str) -> date | None:
        if not isinstance(value, str):
            return None
        try:
            if len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.add(path, f"日期 {value!r} 不是有效的 YYYY-MM-DD 日期 (not a valid date)")
            return None

    def codes(self, key: str) -> set[str]:
        return {item["code"] for _, item, _ in self.items(key) if isinstance(item.get("code"), str)}

    def unique(self, key: str, field_name: str = "code") -> dict[str, dict]:
        seen: dict[str, str] = {}
        out: dict[str, dict] = {}
        for _, item, path in self.items(key):
            code = item.get(field_name)
            if not isinstance(code, str):
                continue
            if code in seen:
                self.add(f"{path}.{field_name}", f"编码 {code!r} 重复，首次出现在 {seen[code]} (duplicate code)")
            else:
                seen[code] = path
                out[code] = item
        return out

    # --- sections ------------------------------------------------------------

    def run(self) -> list[BundleProblem]:
        units = self.unique("units")
        cadres = self.unique("cadres")
        schemes = self.unique("schemes")
        groups = self.unique("groups")
        self.unique("entries", "id")
        self.check_units(units)
        self.check_cadres()
        rules = self.check_schemes(schemes)
        self.check_groups(schemes)
        self.check_entries(cadres, schemes, rules)
        self.check_ballots(cadres, schemes)
        del groups
        return self.problems

    def unit_known(self, code: Any, units: dict) -> bool:
        return isinstance(code, str) and (code in units or code in self.ws.units)

    def check_units(self, units: dict[str, dict]) -> None:
        parents = dict(self.ws.units)
        for _, item, path in self.items("units"):
            parent = item.get("parent")
            if parent is not None and isinstance(parent, str) and not self.unit_known(parent, units):
                self.add(f"{path}.parent", f"上级单位 {parent!r} 不存在 (unknown unit)")
            if isinstance(item.get("code"), str):
                parents[item["code"]] = parent if isinstance(parent, str) else None
        reported: set[str] = set()  # units already named in a reported cycle
        for i, item, path in self.items("units"):
            start = item.get("code")
            if not isinstance(start, str) or start in reported:
                continue
            seen, code = [], start
            while isinstance(code, str) and code in parents and code not in seen:
                seen.append(code)
                code = parents[code]
            if code in seen:  # we came back round
                cycle = seen[seen.index(code) :]
                reported.update(cycle)
                self.add(f"{path}.parent", f"单位树出现循环：{' → '.join([*cycle, cycle[0]])} (cycle in the unit tree)")
            del i

    def check_cadres(self) -> None:
        units = self.codes("units")
        for _, item, path in self.items("cadres"):
            posts = item.get("posts")
            if not isinstance(posts, list):
                continue
            for j, post in enumerate(posts):
                if not isinstance(post, dict):
                    continue
                ppath = f"{path}.posts[{j}]"
                unit = post.get("unit")
                if isinstance(unit, str) and not self.unit_known(unit, units):
                    self.add(f"{ppath}.unit", f"单位 {unit!r} 不存在 (unknown unit)")
                start = self.date(post.get("start"), f"{ppath}.start")
                end = self.date(post.get("end"), f"{ppath}.end") if post.get("end") is not None else None
                if start and end and end < start:
                    self.add(f"{ppath}.end", f"任职结束日期 {end} 早于开始日期 {start} (post ends before it starts)")

    def check_schemes(self, schemes: dict[str, dict]) -> dict[str, dict[str, dict]]:
        """Returns, per scheme code named anywhere, its rules {code: {"category", "points"}}."""
        units = self.codes("units")
        rules_of: dict[str, dict[str, dict]] = {code: dict(info["rules"]) for code, info in self.ws.schemes.items()}
        for _, s, path in self.items("schemes"):
            code = s.get("code")
            if isinstance(s.get("unit"), str) and not self.unit_known(s["unit"], units):
                self.add(f"{path}.unit", f"单位 {s['unit']!r} 不存在 (unknown unit)")
            parent = s.get("derived_from")
            if isinstance(parent, str) and parent not in schemes and parent not in self.ws.schemes:
                self.add(f"{path}.derived_from", f"考核方案 {parent!r} 不存在 (unknown scheme)")
            elif isinstance(parent, str) and parent == code:
                self.add(f"{path}.derived_from", "考核方案不能派生自身 (a scheme cannot derive from itself)")
            self.check_weights(s, path)
            self.check_classes_tiers(s, path)
            for category, cap in (
                (s.get("category_caps") or {}).items() if isinstance(s.get("category_caps"), dict) else ()
            ):
                number = self.decimal(cap, f"{path}.category_caps.{category}", "类别上限")
                if number is not None and number < 0:
                    self.add(f"{path}.category_caps.{category}", f"类别上限不能为负，得到 {cap} (cap must be ≥ 0)")
            leaves = self.check_v2_scheme(s, path, units) if self.v2 else {}
            if isinstance(code, str):
                own = rules_of.setdefault(code, {})
                own.update(self.check_rules(s, path))
                own.update(leaves)
                self.check_ballots_still_fit(s, path)
                self.check_frozen(s, path)
        return rules_of

    def check_frozen(self, s: dict, path: str) -> None:
        """While a round of the scheme is open its grades and classes are frozen (ballot secrecy, docs/evaluations.md).

        The refusal says only that a round is open: nothing in it depends on the votes cast so far.
        """
        frozen = self.ws.open_rounds.get(s["code"])
        if frozen is None:
            return
        for key, now in (("grades", frozen["grades"]), ("evaluator_classes", frozen["classes"])):
            wanted = s.get(key)
            if isinstance(wanted, dict) and {k: str(v) for k, v in wanted.items()} != now:
                self.add(
                    f"{path}.{key}",
                    "本方案有进行中的评价轮次：等次和评价主体在轮次结束前不能修改 "
                    "(grades and evaluator classes are frozen while a round is open)",
                )

    def check_v2_scheme(self, s: dict, path: str, units: set[str]) -> dict[str, dict]:
        from .validate_v2 import SchemeCheck

        return SchemeCheck(s, path, self.add, lambda code: self.unit_known(code, units)).run()

    def check_ballots_still_fit(self, s: dict, path: str) -> None:
        """A scheme may not drop a grade or class that ballots already in the workspace use."""
        used = self.ws.ballot_usage.get(s["code"], set())
        replaced = {b.get("period") for _, b, _ in self.items("ballots") if b.get("scheme") == s["code"]}
        grades = s.get("grades") if isinstance(s.get("grades"), dict) else None
        classes = s.get("evaluator_classes") if isinstance(s.get("evaluator_classes"), dict) else None
        for period, klass, grade in sorted(used):
            if period in replaced:
                continue  # the bundle replaces those ballots
            if grades is not None and grade not in grades:
                self.add(
                    f"{path}.grades", f"已有 {period} 的评价票使用等次 {grade!r}，不能删除 (grade in use by ballots)"
                )
            if classes is not None and klass not in classes:
                self.add(
                    f"{path}.evaluator_classes",
                    f"已有 {period} 的评价票使用评价主体 {klass!r}，不能删除 (class in use by ballots)",
                )

    def check_weights(self, s: dict, path: str) -> None:
        weights = s.get("weights")
        if not isinstance(weights, dict):
            return
        values = [self.decimal(weights.get(k), f"{path}.weights.{k}", "权重") for k in ("quantitative", "qualitative")]
        if None in values:
            return
        for key, value in zip(("quantitative", "qualitative"), values, strict=True):
            if value < 0 or value > 1:
                self.add(f"{path}.weights.{key}", f"权重必须在 0 到 1 之间，得到 {value} (weight out of range)")
        if sum(values) != 1:
            self.add(f"{path}.weights", f"定量与定性权重之和必须为 1，现为 {sum(values)} (weights must sum to 1)")

    def check_classes_tiers(self, s: dict, path: str) -> None:
        for name, value in (s.get("grades") or {}).items() if isinstance(s.get("grades"), dict) else ():
            self.decimal(value, f"{path}.grades.{name}", "等次分值")
        classes = s.get("evaluator_classes")
        if isinstance(classes, dict):
            for name, weight in classes.items():
                number = self.decimal(weight, f"{path}.evaluator_classes.{name}", "评价主体权重")
                if number is not None and number <= 0:
                    self.add(
                        f"{path}.evaluator_classes.{name}",
                        f"评价主体 {name!r} 的权重必须大于 0，得到 {weight} (class weight must be > 0)",
                    )
        tiers = s.get("tiers")
        if not isinstance(tiers, list) or self.v2:  # a /2 scheme's tiers follow its tier_policy (validate_v2)
            return
        previous = Decimal(0)
        names = Counter(t.get("name") for t in tiers if isinstance(t, dict) and isinstance(t.get("name"), str))
        for j, tier in enumerate(tiers):
            if not isinstance(tier, dict):
                continue
            if isinstance(tier.get("name"), str) and names[tier["name"]] > 1:
                self.add(f"{path}.tiers[{j}].name", f"档次名称 {tier.get('name')!r} 重复 (duplicate tier name)")
            number = self.decimal(tier.get("cumulative"), f"{path}.tiers[{j}].cumulative", "累计比例")
            if number is None:
                continue
            if number <= previous:
                self.add(
                    f"{path}.tiers[{j}].cumulative",
                    f"档次累计比例必须严格递增且大于 0：{number} 不大于 {previous} (tiers must strictly increase)",
                )
            previous = max(previous, number)
        last = tiers[-1] if tiers else None
        if isinstance(last, dict):
            number = self.decimal(last.get("cumulative"), f"{path}.tiers[{len(tiers) - 1}].cumulative", "累计比例")
            if number is not None and number != 1:
                self.add(
                    f"{path}.tiers[{len(tiers) - 1}].cumulative",
                    f"最后一档的累计比例必须为 1，得到 {number} (tiers must end at 1)",
                )

    def check_rules(self, s: dict, path: str) -> dict[str, dict]:
        out: dict[str, dict] = {}
        rules = s.get("rules")
        if not isinstance(rules, list):
            return out
        seen: dict[str, str] = {}
        for j, rule in enumerate(rules):
            if not isinstance(rule, dict):
                continue
            rpath = f"{path}.rules[{j}]"
            code, category = rule.get("code"), rule.get("category")
            if isinstance(code, str):
                if code in seen:
                    self.add(f"{rpath}.code", f"规则编码 {code!r} 重复，首次出现在 {seen[code]} (duplicate code)")
                seen.setdefault(code, rpath)
            points = self.decimal(rule.get("points"), f"{rpath}.points", "分值")
            if points is not None and isinstance(category, str):  # 0 is valid in any category (§13)
                if category == "deduction" and points > 0:
                    self.add(
                        f"{rpath}.points", f"扣分类规则的分值不能为正数，得到 {points} (deduction points must be ≤ 0)"
                    )
                elif category != "deduction" and points < 0:
                    self.add(
                        f"{rpath}.points", f"{category} 类规则的分值不能为负数，得到 {points} (points must be ≥ 0)"
                    )
            if rule.get("cap") is not None:
                if category == "base":
                    self.add(f"{rpath}.cap", "岗位分规则按在岗天数折算，不能设上限 (a base rule takes no cap)")
                cap = self.decimal(rule.get("cap"), f"{rpath}.cap", "上限")
                if cap is not None and cap < 0:
                    self.add(f"{rpath}.cap", f"上限不能为负，得到 {cap} (cap must be ≥ 0)")
            if isinstance(code, str) and isinstance(category, str):
                manual = rule.get("manual_points") if isinstance(rule.get("manual_points"), dict) else {}
                out[code] = {
                    "category": category,
                    "points": points,
                    "manual_min": self.decimal(manual.get("min"), f"{rpath}.manual_points.min", "核定下限"),
                    "manual_max": self.decimal(manual.get("max"), f"{rpath}.manual_points.max", "核定上限"),
                }
                self.check_manual(out[code], category, rpath)
                self.check_rule_change(s.get("code"), code, category, bool(rule.get("veto", False)), rpath)
        return out

    def check_manual(self, info: dict, category: str, path: str) -> None:
        """A manual range (人工核定) is whole, ordered, and on the side of zero the category is."""
        low, high = info["manual_min"], info["manual_max"]
        if low is None or high is None:
            return
        if low > high:
            self.add(f"{path}.manual_points", f"核定下限 {low} 大于上限 {high} (min > max)")
        if category == "deduction" and high >= 0:
            self.add(f"{path}.manual_points.max", "扣分类规则的核定分值必须为负数 (deduction points must be < 0)")
        elif category != "deduction" and low <= 0:
            self.add(f"{path}.manual_points.min", f"{category} 类规则的核定分值必须为正数 (points must be > 0)")

    def check_rule_change(self, scheme: Any, code: str, category: str, veto: bool, path: str) -> None:
        """A rule that already has entries keeps its category and veto flag: they decide how those entries count."""
        if not isinstance(scheme, str) or (scheme, code) not in self.ws.rules_with_entries:
            return
        old = self.ws.schemes.get(scheme, {}).get("rules", {}).get(code)
        if old is None:
            return
        if old["category"] != category:
            self.add(
                f"{path}.category",
                f"规则 {code} 已有工分记录，类别不能由 {old['category']} 改为 {category}；请新建规则 "
                "(a rule with entries keeps its category)",
            )
        if old.get("veto", False) != veto:
            self.add(
                f"{path}.veto",
                f"规则 {code} 已有工分记录，不能改变一票否决标记 (a rule with entries keeps its veto flag)",
            )

    def check_groups(self, schemes: dict[str, dict]) -> None:
        units = self.codes("units")
        for _, g, path in self.items("groups"):
            scheme = g.get("scheme")
            if isinstance(scheme, str) and scheme not in schemes and scheme not in self.ws.schemes:
                self.add(f"{path}.scheme", f"考核方案 {scheme!r} 不存在 (unknown scheme)")
            select = g.get("select")
            if (
                isinstance(select, dict)
                and isinstance(select.get("unit"), str)
                and not self.unit_known(select["unit"], units)
            ):
                self.add(f"{path}.select.unit", f"单位 {select['unit']!r} 不存在 (unknown unit)")
            self.check_publication(g, path, units)

    def check_publication(self, g: dict, path: str, units: set[str]) -> None:
        """公示范围: named units exist, and are given exactly when the scope is ``units``."""
        scope, named = g.get("publish_scope", "group"), g.get("publish_units")
        named = named if isinstance(named, list) else []
        for j, code in enumerate(named):
            if isinstance(code, str) and not self.unit_known(code, units):
                self.add(f"{path}.publish_units[{j}]", f"单位 {code!r} 不存在 (unknown unit)")
        if scope == "units" and not named:
            self.add(
                f"{path}.publish_units",
                "公示范围为指定单位（units）时须列出至少一个单位 (publish_units needed for scope units)",
            )
        elif scope != "units" and named:
            self.add(
                f"{path}.publish_units",
                f"只有公示范围为指定单位（units）时才列出单位，当前范围为 {scope!r} (publish_units only with scope units)",
            )

    def scheme_info(self, code: str, schemes: dict[str, dict]) -> tuple[set, set] | None:
        """(grade names, class names) of a scheme of the bundle or the workspace."""
        if code in schemes:
            s = schemes[code]
            grades = s.get("grades") if isinstance(s.get("grades"), dict) else {}
            classes = s.get("evaluator_classes") if isinstance(s.get("evaluator_classes"), dict) else {}
            return set(grades), set(classes)
        if code in self.ws.schemes:
            info = self.ws.schemes[code]
            return set(info["grades"]), set(info["classes"])
        return None

    def check_entries(self, cadres: dict, schemes: dict, rules: dict[str, dict[str, dict]]) -> None:
        for _, e, path in self.items("entries"):
            cadre, scheme, rule = e.get("cadre"), e.get("scheme"), e.get("rule")
            if isinstance(e.get("id"), str) and REVERSAL_SUFFIX.search(e["id"]) and e["id"] not in self.ws.entries:
                self.add(
                    f"{path}.id",
                    f"以 ~R<数字> 结尾的编码留给冲销记录使用：{e['id']!r} (reserved for reversing entries)",
                )
            if isinstance(cadre, str) and cadre not in cadres and cadre not in self.ws.cadres:
                self.add(f"{path}.cadre", f"干部 {cadre!r} 不存在 (unknown cadre)")
            known_scheme = isinstance(scheme, str) and (scheme in schemes or scheme in self.ws.schemes)
            if isinstance(scheme, str) and not known_scheme:
                self.add(f"{path}.scheme", f"考核方案 {scheme!r} 不存在 (unknown scheme)")
            category = None
            if known_scheme and isinstance(rule, str):
                info = rules.get(scheme, {}).get(rule)
                if info is None:
                    self.add(f"{path}.rule", f"考核方案 {scheme} 中没有规则 {rule!r} (unknown rule)")
                elif info.get("kind") == "internal":
                    self.add(
                        f"{path}.rule",
                        f"{rule} 是指标分组，不能直接记分，请记到其下的末级指标 (an entry cannot name an internal item)",
                    )
                elif info.get("kind") == "base":
                    self.add(
                        f"{path}.rule",
                        f"岗位分指标 {rule} 自动计算，不能作为工分记录 (an entry cannot name a base leaf)",
                    )
                else:
                    category = info["category"]
                    if category == "base":
                        self.add(
                            f"{path}.rule",
                            f"岗位分规则 {rule} 自动计算，不能作为工分记录 (an entry cannot name a base rule)",
                        )
            self.date(e.get("occurred_on"), f"{path}.occurred_on")
            if "quantity" in e:
                quantity = self.decimal(e.get("quantity"), f"{path}.quantity", "数量")
                if quantity is not None and quantity <= 0:
                    self.add(f"{path}.quantity", f"数量必须大于 0，得到 {e['quantity']} (quantity must be > 0)")
            if "points" in e:
                points = self.decimal(e.get("points"), f"{path}.points", "分值")
                if (
                    points is not None
                    and category is not None
                    and ((category == "deduction" and points > 0) or (category != "deduction" and points < 0))
                ):
                    self.add(f"{path}.points", f"分值 {points} 的正负与规则类别 {category} 不符 (points sign)")
            self.check_adjustment(e, path)
            self.check_existing_entry(e, path)
            if isinstance(scheme, str) and isinstance(rule, str):
                self.check_decision(e, path, rules.get(scheme, {}).get(rule))

    def check_decision(self, e: dict, path: str, rule: dict | None) -> None:
        """Four eyes on every entry the bundle decides, in a workspace people use (docs/trust.md).

        A new entry arriving decided is the loading user's decision on a row compiled elsewhere: never for the
        loader's own cadre record, and never at an amount other than the rule's (a manual amount needs a
        second person, who approves it in review). An existing entry the bundle moves is decided through the
        ledger's services, which refuse its cadre and its recorder; the same refusal is reported here, in place.
        """
        status = e.get("status", "pending")
        old = self.ws.entries.get(e.get("id")) if isinstance(e.get("id"), str) else None
        if not self.ws.people or status in ("pending", "declared") or (old and old["status"] == status):
            return
        refusal = self.ws.refusal(e.get("cadre"), old.get("recorded_by") if old else None)
        if refusal:
            self.add(f"{path}.status", f"记录 {e.get('id')}：{refusal}")
        points = self.decimal(e.get("points"), f"{path}.points", "分值") if "points" in e else None
        if points is None or rule is None or rule.get("points") is None or points == rule["points"]:
            return
        if old is None:
            self.add(
                f"{path}.points",
                f"记录 {e.get('id')} 的核定分值 {points} 与规则分值 {rule['points']} 不同：这样的记录不能随导入直接"
                "入账，请以待审核导入，由另一位审核人核定 (a manual amount needs a second person)",
            )
        elif rule.get("manual_min") is None or not rule["manual_min"] <= points <= rule["manual_max"]:
            self.add(
                f"{path}.points",
                f"记录 {e.get('id')} 的核定分值 {points} 不在规则允许的人工核定范围内（规则分值 {rule['points']}）"
                " (manual points not permitted)",
            )

    def check_adjustment(self, e: dict, path: str) -> None:
        """An adjustment names an entry of the bundle or the workspace; a sign only goes with it."""
        adjusts = e.get("adjusts")
        if "sign" in e and adjusts is None:
            self.add(f"{path}.sign", "只有更正调整记录（adjusts）才有 sign (sign only with adjusts)")
        if isinstance(adjusts, str) and adjusts not in self.entry_ids and adjusts not in self.ws.entries:
            self.add(f"{path}.adjusts", f"被更正的原记录 {adjusts!r} 不存在 (unknown entry)")
        if isinstance(adjusts, str) and adjusts == e.get("id"):
            self.add(f"{path}.adjusts", "记录不能更正它自己 (an entry cannot adjust itself)")

    @property
    def entry_ids(self) -> set[str]:
        if not hasattr(self, "_entry_ids"):
            self._entry_ids = {i["id"] for _, i, _ in self.items("entries") if isinstance(i.get("id"), str)}
        return self._entry_ids

    def check_existing_entry(self, e: dict, path: str) -> None:
        old = self.ws.entries.get(e.get("id")) if isinstance(e.get("id"), str) else None
        if old is None:
            return
        if old["kind"] == "reversal":
            self.add(f"{path}.id", f"编码 {e['id']!r} 已被一条冲销记录使用 (id used by a reversing entry)")
            return
        for key in ("cadre", "scheme", "rule", "occurred_on"):
            if e.get(key) != old[key]:
                self.add(
                    f"{path}.{key}",
                    f"记录 {e['id']} 已存在且 {key} 为 {old[key]!r}；台账只增不改，请撤销后另行记录 "
                    "(entries are append-only)",
                )
        quantity = e.get("quantity", "1")
        try:
            same_quantity = Decimal(quantity) == Decimal(old["quantity"])
        except (InvalidOperation, TypeError):
            same_quantity = True  # reported elsewhere
        if not same_quantity:
            self.add(f"{path}.quantity", f"记录 {e['id']} 已存在且数量为 {old['quantity']}；台账只增不改 (append-only)")
        if "points" in e and old["status"] in ("approved", "revoked"):
            try:
                same_points = Decimal(e["points"]) == Decimal(old["points"])
            except (InvalidOperation, TypeError):
                same_points = True  # reported elsewhere
            if not same_points:
                self.add(f"{path}.points", f"记录 {e['id']} 已按 {old['points']} 分入账；台账只增不改 (append-only)")
        if (e.get("adjusts"), e.get("sign", 1)) != (old.get("adjusts"), old.get("sign", 1)):
            self.add(f"{path}.adjusts", f"记录 {e['id']} 已存在且更正关系不同；台账只增不改 (append-only)")
        if e.get("description", "") != old["description"]:
            self.add(f"{path}.description", f"记录 {e['id']} 已存在且说明不同；台账只增不改 (append-only)")
        status = e.get("status", "pending")
        if status not in LEGAL_MOVES.get(old["status"], set()):
            self.add(
                f"{path}.status",
                f"记录 {e['id']} 当前状态为 {old['status']}，不能改为 {status} (illegal status change)",
            )

    def check_ballots(self, cadres: dict, schemes: dict) -> None:
        for _, b, path in self.items("ballots"):
            cadre, scheme = b.get("cadre"), b.get("scheme")
            if (scheme, b.get("period")) in self.ws.counted_rounds:
                self.add(
                    f"{path}.period",
                    f"{scheme} {b.get('period')} 已有评价轮次的计票结果，不能用数据包覆盖 (ballots counted by a round)",
                )
            if isinstance(cadre, str) and cadre not in cadres and cadre not in self.ws.cadres:
                self.add(f"{path}.cadre", f"干部 {cadre!r} 不存在 (unknown cadre)")
            info = self.scheme_info(scheme, schemes) if isinstance(scheme, str) else None
            if isinstance(scheme, str) and info is None:
                self.add(f"{path}.scheme", f"考核方案 {scheme!r} 不存在 (unknown scheme)")
            if info is None:
                continue
            grades, classes = info
            kind = self.scheme_period(scheme, schemes)
            if self.v2 and kind is not None and not _period_code_of(b.get("period"), kind):
                self.add(
                    f"{path}.period",
                    f"期间 {b.get('period')!r} 不是方案 {scheme} 的考核周期（{kind}）的期间编码 (not a period of its kind)",
                )
            if isinstance(b.get("grade"), str) and b["grade"] not in grades:
                self.add(f"{path}.grade", f"等次 {b['grade']!r} 不在方案 {scheme} 的等次中 (grade not in scheme)")
            if isinstance(b.get("class"), str) and b["class"] not in classes:
                self.add(f"{path}.class", f"评价主体 {b['class']!r} 不在方案 {scheme} 中 (class not in scheme)")

    def scheme_period(self, code: str, schemes: dict[str, dict]) -> str | None:
        if code in schemes:
            kind = schemes[code].get("period", "quarter")
            return kind if isinstance(kind, str) else None
        info = self.ws.schemes.get(code)
        return info.get("period", "quarter") if info else None


def _period_code_of(code: Any, kind: str) -> bool:
    from .validate_v2 import is_period_code

    return is_period_code(code, kind)


@cache
def fast_validator(fmt: str = FORMAT_V1):
    return fastjsonschema.compile(bundle_schema(fmt))


def schema_problems(bundle: Any) -> list[BundleProblem]:
    """Every schema violation with its path. The compiled validator answers the common case
    (a valid bundle) fast; only an invalid bundle pays for jsonschema's full list of errors."""
    fmt = bundle.get("format") if isinstance(bundle, dict) else None
    fmt = fmt if fmt in SCHEMA_FILES else FORMAT_V1
    try:
        fast_validator(fmt)(bundle)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    validator = Draft202012Validator(bundle_schema(fmt))
    problems = []
    for error in sorted(validator.iter_errors(bundle), key=lambda e: [str(p) for p in e.absolute_path]):
        where = json_path(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    problems.append(BundleProblem(f"{where}.{name}", "缺少必填字段 (missing field)"))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for name in sorted(set(error.instance) - allowed):
                problems.append(BundleProblem(f"{where}.{name}", "未知字段 (unknown field)"))
        else:
            problems.append(BundleProblem(where, _schema_message(error)))
    return problems


def _schema_message(error) -> str:
    if error.validator == "required":
        return f"缺少字段 (missing field): {error.message}"
    if error.validator == "additionalProperties":
        return f"未知字段 (unknown field): {error.message}"
    if error.validator == "pattern":
        return f"格式不对 (wrong format): {error.instance!r}"
    if error.validator in ("enum", "const"):
        return f"取值不在允许范围内 (not an allowed value): {error.instance!r}"
    if error.validator == "type":
        return f"类型不对 (wrong type): {error.message}"
    if error.validator in ("minimum", "maximum"):
        return f"取值超出范围 (out of range): {error.message}"
    return error.message


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it), lone surrogates (not UTF-8)


def text_problems(bundle: Any) -> list[BundleProblem]:
    """Strings no database can store: a NUL character, or a lone surrogate (JSON allows ``"\\ud800"``)."""
    problems, stack = [], [(bundle, ())]
    while stack:  # not recursive: a deeply nested document is the schema's to refuse, not a crash
        value, parts = stack.pop()
        if isinstance(value, str) and UNSTORABLE.search(value):
            problems.append(
                BundleProblem(json_path(parts), "文本含有空字符或无效的 Unicode 代理字符 (NUL or invalid unicode)")
            )
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and UNSTORABLE.search(key):
                    problems.append(
                        BundleProblem(json_path(parts), "字段名含有空字符或无效的 Unicode 字符 (invalid key)")
                    )
                stack.append((item, (*parts, key)))
        elif isinstance(value, list):
            stack.extend((item, (*parts, i)) for i, item in enumerate(value))
    return sorted(problems, key=lambda p: p.path)


def format_problem(bundle: Any) -> BundleProblem | None:
    """A bundle of a format this version does not read: the one problem to report (nothing else is checked)."""
    if not isinstance(bundle, dict):
        return None  # not a JSON object at all: the schema says so
    reads = "、".join(BUNDLE_FORMATS)
    if "format" not in bundle:
        return BundleProblem(
            "$.format", f"缺少 format 字段；本版本读取 {reads} (missing field; this version reads {reads})"
        )
    found = bundle["format"]
    if found in BUNDLE_FORMATS:
        return None
    shown = found if isinstance(found, str) else json.dumps(found, ensure_ascii=False)
    return BundleProblem(
        "$.format", f"数据包格式为 {shown}，本版本读取 {reads} (found {shown}; this version reads {reads})"
    )


def check_bundle(bundle: Any, workspace: Workspace) -> list[BundleProblem]:
    unreadable = format_problem(bundle)
    if unreadable is not None:
        return [unreadable]
    problems = schema_problems(bundle) + text_problems(bundle)
    if isinstance(bundle, dict):
        try:
            problems += Checker(bundle, workspace).run()
        except (TypeError, AttributeError, KeyError, ValueError):
            # The checks of meaning read a document of the right shape; one that is not has
            # schema problems already, and those are what its author needs to see first.
            if not problems:
                raise
    seen, unique = set(), []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            unique.append(problem)
    return unique
