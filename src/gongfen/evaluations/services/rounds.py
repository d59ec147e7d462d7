"""Administering a round: create, edit, open, name voters, issue codes, close (count), reopen."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongfen.accounts.models import User
from gongfen.accounts.permissions import principal
from gongfen.common import Actor, DomainError
from gongfen.notices.models import NoticeKind
from gongfen.notices.services import notify
from gongfen.schemes.models import RankingGroup

from ..codes import MAX_CODES, code_digest, code_new
from ..models import Ballot, Draft, EvaluationRound, PublicCode, RoundState, Vote, Voter, VotingMode
from ..selectors import members_of, turnout_counts
from ._common import audit, locked, require_admin, scheme_classes, scheme_grades


def _check_times(opens_at: datetime, closes_at: datetime) -> None:
    if opens_at is None or closes_at is None:
        raise DomainError("请填写开始和截止时间", field="closes_at")
    if closes_at <= opens_at:
        raise DomainError("截止时间必须晚于开始时间", field="closes_at")


def _check_classes(group: RankingGroup, classes: list[dict]) -> list[dict]:
    known = scheme_classes(group)
    if not classes:
        raise DomainError("请至少选择一个评价主体类别", field="classes")
    cleaned, seen = [], set()
    for item in classes:
        name, mode = item.get("name"), item.get("mode")
        if name not in known:
            raise DomainError(f"考核方案 {group.scheme.code} 没有评价主体类别 {name!r}", field="classes")
        if mode not in VotingMode.values:
            raise DomainError(f"类别 {name} 的投票方式无效", field="classes")
        if name in seen:
            raise DomainError(f"类别 {name} 重复", field="classes")
        seen.add(name)
        cleaned.append({"name": name, "mode": mode})
    order = list(known)
    return sorted(cleaned, key=lambda c: order.index(c["name"]))


def _snapshot(round_: EvaluationRound) -> dict:
    return {
        "group": round_.group.code,
        "period": round_.period,
        "classes": round_.classes,
        "opens_at": round_.opens_at.isoformat(),
        "closes_at": round_.closes_at.isoformat(),
        "allow_self": round_.allow_self,
        "state": round_.state,
    }


# --- rounds -----------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor: Actor,
    group: RankingGroup,
    period: str,
    classes: list[dict],
    opens_at: datetime,
    closes_at: datetime,
    allow_self: bool = False,
) -> EvaluationRound:
    """A new round, in draft: nothing can be cast until it is opened."""
    from gongfen.rankings.selectors import group_period

    require_admin(actor, group)
    period = group_period(group, period).code
    if EvaluationRound.objects.filter(group=group, period=period).exists():
        raise DomainError(f"排名组 {group.code} 的 {period} 已有评价轮次", field="period")
    _check_times(opens_at, closes_at)
    round_ = EvaluationRound.objects.create(
        group=group,
        period=period,
        classes=_check_classes(group, classes),
        opens_at=opens_at,
        closes_at=closes_at,
        allow_self=allow_self,
        created_by=actor.user,
    )
    audit(actor, "round_create", round_, f"创建评价轮次 {round_}", after=_snapshot(round_))
    return round_


@transaction.atomic
def round_update(
    *,
    actor: Actor,
    round: EvaluationRound,
    classes: list[dict],
    opens_at: datetime,
    closes_at: datetime,
    allow_self: bool,
) -> EvaluationRound:
    """Change a round: everything while in draft; only the closing time once open; nothing once closed."""
    round_ = locked(round)
    require_admin(actor, round_.group)
    before = _snapshot(round_)
    _check_times(opens_at, closes_at)
    classes = _check_classes(round_.group, classes)
    if round_.state == RoundState.CLOSED:
        raise DomainError("评价已结束，不能修改", code="closed")
    if round_.state == RoundState.OPEN and (
        classes != round_.classes or allow_self != round_.allow_self or opens_at != round_.opens_at
    ):
        raise DomainError("评价已开始，只能修改截止时间", field="closes_at", code="open")
    dropped = {c["name"] for c in round_.classes} - {c["name"] for c in classes}
    changed = {c["name"] for c in classes if round_.mode_of(c["name"]) not in (None, c["mode"])}
    for name in sorted(dropped | changed):
        if round_.voters.filter(evaluator_class=name).exists() or round_.codes.filter(evaluator_class=name).exists():
            raise DomainError(f"类别 {name} 已指定投票人或发放票码，不能移除或改变投票方式", field="classes")
    round_.classes, round_.opens_at, round_.closes_at, round_.allow_self = classes, opens_at, closes_at, allow_self
    round_.save()
    audit(actor, "round_update", round_, f"修改评价轮次 {round_}", before=before, after=_snapshot(round_))
    return round_


@transaction.atomic
def round_open(*, actor: Actor, round: EvaluationRound) -> EvaluationRound:
    """Open a draft round: the cadres to rate are fixed now, and votes are taken from ``opens_at``."""
    round_ = locked(round)
    require_admin(actor, round_.group)
    if round_.state != RoundState.DRAFT:
        raise DomainError("只有准备中的评价轮次可以开始", code="state")
    cadres = members_of(round_.group, round_.period)
    if not cadres:
        raise DomainError(f"排名组 {round_.group.code} 在 {round_.period} 没有成员，无人可评", code="empty")
    round_.cadres.set(cadres)
    round_.state = RoundState.OPEN
    round_.save(update_fields=["state"])
    audit(
        actor,
        "round_open",
        round_,
        f"开始评价 {round_}（被评价 {len(cadres)} 人）",
        after={"cadres": [c.code for c in cadres]},
    )
    _tell_voters(round_, round_.voters.values_list("user_id", flat=True))
    return round_


def _tell_voters(round_: EvaluationRound, user_ids) -> None:
    """The named voters hear that a round is open for them."""
    notify(
        list(user_ids),
        kind=NoticeKind.ROUND,
        title=f"请参加评价：{round_.group.name} {round_.period}",
        body=f"投票截止时间：{timezone.localtime(round_.closes_at):%Y-%m-%d %H:%M}",
        url=reverse("evaluations:vote", args=[round_.group.code, round_.period]),
    )


@transaction.atomic
def round_close(*, actor: Actor, round: EvaluationRound) -> EvaluationRound:
    """Close a round and count it: its votes become Ballot rows (replacing any earlier count of it)."""
    round_ = locked(round)
    require_admin(actor, round_.group)
    if round_.state != RoundState.OPEN:
        raise DomainError("只有进行中的评价轮次可以结束", code="state")
    scheme = round_.group.scheme
    rows = sorted(Vote.objects.filter(round=round_).values_list("cadre_id", "evaluator_class", "grade"))
    grades, classes = set(scheme_grades(round_.group)), set(scheme_classes(round_.group))
    if any(g not in grades or k not in classes for _, k, g in rows):
        # the scheme's grades and classes are frozen while the round is open, so only a direct edit of the
        # database gets here; the refusal names nothing that the votes contain (ballot secrecy)
        raise DomainError(
            f"考核方案 {scheme.code} 的等次或评价主体与本轮设置不一致，无法计票；请联系组织部核查", code="scheme"
        )
    Ballot.objects.filter(round=round_).delete()
    Ballot.objects.bulk_create(
        [
            Ballot(scheme=scheme, period=round_.period, cadre_id=c, evaluator_class=k, grade=g, round=round_)
            for c, k, g in rows
        ]
    )
    # Rewrite the votes in sorted order, all in this transaction: what order (or, on PostgreSQL,
    # which transaction) each row was written in no longer hints at which rows came together.
    Vote.objects.filter(round=round_).delete()
    Vote.objects.bulk_create([Vote(round=round_, cadre_id=c, evaluator_class=k, grade=g) for c, k, g in rows])
    Draft.objects.filter(voter__round=round_).delete()
    round_.state = RoundState.CLOSED
    round_.save(update_fields=["state"])
    counts = turnout_counts(round_)
    audit(actor, "round_close", round_, f"结束评价并计票 {round_}（{len(rows)} 票）", after=counts)
    return round_


@transaction.atomic
def round_reopen(*, actor: Actor, round: EvaluationRound, reason: str, closes_at: datetime | None = None):
    """组织部 only, with a reason: the round's ballots leave the ranking until it is closed again."""
    round_ = locked(round)
    if actor.user is not None and not principal(actor.user).is_org_admin:
        raise DomainError("只有组织部管理员可以重新开启评价", code="forbidden")
    require_admin(actor, round_.group)
    if round_.state != RoundState.CLOSED:
        raise DomainError("只有已结束的评价轮次可以重新开启", code="state")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写重新开启的理由", field="reason")
    before = _snapshot(round_)
    if closes_at is not None:
        _check_times(round_.opens_at, closes_at)
        round_.closes_at = closes_at
    if round_.closes_at <= timezone.now():
        raise DomainError("原截止时间已过，请填写新的截止时间", field="closes_at")
    removed = Ballot.objects.filter(round=round_).delete()[0]
    round_.state = RoundState.OPEN
    round_.save(update_fields=["state", "closes_at"])
    audit(
        actor,
        "round_reopen",
        round_,
        f"重新开启评价 {round_}（撤出 {removed} 张已计评价票）",
        before=before,
        after=_snapshot(round_),
        reason=reason,
    )
    return round_


