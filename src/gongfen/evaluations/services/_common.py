"""What the services of rounds and ballots share: the locked round, the scope check, the scheme's lists, audit."""

from __future__ import annotations

from gongfen.accounts.permissions import Action, groups_for
from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.schemes.models import RankingGroup

from ..models import EvaluationRound


def locked(round_: EvaluationRound) -> EvaluationRound:
    """The round re-read under a row lock: votes, close and reopen of one round run one at a time."""
    return EvaluationRound.objects.select_for_update().select_related("group__scheme").get(pk=round_.pk)


def require_admin(actor: Actor, group: RankingGroup) -> None:
    if actor.user is not None and not groups_for(actor.user, Action.ADMINISTER).filter(pk=group.pk).exists():
        raise DomainError(f"您无权管理排名组 {group.code} 的评价", code="forbidden")


def scheme_classes(group: RankingGroup) -> dict[str, str]:
    return {c["name"]: c["weight"] for c in group.scheme.evaluator_classes}


def scheme_grades(group: RankingGroup) -> list[str]:
    return [g["name"] for g in group.scheme.grades]


def audit(actor: Actor, action: str, round_: EvaluationRound, summary: str, **kwargs) -> None:
    audit_record(actor=actor, action=f"evaluation.{action}", obj=round_, summary=summary, **kwargs)
