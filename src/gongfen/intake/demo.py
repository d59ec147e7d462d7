"""The demo county's records from other systems: two sources in 齐溪镇, records confirmed, disputed and waiting,
and a group declaration waiting for review. Run by ``gongfen demo`` after the quarter lifecycle.

Everything goes through the services: 组织部 (``zzb``) registers the sources and maps 齐溪镇's cadres
(``zzd-<code>``); the sources post a batch in the open quarter; cadres with a demo login confirm or dispute
their own records (the ``qx-cadre`` login keeps one to confirm); ``zzb`` approves the confirmed ones
(four eyes: never its own); ``qx-admin`` declares one piece of joint work for five cadres.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongfen.accounts.models import User
from gongfen.accounts.permissions import review_refusal
from gongfen.common import Actor
from gongfen.ledger.services import entry_approve
from gongfen.org.models import Cadre, Unit
from gongfen.rankings.selectors import schemes_applying
from gongfen.schemes.models import Rule
from gongfen.scoring import Quarter

from . import services
from .groups import group_declare
from .models import Proposal, Source

SOURCES = [("YJS", "基层治理“一件事”", "qx-admin", "R-TASK"), ("ZBZ", "值班值守登记系统", "zzb", "R-DUTY")]


@transaction.atomic
def demo_intake() -> dict[str, int]:
    if Source.objects.exists():
        return {"sources": 0, "proposed": 0, "confirmed": 0, "declined": 0}
    today = timezone.localdate()
    start = Quarter.containing(today).start
    town = Unit.objects.get(code="KH-QX")
    org = User.objects.get(username="zzb")
    cadres = list(
        Cadre.objects.filter(posts__unit__path__startswith=town.path, posts__end__isnull=True)
        .distinct()
        .order_by("code")
    )
    schemes = {c.pk: schemes_applying(c.pk, today) for c in cadres}
    cadres = [c for c in cadres if schemes[c.pk]]
    counts = {"sources": 0, "proposed": 0, "confirmed": 0, "declined": 0}
    for code, name, owner, rule_code in SOURCES:
        rules = list(Rule.objects.filter(scheme__in={s.pk for c in cadres for s in schemes[c.pk]}, code=rule_code))
        source, _ = services.source_register(
            actor=Actor(org), code=code, name=name, owner=User.objects.get(username=owner), rules=rules, units=[town]
        )
        counts["sources"] += 1
        for cadre in cadres:
            services.person_link_set(actor=Actor(org), source=source, identifier=f"zzd-{cadre.code}", cadre=cadre)
        records = []
        with_rule = {r.scheme_id: r.scheme for r in rules}
        for cadre in cadres:
            scheme = next((s for s in schemes[cadre.pk] if s.pk in with_rule), None)
            if scheme is None:
                continue
            for n, back in enumerate((3, 12)):
                records.append(
                    {
                        "source_record_id": f"{code}-{cadre.code}-{n + 1}",
                        "person": f"zzd-{cadre.code}",
                        "scheme": scheme.code,
                        "rule": rule_code,
                        "occurred_on": max(today - timedelta(days=back), start),
                        "quantity": Decimal(1 + n),
                        "description": f"{name}办结事项",
                        "evidence_ref": f"{code.lower()}://{cadre.code}/{n + 1}",
                    }
                )
        counts["proposed"] += len(services.batch_receive(source=source, records=records, partial=True).created)
    _decide(counts)
    _group(cadres)
    return counts


def _decide(counts: dict[str, int]) -> None:
    org = User.objects.get(username="zzb")
    for user in User.objects.filter(cadre__isnull=False, username__in=["qx-admin", "qx-leader", "sk-lead", "qx-cadre"]):
        for i, proposal in enumerate(Proposal.objects.filter(cadre_id=user.cadre_id).order_by("source_id", "pk")):
            if i == 0 or (i == 1 and user.username != "qx-cadre"):
                entry = services.proposal_confirm(actor=Actor(user), proposal=proposal)
                counts["confirmed"] += 1
                if review_refusal(org, entry) is None:
                    entry_approve(actor=Actor(org), entry=entry, reason="演示：核对来源系统记录")
            elif i == 2 and user.username != "qx-cadre":
                services.proposal_decline(actor=Actor(user), proposal=proposal, reason="演示：数量与实际不符")
                counts["declined"] += 1


def _group(cadres: list[Cadre]) -> None:
    admin, leader = User.objects.get(username="qx-admin"), User.objects.get(username="qx-leader")
    members = [c for c in cadres if c.pk not in (admin.cadre_id, leader.cadre_id)][:5]
    today = timezone.localdate()
    rule = Rule.objects.filter(scheme__in=schemes_applying(members[0].pk, today), code="R-TASK").first()
    group_declare(
        actor=Actor(admin),
        rule=rule,
        cadres=members,
        occurred_on=max(today - timedelta(days=1), Quarter.containing(today).start),
        quantity=Decimal(1),
        description="演示：森林防火联合巡查",
    )
