"""A county (the qixi example, tests/web_fixtures.py) with a second 组织部 user and a 平时考核 plan."""

from __future__ import annotations

import pytest

from gongfen.accounts.models import RoleKind, User
from gongfen.accounts.services import role_grant, user_create
from gongfen.common import Actor
from gongfen.grades import services
from gongfen.org.models import Unit
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import ACTOR, PASSWORD


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """Every grades test runs on 2026-10-12 (a Monday, after the 国庆 holiday), whatever today is."""
    time_machine.move_to("2026-10-12 10:00 +08:00", tick=False)


@pytest.fixture
def org2(county):
    user = user_create(actor=ACTOR, username="org2", password=PASSWORD)
    role_grant(actor=ACTOR, user=user, kind=RoleKind.ORG_ADMIN, unit=Unit.objects.get(code="KH"))
    return user


@pytest.fixture
def org(county):
    return Actor(User.objects.get(username="org"))


@pytest.fixture
def plan(county, org):
    """好 ≤ 40 %, floor, at least one seat, units below 3 people pooled at the county."""
    units = list(Unit.objects.filter(code__in=["QX", "QX-WL", "TC"]))
    return services.quota_plan_save(
        actor=org,
        year=2026,
        population="grassroots",
        kind="pingshi",
        share="0.4",
        rounding="floor",
        min_seats=1,
        pool_below=3,
        pool_at="county",
        reviewable="一般,较差",
        units=units,
    )
