"""The services of an evaluation round: every refusal changes nothing; counting follows the spec's L."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongfen.audit.models import AuditEvent
from gongfen.common import DomainError
from gongfen.evaluations import services
from gongfen.evaluations.models import Ballot, Draft, EvaluationRound, Participation, RoundState, Vote
from gongfen.evaluations.selectors import candidates, turnout_counts
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import RankingGroup

from .conftest import MEMBERS, admin_actor, all_grades, as_user, counts, make_round, org_actor

pytestmark = pytest.mark.django_db


def refused(call, message: str) -> DomainError:
    """``call`` raises a DomainError containing ``message`` and leaves every vote-related table as it was."""
    before = counts()
    with pytest.raises(DomainError) as info:
        call()
    assert message in info.value.message
    assert counts() == before
    return info.value


# --- rounds -----------------------------------------------------------------------------


def test_a_round_is_checked_before_it_is_created(county):
    now = timezone.now()
    group = RankingGroup.objects.get(code="QX-ALL")
    base = {"actor": admin_actor(), "group": group, "opens_at": now, "closes_at": now + timedelta(days=1)}
    cases = [
        ({"period": "2026Q3", "classes": [{"name": "群众", "mode": "code"}]}, "没有评价主体类别"),
        ({"period": "2025Q4", "classes": [{"name": "leader", "mode": "account"}]}, "属于 2026 年"),
        ({"period": "2026Q3", "classes": []}, "至少选择一个"),
        ({"period": "2026Q3", "classes": [{"name": "leader", "mode": "fax"}]}, "投票方式无效"),
    ]
    for extra, message in cases:
        refused(lambda extra=extra: services.round_create(**base, **extra), message)
    leader = [{"name": "leader", "mode": "account"}]
    with pytest.raises(DomainError, match="截止时间必须晚于开始时间"):
        services.round_create(**base | {"closes_at": now}, period="2026Q3", classes=leader)
    with pytest.raises(DomainError, match="无权管理"):
        services.round_create(**base | {"actor": as_user("tc_admin")}, period="2026Q3", classes=leader)
    assert not EvaluationRound.objects.exists()
    make_round()
    with pytest.raises(DomainError, match="已有评价轮次"):
        make_round()
    assert EvaluationRound.objects.count() == 1


def test_opening_fixes_the_cadres_to_rate(evaluation):
    round_ = evaluation["round"]
    assert round_.state == RoundState.OPEN
    assert sorted(round_.cadres.values_list("code", flat=True)) == MEMBERS  # ranked and unranked (A06) members
    # nobody rates themselves unless the round allows it; codes rate everyone
    assert [c.code for c in candidates(round_, evaluation["users"]["a01"])] == [m for m in MEMBERS if m != "A01"]
    assert [c.code for c in candidates(round_)] == MEMBERS
    with pytest.raises(DomainError, match="只有准备中"):
        services.round_open(actor=admin_actor(), round=round_)


def test_an_open_round_only_moves_its_closing_time(evaluation):
    round_ = evaluation["round"]
    later = round_.closes_at + timedelta(days=2)
    keep = {"classes": round_.classes, "opens_at": round_.opens_at, "allow_self": False}
    services.round_update(actor=admin_actor(), round=round_, closes_at=later, **keep)
    round_.refresh_from_db()
    assert round_.closes_at == later
    with pytest.raises(DomainError, match="只能修改截止时间"):
        services.round_update(actor=admin_actor(), round=round_, closes_at=later, **keep | {"allow_self": True})


# --- voting, and every refusal recording nothing ----------------------------------------


def test_a_draft_is_kept_then_replaced_by_the_secret_ballot(evaluation):
    round_, a04 = evaluation["round"], as_user("a04")
    services.vote_save_draft(actor=a04, round=round_, grades={"A01": "优秀", "A02": ""})
    assert Draft.objects.get().grades == {"A01": "优秀"}
    assert counts()["votes"] == 0
    services.vote_submit(actor=a04, round=round_, grades=all_grades(round_, a04.user))
    assert not Draft.objects.exists()
    assert Participation.objects.get().user == a04.user
    assert Vote.objects.filter(evaluator_class="peer").count() == 6  # seven members but A04 itself
    assert not Vote.objects.filter(cadre__code="A04").exists()
    assert not Ballot.objects.exists()  # nothing counts before the round closes


def test_double_submission_is_refused(evaluation):
    round_, a01 = evaluation["round"], as_user("a01")
    services.vote_submit(actor=a01, round=round_, grades=all_grades(round_, a01.user))
    refused(lambda: services.vote_submit(actor=a01, round=round_, grades=all_grades(round_, a01.user)), "不能重复提交")
    refused(lambda: services.vote_save_draft(actor=a01, round=round_, grades={"A02": "优秀"}), "已提交")


def test_a_reused_public_code_is_refused(evaluation):
    round_, code = evaluation["round"], evaluation["codes"][0]
    services.vote_submit_public(round=round_, code=code, grades=all_grades(round_))
    refused(lambda: services.vote_submit_public(round=round_, code=code, grades=all_grades(round_)), "已经使用过")
    # typed in lower case and without dashes, it is still the same (spent) code
    plain = code.replace("-", "").lower()
    refused(lambda: services.vote_submit_public(round=round_, code=plain, grades=all_grades(round_)), "已经使用过")


def test_a_code_of_another_round_is_refused(evaluation):
    round_ = evaluation["round"]
    other = make_round("2026Q2")
    services.round_open(actor=admin_actor(), round=other)
    [foreign] = services.codes_issue(actor=admin_actor(), round=other, evaluator_class="public", count=1)
    refused(lambda: services.vote_submit_public(round=round_, code=foreign, grades=all_grades(round_)), "不是本轮")
    refused(lambda: services.vote_submit_public(round=round_, code="ABCD-EFGH-JKMN", grades={}), "票码无效")


def test_a_vote_after_closing_is_refused(evaluation):
    round_, code = evaluation["round"], evaluation["codes"][0]
    a01 = as_user("a01")
    services.round_close(actor=admin_actor(), round=round_)
    refused(lambda: services.vote_submit(actor=a01, round=round_, grades=all_grades(round_, a01.user)), "评价已结束")
    refused(lambda: services.vote_save_draft(actor=a01, round=round_, grades={"A02": "优秀"}), "评价已结束")
    refused(lambda: services.vote_submit_public(round=round_, code=code, grades=all_grades(round_)), "评价已结束")


def test_a_vote_after_the_closing_time_is_refused_even_before_the_round_is_closed(evaluation):
    round_, a01 = evaluation["round"], as_user("a01")
    EvaluationRound.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    refused(lambda: services.vote_submit(actor=a01, round=round_, grades=all_grades(round_, a01.user)), "评价已结束")
    EvaluationRound.objects.filter(pk=round_.pk).update(
        opens_at=timezone.now() + timedelta(hours=1), closes_at=timezone.now() + timedelta(hours=2)
    )
    refused(lambda: services.vote_submit(actor=a01, round=round_, grades=all_grades(round_, a01.user)), "尚未开始")


def test_a_grade_not_in_the_scheme_is_refused(evaluation):
    round_, a01 = evaluation["round"], as_user("a01")
    bad = all_grades(round_, a01.user, A02="满意")
    refused(lambda: services.vote_submit(actor=a01, round=round_, grades=bad), "“满意”不是考核方案的等次")
    refused(lambda: services.vote_save_draft(actor=a01, round=round_, grades={"A02": "满意"}), "不是考核方案的等次")
    code = evaluation["codes"][0]
    refused(lambda: services.vote_submit_public(round=round_, code=code, grades=all_grades(round_, A05="满意")), "满意")
    # and the code was not spent by the refused ballot
    services.vote_submit_public(round=round_, code=code, grades=all_grades(round_))


def test_a_voter_outside_the_round_is_refused(evaluation):
    round_ = evaluation["round"]
    for outsider in ("qx_admin", "tc_admin", "sk_lead", "org"):  # administrators do not vote unless named
        actor = as_user(outsider)
        refused(
            lambda actor=actor: services.vote_submit(actor=actor, round=round_, grades=all_grades(round_)), "不是本轮"
        )
        refused(lambda actor=actor: services.vote_save_draft(actor=actor, round=round_, grades={}), "不是本轮")


def test_a_ballot_must_rate_every_cadre_and_nobody_else(evaluation):
    round_, a01 = evaluation["round"], as_user("a01")
    partial = {"A02": "优秀"}
    refused(lambda: services.vote_submit(actor=a01, round=round_, grades=partial), "还有 5 名干部未评价")
    refused(
        lambda: services.vote_submit(actor=a01, round=round_, grades=all_grades(round_) | {}), "不在您本轮的评价名单"
    )
    refused(
        lambda: services.vote_submit(actor=a01, round=round_, grades=all_grades(round_, a01.user) | {"A07": "优秀"}),
        "不在您本轮的评价名单",
    )


def test_voters_are_named_per_class_and_stay_once_they_voted(evaluation):
    round_, users = evaluation["round"], evaluation["users"]
    a01 = as_user("a01")
    services.vote_submit(actor=a01, round=round_, grades=all_grades(round_, a01.user))
    with pytest.raises(DomainError, match="a01 已投票，不能移除"):
        services.voters_set(actor=admin_actor(), round=round_, evaluator_class="peer", users=[users["a04"]])
    with pytest.raises(DomainError, match="已是本轮其他类别的投票人"):
        services.voters_set(actor=admin_actor(), round=round_, evaluator_class="leader", users=[users["a04"]])
    with pytest.raises(DomainError, match="不是本轮的账号投票类别"):
        services.voters_set(actor=admin_actor(), round=round_, evaluator_class="public", users=[users["a04"]])
    with pytest.raises(DomainError, match="不是本轮的票码投票类别"):
        services.codes_issue(actor=admin_actor(), round=round_, evaluator_class="peer", count=3)
    assert sorted(round_.voters.values_list("user__username", flat=True)) == ["a01", "a04", "qx_reviewer"]


# --- counting -----------------------------------------------------------------------------

# The grades each voter gives (the spec's L, worked by hand below). Grades: 优秀 100, 良好 85, 一般 70, 较差 50;
# weights: leader 0.4, peer 0.3, public 0.3. qx_reviewer is A02 and a01/a04 are A01/A04: nobody rates themselves.
LEADER = {"A01": "优秀", "A03": "良好", "A04": "一般", "A05": "较差", "A06": "良好", "A08": "优秀"}
PEERS = {
    "a01": {"A02": "良好", "A03": "一般", "A04": "优秀", "A05": "良好", "A06": "一般", "A08": "良好"},
    "a04": {"A01": "良好", "A02": "优秀", "A03": "一般", "A05": "较差", "A06": "一般", "A08": "较差"},
}
PUBLIC = {  # six codes: with 5 or more ballots the highest and the lowest are dropped
    "A01": ["优秀", "优秀", "良好", "一般", "一般", "较差"],
    "A02": ["优秀"] * 6,
    "A03": ["良好"] * 5 + ["较差"],
    "A04": ["一般"] * 3 + ["较差"] * 3,
    "A05": ["较差"] * 6,
    "A06": ["良好"] * 6,
    "A08": ["优秀", "良好", "一般", "较差", "较差", "优秀"],
}
EXPECTED_L = {
    # leader; peer mean; public trimmed mean → Σ w·mean / Σ w over the classes with ballots, rounded half up
    "A01": "89.88",  # 0.4·100 + 0.3·85 + 0.3·(70+70+85+100)/4 = 40 + 25.5 + 24.375 = 89.875
    "A02": "96.25",  # no leader ballot (A02 is the leader): (0.3·(85+100)/2 + 0.3·100) / 0.6 = 57.75 / 0.6
    "A03": "80.50",  # 0.4·85 + 0.3·(70+70)/2 + 0.3·(85·4)/4 = 34 + 21 + 25.5
    "A04": "76.00",  # 0.4·70 + 0.3·100 + 0.3·(50+50+70+70)/4 = 28 + 30 + 18
    "A05": "55.25",  # 0.4·50 + 0.3·(85+50)/2 + 0.3·50 = 20 + 20.25 + 15
    "A08": "83.13",  # 0.4·100 + 0.3·(85+50)/2 + 0.3·(50+70+85+100)/4 = 40 + 20.25 + 22.875 = 83.125
}


def cast_the_example(evaluation) -> None:
    round_ = evaluation["round"]
    services.vote_submit(actor=as_user("qx_reviewer"), round=round_, grades=LEADER)
    for username, grades in PEERS.items():
        services.vote_submit(actor=as_user(username), round=round_, grades=grades)
    for i, code in enumerate(evaluation["codes"]):
        services.vote_submit_public(round=round_, code=code, grades={c: PUBLIC[c][i] for c in PUBLIC})


def qualitative() -> dict[str, str | None]:
    rows = group_ranking(group_by_code("QX-ALL"), "2026Q3").rows
    return {r.cadre: None if r.qualitative is None else f"{r.qualitative:.2f}" for r in rows}


def test_closing_counts_the_votes_into_the_spec_s_l(evaluation):
    cast_the_example(evaluation)
    assert set(qualitative().values()) == {None}  # an open round counts for nothing yet
    services.round_close(actor=admin_actor(), round=evaluation["round"])
    assert qualitative() == EXPECTED_L
    assert Ballot.objects.filter(round=evaluation["round"]).count() == 6 + 12 + 6 * 7
    assert not Draft.objects.exists()


def test_reopening_is_for_the_organisation_department_with_a_reason(evaluation):
    round_ = evaluation["round"]
    cast_the_example(evaluation)
    services.round_close(actor=admin_actor(), round=round_)
    before = counts()
    for actor, reason, message in [
        (admin_actor(), "补充投票", "只有组织部管理员"),
        (as_user("qx_reviewer"), "补充投票", "只有组织部管理员"),
        (org_actor(), "  ", "请填写重新开启的理由"),
    ]:
        with pytest.raises(DomainError, match=message):
            services.round_reopen(actor=actor, round=round_, reason=reason)
        assert counts() == before
    assert qualitative() == EXPECTED_L

    services.round_reopen(actor=org_actor(), round=round_, reason="两名同志出差未能投票，延长一天")
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN
    assert not Ballot.objects.filter(round=round_).exists()
    assert set(qualitative().values()) == {None}  # out of the ranking until closed again
    event = AuditEvent.objects.get(action="evaluation.round_reopen")
    assert (event.actor.username, event.reason) == ("org", "两名同志出差未能投票，延长一天")

    services.round_close(actor=admin_actor(), round=round_)
    assert qualitative() == EXPECTED_L  # the same votes, counted again, the same L


def test_turnout_counts_voters_and_codes(evaluation):
    round_ = evaluation["round"]
    assert turnout_counts(round_) == {
        "leader": {"done": 0, "of": 1},
        "peer": {"done": 0, "of": 2},
        "public": {"done": 0, "of": 6},
    }
    a04 = as_user("a04")
    services.vote_save_draft(actor=a04, round=round_, grades={"A01": "优秀"})  # a draft is not a vote
    services.vote_submit(actor=as_user("a01"), round=round_, grades=all_grades(round_, as_user("a01").user))
    for code in evaluation["codes"][:4]:
        services.vote_submit_public(round=round_, code=code, grades=all_grades(round_))
    services.codes_issue(actor=admin_actor(), round=round_, evaluator_class="public", count=4)
    assert turnout_counts(round_) == {
        "leader": {"done": 0, "of": 1},
        "peer": {"done": 1, "of": 2},
        "public": {"done": 4, "of": 10},
    }


def test_bundle_ballots_keep_working_beside_a_round(county):
    """The bundle's ballots (round = NULL) still make L; a round of another quarter leaves them alone."""
    loaded = Ballot.objects.filter(scheme__code="QX-2026", period="2026Q3")
    assert loaded.count() == 15 and not loaded.filter(round__isnull=False).exists()
    expected = qualitative()
    assert any(v not in (None, "0.00") for v in expected.values())
    round_ = make_round("2026Q2")
    services.round_open(actor=admin_actor(), round=round_)
    services.round_close(actor=admin_actor(), round=round_)
    assert loaded.count() == 15
    assert qualitative() == expected


