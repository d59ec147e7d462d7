"""The quantitative score Q (工分) of one cadre, as v1 names it: proration, rule caps, category caps, vetoes.

The engine scores every scheme through the item tree (:mod:`.tree`); this module keeps the v1 vocabulary
(a rule's clip, a base rule's proration, one cadre's Q with its rule and category lines) on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .decimals import ZERO, in_exact_context, round2_ratio
from .periods import Period, covered_days
from .tree import Plan
from .types import Breakdown, CadreData, CategoryLine, Post, RuleDef, RuleLine, SchemeDef, Selector


@dataclass(frozen=True)
class Quantitative:
    total: Decimal  # Q, exact
    deductions: Decimal  # D_total: the deduction item's value (v1: the deduction category after clipping)
    vetoed: bool
    rules: tuple[RuleLine, ...]
    categories: tuple[CategoryLine, ...]
    veto: str | None = None


def days_held(posts: tuple[Post, ...], period: Period) -> int:
    return covered_days([(p.start, p.end) for p in posts], period.start, period.end)


def clip(amount: Decimal, cap: Decimal | None, category: str) -> Decimal:
    """Positive rules/categories are held to at most ``cap``; deductions to at least −cap."""
    if cap is None:
        return amount
    return max(amount, -cap) if category == "deduction" else min(amount, cap)


def base_amount(rule: RuleDef, posts: tuple[Post, ...], period: Period) -> tuple[Decimal, int]:
    """``points × d / D`` rounded, d = days of posts whose position the rule covers."""
    held = tuple(p for p in posts if not rule.positions or p.position in rule.positions)
    if not held:
        return ZERO, 0
    days = days_held(held, period)
    points, scale = Decimal(rule.points).as_integer_ratio()
    return round2_ratio(points * days, scale * period.days), days


@in_exact_context
def quantitative(scheme: SchemeDef, cadre: CadreData, member_posts: tuple[Post, ...], period: Period) -> Quantitative:
    """One cadre's Q alone (no group: ``ratio_to_best`` and ``by_rank`` leaves see only this cadre)."""
    plan = Plan(scheme)
    days = days_held(member_posts, period)
    members = [(cadre, member_posts, days)]
    ctx = plan.context(members, period, _AllPosts())
    total, deductions, veto, values, raws, ks = plan.evaluate(cadre, member_posts, days, period, ctx)
    bd = Breakdown(days, period.days, total, (), tuple(values), tuple(raws), ks, veto, plan, ctx, cadre)
    return Quantitative(total, deductions, veto is not None, bd.rules, bd.categories, veto)


class _AllPosts(Selector):
    def matches(self, post: Post) -> bool:  # the posts given are the member posts already
        return True
