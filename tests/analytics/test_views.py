"""The what-if page: administrators replay a draft over the schemes they administer; nothing is kept."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongfen.schemes.models import Rule
from tests.analytics.test_whatif import draft_bundle, row_counts
from tests.web_fixtures import *  # noqa: F403

URL = reverse("analytics:whatif")


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(datetime(2026, 10, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def edit(**extra) -> dict:
    return {"scheme": "QX-2026", "periods": "2026Q3", "k": "0", "source": "edit"} | extra


def test_an_unsaved_edit_is_replayed_and_nothing_changes(county, login):
    client = login("qx_admin")
    page = client.get(URL + "?scheme=QX-2026")
    assert page.status_code == 200 and 'name="points-R-TASK"' in page.text
    counts = row_counts()
    response = client.post(URL, edit(**{"points-R-TASK": "4", "points-D-ERR": "-14", "tier-0": "0.4"}))
    assert response.status_code == 200
    assert "人档次变化" in response.text and 'id="whatif-summary"' in response.text
    assert "big-move" in response.text  # k = 0: every move is highlighted
    assert response.text.count("<svg") == 2  # the distribution before and after
    assert row_counts() == counts
    assert Rule.objects.get(scheme__code="QX-2026", code="R-TASK").points == 1.5


def test_an_uploaded_draft_and_the_excel(county, login):
    client = login("org")
    upload = SimpleUploadedFile("draft.json", json.dumps(draft_bundle()).encode(), content_type="application/json")
    response = client.post(URL, edit(source="upload", upload=upload, export="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_bad_draft_says_where_and_changes_nothing(county, login):
    client = login("qx_admin")
    counts = row_counts()
    response = client.post(URL, edit(**{"points-Z-DAY": "-1"}))
    assert response.status_code == 400
    assert "$.schemes[0].rules[2]" in response.text
    assert row_counts() == counts


def test_a_scheme_out_of_scope_cannot_be_chosen(county, login):
    client = login("tc_admin")
    response = client.post(URL, edit())
    assert response.status_code == 200
    assert 'id="whatif-result"' not in response.text
    assert "QX-2026" not in client.get(URL).text
