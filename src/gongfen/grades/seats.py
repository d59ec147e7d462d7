"""The arithmetic of appraisal grades (名额与等次), pure: no Django, no database.

- :func:`seats`: a unit's seats for the top grade (优秀 or 好) from its headcount, the share, the
  rounding (``floor`` 最多不超过, ``half_up`` 四舍五入, ``ceil`` 进一法) and the minimum seats
  (不足一人按一人计), never more than the headcount;
- :func:`allocate`: every unit of a plan, small units pooled at their parent or the county;
- :func:`share_pool`: a pool's seats shared by rank across its units' candidates (ties not split);
- :func:`propose`: a unit's proposed grades from the ranking, with the quota and eligibility applied.

Shares are exact ``Decimal``; seats are whole people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

ROUNDINGS = {"floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "ceil": ROUND_CEILING}
COUNTY = "county"
PARENT = "parent"
ANNUAL_GRADES = ("优秀", "称职", "基本称职", "不称职")
PINGSHI_GRADES = ("好", "较好", "一般", "较差")


class SeatError(ValueError):
    """A plan whose numbers cannot be counted (a share outside 0–1, an unknown rounding, a negative size)."""


def seats(headcount: int, share: Decimal, rounding: str = "floor", min_seats: int = 0) -> int:
    """Seats of the top grade for ``headcount`` people: max(min_seats, R(share × headcount)), at most headcount."""
    if headcount < 0 or min_seats < 0:
        raise SeatError("人数和最少名额不能为负数")
    if not Decimal(0) <= share <= Decimal(1):
        raise SeatError(f"比例 {share} 须在 0 到 1 之间")
    if rounding not in ROUNDINGS:
        raise SeatError(f"取整方式“{rounding}”未知（可选：floor、half_up、ceil）")
    if headcount == 0:
        return 0
    raw = int((share * headcount).to_integral_value(rounding=ROUNDINGS[rounding]))
    return min(headcount, max(min_seats, raw))


@dataclass(frozen=True)
class UnitSize:
    """A unit of a plan: its code, its parent's code (None at the top) and how many people it appraises."""

    code: str
    parent: str | None
    headcount: int


@dataclass(frozen=True)
class Pool:
    """Small units counted together (合并计算名额): at their parent (``parent:<code>``) or at the county."""

    key: str
    units: tuple[str, ...]
    headcount: int
    seats: int


@dataclass(frozen=True)
class Allocation:
    """A unit's seats: its own, or ``None`` when it is in ``pool`` (the pool's seats are shared by rank)."""

    unit: str
    headcount: int
    seats: int | None
    pool: str | None = None
    overridden: bool = False


def allocate(
    units: Sequence[UnitSize],
    *,
    share: Decimal,
    rounding: str = "floor",
    min_seats: int = 0,
    pool_below: int = 0,
    pool_at: str = PARENT,
    overrides: dict[str, int] | None = None,
) -> tuple[dict[str, Allocation], dict[str, Pool]]:
    """Each unit's seats; units with fewer than ``pool_below`` people are pooled (``pool_at``: parent or county).

    An override (a unit's seats set by 组织部) takes the unit out of any pool. A pool's seats are
    :func:`seats` of its total headcount, with the same rounding and minimum.
    """
    if pool_at not in (PARENT, COUNTY):
        raise SeatError(f"合并方式“{pool_at}”未知（可选：parent、county）")
    overrides = overrides or {}
    out: dict[str, Allocation] = {}
    members: dict[str, list[UnitSize]] = {}
    for unit in units:
        if unit.code in overrides:
            if not 0 <= overrides[unit.code] <= unit.headcount:
                raise SeatError(f"单位 {unit.code} 的名额 {overrides[unit.code]} 须在 0 到 {unit.headcount} 之间")
            out[unit.code] = Allocation(unit.code, unit.headcount, overrides[unit.code], overridden=True)
        elif unit.headcount < pool_below:
            key = COUNTY if pool_at == COUNTY or unit.parent is None else f"{PARENT}:{unit.parent}"
            members.setdefault(key, []).append(unit)
        else:
            out[unit.code] = Allocation(unit.code, unit.headcount, seats(unit.headcount, share, rounding, min_seats))
    pools = {}
    for key, group in sorted(members.items()):
        total = sum(u.headcount for u in group)
        pools[key] = Pool(key, tuple(u.code for u in group), total, seats(total, share, rounding, min_seats))
        for u in group:
            out[u.code] = Allocation(u.code, u.headcount, None, pool=key)
    return {u.code: out[u.code] for u in units}, pools


