"""Casting ballots: a logged-in voter's draft and submission, and a public vote with a one-time code.

A submission writes who voted (:class:`Participation`, or the code's
``used_at``) and, apart, the anonymous votes in shuffled order.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gongfen.accounts.models import User
from gongfen.common import Actor, DomainError
from gongfen.org.models import Cadre

from ..codes import code_digest
from ..models import Draft, EvaluationRound, Participation, PublicCode, RoundState, Vote, Voter, VotingMode
from ..selectors import candidates
from ._common import audit, locked, scheme_grades

_shuffle = random.SystemRandom().shuffle


def _accepting(round_: EvaluationRound, now: datetime) -> None:
    if round_.state == RoundState.DRAFT or (round_.state == RoundState.OPEN and now < round_.opens_at):
        raise DomainError("评价尚未开始", code="not_open")
    if round_.state == RoundState.CLOSED or now >= round_.closes_at:
        raise DomainError("评价已结束，不能再投票", code="closed")


def _checked_grades(round_: EvaluationRound, cadres: list[Cadre], grades: Mapping[str, str], complete: bool):
    """{cadre: grade} for the given choices, or a DomainError: unknown grade, cadre not rated here, missing ones."""
    by_code = {c.code: c for c in cadres}
    allowed = scheme_grades(round_.group)
    chosen = {code: grade for code, grade in grades.items() if grade}
    for code, grade in chosen.items():
        if code not in by_code:
            raise DomainError(f"干部 {code} 不在您本轮的评价名单中", field="grades")
        if grade not in allowed:
            raise DomainError(f"等次“{grade}”不是考核方案的等次（{'、'.join(allowed)}）", field="grades")
    if complete and (missing := [c.name for c in cadres if c.code not in chosen]):
        raise DomainError(f"还有 {len(missing)} 名干部未评价：{'、'.join(missing)}", field="grades", code="incomplete")
    return {by_code[code]: grade for code, grade in chosen.items()}


def _cast(round_: EvaluationRound, evaluator_class: str, chosen: dict[Cadre, str]) -> None:
    votes = [Vote(round=round_, cadre=c, evaluator_class=evaluator_class, grade=g) for c, g in chosen.items()]
    _shuffle(votes)
    Vote.objects.bulk_create(votes)
    votes_reshuffle(round_)


def votes_reshuffle(round_: EvaluationRound) -> None:
    """Give every vote of the round a fresh random key (SQLite): the rows move to random places in the table.

    On SQLite the votes table is ``WITHOUT ROWID`` (migration 0003), so rows are stored in key order; new
    random keys on every write leave no trace of which rows arrived together or when.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Vote._meta.db_table}" SET "id" = lower(hex(randomblob(16))) WHERE "round_id" = %s', [round_.pk]
        )


def _voter(round_: EvaluationRound, user: User | None) -> Voter:
    voter = round_.voters.filter(user=user).first() if user is not None else None
    if voter is None:
        raise DomainError("您不是本轮评价的投票人", code="not_voter")
    return voter


@transaction.atomic
def vote_save_draft(*, actor: Actor, round: EvaluationRound, grades: Mapping[str, str]) -> Draft:
    """Keep a logged-in voter's choices so far (any subset); nothing is cast."""
    round_ = locked(round)
    voter = _voter(round_, actor.user)
    _accepting(round_, timezone.now())
    if round_.participations.filter(user=actor.user).exists():
        raise DomainError("您已提交本轮评价，不能再修改", code="submitted")
    chosen = _checked_grades(round_, candidates(round_, actor.user), grades, complete=False)
    draft, _ = Draft.objects.update_or_create(voter=voter, defaults={"grades": {c.code: g for c, g in chosen.items()}})
    audit(actor, "vote_draft", round_, f"保存评价草稿（{voter.evaluator_class}）")
    return draft


@transaction.atomic
def vote_submit(*, actor: Actor, round: EvaluationRound, grades: Mapping[str, str]) -> None:
    """Cast a logged-in voter's ballot, once: every cadre graded; the draft is deleted."""
    round_ = locked(round)
    voter = _voter(round_, actor.user)
    _accepting(round_, timezone.now())
    if round_.participations.filter(user=actor.user).exists():
        raise DomainError("您已提交本轮评价，不能重复提交", code="submitted")
    chosen = _checked_grades(round_, candidates(round_, actor.user), grades, complete=True)
    try:
        with transaction.atomic():
            Participation.objects.create(
                round=round_, user=actor.user, evaluator_class=voter.evaluator_class, at=timezone.now()
            )
    except IntegrityError:  # a second submission racing the first
        raise DomainError("您已提交本轮评价，不能重复提交", code="submitted") from None
    _cast(round_, voter.evaluator_class, chosen)
    Draft.objects.filter(voter=voter).delete()
    audit(actor, "vote_submit", round_, f"提交评价（{voter.evaluator_class}）")


@transaction.atomic
def vote_submit_public(*, round: EvaluationRound, code: str, grades: Mapping[str, str]) -> None:
    """Cast a ballot with a one-time code of this round; the code is spent, and never linked to the votes."""
    round_ = locked(round)
    ticket = PublicCode.objects.filter(digest=code_digest(code)).first()
    if ticket is None or ticket.round_id != round_.pk:
        raise DomainError("票码无效（不是本轮评价的票码）", field="code", code="bad_code")
    _accepting(round_, timezone.now())
    if round_.mode_of(ticket.evaluator_class) != VotingMode.CODE:
        raise DomainError("票码无效", field="code", code="bad_code")
    if ticket.used_at is not None:
        raise DomainError("该票码已经使用过，每个票码只能投票一次", field="code", code="used_code")
    chosen = _checked_grades(round_, candidates(round_), grades, complete=True)
    if not PublicCode.objects.filter(pk=ticket.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise DomainError("该票码已经使用过，每个票码只能投票一次", field="code", code="used_code")
    _cast(round_, ticket.evaluator_class, chosen)
    audit(Actor(None, "public-code"), "vote_public", round_, f"票码投票（{ticket.evaluator_class}）")
