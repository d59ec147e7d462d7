"""The seat arithmetic of quota plans (名额), units of 1–4 people, every rounding mode, pooling."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongfen.grades.seats import (
    ANNUAL_GRADES,
    PINGSHI_GRADES,
    Candidate,
    Restriction,
    SeatError,
    UnitSize,
    allocate,
    propose,
    seats,
    share_pool,
)

D20, D40 = Decimal("0.2"), Decimal("0.4")


@pytest.mark.parametrize(
    ("n", "share", "rounding", "minimum", "expected"),
    [
        # 20 % (优秀): floor never above the share; half-up from 2.5 people; ceiling from any fraction
        (1, D20, "floor", 0, 0),
        (2, D20, "floor", 0, 0),
        (3, D20, "floor", 0, 0),
        (4, D20, "floor", 0, 0),
        (5, D20, "floor", 0, 1),
        (1, D20, "half_up", 0, 0),
        (2, D20, "half_up", 0, 0),  # 0.4
        (3, D20, "half_up", 0, 1),  # 0.6
        (4, D20, "half_up", 0, 1),  # 0.8
        (1, D20, "ceil", 0, 1),
        (4, D20, "ceil", 0, 1),
        (6, D20, "ceil", 0, 2),  # 1.2
        # 40 % (好)
        (1, D40, "floor", 0, 0),
        (2, D40, "floor", 0, 0),
        (3, D40, "floor", 0, 1),
        (4, D40, "floor", 0, 1),
        (1, D40, "half_up", 0, 0),  # 0.4
        (2, D40, "half_up", 0, 1),  # 0.8
        (3, D40, "half_up", 0, 1),  # 1.2
        (4, D40, "half_up", 0, 2),  # 1.6
        (4, D40, "ceil", 0, 2),
        (5, D40, "ceil", 0, 2),  # exactly 2.0: no rounding up
        # minimum seats (不足一人按一人计), never above the headcount
        (1, D20, "floor", 1, 1),
        (3, D40, "floor", 1, 1),
        (1, D20, "floor", 2, 1),
        (2, D20, "floor", 2, 2),
        (7, D20, "floor", 1, 1),
        (7, D40, "floor", 1, 2),
        (0, D20, "ceil", 1, 0),
        # exact halves: 2.5 → 3 half-up, 2 floor
        (10, Decimal("0.25"), "half_up", 0, 3),
        (10, Decimal("0.25"), "floor", 0, 2),
    ],
)
def test_seats(n, share, rounding, minimum, expected):
    assert seats(n, share, rounding, minimum) == expected


@pytest.mark.parametrize(
    ("args", "word"), [((3, Decimal("1.1")), "比例"), ((3, D20, "round"), "取整"), ((-1, D20), "负数")]
)
def test_seats_refuses_what_cannot_be_counted(args, word):
    with pytest.raises(SeatError, match=word):
        seats(*args)


TOWN = [
    UnitSize("QX", "KH", 12),
    UnitSize("QX-A", "QX", 1),
    UnitSize("QX-B", "QX", 2),
    UnitSize("QX-C", "QX", 3),
    UnitSize("TC-A", "TC", 4),
]


def test_small_units_pooled_at_their_parent():
    units, pools = allocate(TOWN, share=D20, rounding="floor", pool_below=5, pool_at="parent")
    assert units["QX"].seats == 2 and units["QX"].pool is None
    assert {u: units[u].pool for u in ("QX-A", "QX-B", "QX-C")} == dict.fromkeys(("QX-A", "QX-B", "QX-C"), "parent:QX")
    assert units["QX-A"].seats is None
    assert pools["parent:QX"].headcount == 6 and pools["parent:QX"].seats == 1  # floor(1.2)
    assert pools["parent:TC"].units == ("TC-A",) and pools["parent:TC"].seats == 0  # floor(0.8)


def test_small_units_pooled_at_the_county_with_each_rounding():
    for rounding, expected in (("floor", 2), ("half_up", 2), ("ceil", 2)):  # 10 people × 20 % = 2.0
        _, pools = allocate(TOWN, share=D20, rounding=rounding, pool_below=5, pool_at="county")
        assert pools["county"].units == ("QX-A", "QX-B", "QX-C", "TC-A")
        assert pools["county"].seats == expected
    _, pools = allocate(TOWN[1:4], share=D20, rounding="half_up", pool_below=5, pool_at="county")
    assert pools["county"].seats == 1  # 6 × 0.2 = 1.2
    _, pools = allocate(TOWN[1:4], share=D20, rounding="ceil", pool_below=5, pool_at="county")
    assert pools["county"].seats == 2


def test_no_pooling_gives_small_units_their_own_seats():
    units, pools = allocate(TOWN, share=D40, rounding="floor", min_seats=1)
    assert pools == {}
    assert [units[u.code].seats for u in TOWN] == [4, 1, 1, 1, 1]


def test_an_override_takes_a_unit_out_of_its_pool_and_is_bounded():
    units, pools = allocate(TOWN, share=D20, pool_below=5, overrides={"QX-C": 1})
    assert units["QX-C"].seats == 1 and units["QX-C"].overridden and units["QX-C"].pool is None
    assert pools["parent:QX"].units == ("QX-A", "QX-B")
    with pytest.raises(SeatError, match="QX-C"):
        allocate(TOWN, share=D20, overrides={"QX-C": 4})


def test_a_pool_shares_its_seats_by_rank_and_never_splits_a_tie():
    people = [
        Candidate("P1", "QX-B", 3),
        Candidate("P2", "QX-A", 1),
        Candidate("P3", "QX-C", 2),
        Candidate("P4", "QX-C", 2),
        Candidate("P5", "QX-B", None),
    ]
    assert share_pool(1, people) == {"QX-B": 0, "QX-A": 1, "QX-C": 0}
    assert share_pool(2, people) == {"QX-B": 0, "QX-A": 1, "QX-C": 0}  # the tie at rank 2 would cross
    assert share_pool(3, people) == {"QX-B": 0, "QX-A": 1, "QX-C": 2}
    assert share_pool(9, people) == {"QX-B": 1, "QX-A": 1, "QX-C": 2}  # the unranked take no seat


def ranked(*tiers):
    return [Candidate(f"C{i}", "U", i, tier) for i, tier in enumerate(tiers, start=1)]


def test_proposal_keeps_the_top_grade_within_the_seats():
    out = propose(ranked("优秀", "优秀", "优秀", "称职"), ladder=ANNUAL_GRADES, top_seats=2)
    assert [p.grade for p in out] == ["优秀", "优秀", "称职", "称职"]
    assert "超出优秀名额" in out[2].notes[0]


def test_proposal_never_splits_a_tie_at_the_seats():
    people = [Candidate("C1", "U", 1, "好"), Candidate("C2", "U", 2, "好"), Candidate("C3", "U", 2, "好")]
    assert [p.grade for p in propose(people, ladder=PINGSHI_GRADES, top_seats=2)] == ["好", "较好", "较好"]


def test_proposal_applies_eligibility_before_the_quota():
    restrictions = {
        "C1": Restriction(reasons=("受警告，当年不得确定为优秀",), barred=frozenset({"优秀"})),
        "C3": Restriction(reasons=("试用期",), ungraded=True),
        "C4": Restriction(reasons=("撤销党内职务",), fixed="不称职"),
    }
    out = propose(ranked("优秀", "优秀", "优秀", "称职"), ladder=ANNUAL_GRADES, top_seats=1, restrictions=restrictions)
    assert [(p.cadre, p.grade) for p in out] == [("C1", "称职"), ("C2", "优秀"), ("C3", ""), ("C4", "不称职")]
    assert out[0].notes == ("受警告，当年不得确定为优秀",)
    assert out[2].notes == ("试用期",)


def test_proposal_of_the_unranked_and_of_unknown_tiers_is_the_second_grade():
    people = [Candidate("C1", "U", 1, "第一档"), Candidate("C2", "U", None)]
    out = propose(people, ladder=ANNUAL_GRADES, top_seats=1)
    assert [p.grade for p in out] == ["称职", "称职"]
    assert out[1].notes == ("未参加排名，由考核委员会确定",)
