"""The core alone reproduces every worked example of the spec to the cent (v1's and v2's)."""

import json

import pytest

from gongfen.scoring import rank_group, ranking_as_dict
from gongfen.scoring.bundle import rank_bundle
from tests.conftest import EXAMPLES, example_cases

from .bundle_adapter import group_input


def all_cases() -> list[dict]:
    v2 = json.loads((EXAMPLES / "index-v2.json").read_text(encoding="utf-8"))
    return example_cases() + v2


@pytest.mark.parametrize("case", example_cases(), ids=lambda c: f"{c['group']}-{c['period']}")
def test_core_reproduces_worked_example(case):
    bundle = json.loads((EXAMPLES / case["bundle"]).read_text(encoding="utf-8"))
    expected = json.loads((EXAMPLES / case["expected"]).read_text(encoding="utf-8"))
    assert ranking_as_dict(rank_group(group_input(bundle, case["group"], case["period"]))) == expected


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: f"{c['bundle'].removesuffix('.json')}-{c['period']}")
def test_rank_bundle_reproduces_worked_example(case):
    bundle = json.loads((EXAMPLES / case["bundle"]).read_text(encoding="utf-8"))
    expected = json.loads((EXAMPLES / case["expected"]).read_text(encoding="utf-8"))
    assert rank_bundle(bundle, case["group"], case["period"]) == expected


def test_every_vendored_bundle_has_its_examples():
    listed = {c["bundle"] for c in all_cases()} | {c["expected"] for c in all_cases()}
    on_disk = {p.name for p in EXAMPLES.glob("*.json")} - {"index.json", "index-v2.json"}
    assert listed == on_disk


def test_vendored_examples_match_shared_spec():
    from tests.conftest import SHARED_EXAMPLES

    if not SHARED_EXAMPLES.exists():
        pytest.skip("shared/spec is not beside this checkout")
    for path in SHARED_EXAMPLES.iterdir():
        assert (EXAMPLES / path.name).read_bytes() == path.read_bytes(), path.name