def test_audit_rows_never_carry_a_voter_s_grades(evaluation):
    services.vote_save_draft(actor=as_user("a01"), round=evaluation["round"], grades={"A02": "较差"})
    cast_the_example(evaluation)
    services.round_close(actor=admin_actor(), round=evaluation["round"])
    votes = AuditEvent.objects.filter(
        action__in=["evaluation.vote_draft", "evaluation.vote_submit", "evaluation.vote_public"]
    )
    assert votes.count() == 1 + 3 + 6  # a draft, three voters, six codes
    grades = {"优秀", "良好", "一般", "较差"}
    for event in AuditEvent.objects.filter(action__startswith="evaluation."):
        text = f"{event.summary} {event.before} {event.after} {event.reason}"
        assert not any(g in text for g in grades), text


def test_a_scheme_that_lost_a_grade_cannot_be_counted(evaluation):
    round_ = evaluation["round"]
    services.vote_submit_public(round=round_, code=evaluation["codes"][0], grades=all_grades(round_, grade="较差"))
    scheme = round_.group.scheme
    scheme.grades = [g for g in scheme.grades if g["name"] != "较差"]
    scheme.save()
    before = counts()
    with pytest.raises(DomainError, match="等次或评价主体与本轮设置不一致") as caught:
        services.round_close(actor=admin_actor(), round=round_)
    assert "较差" not in caught.value.message  # ballot secrecy: the refusal names nothing the votes hold
    assert counts() == before
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN


