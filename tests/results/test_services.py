"""组织部's overrides of the action lists: who, why, when; the latest wins; refusals change nothing."""

from __future__ import annotations

import pytest

from gongfen.accounts.models import User
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre
from gongfen.publication.models import ActionOverride
from gongfen.results.selectors import quarter_results
from gongfen.results.services import action_override
from tests.web_fixtures import *  # noqa: F403

from .conftest import publish

pytestmark = pytest.mark.django_db


def org():
    return Actor(User.objects.get(username="org"))


def override(
    group, actor=None, cadre="A02", action="recommend", include=True, reason="抗洪抢险表现突出", period="2026Q3"
):
    return action_override(
        actor=actor or org(),
        group=group,
        period=period,
        cadre=Cadre.objects.get(code=cadre),
        action=action,
        include=include,
        reason=reason,
    )


def nothing_changed():
    return ActionOverride.objects.count(), AuditEvent.objects.filter(action="results.override").count()


def lists(group):
    results = quarter_results(group, "2026Q3")
    return {a.action: [line.cadre for line in a.lines] for a in results.lists}


def test_override_puts_on_and_takes_off_and_is_audited(q3_final):
    assert lists(q3_final) == {"recommend": ["A01"], "retrain": ["A05"], "adjust": []}
    override(q3_final, cadre="A02", action="recommend", include=True)
    override(q3_final, cadre="A05", action="retrain", include=False, reason="否决事项经复核撤销，待重新认定")
    assert lists(q3_final) == {"recommend": ["A01", "A02"], "retrain": [], "adjust": []}
    line = next(line for line in quarter_results(q3_final, "2026Q3").lines if line.cadre == "A02")
    shown = line.overrides["recommend"]
    assert (shown.include, shown.computed, shown.by, shown.reason) == (True, False, "org", "抗洪抢险表现突出")
    assert line.computed == () and line.actions == ("recommend",)
    event = AuditEvent.objects.filter(action="results.override").order_by("id").first()
    assert event.object_id == "QX-ALL/2026Q3/A02/recommend"
    assert event.before == {"included": False, "computed": False, "version": 1}
    assert event.after == {"included": True} and event.reason == "抗洪抢险表现突出"


def test_the_latest_override_wins_and_history_is_kept(q3_final):
    override(q3_final, cadre="A01", action="recommend", include=False, reason="借调期间不参与推荐")
    assert lists(q3_final)["recommend"] == []
    override(q3_final, cadre="A01", action="recommend", include=True, reason="借调结束，恢复推荐")
    assert lists(q3_final)["recommend"] == ["A01"]
    results = quarter_results(q3_final, "2026Q3")
    assert [h.reason for h in results.history] == ["借调结束，恢复推荐", "借调期间不参与推荐"]
    assert ActionOverride.objects.filter(cadre__code="A01").count() == 2


@pytest.mark.parametrize(
    ("who", "kwargs", "message"),
    [
        ("qx_admin", {}, "只有组织部管理员"),
        ("tc_admin", {}, "只有组织部管理员"),
        ("org", {"reason": "  "}, "必须说明理由"),
        ("org", {"action": "promote"}, "没有名单"),
        ("org", {"cadre": "A06"}, "不在齐溪镇全体干部 2026Q3的排名中"),  # unranked newcomer
        ("org", {"cadre": "A01", "include": True}, "已在"),  # already on the list: nothing to change
    ],
)
def test_refused_with_a_clear_message_and_nothing_changed(q3_final, who, kwargs, message):
    before = nothing_changed()
    with pytest.raises(DomainError, match=message):
        override(q3_final, actor=Actor(User.objects.get(username=who)), **kwargs)
    assert nothing_changed() == before


def test_only_final_quarters_take_overrides(qx):
    with pytest.raises(DomainError, match="“进行中”状态，只有已定稿季度"):
        override(qx)
    publish(qx, "2026Q3")
    before = nothing_changed()
    with pytest.raises(DomainError, match="“已公示”状态，只有已定稿季度"):
        override(qx)
    assert nothing_changed() == before
