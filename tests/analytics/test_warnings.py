"""Early warning (亮灯): the lights with their reasons, a notice to the person concerned, the follow-through."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongfen.analytics.models import WarningFollowUp
from gongfen.analytics.warnings import warnings_for
from gongfen.notices.models import Notice
from gongfen.schemes.models import Scheme
from tests.web_fixtures import *  # noqa: F403

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOADED = datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)
LATER = datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)  # eight weeks after anything was recorded


@pytest.fixture
def loaded():
    with time_machine.travel(LOADED, tick=False):
        yield


@pytest.fixture
def county_loaded(loaded, county):
    return county


def reasons(found) -> set[tuple[str, str, str]]:
    return {(w.subject, w.reason, w.light) for w in found}


def test_lights_and_their_reasons(county_loaded):
    found = warnings_for(Scheme.objects.all(), "2026Q3", LOADED.date())
    assert ("A05", "last_tier", "yellow") in reasons(found)  # vetoed: last
    assert not any(w.reason == "quiet" and w.subject == "A04" for w in found)  # recorded today
    later = warnings_for(Scheme.objects.all(), "2026Q3", LATER.date())
    assert ("A04", "quiet", "yellow") in reasons(later)
    assert ("QX-2026", "overdue", "yellow") in reasons(later)  # E10 pending for eight weeks
    assert [w.light for w in later] == sorted((w.light for w in later), key=lambda light: light != "red")


def test_notify_and_follow_through(county_loaded, login):
    with time_machine.travel(LATER, tick=False):
        client = login("qx_admin")
        url = reverse("analytics:warnings") + "?period=2026Q3"
        page = client.get(url)
        assert page.status_code == 200 and "连续 6 周没有任何记录" in page.text
        post = {"subject_kind": "cadre", "subject": "A04", "group": "QX-ALL", "period": "2026Q3", "reason": "quiet"}
        assert client.post(reverse("analytics:warning_follow_up"), post | {"action": "notified"}).status_code == 302
        assert Notice.objects.filter(user__username="a04", title__contains="预警").count() == 1
        response = client.post(reverse("analytics:warning_follow_up"), post | {"action": "talked", "note": "已谈话"})
        assert response.status_code == 302
        assert list(WarningFollowUp.objects.values_list("action", flat=True)) == ["notified", "talked"]
        page = client.get(url)
        assert "已谈话提醒" in page.text and "已谈话" in page.text
        # a note is required for anything but a notice; nothing is recorded without one
        client.post(reverse("analytics:warning_follow_up"), post | {"action": "resolved"})
        assert WarningFollowUp.objects.count() == 2
        sheet = client.get(url + "&format=xlsx")
        assert sheet.status_code == 200


def test_a_warning_out_of_scope_is_not_found(county_loaded, login):
    with time_machine.travel(LATER, tick=False):
        client = login("tc_admin")
        post = {"subject_kind": "cadre", "subject": "A04", "group": "QX-ALL", "period": "2026Q3", "reason": "quiet"}
        response = client.post(reverse("analytics:warning_follow_up"), post | {"action": "notified"})
        assert response.status_code == 404
        assert not WarningFollowUp.objects.exists() and not Notice.objects.filter(title__contains="预警").exists()
        assert "A04" not in client.get(reverse("analytics:warnings") + "?period=2026Q3").text


def test_last_tier_twice_running_is_red(loaded, db):
    from tests.factories import example_bundle, load

    bundle = example_bundle()
    veto = {"id": "E-Q2", "cadre": "A05", "scheme": "QX-2026", "rule": "D-VETO", "occurred_on": "2026-05-05"}
    bundle["entries"].append(veto | {"quantity": "1", "status": "approved"})
    load(bundle)
    found = reasons(warnings_for(Scheme.objects.all(), "2026Q3", LOADED.date()))
    assert ("A05", "last_twice", "red") in found and ("A05", "last_tier", "yellow") not in found
    assert ("A05", "last_tier", "yellow") in reasons(warnings_for(Scheme.objects.all(), "2026Q2", LOADED.date()))
