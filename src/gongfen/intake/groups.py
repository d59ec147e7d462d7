"""Group declarations (集体申报): one declaration of joint work for several cadres.

Each beneficiary gets their own pending entry, declared through the ledger's
``entry_declare`` and linked to the declaration; the reviewer decides them
all at once or one by one. Every entry keeps the ledger's rules: the
declarer must be allowed to declare that rule for each member, and nobody
decides an entry of their own or one they recorded (four eyes).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongfen.accounts.permissions import Action, declarable_rules, entries_for, review_refusal
from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.ledger.models import EntryStatus
from gongfen.notices.models import NoticeKind
from gongfen.notices.services import notify
from gongfen.org.models import Cadre
from gongfen.rankings.selectors import schemes_applying
from gongfen.schemes.models import Rule

from .models import GroupDeclaration, GroupMember

MAX_MEMBERS = 200


@transaction.atomic
def group_declare(
    *,
    actor: Actor,
    rule: Rule,
    cadres: Iterable[Cadre],
    occurred_on: date,
    quantity: Decimal,
    description: str,
    files: Iterable[tuple[str, bytes]] = (),
) -> GroupDeclaration:
    """Declare ``rule`` once for every cadre in ``cadres``: all of them, or none when one is refused."""
    from gongfen.ledger.services import entry_declare

    members = list(dict.fromkeys(cadres))
    description = (description or "").strip()
    if len(members) < 2:
        raise DomainError("集体申报至少须有两名受益人", field="cadres")
    if len(members) > MAX_MEMBERS:
        raise DomainError(f"集体申报最多 {MAX_MEMBERS} 名受益人", field="cadres")
    if not description:
        raise DomainError("请说明这项共同完成的工作", field="description")
    for cadre in members:
        allowed = declarable_rules(actor.user, cadre, schemes_applying(cadre.pk, occurred_on)) if actor.user else None
        if allowed is not None and not allowed.filter(pk=rule.pk).exists():
            raise DomainError(
                f"{occurred_on} 您不能为 {cadre.name}（{cadre.code}）申报规则“{rule.name}”（不适用或超出您的权限）",
                field="cadres",
            )
    files = list(files)
    declaration = GroupDeclaration.objects.create(
        code="G" + timezone.localtime().strftime("%Y%m%d") + secrets.token_hex(3).upper(),
        rule=rule,
        occurred_on=occurred_on,
        quantity=Decimal(quantity),
        description=description,
        declared_by=actor.user if actor.user is not None else _system_user(),
        declared_at=timezone.now(),
    )
    for cadre in members:
        entry = entry_declare(
            actor=actor,
            cadre=cadre,
            rule=rule,
            occurred_on=occurred_on,
            quantity=quantity,
            description=f"{description}\n（集体申报 {declaration.code}，共 {len(members)} 人）",
            files=files,
        )
        GroupMember.objects.create(declaration=declaration, cadre=cadre, entry=entry)
    audit_record(
        actor=actor,
        action="intake.group.declare",
        obj=declaration,
        after={"rule": f"{rule.scheme.code}/{rule.code}", "members": [c.code for c in members]},
    )
    users = get_user_model().objects.filter(cadre__in=members, is_active=True)
    notify(
        users,
        kind=NoticeKind.ENTRY,
        title=f"您是集体申报“{rule.name}”的受益人之一",
        body=description,
        url=reverse("intake:group", args=[declaration.code]),
    )
    return declaration


def _system_user():
    raise DomainError("集体申报须由登录的用户提出", code="forbidden")


def _decidable(actor: Actor, declaration: GroupDeclaration, cadres: Iterable[Cadre] | None):
    members = declaration.members.select_related("entry", "cadre").filter(entry__status=EntryStatus.PENDING)
    if cadres is not None:
        members = members.filter(cadre__in=list(cadres))
    members = list(members)
    if not members:
        raise DomainError("没有待审核的受益人记录")
    if actor.user is not None:
        scope = set(
            entries_for(actor.user, Action.REVIEW)
            .filter(pk__in=[m.entry_id for m in members])
            .values_list("pk", flat=True)
        )
        for m in members:
            if m.entry_id not in scope:
                raise DomainError(f"您没有审核 {m.cadre.name} 这条记录的权限", code="forbidden")
            if refusal := review_refusal(actor.user, m.entry):
                raise DomainError(f"{m.cadre.name}：{refusal}", code="four_eyes")
    return members


@transaction.atomic
def group_decide(
    *,
    actor: Actor,
    declaration: GroupDeclaration,
    decision: str,
    reason: str = "",
    cadres: Iterable[Cadre] | None = None,
):
    """Approve or reject the pending entries of a group declaration at once (all, or those of ``cadres``)."""
    from gongfen.ledger.services import entries_decide

    members = _decidable(actor, declaration, cadres)
    decided = entries_decide(actor=actor, entries=[m.entry for m in members], decision=decision, reason=reason)
    audit_record(
        actor=actor,
        action=f"intake.group.{decision}",
        obj=declaration,
        after={"members": [m.cadre.code for m in members]},
        reason=reason,
    )
    return decided
