"""Sanctions and their influence on grades (处分、处理的影响期), pure: no Django.

:data:`DEFAULTS` is the table the product ships, one rule per kind of sanction. Each rule says what the
sanction does to the annual grade (年度考核) in the year it was decided (``first``) and in the later years
of its influence period (``later``, for ``years`` years in all), and which 平时考核 grades it bars in the
quarters within ``pingshi_months`` of the decision. A county changes a rule on the 处分影响期 page
(:class:`gongfen.grades.models.InfluenceSetting`); :func:`restriction` applies the rules in force.

Effects: ``bar:<grades>`` (may not receive these grades), ``fixed:<grade>`` (the grade is set),
``ungraded`` (不定等次, 只写评语). Several sanctions in one period: the heaviest effect wins
(按照对其年度考核结果影响较重的处理处分确定): fixed 不称职 > ungraded > bars (barred grades add up).

Sources (see docs/grades.md for each row, and which a county must confirm):
- 《行政机关公务员处分条例》(2007) 第六条、第七条: 警告 6 个月, 记过 12 个月, 记大过 18 个月, 降级、撤职 24 个月;
- 《中国共产党纪律处分条例》第十条 (警告一年内、严重警告一年半内不得提拔), 党章第四十一条 (留党察看最长两年);
- the annual-grade effects of administrative and Party sanctions as county 考核办法 quote them
  (受警告处分的当年不得确定为优秀; 记过至撤职期间只写评语、不确定等次; 撤销党内职务、留党察看、开除党籍当年不称职 …).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .seats import Restriction

UNGRADED = "ungraded"


@dataclass(frozen=True)
class InfluenceRule:
    """What one kind of sanction does to grades; ``confirm``: the county must confirm the default."""

    kind: str
    label: str
    first: str  # effect on the annual grade in the year of the decision
    later: str = ""  # effect in the later years of the influence period ('' = none)
    years: int = 1  # annual grades affected: the decision's year and years-1 more
    pingshi_months: int = 0  # 平时考核 quarters starting within this many months of the decision
    pingshi_bars: str = "好"  # the 平时考核 grades barred then ('' = none)
    basis: str = ""
    confirm: bool = True


def _r(kind, label, first, later="", years=1, months=0, bars="好", basis="", confirm=True) -> InfluenceRule:
    return InfluenceRule(kind, label, first, later, years, months, bars, basis, confirm)


ADMIN_BASIS = "《行政机关公务员处分条例》第七条（处分期间）；县级考核办法引述的年度考核处理规定"
PARTY_BASIS = "《中国共产党纪律处分条例》第十条、党章第四十一条；县级考核办法引述的年度考核处理规定"
DEFAULTS: tuple[InfluenceRule, ...] = (
    _r("jiemian", "诫勉", "bar:优秀", months=6, basis="《公务员考核规定》（2020）：受到诫勉的当年不得确定为优秀"),
    _r("wenze", "问责（组织处理）", "bar:优秀", months=12, basis="组织处理当年不得确定为优秀（县级考核办法）"),
    _r("jinggao", "警告（政务处分）", "bar:优秀", months=6, basis=ADMIN_BASIS, confirm=False),
    _r("jiguo", "记过", UNGRADED, UNGRADED, years=2, months=12, bars="好,较好", basis=ADMIN_BASIS),
    _r("jidaguo", "记大过", UNGRADED, UNGRADED, years=2, months=18, bars="好,较好", basis=ADMIN_BASIS),
    _r("jiangji", "降级", UNGRADED, UNGRADED, years=3, months=24, bars="好,较好", basis=ADMIN_BASIS),
    _r("chezhi", "撤职", UNGRADED, UNGRADED, years=3, months=24, bars="好,较好", basis=ADMIN_BASIS),
    _r("dn_jinggao", "党内警告", "bar:优秀", months=12, basis=PARTY_BASIS, confirm=False),
    _r("dn_yanzhong", "党内严重警告", UNGRADED, months=18, bars="好,较好", basis=PARTY_BASIS),
    _r("dn_chexiao", "撤销党内职务", "fixed:不称职", months=24, bars="好,较好,一般", basis=PARTY_BASIS),
    _r("lcck_1", "留党察看一年", "fixed:不称职", UNGRADED, 2, 12, "好,较好,一般", PARTY_BASIS),
    _r("lcck_2", "留党察看二年", "fixed:不称职", UNGRADED, 3, 24, "好,较好,一般", PARTY_BASIS),
    _r("kaichu_dangji", "开除党籍", "fixed:不称职", UNGRADED, 3, 24, "好,较好,一般", PARTY_BASIS),
)
KINDS = {r.kind: r for r in DEFAULTS}


class RuleError(ValueError):
    """An effect that is not ``bar:<grades>``, ``fixed:<grade>`` or ``ungraded``."""


def check_effect(effect: str, ladder: Iterable[str]) -> None:
    ladder = tuple(ladder)
    if effect in ("", UNGRADED):
        return
    head, _, grades = effect.partition(":")
    names = [g for g in grades.split(",") if g]
    if head not in ("bar", "fixed") or not names or (head == "fixed" and len(names) != 1):
        raise RuleError(f"影响“{effect}”无法识别（应为 bar:优秀、fixed:不称职 或 ungraded）")
    unknown = [g for g in names if g not in ladder]
    if unknown:
        raise RuleError(f"影响“{effect}”中的等次 {'、'.join(unknown)} 不是年度考核等次")


@dataclass(frozen=True)
class Sanction:
    """A sanction as the rules read it: its kind, the decision date, the date it was lifted (or None)."""

    kind: str
    decided_on: date
    label: str = ""
    lifted_on: date | None = None


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, min(day.day, 28))


def _combine(parts: list[tuple[str, str]]) -> Restriction:
    """The heaviest of several (effect, reason) pairs; bars add up."""
    reasons = tuple(reason for _, reason in parts)
    fixed = [e.split(":", 1)[1] for e, _ in parts if e.startswith("fixed:")]
    if fixed:
        return Restriction(reasons=reasons, fixed=fixed[0])
    if any(e == UNGRADED for e, _ in parts):
        return Restriction(reasons=reasons, ungraded=True)
    barred = frozenset(g for e, _ in parts if e.startswith("bar:") for g in e.split(":", 1)[1].split(","))
    return Restriction(reasons=reasons, barred=barred)


def annual_restriction(year: int, sanctions: Iterable[Sanction], rules: dict[str, InfluenceRule]) -> Restriction:
    """What the sanctions do to the annual grade of ``year``."""
    parts = []
    for s in sanctions:
        rule = rules.get(s.kind)
        if rule is None:
            continue
        offset = year - s.decided_on.year
        if s.lifted_on is not None and s.lifted_on.year < year:
            continue  # lifted (解除) before the year began
        effect = rule.first if offset == 0 else rule.later if 0 < offset < rule.years else ""
        if effect:
            when = "当年" if offset == 0 else "影响期内"
            parts.append((effect, f"{s.decided_on:%Y-%m-%d} 受{s.label or rule.label}，{when}{describe(effect)}"))
    return _combine(parts)


def pingshi_restriction(
    start: date, end: date, sanctions: Iterable[Sanction], rules: dict[str, InfluenceRule]
) -> Restriction:
    """What the sanctions do to a 平时考核 grade of the quarter from ``start`` to ``end``."""
    parts = []
    for s in sanctions:
        rule = rules.get(s.kind)
        if rule is None or not rule.pingshi_bars or not rule.pingshi_months:
            continue
        until = _add_months(s.decided_on, rule.pingshi_months)
        if s.lifted_on is not None:
            until = min(until, s.lifted_on)
        if s.decided_on <= end and until > start:
            effect = f"bar:{rule.pingshi_bars}"
            parts.append((effect, f"{s.decided_on:%Y-%m-%d} 受{s.label or rule.label}，影响期内{describe(effect)}"))
    return _combine(parts)


def describe(effect: str) -> str:
    """An effect in words: 不得确定为优秀 / 确定为不称职 / 不确定等次."""
    if effect == UNGRADED:
        return "不确定等次"
    head, _, grades = effect.partition(":")
    if head == "fixed":
        return f"确定为{grades}"
    return f"不得确定为{'、'.join(grades.split(','))}"