def test_decimal_sanity_of_the_hand_computation():
    """The hand-worked L values above, recomputed with plain Decimal arithmetic (guards typos in the table)."""
    v = {"优秀": Decimal(100), "良好": Decimal(85), "一般": Decimal(70), "较差": Decimal(50)}
    w = {"leader": Decimal("0.4"), "peer": Decimal("0.3"), "public": Decimal("0.3")}

    def mean(grades):
        values = sorted(v[g] for g in grades)
        values = values[1:-1] if len(values) >= 5 else values
        return sum(values) / len(values)

    for cadre, expected in EXPECTED_L.items():
        by_class = {
            "leader": [LEADER[cadre]] if cadre in LEADER else [],
            "peer": [p[cadre] for p in PEERS.values() if cadre in p],
            "public": PUBLIC[cadre],
        }
        present = {k: g for k, g in by_class.items() if g}
        total = sum(w[k] * mean(g) for k, g in present.items()) / sum(w[k] for k in present)
        assert f"{total.quantize(Decimal('0.01'), rounding='ROUND_HALF_UP')}" == expected, cadre


def test_a_round_reopened_after_its_closing_time_needs_a_new_one(evaluation):
    round_ = evaluation["round"]
    services.round_close(actor=admin_actor(), round=round_)
    EvaluationRound.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="请填写新的截止时间"):
        services.round_reopen(actor=org_actor(), round=round_, reason="补投")
    assert EvaluationRound.objects.get(pk=round_.pk).state == RoundState.CLOSED
    later = timezone.now() + timedelta(days=1)
    services.round_reopen(actor=org_actor(), round=round_, reason="补投", closes_at=later)
    round_.refresh_from_db()
    assert (round_.state, round_.closes_at) == (RoundState.OPEN, later)


def test_a_round_may_let_voters_rate_themselves(county):
    round_ = make_round(allow_self=True)
    a01 = as_user("a01")
    services.voters_set(actor=admin_actor(), round=round_, evaluator_class="peer", users=[a01.user])
    services.round_open(actor=admin_actor(), round=round_)
    assert [c.code for c in candidates(round_, a01.user)] == MEMBERS
    services.vote_submit(actor=a01, round=round_, grades=all_grades(round_, a01.user))
    assert Vote.objects.filter(cadre__code="A01").count() == 1


def test_a_bundle_cannot_overwrite_ballots_counted_by_a_round(evaluation):
    """Loading a bundle replaces the ballots of a (scheme, period); not those a round counted."""
    from gongfen.interchange.validate import BundleInvalid
    from tests.factories import example_bundle, load

    round_ = evaluation["round"]
    services.vote_submit(actor=as_user("a01"), round=round_, grades=all_grades(round_, evaluation["users"]["a01"]))
    services.round_close(actor=admin_actor(), round=round_)
    before = counts()
    with pytest.raises(BundleInvalid) as refused:
        load(example_bundle())  # carries ballots of QX-2026 2026Q3
    assert any("评价轮次" in p.message for p in refused.value.problems)
    assert counts() == before
