"""The year: the product's year's account (年终总账) and the annual grading of spec v2 §12 (年度考核等次).

:func:`grade_year` is §12: every period of the year ranked on its own, the annual members graded
into ``annual.tiers``. :func:`annual_ranking` is the product's year's account of published quarters:

Annual score = the mean of the composites C of the quarters of the scheme's
year in which the cadre was ranked (unranked quarters and quarters not yet
begun count for nothing), rounded half-up to 2 decimals like every shown
number. The order follows the quarter's keys, transposed to the year:

1. a cadre never vetoed in the year before one vetoed in any of its quarters
   (一票否决: a veto in a quarter puts the cadre last of that quarter; for the
   year it puts them after everyone who was never vetoed);
2. the annual score (the rounded mean, as shown) descending;
3. the mean of Q descending (exact); 4. the mean of D_total descending (exact,
   fewer deductions first);
5. equal on all keys: the same rank, the next rank skipped (1, 2, 2, 4),
   listed by cadre code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .actions import streak_actions
from .decimals import exact, in_exact_context, round2
from .engine import RankingError, Scored, check_period, competition_ranks, score_period
from .periods import Period, Year
from .qualitative import Qualitative
from .tiers import assign_tiers
from .tree import Plan, days_of
from .types import BOTTOM, AnnualBreakdown, PeriodResult, Ranking, Row, Unranked, YearInput


@dataclass(frozen=True)
class QuarterResult:
    """One cadre's ranked row in one quarter, as published (or provisional)."""

    cadre: str
    composite: Decimal
    quantitative: Decimal
    deductions: Decimal
    vetoed: bool


@dataclass(frozen=True)
class AnnualRow:
    cadre: str
    quarters: int  # quarters in which the cadre was ranked
    score: Decimal  # the mean of the composites, 2 decimals
    vetoed: bool  # vetoed in at least one quarter of the year
    rank: int


def annual_ranking(quarters: Iterable[Sequence[QuarterResult]]) -> tuple[AnnualRow, ...]:
    """Rank the year from each quarter's ranked rows (a cadre appears at most once per quarter)."""
    seen: dict[str, list[QuarterResult]] = defaultdict(list)
    for rows in quarters:
        for row in rows:
            seen[row.cadre].append(row)
    scored = []
    for cadre, rows in seen.items():
        n = len(rows)
        score = round2(sum((Fraction(r.composite) for r in rows), Fraction(0)) / n)
        mean_q = sum((Fraction(r.quantitative) for r in rows), Fraction(0)) / n
        mean_d = sum((Fraction(r.deductions) for r in rows), Fraction(0)) / n
        vetoed = any(r.vetoed for r in rows)
        scored.append(((vetoed, -score, -mean_q, -mean_d), cadre, n, score, vetoed))
    scored.sort(key=lambda s: (s[0], s[1]))
    ranks = competition_ranks([s[0] for s in scored])
    return tuple(
        AnnualRow(cadre, n, score, vetoed, rank)
        for (_, cadre, n, score, vetoed), rank in zip(scored, ranks, strict=True)
    )


# --- the annual grading of spec v2 §12 (年度考核等次) ------------------------------------------------


def _exact(value: Fraction) -> Decimal | Fraction:
    """The value exactly: a Decimal when it terminates, else the Fraction."""
    den = value.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den != 1:
        return value
    return exact(value)


