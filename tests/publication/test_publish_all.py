"""Closing and publishing a whole quarter in one pass (quarter_publish_all): the same snapshots as group by group."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongfen.audit.models import AuditEvent
from gongfen.common import DomainError
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.notices.models import Notice
from gongfen.org.models import Unit
from gongfen.publication import services
from gongfen.publication.models import GroupPeriod, PeriodState, Snapshot
from gongfen.rankings.selectors import group_by_code
from gongfen.schemes.models import RankingGroup
from tests.publication.helpers import FRI, Q3, state_of_db
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import ACTOR


@pytest.fixture
def groups(county):
    """QX-ALL and a second group of the same scheme (the 王岭 office), E10 decided so that nothing blocks."""
    qx = group_by_code("QX-ALL")
    RankingGroup.objects.create(
        code="QX-WL", name="王岭全体干部", scheme=qx.scheme, select_unit=Unit.objects.get(code="QX-WL")
    )
    ledger.entry_reject(actor=ACTOR, entry=Entry.objects.get(code="E10"), reason="佐证不足")
    return [group_by_code("QX-ALL"), group_by_code("QX-WL")]


def test_the_same_snapshots_as_group_by_group(groups):
    one_by_one = {}
    with transaction.atomic():
        for group in groups:
            services.period_close(actor=ACTOR, group=group, period=Q3)
            snapshot = services.period_publish(actor=ACTOR, group=group, period=Q3, today=FRI)
            one_by_one[group.code] = (snapshot.data, snapshot.fingerprint)
        transaction.set_rollback(True)
    assert not Snapshot.objects.exists()
    snapshots = services.quarter_publish_all(actor=ACTOR, groups=reversed(groups), period=Q3, today=FRI)
    assert {s.group.code: (s.data, s.fingerprint) for s in snapshots} == one_by_one
    assert all(len(data["ranking"]["rows"]) > 0 for data, _ in one_by_one.values())


def test_open_and_closing_groups_are_closed_published_and_audited(groups):
    services.period_close(actor=ACTOR, group=groups[1], period=Q3)  # already closing: closed once, not twice
    services.quarter_publish_all(actor=ACTOR, groups=groups, period=Q3, today=FRI, reason="季度集中公示")
    rows = GroupPeriod.objects.filter(period=Q3)
    assert {r.group.code: r.state for r in rows} == {"QX-ALL": PeriodState.PUBLISHED, "QX-WL": PeriodState.PUBLISHED}
    assert all(str(r.window_ends_on) == "2026-11-27" for r in rows)
    actions = list(AuditEvent.objects.filter(action__startswith="period.").values_list("action", "object_id"))
    assert (
        actions.count(("period.close", "QX-ALL/2026Q3")) == 1 and actions.count(("period.close", "QX-WL/2026Q3")) == 1
    )
    assert ("period.publish", "QX-ALL/2026Q3") in actions and ("period.publish", "QX-WL/2026Q3") in actions
    assert AuditEvent.objects.get(action="period.close", object_id="QX-ALL/2026Q3").reason == "季度集中公示"
    assert Notice.objects.filter(title__contains="排名公示").count() > 0
    assert [s.version for s in Snapshot.objects.all()] == [1, 1]


def test_one_blocked_group_refuses_them_all(groups):
    ledger.entry_declare(
        actor=ACTOR,
        cadre=Entry.objects.get(code="E01").cadre,
        rule=groups[0].scheme.rules.get(code="R-TASK"),
        occurred_on=Entry.objects.get(code="E01").occurred_on,
    )
    before, audits = state_of_db(), AuditEvent.objects.count()
    with pytest.raises(DomainError, match=r"待审核或未提交的工分记录.*齐溪镇全体干部 1 条"):
        services.quarter_publish_all(actor=ACTOR, groups=groups, period=Q3, today=FRI)
    assert state_of_db() == before and AuditEvent.objects.count() == audits
    assert not GroupPeriod.objects.exclude(state=PeriodState.OPEN).exists()


def test_a_published_group_refuses_them_all(groups):
    services.period_close(actor=ACTOR, group=groups[0], period=Q3)
    services.period_publish(actor=ACTOR, group=groups[0], period=Q3, today=FRI)
    before = state_of_db()
    with pytest.raises(DomainError, match=r"已公示.*只有未公示的季度"):
        services.quarter_publish_all(actor=ACTOR, groups=groups, period=Q3, today=FRI)
    assert state_of_db() == before


def test_a_bad_period_or_no_group_is_refused(groups):
    with pytest.raises(DomainError, match="期间格式错误"):
        services.quarter_publish_all(actor=ACTOR, groups=groups, period="2026-Q3")
    with pytest.raises(DomainError, match="没有要公示的排名组"):
        services.quarter_publish_all(actor=ACTOR, groups=[], period=Q3)
    assert not GroupPeriod.objects.exists()
