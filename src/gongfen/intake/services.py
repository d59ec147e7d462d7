"""Every write of the intake app: sources, person links, batches of proposed records, confirm or decline.

A batch is checked record by record as a declaration would be (the person is
linked, the rule and the person's unit are the source's, the rule applies to
the person that day, the quarter is open); by default it is all or nothing,
and every refusal names its record's position. A record already received
(the same source and source record id, the same content) is left as it is,
so a batch may be posted again safely.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongfen.accounts.permissions import Action, cadres_for, principal
from gongfen.api.models import Scope
from gongfen.api.services import token_create
from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.notices.models import NoticeKind
from gongfen.notices.services import notify
from gongfen.org.models import Cadre, Unit
from gongfen.schemes.models import Category, Rule
from gongfen.scoring.periods import period_of

from .models import PersonLink, Proposal, ProposalStatus, Source

MAX_BATCH = 500  # records in one batch; a larger delivery is split by the source
FIELDS = ("cadre", "rule", "occurred_on", "quantity", "description", "evidence_ref", "evidence_sha256")


def _need_org_admin(actor: Actor) -> None:
    if actor.user is not None and not principal(actor.user).is_org_admin:
        raise DomainError("只有组织部管理员可以登记来源系统", code="forbidden")


def _source_snapshot(source: Source) -> dict:
    return {
        "code": source.code,
        "name": source.name,
        "owner": source.owner.get_username(),
        "rules": sorted(f"{r.scheme.code}/{r.code}" for r in source.rules.select_related("scheme")),
        "units": sorted(source.units.values_list("code", flat=True)),
        "active": source.active,
    }


@transaction.atomic
def source_register(
    *, actor: Actor, code: str, name: str, owner, rules: list[Rule], units: list[Unit]
) -> tuple[Source, str]:
    """组织部 registers a source; returns it and its intake token (shown once)."""
    _need_org_admin(actor)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 40:
        raise DomainError("来源系统代码须为 1 到 40 个字符", field="code")
    if not name or len(name) > 100:
        raise DomainError("来源系统名称须为 1 到 100 个字符", field="name")
    if Source.objects.filter(code=code).exists():
        raise DomainError(f"来源系统代码 {code} 已存在", field="code")
    if not rules:
        raise DomainError("请至少选择一条可推送的规则", field="rules")
    if any(r.category == Category.BASE for r in rules):
        raise DomainError("岗位分规则由系统自动计算，来源系统不能推送", field="rules")
    if not units:
        raise DomainError("请至少选择一个单位", field="units")
    row, token = token_create(actor=actor, user=owner, name=f"来源系统 {code}", scopes=[Scope.INTAKE])
    source = Source.objects.create(code=code, name=name, owner=owner, token=row)
    source.rules.set(rules)
    source.units.set(units)
    audit_record(actor=actor, action="intake.source.register", obj=source, after=_source_snapshot(source))
    return source, token


@transaction.atomic
def source_deactivate(*, actor: Actor, source: Source) -> Source:
    """Stop a source: its token is revoked, its records received so far stay."""
    from gongfen.api.services import token_revoke

    _need_org_admin(actor)
    source = Source.objects.select_for_update().get(pk=source.pk)
    if not source.active:
        raise DomainError(f"来源系统 {source.code} 已停用")
    before = _source_snapshot(source)
    source.active = False
    source.save(update_fields=["active"])
    if source.token is not None and source.token.revoked_at is None:
        token_revoke(actor=actor, token=source.token)
    audit_record(actor=actor, action="intake.source.deactivate", obj=source, before=before, after={"active": False})
    return source


@transaction.atomic
def person_link_set(*, actor: Actor, source: Source, identifier: str, cadre: Cadre) -> PersonLink:
    """Map a source's person identifier to a cadre the actor administers (unit administrators, 组织部)."""
    identifier = (identifier or "").strip()
    if not identifier or len(identifier) > 100:
        raise DomainError("人员标识须为 1 到 100 个字符", field="identifier")
    if actor.user is not None and not cadres_for(actor.user, Action.ADMINISTER).filter(pk=cadre.pk).exists():
        raise DomainError(f"干部 {cadre.code} 不在您的管理范围内", field="cadre", code="forbidden")
    link = PersonLink.objects.filter(source=source, identifier=identifier).first()
    before = None if link is None else {"cadre": link.cadre.code}
    if link is None:
        link = PersonLink.objects.create(source=source, identifier=identifier, cadre=cadre)
    else:
        link.cadre = cadre
        link.save(update_fields=["cadre"])
    audit_record(
        actor=actor,
        action="intake.person.link",
        obj=link,
        object_id=f"{source.code}/{identifier}",
        before=before,
        after={"cadre": cadre.code},
    )
    return link


