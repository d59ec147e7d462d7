"""The differential harness finds a difference and shrinks the bundle to a small valid one that still shows it.

Run against a deliberately wrong "product" (the reference with one corner changed), so that this needs nothing but
the reference and keeps the harness honest whether or not the product's ranker exists yet."""

from __future__ import annotations

import json

from .differential import compare, not_rankable_codes, report
from .generate import random_bundle
from .spec_v2 import PeriodNotRankable, periods_of, rank
from .validity import problems


def wrong_about_bar_top(bundle, group, period):
    """The reference, except that a bar_top cadre at rank 1 keeps the first tier (§10 says it must not)."""
    ranking = rank(bundle, group, period)
    for row in ranking["rows"]:
        if row.get("veto") == "bar_top" and row["rank"] == 1:
            row["tier"] = "一档?"
    return ranking


def test_the_reference_agrees_with_itself():
    for seed in range(5):
        assert compare(random_bundle(seed), rank, (PeriodNotRankable,)) is None


def test_a_difference_is_found_and_shrunk():
    for seed in range(200):
        bundle = random_bundle(seed)
        mismatch = compare(bundle, wrong_about_bar_top, (PeriodNotRankable,))
        if mismatch is not None:
            break
    else:
        raise AssertionError("no seed reached a bar_top cadre at rank 1")
    text = report(bundle, mismatch, wrong_about_bar_top, (PeriodNotRankable,), f"seed {seed}")
    small = json.loads(text.split("shrunk bundle:\n", 1)[1])
    assert problems(small) == []
    assert len(small["entries"]) < len(bundle["entries"]) and len(small["cadres"]) <= 2
    assert compare(small, wrong_about_bar_top, (PeriodNotRankable,)) is not None
    assert ".tier: reference" in text and '"一档?"' in text


def test_a_crash_or_a_wrong_refusal_is_a_difference():
    bundle = random_bundle(3)
    group = bundle["groups"][0]["code"]

    def crashes(bundle, group, period):
        raise ZeroDivisionError("boom")

    mismatch = compare(bundle, crashes, (PeriodNotRankable,))
    assert mismatch is not None and "ZeroDivisionError" in mismatch.describe()

    def ranks_everything(bundle, group, period):
        if period in not_rankable_codes(bundle, group):
            return {"group": group, "period": period, "size": 0, "rows": [], "unranked": []}
        return rank(bundle, group, period)

    mismatch = compare(bundle, ranks_everything, (PeriodNotRankable,))
    assert (
        mismatch is not None
        and mismatch.period not in periods_of(bundle, group)
        and mismatch.reference == "not rankable"
    )
