"""`gongfen load BUNDLE` then `gongfen rank --format json` reproduces every worked example (both databases),
of scoring.md (``index.json``, gongfen-bundle/1) and of scoring-v2.md (``index-v2.json``, gongfen-bundle/2)."""

import json

import pytest

from gongfen import cli
from tests.conftest import EXAMPLES, example_cases, example_cases_v2, load_json

pytestmark = pytest.mark.django_db

ALL_CASES = example_cases() + example_cases_v2()


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"{c['bundle'][:-5]}-{c['group']}-{c['period']}")
def test_load_then_rank_json_equals_expected(case, capsys):
    assert cli.main(["load", str(EXAMPLES / case["bundle"])]) == 0
    capsys.readouterr()
    assert cli.main(["rank", "--group", case["group"], "--period", case["period"], "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == load_json(EXAMPLES / case["expected"])


@pytest.mark.parametrize("case", example_cases_v2(), ids=lambda c: f"{c['group']}-{c['period']}")
def test_rank_all_of_a_v2_example_lists_the_expected_ranking(case, capsys):
    assert run(capsys, "load", EXAMPLES / case["bundle"])[0] == 0
    code, out, err = run(capsys, "rank", "--all", "--period", case["period"], "--format", "json")
    assert code == 0, err
    assert json.loads(out) == [load_json(EXAMPLES / case["expected"])]


def test_rank_all_skips_groups_without_the_period_and_says_why_on_stderr(capsys):
    """A monthly group has no 2026Q3; a quarterly one without ``annual`` has no 2026Y (scoring-v2 §2)."""
    for bundle in ("qixi-2026q3.json", "nongye-2026m07-m08.json", "kh-heads-annual-2026.json"):
        assert run(capsys, "load", EXAMPLES / bundle)[0] == 0
    code, out, err = run(capsys, "rank", "--all", "--period", "2026Q3", "--format", "json")
    assert code == 0, err
    assert [r["group"] for r in json.loads(out)] == ["KH-TH", "QX-ALL"]
    assert "NY-ALL" in err and "跳过" in err
    code, out, err = run(capsys, "rank", "--all", "--period", "2026M07", "--format", "json")
    assert code == 0
    assert json.loads(out) == [load_json(EXAMPLES / "nongye-2026m07.expected.json")]
    assert "KH-TH" in err and "QX-ALL" in err
    code, out, err = run(capsys, "rank", "--all", "--period", "2026Y", "--format", "json")
    assert code == 0
    assert json.loads(out) == [load_json(EXAMPLES / "kh-heads-annual-2026y.expected.json")]
    assert "QX-ALL" in err and "年度考核" in err


@pytest.mark.parametrize("period", ["2026Q3", "2026M13", "2026H3", "2025Y"])
def test_a_period_the_group_does_not_have_exits_2(capsys, period):
    assert run(capsys, "load", EXAMPLES / "nongye-2026m07-m08.json")[0] == 0
    code, out, err = run(capsys, "rank", "--group", "NY-ALL", "--period", period)
    assert code == cli.EXIT_USAGE and out == ""
    assert period in err or "期间" in err


def test_loading_the_same_bundle_twice_changes_nothing(capsys):
    for case in (example_cases()[0], example_cases_v2()[0]):
        for _ in range(2):
            assert cli.main(["load", str(EXAMPLES / case["bundle"])]) == 0
        capsys.readouterr()
        cli.main(["rank", "--group", case["group"], "--period", case["period"], "--format", "json"])
        assert json.loads(capsys.readouterr().out) == load_json(EXAMPLES / case["expected"])


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # emptied in the middle (PostgreSQL: outside a transaction)
@pytest.mark.parametrize("bundle", sorted({c["bundle"] for c in example_cases_v2()}))
def test_dump_of_a_v2_example_is_a_v2_bundle_that_loads_back_to_the_same_rankings(capsys, bundle):
    """dump → an emptied database → load: the example ranks as expected again, and dumps the same bundle."""
    from django.core.management import call_command

    from gongfen.common import Actor
    from gongfen.interchange.selectors import bundle_dump
    from gongfen.interchange.services import bundle_load

    assert run(capsys, "load", EXAMPLES / bundle)[0] == 0
    code, out, _ = run(capsys, "dump")
    assert code == 0
    dumped = json.loads(out)
    assert dumped["format"] == "gongfen-bundle/2"
    call_command("flush", interactive=False, verbosity=0)
    bundle_load(actor=Actor.cli(), bundle=dumped)
    for case in (c for c in example_cases_v2() if c["bundle"] == bundle):
        code, out, err = run(capsys, "rank", "--group", case["group"], "--period", case["period"], "--format", "json")
        assert code == 0, err
        assert json.loads(out) == load_json(EXAMPLES / case["expected"])
    assert bundle_dump() == dumped
