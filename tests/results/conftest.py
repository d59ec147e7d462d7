"""Quarters of the qixi example moved through the real lifecycle services (close → publish → final)."""

from __future__ import annotations

from datetime import date

import pytest

from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.publication import services as publication
from gongfen.rankings.selectors import group_by_code
from tests.factories import ACTOR

PUBLISHED_ON = date(2026, 11, 20)  # a Friday; 5 working days later is Fri 27 Nov
FINAL_ON = date(2026, 11, 30)


def publish(group, period: str):
    publication.period_close(actor=ACTOR, group=group, period=period)
    if period == "2026Q3":  # the example's one pending entry (E10), rejected: the ranking stays as expected
        ledger.entry_reject(actor=ACTOR, entry=Entry.objects.get(code="E10"), reason="佐证不足")
    return publication.period_publish(actor=ACTOR, group=group, period=period, today=PUBLISHED_ON)


def finalize(group, period: str):
    publish(group, period)
    return publication.period_finalize(actor=ACTOR, group=group, period=period, today=FINAL_ON)


@pytest.fixture
def qx(county):
    return group_by_code("QX-ALL")


@pytest.fixture
def q3_final(qx):
    finalize(qx, "2026Q3")
    return qx


@pytest.fixture
def org2(county):
    """A second 组织部 administrator, who confirms the first one's overrides (four eyes)."""
    from gongfen.accounts.models import RoleKind
    from gongfen.accounts.services import role_grant, user_create
    from gongfen.org.models import Unit
    from tests.web_fixtures import PASSWORD

    user = user_create(actor=ACTOR, username="org2", password=PASSWORD)
    role_grant(actor=ACTOR, user=user, kind=RoleKind.ORG_ADMIN, unit=Unit.objects.get(code="KH"))
    return user
