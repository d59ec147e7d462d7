"""The product's pure ranker equals the reference on hundreds of random valid bundles: every group × every period of
the year × the annual grading, and refuses the periods the spec refuses (§2).

The product side is ``gongfen.scoring.bundle.rank_bundle(bundle, group, period) -> dict`` (raising
``gongfen.scoring.RankingError`` for a period the group cannot be ranked for). On a difference the failure shows a
shrunk bundle and the differing rows; ``python -m tests.reference.differential SEED [FORMAT]`` reproduces a seed.

More seeds: GONGFEN_DIFF_SEEDS=5000 GONGFEN_DIFF_FIRST_SEED=100000 pytest tests/reference/test_differential.py
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, note, settings

from .differential import compare, product_ranker, report
from .generate import FORMAT_V1, FORMAT_V2, bundles, random_bundle

FIRST = int(os.environ.get("GONGFEN_DIFF_FIRST_SEED", "0"))
COUNT = int(os.environ.get("GONGFEN_DIFF_SEEDS", "0"))
SEEDS = {FORMAT_V2: COUNT or 200, FORMAT_V1: COUNT or 60}


@pytest.mark.parametrize("fmt", [FORMAT_V2, FORMAT_V1])
def test_product_equals_reference_on_random_bundles(fmt):
    product, unrankable = product_ranker()
    failing = []
    first = None
    for seed in range(FIRST, FIRST + SEEDS[fmt]):
        bundle = random_bundle(seed, fmt)
        mismatch = compare(bundle, product, unrankable)
        if mismatch is not None:
            failing.append(seed)
            first = first or (seed, bundle, mismatch)
    if first is not None:
        seed, bundle, mismatch = first
        text = report(bundle, mismatch, product, unrankable, f"seed {seed}, {fmt}")
        pytest.fail(f"{len(failing)} of {SEEDS[fmt]} seeds differ: {failing[:30]}\n{text}", pytrace=False)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(bundle=bundles((FORMAT_V2,)))
def test_product_equals_reference_shrinking_with_hypothesis(bundle):
    product, unrankable = product_ranker()
    mismatch = compare(bundle, product, unrankable)
    if mismatch is not None:
        note(json.dumps(bundle, ensure_ascii=False, separators=(",", ":")))
        raise AssertionError(mismatch.describe())
