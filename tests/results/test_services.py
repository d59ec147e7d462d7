"""组织部's overrides of the action lists: who, why, when; the latest wins; refusals change nothing."""

from __future__ import annotations

import pytest

from gongfen.accounts.models import User
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre
from gongfen.publication.models import ActionOverride
from gongfen.results.selectors import quarter_results
from gongfen.results.services import action_override, action_override_confirm
from tests.web_fixtures import *  # noqa: F403

from .conftest import publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("org2")]


def org():
    return Actor(User.objects.get(username="org"))


def override(
    group,
    actor=None,
    cadre="A02",
    action="recommend",
    include=True,
    reason="抗洪抢险表现突出",
    period="2026Q3",
    confirm=True,
):
    """Propose an override and (``confirm``) have the second 组织部 administrator confirm it."""
    proposal = action_override(
        actor=actor or org(),
        group=group,
        period=period,
        cadre=Cadre.objects.get(code=cadre),
        action=action,
        include=include,
        reason=reason,
    )
    if confirm:
        action_override_confirm(actor=Actor(User.objects.get(username="org2")), override=proposal)
    return proposal


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


def test_an_override_waits_for_a_second_org_admin_and_nobody_decides_their_own_row(q3_final):
    """Issue 14, finding 2: the 组织部 administrator put themselves on the 首位推荐 list with no second person."""
    org_user, second = User.objects.get(username="org"), User.objects.get(username="org2")
    org_user.cadre = Cadre.objects.get(code="A03")  # the administrator is also cadre A03 of the group
    org_user.save()
    before = nothing_changed()
    with pytest.raises(DomainError) as caught:  # their own row: refused outright
        override(q3_final, actor=Actor(org_user), cadre="A03", confirm=False)
    assert caught.value.code == "four_eyes" and nothing_changed() == before
    # somebody else's row: a proposal, which changes nothing until another 组织部 user confirms it
    proposal = override(q3_final, actor=Actor(org_user), cadre="A04", confirm=False)
    assert lists(q3_final)["recommend"] == ["A01"]
    pending = quarter_results(q3_final, "2026Q3").history[0]
    assert pending.pending and pending.pk == proposal.pk
    with pytest.raises(DomainError, match="另一位组织部管理员"):
        action_override_confirm(actor=Actor(org_user), override=proposal)
    with pytest.raises(DomainError, match="只有组织部管理员"):
        action_override_confirm(actor=Actor(User.objects.get(username="qx_admin")), override=proposal)
    assert lists(q3_final)["recommend"] == ["A01"]
    action_override_confirm(actor=Actor(second), override=proposal)
    assert lists(q3_final)["recommend"] == ["A01", "A04"]
    event = AuditEvent.objects.get(action="results.override_confirm")
    assert event.actor_label == "org2" and event.object_id == "QX-ALL/2026Q3/A04/recommend"
    with pytest.raises(DomainError, match="已复核"):
        action_override_confirm(actor=Actor(second), override=proposal)
    # a proposal about the confirming user's own row: they may not confirm it
    second.cadre = Cadre.objects.get(code="A05")
    second.save()
    theirs = override(q3_final, actor=Actor(org_user), cadre="A05", action="retrain", include=False, confirm=False)
    with pytest.raises(DomainError) as caught:
        action_override_confirm(actor=Actor(second), override=theirs)
    assert caught.value.code == "four_eyes" and lists(q3_final)["retrain"] == ["A05"]
