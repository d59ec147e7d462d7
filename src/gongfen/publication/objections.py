"""Objections (异议) to a published ranking: filed by a cadre in the window, upheld or dismissed by an administrator.

An upheld objection is corrected through the normal ledger (revoke the
objected entry, and/or grant the points the objector claims as a new entry
declared by the objector and approved by the decider) and the ranking is
republished in the same transaction; ``resolved_version`` names the new
version. Every step is audited; the deciders hear of a filed objection, the
objector of its decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.ledger import evidence as evidence_files
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.notices.models import NoticeKind
from gongfen.notices.services import notify
from gongfen.org.models import Cadre
from gongfen.rankings.selectors import group_period
from gongfen.schemes.models import Category, RankingGroup, Rule
from gongfen.webhooks import payloads as webhook_payloads
from gongfen.webhooks.services import webhook_enqueue

from .models import GroupPeriod, Objection, ObjectionStatus, PeriodState
from .selectors import group_member_ids, objection_decider_ids, objection_window, snapshot_current
from .services import period_republish


def _where(group: RankingGroup, period: str) -> str:
    return f"{group.name} {period}"


def _snapshot(objection: Objection) -> dict[str, Any]:
    return {
        "group": objection.group.code,
        "period": objection.period,
        "cadre": objection.cadre.code,
        "entry": objection.entry.code if objection.entry_id else None,
        "version": objection.snapshot.version,
        "status": objection.status,
        "evidence": objection.evidence_sha256 or None,
        "resolved_version": objection.resolved_version,
    }


def _audit(actor: Actor, action: str, objection: Objection, before: dict | None = None, reason: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=objection,
        object_id=str(objection.pk),
        summary=f"{objection.group.code}/{objection.period} {objection.cadre.code}",
        before=before,
        after=_snapshot(objection),
        reason=reason,
    )


# --- filing ---------------------------------------------------------------------------------------


def _check_window(group: RankingGroup, period: str, cadre: Cadre, today: date) -> None:
    state = GroupPeriod.objects.filter(group=group, period=period).values_list("state", flat=True).first()
    if state == PeriodState.FINAL:
        raise DomainError(f"{_where(group, period)} 已定稿，不能再提出异议")
    if state != PeriodState.PUBLISHED:
        raise DomainError(f"{_where(group, period)} 尚未公示，公示后才能提出异议")
    if not group_member_ids(group, period).filter(cadre_id=cadre.pk).exists():
        raise DomainError(f"{cadre.name} 不是 {_where(group, period)} 排名组的成员，不能对该排名提出异议")
    window = objection_window(group, period, cadre.code)
    if window is None or not (window[0] <= today <= window[1]):
        shown = f"（{window[0]} 至 {window[1]}）" if window else ""
        raise DomainError(f"{_where(group, period)} 本人排名的异议期{shown}已过，不能再提出异议")


def _check_entry(group: RankingGroup, period: str, cadre: Cadre, entry: Entry | None) -> None:
    if entry is None:
        return
    if entry.cadre_id != cadre.pk:
        raise DomainError(f"记录 {entry.code} 不是 {cadre.name} 本人的记录，只能对本人的记录提出异议", field="entry")
    if entry.scheme_id != group.scheme_id or entry.period != period:
        raise DomainError(f"记录 {entry.code} 不属于 {_where(group, period)} 的考核方案和季度", field="entry")


def objection_may_file(*, group: RankingGroup, period: str, cadre: Cadre, today: date | None = None) -> str | None:
    """Why ``cadre`` may not object to the group's quarter today (None: they may). Reads only."""
    try:
        _check_window(group, period, cadre, today or timezone.localdate())
    except DomainError as exc:
        return exc.message
    return None