@dataclass(frozen=True)
class Candidate:
    """One person of a unit in the ranking: ``order`` sorts best first (rank, then code); ``rank`` ties."""

    cadre: str
    unit: str
    rank: int | None  # None: not in the ranking (ranked after everyone)
    tier: str | None = None  # the ranking's tier (a proposed grade when it names one)
    score: str | None = None


def _order(c: Candidate) -> tuple:
    return (c.rank is None, c.rank or 0, c.cadre)


def share_pool(pool_seats: int, candidates: Iterable[Candidate]) -> dict[str, int]:
    """A pool's seats per unit: the pool's best ``pool_seats`` candidates by rank, a tie never split.

    A tie group that would cross the pool's seats is not admitted, nor anyone below it (最多不超过);
    the seats it leaves are not used. Candidates without a rank take no seat.
    """
    ranked = sorted((c for c in candidates if c.rank is not None), key=_order)
    out: dict[str, int] = {c.unit: 0 for c in candidates}
    taken, i = 0, 0
    while i < len(ranked):
        tie = [c for c in ranked[i:] if c.rank == ranked[i].rank]
        if taken + len(tie) > pool_seats:
            break
        for c in tie:
            out[c.unit] += 1
        taken, i = taken + len(tie), i + len(tie)
    return out


@dataclass(frozen=True)
class Restriction:
    """What eligibility does to one person's grade, and why (shown beside the grade).

    ``ungraded``: not graded (不定等次); ``fixed``: the grade is set (e.g. 不称职); ``barred``: grades
    the person may not receive in the period.
    """

    reasons: tuple[str, ...] = ()
    ungraded: bool = False
    fixed: str | None = None
    barred: frozenset[str] = frozenset()

    def allows(self, grade: str) -> bool:
        if self.ungraded:
            return grade == ""
        if self.fixed is not None:
            return grade == self.fixed
        return grade not in self.barred


@dataclass(frozen=True)
class Proposal:
    """One person's proposed grade ('' = 不定等次) and the notes that explain it."""

    cadre: str
    rank: int | None
    score: str | None
    grade: str
    notes: tuple[str, ...] = field(default=())


def best_allowed(ladder: Sequence[str], start: str, restriction: Restriction) -> str:
    """The best grade at or below ``start`` on ``ladder`` that ``restriction`` allows."""
    if restriction.ungraded:
        return ""
    if restriction.fixed is not None:
        return restriction.fixed
    for grade in ladder[ladder.index(start) :]:
        if restriction.allows(grade):
            return grade
    return ladder[-1]


def propose(
    candidates: Sequence[Candidate],
    *,
    ladder: Sequence[str],
    top_seats: int,
    restrictions: dict[str, Restriction] | None = None,
) -> list[Proposal]:
    """A unit's proposed grades, best first.

    1. The ranking's tier is the proposal when it names a grade of ``ladder``; otherwise (or not ranked)
       the second grade (称职 / 较好), for the committee to decide.
    2. Eligibility: not graded → ''; a fixed grade → that grade; barred grades → the best allowed below.
    3. Quota: of those still proposed the top grade, in rank order, tie groups are admitted while they fit
       in ``top_seats``; everyone else proposed the top grade gets the second grade (超出名额).
    """
    restrictions = restrictions or {}
    top, second = ladder[0], ladder[1]
    drafts: list[tuple[Candidate, str, list[str]]] = []
    for c in sorted(candidates, key=_order):
        notes: list[str] = []
        grade = c.tier if c.tier in ladder else second
        if c.rank is None:
            notes.append("未参加排名，由考核委员会确定")
        r = restrictions.get(c.cadre, Restriction())
        allowed = best_allowed(ladder, grade, r)
        if allowed != grade or r.reasons:
            notes.extend(r.reasons)
        drafts.append((c, allowed, notes))
    wanting = [d for d in drafts if d[1] == top]
    admitted, i = 0, 0
    admit: set[str] = set()
    while i < len(wanting):
        tie = [d for d in wanting[i:] if d[0].rank == wanting[i][0].rank]
        if admitted + len(tie) > top_seats:
            break
        admit.update(d[0].cadre for d in tie)
        admitted, i = admitted + len(tie), i + len(tie)
    out = []
    for c, grade, notes in drafts:
        if grade == top and c.cadre not in admit:
            grade = best_allowed(ladder, second, restrictions.get(c.cadre, Restriction()))
            notes.append(f"超出{top}名额（{top_seats} 名）")
        out.append(Proposal(c.cadre, c.rank, c.score, grade, tuple(notes)))
    return out
