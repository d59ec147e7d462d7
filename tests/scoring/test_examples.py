"""The core alone reproduces every worked example of the spec to the cent."""

import json

import pytest

from gongfen.scoring import rank_group, ranking_as_dict
from tests.conftest import EXAMPLES, example_cases

from .bundle_adapter import group_input


@pytest.mark.parametrize("case", example_cases(), ids=lambda c: f"{c['group']}-{c['period']}")
def test_core_reproduces_worked_example(case):
    bundle = json.loads((EXAMPLES / case["bundle"]).read_text(encoding="utf-8"))
    expected = json.loads((EXAMPLES / case["expected"]).read_text(encoding="utf-8"))
    assert ranking_as_dict(rank_group(group_input(bundle, case["group"], case["period"]))) == expected


def test_vendored_examples_match_shared_spec():
    from tests.conftest import SHARED_EXAMPLES

    if not SHARED_EXAMPLES.exists():
        pytest.skip("shared/spec is not beside this checkout")
    for path in SHARED_EXAMPLES.iterdir():
        assert (EXAMPLES / path.name).read_bytes() == path.read_bytes(), path.name
