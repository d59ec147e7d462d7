"""Reads of the API, each starting from a scoped queryset of ``accounts.permissions``."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from gongfen.accounts.permissions import (
    Action,
    cadres_for,
    can_see_publication,
    entries_for,
    groups_for,
    principal,
    schemes_for,
    units_for,
)
from gongfen.evaluations.models import EvaluationRound
from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre, Post, Unit
from gongfen.publication.models import GroupPeriod, PeriodState
from gongfen.schemes.models import RankingGroup, Rule, Scheme

from .models import AccessToken
from .out import ENTRY_RELATED

PUBLISHED = (PeriodState.PUBLISHED, PeriodState.FINAL)


def tokens_of(user) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=user)


def units(user) -> QuerySet[Unit]:
    return units_for(user).select_related("parent")


def cadres(user) -> QuerySet[Cadre]:
    posts = Prefetch("posts", queryset=Post.objects.select_related("unit").order_by("start", "id"))
    return cadres_for(user).prefetch_related(posts)


def schemes(user) -> QuerySet[Scheme]:
    return schemes_for(user).select_related("unit", "derived_from")


def rules(user, scheme: Scheme) -> QuerySet[Rule]:
    return Rule.objects.filter(scheme=scheme).select_related("scheme")


def entries(user, action: Action = Action.VIEW, **filters) -> QuerySet[Entry]:
    """Entries the user may see (or review), narrowed by the given codes and values."""
    rows = entries_for(user, action).select_related(*ENTRY_RELATED).prefetch_related("evidence")
    lookups = {"cadre": "cadre__code", "scheme": "scheme__code", "rule": "rule__code"}
    for name, value in filters.items():
        if value not in (None, ""):
            rows = rows.filter(**{lookups.get(name, name): value})
    return rows


def provisional_group(user, code: str) -> RankingGroup | None:
    """The group whose provisional board the user may see (administrators and reviewers in scope)."""
    return groups_for(user).select_related("scheme").filter(code=code).first()


def published_periods(user) -> tuple[QuerySet[GroupPeriod], object]:
    """Published or final group quarters, and the check that keeps those the user may see."""
    rows = GroupPeriod.objects.filter(state__in=PUBLISHED).select_related("group__scheme__unit")
    if principal(user).user_id is None:
        return rows.none(), lambda row: False
    own = set(groups_for(user).values_list("pk", flat=True))
    return rows, lambda row: row.group_id in own or can_see_publication(user, row.group, row.period)


def evaluation_rounds(user) -> QuerySet[EvaluationRound]:
    """Rounds of groups the user administers, and rounds naming the user as a voter."""
    administered = Q(group__in=groups_for(user, Action.ADMINISTER))
    voting = Q(pk__in=EvaluationRound.objects.filter(voters__user=user).values("pk"))
    return (
        EvaluationRound.objects.filter(administered | voting)
        .select_related("group")
        .annotate(cadre_count=Count("cadres", distinct=True))
    )
