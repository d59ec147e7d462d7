"""`gongfen demo` builds a county that loads, ranks in every group and quarter, and dumps back to the same rankings."""

import json
import os
import subprocess
import sys
from datetime import date, datetime

import pytest
from django.utils import timezone

from gongfen import cli
from gongfen.accounts.models import User
from gongfen.api.services import token_create
from gongfen.common import Actor
from gongfen.ledger.models import Entry
from gongfen.ledger.selectors import totals_mismatches
from gongfen.org.models import Unit
from gongfen.publication.models import GroupPeriod, Holiday, HolidayYear, Objection, Snapshot
from gongfen.publication.selectors import closing_blockers, period_state
from gongfen.rankings.selectors import group_ranking, rank_all
from gongfen.schemes.models import RankingGroup
from gongfen.scoring import ranking_as_dict
from tests.clock import PINNED, SHANGHAI, faked_env

pytestmark = pytest.mark.django_db
QUARTERS = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
STATES = {"2026Q1": "final", "2026Q2": "final", "2026Q3": "published", "2026Q4": "open"}
TOWNSHIPS = {
    "芹阳办事处",
    "华埠镇",
    "马金镇",
    "村头镇",
    "池淮镇",
    "桐村镇",
    "杨林镇",
    "苏庄镇",
    "齐溪镇",
    "音坑乡",
    "中村乡",
    "长虹乡",
    "林山乡",
    "何田乡",
    "大溪边乡",
}


# days whose objection window would need a year with no holiday calendar (docs/demo.md "Dates")
NO_CALENDAR = [datetime(2027, 8, 16, 10, 0, tzinfo=SHANGHAI), datetime(2028, 2, 29, 23, 30, tzinfo=SHANGHAI)]
FALLBACK_DAY = date(2026, 10, 10)  # ten days after 2026Q3's end, like Q1 and Q2


@pytest.fixture
def demo(capsys, clock):
    """The demo built on a day of late 2026 (the suite's pinned one): 2026Q3 is published that day."""
    clock.move_to(PINNED)
    assert cli.main(["demo", "--cadres", "300"]) == 0
    out = capsys.readouterr().out
    assert "演示县已就绪" in out and f"2026Q3 于今天 {PINNED.date()} 公示，异议期进行中" in out


def test_demo_county_ranks_every_group_every_quarter_through_the_lifecycle(demo, capsys, client):
    assert set(Unit.objects.values_list("name", flat=True)) >= TOWNSHIPS
    assert set(Entry.objects.values_list("status", flat=True)) >= {"approved", "pending", "rejected", "revoked"}
    assert totals_mismatches() == []
    for quarter in QUARTERS:
        rankings = {r.group: r for r in rank_all(quarter)}
        assert len(rankings) >= 29
        heads = rankings["G-HEADS"]
        assert heads.size + len(heads.unranked) >= 15
        assert all(r.size > 0 for r in rankings.values()), quarter
    assert any(row.vetoed for q in QUARTERS for r in rank_all(q) for row in r.rows)
    _assert_lifecycle(capsys, published_on=PINNED.date())
    _assert_the_api_serves_every_board(client)


@pytest.mark.parametrize("moment", NO_CALENDAR, ids=lambda m: m.strftime("%Y-%m-%d"))
def test_the_demo_builds_on_a_day_without_a_holiday_calendar(moment, clock, capsys):
    """No window is counted on a guessed calendar: 2026Q3 is published on a 2026 date, the objections filed in it."""
    clock.move_to(moment)
    assert cli.main(["demo", "--cadres", "300"]) == 0
    out = capsys.readouterr().out
    assert "演示县已就绪" in out and f"2026Q3 按 2026 年的日期于 {FALLBACK_DAY} 公示" in out
    assert not HolidayYear.objects.exists() and not Holiday.objects.filter(day__year__gte=2027).exists()
    _assert_lifecycle(capsys, published_on=FALLBACK_DAY)


def _assert_the_api_serves_every_board(client) -> None:
    """Issue 14: the API's live board answered 500 for every group of the current quarter (rows with no ballots)."""
    user = User.objects.get(username="zzb")
    token = token_create(actor=Actor(user), user=user, name="demo", scopes=["read"])[1]
    headers = {"Authorization": f"Bearer {token}"}
    unballoted = 0
    for group in RankingGroup.objects.order_by("code"):
        for quarter in QUARTERS:
            response = client.get(f"/api/v1/rankings/{group.code}/{quarter}", headers=headers)
            assert response.status_code == 200, (group.code, quarter, response.content[:300])
            rows = response.json()["rows"]
            assert [r["cadre"] for r in rows] == [r.cadre for r in group_ranking(group, quarter).rows]
            unballoted += sum(r["qualitative"] is None for r in rows)
            if STATES[quarter] != "open":
                shown = client.get(f"/api/v1/publications/{group.code}/{quarter}", headers=headers)
                assert shown.status_code == 200, (group.code, quarter, shown.content[:300])
    assert unballoted > 0  # the case that failed is in the demo


def _assert_lifecycle(capsys, published_on: date) -> None:
    """Q1–Q2 final, Q3 published on ``published_on`` (open today if that is today; objections waiting),
    Q4 open with entries to review."""
    groups = list(RankingGroup.objects.all())
    assert len(groups) >= 29
    for group in groups:
        for quarter, state in STATES.items():
            assert period_state(group, quarter) == state, (group.code, quarter)
            has_snapshot = Snapshot.objects.filter(group=group, period=quarter, version=1).exists()
            assert has_snapshot == (state != "open"), (group.code, quarter)
        assert not closing_blockers(group, "2026Q3").exists()
    today = timezone.localdate()
    published = GroupPeriod.objects.filter(period="2026Q3")
    assert {(p.window_starts_on, p.window_ends_on >= today) for p in published} == {
        (published_on, published_on == today)
    }
    assert all(p.window_ends_on.year == 2026 for p in published)  # counted on the shipped 2026 schedule
    assert all(p.window_ends_on < today for p in GroupPeriod.objects.filter(period__in=["2026Q1", "2026Q2"]))
    objections = Objection.objects.filter(group__code="G-QX", period="2026Q3", status="filed")
    assert objections.count() == 2
    assert {o.cadre.user.username for o in objections} == {"qx-cadre"}
    assert {o.snapshot.version for o in objections} == {1}
    assert Entry.objects.filter(period="2026Q4", status="pending").exists()
    capsys.readouterr()
    assert cli.main(["check"]) == 0
    assert "小计与台账一致" in capsys.readouterr().out


def test_demo_dumps_to_a_bundle_that_loads_back_to_the_same_rankings(demo, tmp_path, capsys):
    dump = tmp_path / "demo.json"
    assert cli.main(["dump", str(dump)]) == 0
    env = faked_env(  # the commands run at this test's "now" too (libfaketime), not at the machine's date
        {
            **os.environ,
            "GONGFEN_HOME": str(tmp_path),
            "GONGFEN_DATABASE_URL": f"sqlite:///{tmp_path / 'copy.sqlite3'}",
        }
    )
    gongfen = [sys.executable, "-m", "gongfen"]
    subprocess.run([*gongfen, "load", str(dump)], env=env, check=True, capture_output=True)
    for quarter in QUARTERS:
        copy = subprocess.run(
            [*gongfen, "rank", "--all", "--period", quarter, "--format", "json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        assert json.loads(copy.stdout) == [ranking_as_dict(r) for r in rank_all(quarter)], quarter
