"""Each fairness analysis flags exactly the case planted in the demo county, and nothing else.

The demo is generated with seed 7 and 300 cadres (tests/demo uses the same), its patterns planted by
``gongfen.demo.patterns``; the thresholds are the module constants of ``gongfen.analytics.fairness``
(stated on the page and in docs/analytics.md). Without the plants nothing is flagged at all.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongfen.analytics import fairness
from gongfen.analytics.fairness import fairness_report
from gongfen.demo import build_demo_bundle
from gongfen.demo import patterns as planted
from gongfen.schemes.models import Scheme
from tests.factories import load

pytestmark = pytest.mark.django_db
STORY_DAY = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def pinned():
    with time_machine.travel(STORY_DAY, tick=False):
        yield


def flags(report) -> dict[str, list[str]]:
    return {
        "lenient": [r.reviewer for r in report.reviewers if r.flagged],
        "burst": [b.scheme for b in report.bursts if b.flagged],
        "flat": [g.group for g in report.groups if g.flat],
        "outlier": [g.group for g in report.groups if g.outlier],
    }


def test_each_analysis_flags_exactly_the_planted_case(pinned):
    assert (fairness.ALPHA, fairness.BURST_ALPHA, fairness.FLAT_CV, fairness.FLAT_TIE, fairness.OUTLIER_RATIO) == (
        0.05,
        0.001,
        0.02,
        0.5,
        1.5,
    )
    load(planted.plant_patterns(build_demo_bundle(seed=7, cadres=300)))
    planted.plant_reviews()
    schemes = Scheme.objects.all()
    q3 = flags(fairness_report(schemes, "2026Q3"))
    assert q3 == {"lenient": [], "burst": [planted.BURST_SCHEME], "flat": ["G-LS"], "outlier": ["G-QY"]}
    q4 = fairness_report(schemes, "2026Q4")
    assert flags(q4)["lenient"] == [planted.LENIENT]
    tested = [r for r in q4.reviewers if r.p is not None]
    assert {r.reviewer for r in tested} == set(planted.REVIEWERS)  # all four compared, Holm over four
    assert all(r.adjusted >= r.p for r in tested)
    # the 大锅饭 unit comes first when units are ranked by their spread
    assert fairness_report(schemes, "2026Q3").flat[0].group == "G-LS"


def test_the_unplanted_demo_flags_nothing(pinned):
    load(build_demo_bundle(seed=7, cadres=300))
    report = fairness_report(Scheme.objects.all(), "2026Q3")
    assert flags(report) == {"lenient": [], "burst": [], "flat": [], "outlier": []}
    assert report.bursts and report.groups and report.ballots  # the analyses did look
