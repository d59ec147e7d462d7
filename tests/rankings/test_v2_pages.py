"""The pages that exist today read item-tree schemes too: a v2 board, a row, the boards list, the Excel export and
the notice answer 200 (the editor and the tree breakdown of issue 16 items 4–6 are not here)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import example_bundle, load
from tests.web_fixtures import *  # noqa: F403

CASES = [
    ("MJ-ALL", "2026Q3", "M02"),
    ("NY-ALL", "2026M07", "N04"),
    ("KH-TH", "2026Q3", "T02"),
    ("KH-TH", "2026Y", "T02"),
]


@pytest.fixture
def v2_county(county):
    for name in ("majin-2026q3.json", "nongye-2026m07-m08.json", "kh-heads-annual-2026.json"):
        load(example_bundle(name))
    return county


@pytest.mark.parametrize(("group", "period", "cadre"), CASES)
def test_the_pages_of_a_v2_group_answer(v2_county, login, group, period, cadre):
    client = login("org")
    board = client.get(reverse("rankings:board", args=[group, period]))
    assert board.status_code == 200
    assert cadre in board.content.decode()
    assert client.get(reverse("rankings:row", args=[group, period, cadre])).status_code == 200
    export = client.get(reverse("outputs:board_xlsx", args=[group, period]))
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert client.get(reverse("rankings:boards")).status_code == 200
