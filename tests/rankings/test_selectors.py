"""Rankings read the maintained totals in a fixed number of queries, and rank_all agrees with one group at a time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongfen.common import DomainError
from gongfen.ledger.models import Entry
from gongfen.rankings.selectors import group_by_code, group_ranking, rank_all
from gongfen.scoring import ranking_as_dict
from tests.conftest import EXAMPLES, example_cases, load_json
from tests.factories import example_bundle, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def both():
    """Both examples in one workspace (they share unit codes, so H01 of 齐溪镇 joins QX-ALL too)."""
    load(example_bundle("qixi-2026q3.json"))
    load(example_bundle("kh-heads-2026.json"))


@pytest.mark.parametrize("case", example_cases(), ids=lambda c: f"{c['group']}-{c['period']}")
def test_group_ranking_reproduces_the_examples(case):
    load(example_bundle(case["bundle"]))
    ranking = group_ranking(group_by_code(case["group"]), case["period"])
    assert ranking_as_dict(ranking) == load_json(EXAMPLES / case["expected"])


def test_a_ranking_takes_a_fixed_number_of_queries_and_never_reads_the_ledger(both, django_assert_num_queries):
    group = group_by_code("QX-ALL")
    # posts, totals, ballots
    with django_assert_num_queries(3):
        group_ranking(group, "2026Q3")
    with CaptureQueriesContext(connection) as queries:
        group_ranking(group, "2026Q2")
    assert not any(Entry._meta.db_table in q["sql"] for q in queries.captured_queries)


def test_query_count_does_not_grow_with_the_group(django_assert_num_queries):
    bundle = example_bundle()
    for i in range(40):
        code = f"X{i:02d}"
        bundle["cadres"].append(
            {"code": code, "name": "某某", "posts": [{"unit": "QX", "position": "一般干部", "start": "2025-01-01"}]}
        )
        bundle["entries"].append(
            {
                "id": f"EX{i}",
                "cadre": code,
                "scheme": "QX-2026",
                "rule": "R-TASK",
                "occurred_on": "2026-08-01",
                "quantity": "2",
                "status": "approved",
            }
        )
    load(bundle)
    group = group_by_code("QX-ALL")
    with django_assert_num_queries(3):
        assert group_ranking(group, "2026Q3").size == 46


def test_rank_all_equals_each_group_ranked_alone(both):
    for period in ("2026Q1", "2026Q2", "2026Q3", "2026Q4"):
        together = {r.group: ranking_as_dict(r) for r in rank_all(period)}
        assert set(together) == {"QX-ALL", "KH-TH"}
        for code, ranking in together.items():
            assert ranking == ranking_as_dict(group_ranking(group_by_code(code), period))


def test_unknown_group_and_bad_period_are_domain_errors(both):
    with pytest.raises(DomainError, match="没有排名组"):
        group_by_code("NOPE")
    with pytest.raises(DomainError, match="期间格式错误"):
        group_ranking(group_by_code("QX-ALL"), "2026Q5")
    with pytest.raises(DomainError, match="2026 年"):
        group_ranking(group_by_code("QX-ALL"), "2025Q4")