@transaction.atomic
def objection_file(
    *,
    actor: Actor,
    group: RankingGroup,
    period: str,
    cadre: Cadre,
    text: str,
    entry: Entry | None = None,
    evidence: tuple[str, bytes] | None = None,
    now: datetime | None = None,
) -> Objection:
    """File an objection against one's own row (``entry`` None) or one's own entry of that scheme and quarter."""
    group_period(group, period)
    text = (text or "").strip()
    if not text:
        raise DomainError("请写明异议的内容和理由", field="text")
    today = timezone.localdate(now) if now else timezone.localdate()
    _check_window(group, period, cadre, today)
    _check_entry(group, period, cadre, entry)
    checked = evidence_files.check_upload(*evidence) if evidence else None
    objection = Objection(
        group=group,
        period=period,
        snapshot=snapshot_current(group, period),
        cadre=cadre,
        entry=entry,
        text=text,
        filed_by=actor.user,
    )
    if checked is not None:
        token, digest = evidence_files.store(checked)
        objection.evidence_token, objection.evidence_sha256 = token, digest
        objection.evidence_name, objection.evidence_type = checked.name, checked.content_type
        objection.evidence_size = len(checked.content)
    objection.save()
    _audit(actor, "objection.file", objection)
    against = f"记录 {entry.code}" if entry else "本人排名"
    notify(
        [uid for uid in objection_decider_ids(group) if uid != getattr(actor.user, "pk", None)],
        kind=NoticeKind.OBJECTION_FILED,
        title=f"收到异议：{cadre.name} 对 {_where(group, period)} {against}",
        body=text[:500],
        url=reverse("publication:objection", args=[objection.pk]),
    )
    return objection


# --- deciding -------------------------------------------------------------------------------------


def _locked(objection: Objection, actor: Actor, reason: str, verb: str) -> Objection:
    if not (reason or "").strip():
        raise DomainError(f"{verb}异议必须说明理由", field="reason")
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("group__scheme", "cadre", "entry", "snapshot")
        .get(pk=objection.pk)
    )
    if objection.status != ObjectionStatus.FILED:
        raise DomainError(f"异议 #{objection.pk} 已处理（{objection.get_status_display()}），不能再次处理")
    cadre_id = getattr(actor.user, "cadre_id", None)
    if cadre_id is not None and cadre_id == objection.cadre_id:
        raise DomainError("不能处理本人提出的异议")
    return objection


def _decided(objection: Objection, actor: Actor, status: str, reason: str) -> None:
    objection.status = status
    objection.decided_by, objection.decided_by_label = actor.user, actor.label
    objection.decided_at = timezone.now()
    objection.decision_reason = reason.strip()
    objection.save()


def _tell_objector(objection: Objection, title: str, body: str) -> None:
    users = get_user_model().objects.filter(cadre_id=objection.cadre_id, is_active=True)
    notify(
        users,
        kind=NoticeKind.OBJECTION,
        title=title,
        body=body,
        url=reverse("publication:objection", args=[objection.pk]),
    )


@transaction.atomic
def objection_dismiss(*, actor: Actor, objection: Objection, reason: str) -> Objection:
    """Dismiss (不予采纳) a filed objection with a reason; the ranking stays as published."""
    objection = _locked(objection, actor, reason, "不予采纳")
    before = _snapshot(objection)
    _decided(objection, actor, ObjectionStatus.DISMISSED, reason)
    _audit(actor, "objection.dismiss", objection, before, reason)
    _tell_objector(
        objection,
        f"异议不予采纳：{_where(objection.group, objection.period)}",
        f"理由：{objection.decision_reason}",
    )
    webhook_enqueue(event="objection.decided", payload=lambda: webhook_payloads.objection_decided(objection))
    return objection


@dataclass(frozen=True)
class Grant:
    """Points the objector claims (正确的赋分): a rule of the scheme, a day of the quarter, a quantity."""

    rule: Rule
    occurred_on: date
    quantity: Decimal = Decimal(1)


