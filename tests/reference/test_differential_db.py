"""The product through its database equals the reference: random valid bundles loaded with ``bundle_load`` and ranked
from the maintained totals (``rankings.selectors.group_ranking``), every group × every period of the year × the
annual grading, and the periods a group must refuse are refused (a DomainError). Both databases.

Fewer seeds than the pure differential test (each loads a bundle): GONGFEN_DB_DIFF_SEEDS=200 for more.
"""

from __future__ import annotations

import os

import pytest
from django.db import transaction

from gongfen.common import DomainError
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.scoring import ranking_as_dict
from tests.factories import load

from .differential import NOT_RANKABLE, not_rankable_codes
from .generate import FORMAT_V1, FORMAT_V2, random_bundle
from .spec_v2 import rank_all

pytestmark = pytest.mark.django_db

COUNT = int(os.environ.get("GONGFEN_DB_DIFF_SEEDS", "0"))
SEEDS = {FORMAT_V2: range(COUNT or 8), FORMAT_V1: range(1000, 1000 + (COUNT or 3))}


def ranked_by_the_product(group: str, period: str):
    try:
        return ranking_as_dict(group_ranking(group_by_code(group), period))
    except DomainError:
        return NOT_RANKABLE


@pytest.mark.parametrize("fmt", [FORMAT_V2, FORMAT_V1])
def test_the_database_path_equals_the_reference_on_random_bundles(fmt):
    for seed in SEEDS[fmt]:
        bundle = random_bundle(seed, fmt)
        expected = rank_all(bundle)
        with transaction.atomic():
            load(bundle)
            for (group, period), ref in expected.items():
                assert ranked_by_the_product(group, period) == ref, f"seed {seed} {fmt}: {group} {period}"
            for group in [g["code"] for g in bundle["groups"]]:
                for period in not_rankable_codes(bundle, group):
                    assert ranked_by_the_product(group, period) == NOT_RANKABLE, f"seed {seed}: {group} {period}"
            transaction.set_rollback(True)