# --- intake --------------------------------------------------------------------------------------


@dataclass
class Refusal:
    index: int
    source_record_id: str
    field: str
    code: str
    message: str


@dataclass
class BatchReport:
    batch: str
    created: list[tuple[int, Proposal]] = field(default_factory=list)
    unchanged: list[tuple[int, Proposal]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


class BatchRefused(DomainError):
    """An all-or-nothing batch with refusals: nothing was stored; ``report.refused`` says where."""

    def __init__(self, report: BatchReport):
        first = report.refused[0]
        super().__init__(
            f"批次中有 {len(report.refused)} 条记录不能接收，整批未接收；第一条：第 {first.index + 1} 条（记录号"
            f" {first.source_record_id}）：{first.message}",
            field=f"records.{first.index}.{first.field}",
            code="batch_refused",
        )
        self.report = report


class _Checker:
    """Checks one source's records, reading its links, rules and units once per batch."""

    def __init__(self, source: Source):
        self.source = source
        self.links = dict(PersonLink.objects.filter(source=source).values_list("identifier", "cadre_id"))
        self.rules = {(r.scheme.code, r.code): r for r in source.rules.select_related("scheme")}
        self.paths = list(source.units.values_list("path", flat=True))
        self.cadres: dict[tuple[int, date], Cadre | None] = {}
        self.schemes: dict[tuple[int, date], list] = {}
        self.open: dict[tuple[int, str], bool] = {}

    def cadre_in_units(self, cadre_id: int, day: date) -> Cadre | None:
        if (cadre_id, day) not in self.cadres:
            self.cadres[(cadre_id, day)] = self._cadre_in_units(cadre_id, day)
        return self.cadres[(cadre_id, day)]

    def applying(self, cadre_id: int, day: date) -> list:
        from gongfen.rankings.selectors import schemes_applying

        if (cadre_id, day) not in self.schemes:
            self.schemes[(cadre_id, day)] = schemes_applying(cadre_id, day)
        return self.schemes[(cadre_id, day)]

    def is_open(self, scheme_id: int, period: str) -> bool:
        from gongfen.publication.selectors import period_is_open

        if (scheme_id, period) not in self.open:
            self.open[(scheme_id, period)] = period_is_open(scheme_id, period)
        return self.open[(scheme_id, period)]

    def _cadre_in_units(self, cadre_id: int, day: date) -> Cadre | None:
        q = Q(pk__in=[])
        for path in self.paths:
            q |= Q(posts__unit__path__startswith=path)
        held = Q(posts__start__lte=day) & (Q(posts__end__isnull=True) | Q(posts__end__gte=day))
        return Cadre.objects.filter(Q(pk=cadre_id) & q & held).first()

    def check(self, item: dict) -> tuple[dict | None, tuple[str, str, str] | None]:
        """(the record's values, None) or (None, (field, code, message))."""
        person = item["person"]
        cadre_id = self.links.get(person)
        if cadre_id is None:
            return None, ("person", "unknown_person", f"人员标识 {person} 没有对应的干部，请单位管理员先维护人员对应")
        rule = self.rules.get((item["scheme"], item["rule"]))
        if rule is None:
            message = f"规则 {item['scheme']}/{item['rule']} 不在本来源系统可推送的规则范围内"
            return None, ("rule", "rule_out_of_scope", message)
        day: date = item["occurred_on"]
        cadre = self.cadre_in_units(cadre_id, day)
        if cadre is None:
            return None, ("person", "unit_out_of_scope", f"人员 {person} 在 {day} 不在本来源系统可推送的单位内")
        try:
            quantity = Decimal(item["quantity"])
        except (InvalidOperation, TypeError, ValueError):
            return None, ("quantity", "bad_quantity", "数量须为数字")
        if quantity <= 0:
            return None, ("quantity", "bad_quantity", "数量必须大于 0")
        if day > timezone.localdate():
            return None, ("occurred_on", "future_date", f"发生日期 {day} 晚于今天")
        if rule.scheme not in self.applying(cadre.pk, day):
            message = f"{day} 考核方案 {rule.scheme.code} 不适用于干部 {cadre.code}"
            return None, ("rule", "rule_not_applicable", message)
        period = period_of(day, rule.scheme.period_kind).code
        if not self.is_open(rule.scheme_id, period):
            return None, ("occurred_on", "period_closed", f"{period} 已关账，不能再推送该季度的记录")
        values = {
            "cadre": cadre,
            "rule": rule,
            "occurred_on": day,
            "quantity": quantity,
            "description": item.get("description") or "",
            "evidence_ref": item.get("evidence_ref") or "",
            "evidence_sha256": (item.get("evidence_sha256") or "").lower(),
            "identifier": person,
        }
        return values, None


def _same(proposal: Proposal, values: dict) -> bool:
    return all(
        getattr(proposal, name) == values[name]
        if name not in ("cadre", "rule")
        else getattr(proposal, f"{name}_id") == values[name].pk
        for name in FIELDS
    )


@transaction.atomic
def batch_receive(*, source: Source, records: list[dict], partial: bool = False) -> BatchReport:
    """Receive a batch of proposed records from ``source``.

    ``records`` are dicts with ``source_record_id``, ``person``, ``scheme``,
    ``rule``, ``occurred_on`` (a date), ``quantity`` and optionally
    ``description``, ``evidence_ref``, ``evidence_sha256``. All or nothing
    unless ``partial``: then the good records are stored and the others listed.
    """
    source = Source.objects.select_for_update().get(pk=source.pk)  # one batch of a source at a time
    if not source.active:
        raise DomainError(f"来源系统 {source.code} 已停用", code="source_inactive")
    if not records:
        raise DomainError("批次中没有记录", field="records")
    if len(records) > MAX_BATCH:
        raise DomainError(f"每批最多 {MAX_BATCH} 条记录（本批 {len(records)} 条），请分批推送", field="records")
    report = BatchReport(batch=timezone.localtime().strftime("%Y%m%d%H%M%S") + secrets.token_hex(3))
    checker = _Checker(source)
    seen: set[str] = set()
    existing = {
        p.source_record_id: p
        for p in Proposal.objects.filter(source=source, source_record_id__in=[r["source_record_id"] for r in records])
    }
    good: list[tuple[int, dict]] = []
    for index, item in enumerate(records):
        rid = item["source_record_id"]
        if rid in seen:
            report.refused.append(Refusal(index, rid, "source_record_id", "duplicate", f"记录号 {rid} 在本批中重复"))
            continue
        seen.add(rid)
        values, refusal = checker.check(item)
        if refusal is not None:
            report.refused.append(Refusal(index, rid, *refusal))
        elif (known := existing.get(rid)) is not None:
            if _same(known, values):
                report.unchanged.append((index, known))
            else:
                message = f"记录号 {rid} 已于 {timezone.localtime(known.received_at):%Y-%m-%d} 收到，内容不同；更正请用新的记录号"
                report.refused.append(Refusal(index, rid, "source_record_id", "conflict", message))
        else:
            good.append((index, values))
    if report.refused and not partial:
        raise BatchRefused(report)
    now = timezone.now()
    for index, values in good:
        proposal = Proposal.objects.create(
            source=source,
            source_record_id=records[index]["source_record_id"],
            batch=report.batch,
            received_at=now,
            **values,
        )
        report.created.append((index, proposal))
    audit_record(
        actor=Actor(source.owner, f"source:{source.code}"),
        action="intake.batch.receive",
        obj=source,
        summary=f"{len(report.created)} new, {len(report.unchanged)} unchanged, {len(report.refused)} refused",
        after={
            "batch": report.batch,
            "created": [p.source_record_id for _, p in report.created],
            "refused": [{"index": r.index, "id": r.source_record_id, "code": r.code} for r in report.refused],
        },
    )
    _tell_cadres([p for _, p in report.created])
    return report


def _tell_cadres(proposals: list[Proposal]) -> None:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    counts: dict[int, int] = {}
    for p in proposals:
        counts[p.cadre_id] = counts.get(p.cadre_id, 0) + 1
    users = get_user_model().objects.filter(cadre_id__in=counts, is_active=True)
    for user in users:
        notify(
            [user],
            kind=NoticeKind.ENTRY,
            title=f"有 {counts[user.cadre_id]} 条来自其他系统的记录待您确认",
            url=reverse("intake:pending"),
        )


# --- 填报用时 ------------------------------------------------------------------------------------


def form_timing_record(*, user, entry, stamp: str | None):
    """Record how long ``user`` took to declare ``entry`` (submitted for review) from the form's signed stamp.

    Nothing is recorded for a draft, for another's entry, or for a missing or invalid stamp.
    """
    from .models import FormTiming
    from .timing import opened_at

    opened = opened_at(stamp)
    if opened is None or entry.recorded_by_id != getattr(user, "pk", None) or entry.status != "pending":
        return None
    return FormTiming.objects.get_or_create(
        entry=entry, defaults={"user": user, "opened_at": opened, "submitted_at": entry.recorded_at}
    )[0]


# --- confirm or decline ----------------------------------------------------------------------------


def _locked_own(actor: Actor, proposal: Proposal) -> Proposal:
    proposal = (
        Proposal.objects.select_for_update().select_related("source", "rule__scheme", "cadre").get(pk=proposal.pk)
    )
    if actor.user is None or principal(actor.user).cadre_id != proposal.cadre_id:
        raise DomainError("只有本人可以确认或提出异议", code="forbidden")
    if proposal.status != ProposalStatus.PROPOSED:
        raise DomainError(f"这条记录已{proposal.get_status_display()}，不能再次处理")
    return proposal


def evidence_line(proposal: Proposal) -> str:
    """How the source stands as the entry's evidence (来源佐证), in its description."""
    parts = [f"来源：{proposal.source.name}（记录号 {proposal.source_record_id}）"]
    if proposal.evidence_ref:
        parts.append(f"佐证：{proposal.evidence_ref}")
    if proposal.evidence_sha256:
        parts.append(f"SHA-256 {proposal.evidence_sha256}")
    return "；".join(parts)


@transaction.atomic
def proposal_confirm(*, actor: Actor, proposal: Proposal):
    """The cadre confirms: a pending entry is declared in their name (to review, four eyes), the source its evidence."""
    from gongfen.ledger.services import entry_declare

    proposal = _locked_own(actor, proposal)
    description = "\n".join(part for part in (proposal.description, evidence_line(proposal)) if part)
    entry = entry_declare(
        actor=actor,
        cadre=proposal.cadre,
        rule=proposal.rule,
        occurred_on=proposal.occurred_on,
        quantity=proposal.quantity,
        description=description,
        vouched_by=f"{proposal.source.code}:{proposal.source_record_id}",
    )
    proposal.status, proposal.entry = ProposalStatus.CONFIRMED, entry
    proposal.decided_at, proposal.decided_by = timezone.now(), actor.user
    proposal.save(update_fields=["status", "entry", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action="intake.proposal.confirm",
        obj=proposal,
        object_id=f"{proposal.source.code}/{proposal.source_record_id}",
        after={"entry": entry.code},
    )
    return entry


@transaction.atomic
def proposal_decline(*, actor: Actor, proposal: Proposal, reason: str) -> Proposal:
    """The cadre disputes the record with a reason; the source's owner is told."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("提出异议须说明理由", field="reason")
    if len(reason) > 2000:
        raise DomainError("理由不能超过 2000 个字符", field="reason")
    proposal = _locked_own(actor, proposal)
    proposal.status, proposal.decline_reason = ProposalStatus.DECLINED, reason
    proposal.decided_at, proposal.decided_by = timezone.now(), actor.user
    proposal.save(update_fields=["status", "decline_reason", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action="intake.proposal.decline",
        obj=proposal,
        object_id=f"{proposal.source.code}/{proposal.source_record_id}",
        after={"status": proposal.status},
        reason=reason,
    )
    notify(
        [proposal.source.owner],
        kind=NoticeKind.OTHER,
        title=f"{proposal.cadre.name} 对来源记录 {proposal.source_record_id} 提出异议",
        body=reason,
    )
    return proposal