def _check_grant(objection: Objection, grant: Grant) -> None:
    group, period = objection.group, objection.period
    if grant.rule.scheme_id != group.scheme_id or grant.rule.category == Category.BASE:
        raise DomainError(f"规则 {grant.rule.code} 不是 {group.scheme.name} 可申报的规则", field="grant_rule")
    quarter = group_period(group, period)
    if not (quarter.start <= grant.occurred_on <= quarter.end):
        raise DomainError(f"补记的日期 {grant.occurred_on} 不在 {period} 内", field="grant_occurred_on")
    try:
        positive = Decimal(grant.quantity) > 0
    except (InvalidOperation, TypeError):
        positive = False
    if not positive:
        raise DomainError("补记的数量必须大于 0", field="grant_quantity")


def _grant(actor: Actor, objection: Objection, grant: Grant, reason: str) -> Entry:
    """The claimed points as a new entry: declared by the objector (the objection is the declaration), approved by the decider."""
    declarer = Actor(objection.filed_by) if objection.filed_by_id else Actor(None, f"objection:{objection.pk}")
    files = []
    if objection.evidence_token:
        files.append((objection.evidence_name, evidence_files.path_of(objection.evidence_token).read_bytes()))
    entry = ledger.entry_declare(
        actor=declarer,
        cadre=objection.cadre,
        rule=grant.rule,
        occurred_on=grant.occurred_on,
        quantity=Decimal(grant.quantity),
        description=f"异议 #{objection.pk}：{objection.text}"[:1000],
        files=files,
        upheld_objection=objection.pk,
    )
    return ledger.entry_approve(actor=actor, entry=entry, reason=reason)


@transaction.atomic
def objection_uphold(
    *,
    actor: Actor,
    objection: Objection,
    reason: str,
    revoke: bool = False,
    grant: Grant | None = None,
    today: date | None = None,
) -> Objection:
    """Uphold (采纳) a filed objection: correct the ledger, republish, and record the new version.

    ``revoke`` revokes the objected entry; ``grant`` posts the points the
    objector claims. At least one correction is required: an upheld objection
    that changes nothing would publish a version identical to the last.
    """
    objection = _locked(objection, actor, reason, "采纳")
    group, period = objection.group, objection.period
    if GroupPeriod.objects.filter(group=group, period=period, state=PeriodState.PUBLISHED).count() == 0:
        raise DomainError(f"{_where(group, period)} 不在公示期内，不能采纳异议并重新公示")
    if not revoke and grant is None:
        raise DomainError("采纳异议须至少选择一项更正：撤销所异议的记录，或补记应得的工分", field="revoke")
    if revoke and (objection.entry is None or objection.entry.status != EntryStatus.APPROVED):
        raise DomainError("只有针对一条已通过记录的异议可以选择“撤销该记录”", field="revoke")
    if grant is not None:
        _check_grant(objection, grant)
    reason = reason.strip()
    before = _snapshot(objection)
    corrections: dict[str, Any] = {}
    if revoke:
        reversal = ledger.entry_revoke(actor=actor, entry=objection.entry, reason=f"异议采纳：{reason}")
        corrections["revoked"] = objection.entry.code
        corrections["reversal"] = reversal.code
    if grant is not None:
        corrections["granted"] = _grant(actor, objection, grant, f"异议采纳：{reason}").code
    snapshot = period_republish(actor=actor, group=group, period=period, reason=f"异议采纳：{reason}", today=today)
    objection.resolved_version = snapshot.version
    _decided(objection, actor, ObjectionStatus.UPHELD, reason)
    audit_record(
        actor=actor,
        action="objection.uphold",
        obj=objection,
        object_id=str(objection.pk),
        summary=f"{group.code}/{period} {objection.cadre.code} → v{snapshot.version}",
        before=before,
        after=_snapshot(objection) | corrections | {"fingerprint": snapshot.fingerprint},
        reason=reason,
    )
    _tell_objector(
        objection,
        f"异议已采纳：{_where(group, period)} 已重新公示（第 {snapshot.version} 版）",
        f"理由：{reason}",
    )
    webhook_enqueue(event="objection.decided", payload=lambda: webhook_payloads.objection_decided(objection))
    return objection
