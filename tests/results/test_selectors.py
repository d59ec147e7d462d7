"""Tiers and action lists from the final snapshot; the county summary's counts; the year's account by hand."""

from __future__ import annotations

from datetime import date

import pytest

from gongfen.accounts.models import User
from gongfen.publication.selectors import snapshot_current
from gongfen.results import selectors
from gongfen.scoring.periods import Quarter
from tests.web_fixtures import *  # noqa: F403

from .conftest import finalize, publish

pytestmark = pytest.mark.django_db


def test_lists_match_the_final_snapshots_actions(q3_final):
    results = selectors.quarter_results(q3_final, "2026Q3")
    rows = snapshot_current(q3_final, "2026Q3").data["ranking"]["rows"]
    assert results.final and results.available
    assert [(line.cadre, line.rank, line.tier, list(line.actions)) for line in results.lines] == [
        (r["cadre"], r["rank"], r["tier"], r["actions"]) for r in rows
    ]
    for action_list in results.lists:
        assert [line.cadre for line in action_list.lines] == [
            r["cadre"] for r in rows if action_list.action in r["actions"]
        ]
    assert [line.name for line in results.lines][:2] == ["甲一", "甲二"]


def test_no_lists_before_publication_provisional_while_published(qx):
    assert not selectors.quarter_results(qx, "2026Q3").available
    publish(qx, "2026Q3")
    results = selectors.quarter_results(qx, "2026Q3")
    assert results.available and not results.final
    assert [line.cadre for line in results.members("recommend")] == ["A01"]


def test_county_summary_counts_per_tier(q3_final):
    summary = selectors.county_summary(User.objects.get(username="org"), Quarter.parse("2026Q3"))
    (section,) = summary.sections
    assert section.title == "齐溪镇" and section.tiers == ("一档", "二档", "三档", "四档")
    (row,) = section.rows
    assert row.counts == [1, 3, 1, 1] and section.totals == [1, 3, 1, 1]
    assert [line.cadre for line in row.recommended] == ["A01"]
    assert [line.cadre for line in row.retrained] == ["A05"]
    assert row.recommended_year == (("A01", "甲一", "2026Q3"),)
    assert row.board_url == "/rankings/QX-ALL/2026Q3/"


def test_county_summary_scope(q3_final):
    assert selectors.county_summary(User.objects.get(username="qx_admin"), Quarter.parse("2026Q3")) is not None
    assert selectors.county_summary(User.objects.get(username="tc_admin"), Quarter.parse("2026Q3")) is None
    # a year: the latest quarter published in scope
    assert selectors.summary_period(User.objects.get(username="org"), "2026") == Quarter.parse("2026Q3")


def test_year_account_by_hand(qx):
    for period in ("2026Q1", "2026Q2", "2026Q3"):
        finalize(qx, period)
    account = selectors.year_account(qx, 2026, today=date(2026, 11, 25))
    assert [c.source for c in account.columns] == ["final", "final", "final", "provisional"]
    got = [(line.cadre, line.rank, line.score_text, line.quarters, line.vetoed) for line in account.lines]
    # Q1/Q2: base points only (A02 70, others 60 → 85.71); Q3 the spec's example; Q4 live: A02 76 → 100, others 78.95
    assert got == [
        ("A02", 1, "95.26", 4, False),  # (100 + 100 + 81.02 + 100) / 4 = 95.255
        ("A01", 2, "86.95", 4, False),  # (85.71 + 85.71 + 97.43 + 78.95) / 4
        ("A04", 3, "81.44", 4, False),  # 325.77 / 4 = 81.4425
        ("A06", 4, "78.95", 1, False),  # Q4 only
        ("A03", 5, "68.33", 2, False),  # (57.71 + 78.95) / 2
        ("A08", 6, "63.62", 2, False),  # 127.23 / 2 = 63.615
        ("A05", 7, "79.77", 4, True),  # vetoed in Q3: after everyone never vetoed
    ]
    a05 = account.lines[-1]
    assert [(c.composite_text, c.rank) for c in a05.cells] == [("85.71", 2), ("85.71", 2), ("68.70", 6), ("78.95", 2)]


def test_year_account_ties_share_a_rank_and_future_quarters_count_nothing(qx):
    finalize(qx, "2026Q1")
    account = selectors.year_account(qx, 2026, today=date(2026, 5, 15))
    assert [c.source for c in account.columns] == ["final", "provisional", "future", "future"]
    assert [(line.cadre, line.rank, line.score_text) for line in account.lines] == [
        ("A02", 1, "100.00"),
        ("A01", 2, "85.71"),
        ("A04", 2, "85.71"),
        ("A05", 2, "85.71"),
    ]
    assert account.lines[0].cells[2] is None


def test_year_account_uses_the_latest_published_version(qx):
    publish(qx, "2026Q3")
    account = selectors.year_account(qx, 2026, today=date(2026, 11, 25))
    assert account.columns[2].source == "published" and account.columns[2].version == 1
