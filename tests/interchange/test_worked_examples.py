"""`gongfen load BUNDLE` then `gongfen rank --format json` reproduces every worked example (both databases)."""

import json

import pytest

from gongfen import cli
from tests.conftest import EXAMPLES, example_cases, load_json

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("case", example_cases(), ids=lambda c: f"{c['group']}-{c['period']}")
def test_load_then_rank_json_equals_expected(case, capsys):
    assert cli.main(["load", str(EXAMPLES / case["bundle"])]) == 0
    capsys.readouterr()
    assert cli.main(["rank", "--group", case["group"], "--period", case["period"], "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == load_json(EXAMPLES / case["expected"])


def test_loading_the_same_bundle_twice_changes_nothing(capsys):
    case = example_cases()[0]
    for _ in range(2):
        assert cli.main(["load", str(EXAMPLES / case["bundle"])]) == 0
    capsys.readouterr()
    cli.main(["rank", "--group", case["group"], "--period", case["period"], "--format", "json"])
    assert json.loads(capsys.readouterr().out) == load_json(EXAMPLES / case["expected"])
