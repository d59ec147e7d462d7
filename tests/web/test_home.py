"""The cadre's home (issue 18): where do I stand this quarter, in plain words.

Rank, tier, the gap to the next better tier, what decided a tie, which caps are reached and what is
pending, read from the ranking selectors (maintained totals), never from a sum of the ledger.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongfen.common import Actor
from gongfen.ledger import services
from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import Rule
from gongfen.scoring import fmt2
from gongfen.web.selectors import _gap, _tie
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
IN_Q3 = time_machine.travel(datetime(2026, 9, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@IN_Q3
def test_the_home_says_rank_tier_gap_and_pending(county, login):
    ranking = group_ranking(group_by_code("QX-ALL"), "2026Q3")
    me = next(r for r in ranking.rows if r.cadre == "A01")
    services.entry_declare(
        actor=Actor(county["a01"]),
        cadre=Cadre.objects.get(code="A01"),
        rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
        occurred_on=date(2026, 9, 18),
        quantity=Decimal(2),
    )
    response = login("a01").get(reverse("dashboard"))
    html = response.content.decode()
    home = response.context["panels"]["cadre"]
    place = next(p for p in home["places"] if p.group.code == "QX-ALL")
    assert place.row == me and f"第 {me.rank} 名（共 {ranking.size} 人），{me.tier}" in html
    assert place.numbers["composite"] == fmt2(me.composite) and "综合得分" in html and "工分" in html
    assert "这些分数怎么算" in html  # the formula one tap away, in named terms
    pending = Entry.objects.filter(cadre__code="A01", status="pending")
    assert home["pending_count"] == pending.count() >= 1 and home["pending"][0] in pending
    assert "通过后工分加 " in html
    for letter in ("工分 Q", "综合得分 C", "maxQ", "Dtotal"):
        assert letter not in html


@IN_Q3
def test_gap_to_the_better_tier_is_the_last_member_of_it_ahead(county):
    ranking = group_ranking(group_by_code("QX-ALL"), "2026Q3")
    rows = [r for r in ranking.rows if not r.vetoed]
    below = next(r for r in rows if r.tier_index > 0)
    ahead = [r for r in rows if r.tier_index < below.tier_index]
    last = max(ahead, key=lambda r: (r.tier_index, r.rank))
    tier, gap = _gap(ranking, below)
    assert tier == last.tier and gap == fmt2(last.composite - below.composite)
    assert Decimal(gap) >= 0
    first = next(r for r in rows if r.tier_index == 0)
    assert _gap(ranking, first) == ("", "")  # nothing above the first tier


@IN_Q3
def test_a_tie_is_explained_by_what_decided_it(county):
    ranking = group_ranking(group_by_code("QX-ALL"), "2026Q3")
    a, b, c = ranking.rows[0], ranking.rows[1], ranking.rows[2]
    assert _tie(ranking, a) == "" or a.composite in (b.composite, c.composite)
    # the same 综合得分 for three people: one ordered by 工分, one sharing the rank on everything
    tied = (
        a,
        dataclasses.replace(b, composite=a.composite, quantitative=a.quantitative - 1, rank=a.rank + 1),
        dataclasses.replace(
            c, composite=a.composite, quantitative=a.quantitative, deductions=a.deductions, rank=a.rank
        ),
    )
    made = dataclasses.replace(ranking, rows=tied + ranking.rows[3:])
    text = _tie(made, a)
    assert "综合得分与另外 2 人相同" in text and "1 人按工分高低排定先后" in text and "1 人各项都相同，名次并列" in text