# --- voters and codes -------------------------------------------------------------------


@transaction.atomic
def voters_set(*, actor: Actor, round: EvaluationRound, evaluator_class: str, users: Iterable[User]) -> list[Voter]:
    """The voters of one account class become exactly ``users``; someone who has voted stays."""
    round_ = locked(round)
    require_admin(actor, round_.group)
    if round_.state == RoundState.CLOSED:
        raise DomainError("评价已结束，不能修改投票人", code="closed")
    if round_.mode_of(evaluator_class) != VotingMode.ACCOUNT:
        raise DomainError(f"类别 {evaluator_class} 不是本轮的账号投票类别", field="evaluator_class")
    wanted = {u.pk: u for u in users}
    current = {v.user_id: v for v in round_.voters.filter(evaluator_class=evaluator_class)}
    voted = set(round_.participations.values_list("user_id", flat=True))
    leaving = set(current) - set(wanted)
    if leaving & voted:
        names = User.objects.filter(pk__in=leaving & voted).order_by("username").values_list("username", flat=True)
        raise DomainError(f"{'、'.join(names)} 已投票，不能移除", field="users")
    elsewhere = round_.voters.exclude(evaluator_class=evaluator_class).filter(user_id__in=wanted)
    if clash := sorted(f"{v.user.username}（{v.evaluator_class}）" for v in elsewhere.select_related("user")):
        raise DomainError(f"{'、'.join(clash)} 已是本轮其他类别的投票人", field="users")
    round_.voters.filter(evaluator_class=evaluator_class, user_id__in=leaving).delete()
    added = sorted(set(wanted) - set(current))
    for pk in added:
        Voter.objects.create(round=round_, user_id=pk, evaluator_class=evaluator_class)
    if round_.state == RoundState.OPEN:
        _tell_voters(round_, added)
    names = sorted(u.username for u in wanted.values())
    audit(
        actor,
        "voters_set",
        round_,
        f"设置 {evaluator_class} 类投票人 {len(names)} 人",
        before=sorted(User.objects.filter(pk__in=current).values_list("username", flat=True)),
        after=names,
    )
    return list(round_.voters.filter(evaluator_class=evaluator_class))


@transaction.atomic
def codes_issue(*, actor: Actor, round: EvaluationRound, evaluator_class: str, count: int) -> list[str]:
    """``count`` new one-time codes for a code class. Returns them in clear: this is the only time they exist."""
    round_ = locked(round)
    require_admin(actor, round_.group)
    if round_.state == RoundState.CLOSED:
        raise DomainError("评价已结束，不能再发放票码", code="closed")
    if round_.mode_of(evaluator_class) != VotingMode.CODE:
        raise DomainError(f"类别 {evaluator_class} 不是本轮的票码投票类别", field="evaluator_class")
    if not 1 <= int(count) <= MAX_CODES:
        raise DomainError(f"每次发放 1 至 {MAX_CODES} 个票码", field="count")
    now = timezone.now()
    codes = [code_new() for _ in range(int(count))]
    PublicCode.objects.bulk_create(
        [PublicCode(round=round_, evaluator_class=evaluator_class, digest=code_digest(c), issued_at=now) for c in codes]
    )
    audit(actor, "codes_issue", round_, f"发放 {evaluator_class} 类票码 {len(codes)} 个", after={"count": len(codes)})
    return codes
