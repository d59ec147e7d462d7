"""The year's account (年终总账): one annual score per cadre, ranked with the quarter's tie rules.

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

from .decimals import round2
from .engine import competition_ranks


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
