"""The quantitative score Q (工分): proration, rule caps, category caps, vetoes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .decimals import ZERO, exact, round2_ratio
from .periods import Quarter, covered_days
from .types import CATEGORIES, CadreData, CategoryLine, Post, RuleDef, RuleLine, SchemeDef


@dataclass(frozen=True)
class Quantitative:
    total: Decimal  # Q, exact
    deductions: Decimal  # D_total: the deduction category after clipping, ≤ 0
    vetoed: bool
    rules: tuple[RuleLine, ...]
    categories: tuple[CategoryLine, ...]


def days_held(posts: tuple[Post, ...], period: Quarter) -> int:
    return covered_days([(p.start, p.end) for p in posts], period.start, period.end)


def clip(amount: Decimal, cap: Decimal | None, category: str) -> Decimal:
    """Positive rules/categories are held to at most ``cap``; deductions to at least −cap."""
    if cap is None:
        return amount
    return max(amount, -cap) if category == "deduction" else min(amount, cap)


def base_amount(rule: RuleDef, posts: tuple[Post, ...], period: Quarter) -> tuple[Decimal, int]:
    """``points × d / D`` rounded, d = days of posts whose position the rule covers."""
    held = tuple(p for p in posts if not rule.positions or p.position in rule.positions)
    if not held:
        return ZERO, 0
    days = days_held(held, period)
    points, scale = Decimal(rule.points).as_integer_ratio()
    return round2_ratio(points * days, scale * period.days), days


def quantitative(scheme: SchemeDef, cadre: CadreData, member_posts: tuple[Post, ...], period: Quarter) -> Quantitative:
    lines: list[RuleLine] = []
    unknown = [rule.code for rule in scheme.rules if rule.category not in CATEGORIES]
    if unknown:
        raise ValueError(f"rules of an unknown category in scheme {scheme.code}: {', '.join(unknown)}")
    for rule in scheme.rules:
        if rule.category == "base":
            amount, days = base_amount(rule, member_posts, period)
            if days:
                lines.append(RuleLine(rule.code, rule.category, amount, amount, None, days))
        elif rule.code in cadre.rule_amounts:
            raw = Decimal(cadre.rule_amounts[rule.code])
            lines.append(RuleLine(rule.code, rule.category, raw, clip(raw, rule.cap, rule.category), rule.cap))
    categories = []
    for category in CATEGORIES:
        members = [line.amount for line in lines if line.category == category]
        if not members and category not in scheme.category_caps:
            continue
        raw = sum(members, ZERO)
        cap = scheme.category_caps.get(category)
        categories.append(CategoryLine(category, raw, clip(raw, cap, category), cap))
    total = sum((c.amount for c in categories), ZERO)
    deductions = next((c.amount for c in categories if c.category == "deduction"), ZERO)
    vetoed = any(rule.veto and cadre.rule_counts.get(rule.code, 0) > 0 for rule in scheme.rules)
    return Quantitative(exact(total), exact(deductions), vetoed, tuple(lines), tuple(categories))