@in_exact_context
def grade_year(year: YearInput) -> Ranking:
    """The year's grades of a non-yearly scheme with ``annual`` (§12), from every period given.

    Each period is ranked on its own (§3–§10: its own members, N, maxQ, measures and ballots); a cadre
    ranked in at least ``annual.min_periods`` of them is an annual member, graded on the mean of its
    rounded composites A, then Q̄ and D̄ (exact), vetoed by the most severe veto of the year.
    """
    scheme = year.scheme
    if scheme.annual is None or scheme.period_kind == "year":
        raise RankingError(f"scheme {scheme.code} has no annual grading (YYYYY ranks a yearly scheme's own period)")
    plan, qual = Plan(scheme), Qualitative(scheme)
    seen_periods = set()
    results: dict[str, list[tuple[Period, Scored]]] = defaultdict(list)
    posts: dict[str, set] = defaultdict(set)
    vetoes: dict[str, str] = {}
    for data in sorted(year.periods, key=lambda d: d.period.number):
        check_period(scheme, year.code, data.period)
        if data.period in seen_periods:
            raise RankingError(f"period {data.period} is given twice for group {year.code}")
        seen_periods.add(data.period)
        computed = score_period(plan, qual, year.selector, data, year.code)
        for s in computed.scored:
            results[s.cadre.code].append((data.period, s))
        for cadre in data.cadres:
            posts[cadre.code].update(cadre.posts)
            for code, mode in plan.veto_leaves:  # the year's veto, ranked in that period or not (§12.3)
                count = cadre.rule_counts.get(code)
                if count is None:
                    count = 1 if cadre.measures.get(code) else 0
                if count > 0 and vetoes.get(cadre.code) != BOTTOM:
                    vetoes[cadre.code] = mode
    whole = Year(scheme.year)
    annual = scheme.annual
    graded, unranked = [], []
    for code in sorted(posts):
        days = days_of([p for p in posts[code] if year.selector.matches(p)], whole)
        rows = results.get(code, [])
        if len(rows) < annual.min_periods:
            if days > 0:
                unranked.append(Unranked(code, days))
            continue
        n = len(rows)
        score = round2(sum((Fraction(s.composite) for _, s in rows), Fraction(0)) / n)
        mean_q = sum((Fraction(s.quantitative) for _, s in rows), Fraction(0)) / n
        mean_d = sum((Fraction(s.deductions) for _, s in rows), Fraction(0)) / n
        normalized = round2(sum((Fraction(s.normalized) for _, s in rows), Fraction(0)) / n)
        levels = [Fraction(s.qualitative) for _, s in rows if s.qualitative is not None]
        level = round2(sum(levels, Fraction(0)) / len(levels)) if levels else None
        veto = vetoes.get(code)
        key = (veto == BOTTOM, -score, -mean_q, -mean_d)
        graded.append([key, code, days, rows, score, mean_q, mean_d, normalized, level, veto])
    graded.sort(key=lambda g: g[0])
    ranks = competition_ranks([g[0] for g in graded])
    tiers = assign_tiers(
        annual.tier_policy, annual.tiers, [(r, g[4], g[9]) for g, r in zip(graded, ranks, strict=True)]
    )
    last = len(annual.tiers) - 1
    out = []
    for g, rank, tier in zip(graded, ranks, tiers, strict=True):
        _, code, days, rows, score, mean_q, mean_d, normalized, level, veto = g
        periods = tuple(
            PeriodResult(
                p.code,
                s.rank,
                scheme.tiers[s.tier].name,
                s.quantitative,
                s.deductions,
                s.normalized,
                s.qualitative,
                s.composite,
                s.veto,
            )
            for p, s in rows
        )
        out.append(
            Row(
                cadre=code,
                rank=rank,
                tier=annual.tiers[tier].name,
                tier_index=tier,
                quantitative=_exact(mean_q),
                deductions=_exact(mean_d),
                normalized=normalized,
                qualitative=level,
                composite=score,
                vetoed=veto is not None,
                actions=streak_actions(last, rank, tier, veto is not None, None),
                breakdown=AnnualBreakdown(days, whole.days, periods),
                veto=veto,
                periods=tuple(p.code for p, _ in rows),
            )
        )
    return Ranking(
        year.code,
        whole,
        tuple(out),
        tuple(unranked),
        annual=True,
        version=scheme.version,
        item_codes=plan.codes,
        top_codes=plan.top_codes,
    )
