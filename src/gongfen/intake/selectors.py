"""Reads of the intake app, each scoped to who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from gongfen.accounts.permissions import Action, cadres_for, principal

from .models import GroupDeclaration, PersonLink, Proposal, ProposalStatus, Source

RELATED = ("source", "cadre", "rule__scheme", "entry")


def records_of_source(source: Source, *, status: str | None = None) -> QuerySet[Proposal]:
    rows = Proposal.objects.filter(source=source).select_related(*RELATED)
    return rows.filter(status=status) if status else rows


def pending_for(user) -> QuerySet[Proposal]:
    """The user's own records to confirm (待确认), oldest first."""
    cadre_id = principal(user).cadre_id
    if cadre_id is None:
        return Proposal.objects.none()
    return Proposal.objects.filter(cadre_id=cadre_id, status=ProposalStatus.PROPOSED).select_related(*RELATED)


def own_proposal(user, pk: int) -> Proposal | None:
    return pending_for(user).filter(pk=pk).first()


def sources_for(user) -> QuerySet[Source]:
    """组织部 sees every source; a source's owner sees theirs (and its disputes)."""
    p = principal(user)
    if p.user_id is None:
        return Source.objects.none()
    rows = Source.objects.all() if p.is_org_admin else Source.objects.filter(owner_id=p.user_id)
    return rows.select_related("owner")


def disputes_of(source: Source) -> QuerySet[Proposal]:
    return records_of_source(source, status=ProposalStatus.DECLINED).order_by("-decided_at")


def links_for(user, source: Source) -> QuerySet[PersonLink]:
    """The person links of ``source`` whose cadre the user administers."""
    return PersonLink.objects.filter(source=source, cadre__in=cadres_for(user, Action.ADMINISTER)).select_related(
        "cadre"
    )


def group_declarations_for(user) -> QuerySet[GroupDeclaration]:
    """Group declarations the user made or may review (a member entry in their review scope)."""
    from django.db.models import Q

    from gongfen.accounts.permissions import entries_for

    p = principal(user)
    if p.user_id is None:
        return GroupDeclaration.objects.none()
    reviewable = entries_for(user, Action.REVIEW).values("pk")
    q = Q(declared_by_id=p.user_id) | Q(members__entry__in=reviewable)
    if p.cadre_id:
        q |= Q(members__cadre_id=p.cadre_id)
    ids = GroupDeclaration.objects.filter(q).values("pk")
    return GroupDeclaration.objects.filter(pk__in=ids).select_related("rule__scheme", "declared_by")
