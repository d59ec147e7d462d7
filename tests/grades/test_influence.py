"""Sanctions bar exactly the grades the influence table says, in their influence period."""

from __future__ import annotations

from datetime import date

import pytest

from gongfen.grades.influence import (
    KINDS,
    RuleError,
    Sanction,
    annual_restriction,
    check_effect,
    pingshi_restriction,
)
from gongfen.grades.seats import ANNUAL_GRADES


def test_a_warning_bars_excellent_in_its_year_only():
    s = [Sanction("jinggao", date(2026, 11, 20))]
    r = annual_restriction(2026, s, KINDS)
    assert r.barred == {"优秀"} and not r.ungraded and r.fixed is None
    assert r.allows("称职") and not r.allows("优秀")
    assert "2026-11-20 受警告（政务处分），当年不得确定为优秀" in r.reasons
    assert annual_restriction(2027, s, KINDS) == annual_restriction(2025, s, KINDS)
    assert annual_restriction(2027, s, KINDS).reasons == ()


def test_a_demerit_leaves_the_year_and_the_next_ungraded():
    s = [Sanction("jiguo", date(2026, 3, 1))]
    assert annual_restriction(2026, s, KINDS).ungraded
    assert annual_restriction(2027, s, KINDS).ungraded
    assert not annual_restriction(2028, s, KINDS).ungraded
    lifted = [Sanction("jiguo", date(2026, 3, 1), lifted_on=date(2026, 12, 20))]
    assert not annual_restriction(2027, lifted, KINDS).ungraded


def test_probation_of_two_years_fixes_then_ungrades():
    s = [Sanction("lcck_2", date(2026, 5, 1))]
    assert annual_restriction(2026, s, KINDS).fixed == "不称职"
    assert annual_restriction(2027, s, KINDS).ungraded and annual_restriction(2028, s, KINDS).ungraded
    assert annual_restriction(2029, s, KINDS).allows("优秀")


def test_the_heaviest_effect_wins_and_bars_add_up():
    both = [Sanction("jinggao", date(2026, 2, 1)), Sanction("dn_chexiao", date(2026, 6, 1))]
    assert annual_restriction(2026, both, KINDS).fixed == "不称职"
    assert len(annual_restriction(2026, both, KINDS).reasons) == 2
    bars = [Sanction("jinggao", date(2026, 2, 1)), Sanction("jiemian", date(2026, 6, 1))]
    assert annual_restriction(2026, bars, KINDS).barred == {"优秀"}


def test_pingshi_bars_the_quarters_within_the_months():
    s = [Sanction("jinggao", date(2026, 5, 15))]  # six months: until 2026-11-15
    q = {1: (date(2026, 1, 1), date(2026, 3, 31)), 2: (date(2026, 4, 1), date(2026, 6, 30))}
    q |= {4: (date(2026, 10, 1), date(2026, 12, 31)), 5: (date(2027, 1, 1), date(2027, 3, 31))}
    assert pingshi_restriction(*q[1], s, KINDS).barred == frozenset()
    assert pingshi_restriction(*q[2], s, KINDS).barred == {"好"}
    assert pingshi_restriction(*q[4], s, KINDS).barred == {"好"}
    assert pingshi_restriction(*q[5], s, KINDS).barred == frozenset()
    assert pingshi_restriction(*q[2], [Sanction("jiguo", date(2026, 5, 15))], KINDS).barred == {"好", "较好"}


@pytest.mark.parametrize("effect", ["bar:", "fixed:优秀,称职", "demote", "bar:甲等"])
def test_an_unknown_effect_is_refused(effect):
    with pytest.raises(RuleError):
        check_effect(effect, ANNUAL_GRADES)


def test_every_shipped_rule_is_valid_and_names_its_basis():
    for rule in KINDS.values():
        check_effect(rule.first, ANNUAL_GRADES)
        check_effect(rule.later, ANNUAL_GRADES)
        assert rule.basis and rule.label
