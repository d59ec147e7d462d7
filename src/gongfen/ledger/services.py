"""Every write to the ledger: declare, submit, approve, reject, revoke, re-score.

Each runs in one transaction that changes the entry, appends its event,
updates the maintained totals and writes the audit row.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.notices.models import NoticeKind
from gongfen.notices.services import notify
from gongfen.org.models import Cadre
from gongfen.schemes.models import Category, Rule, Scheme
from gongfen.scoring.periods import period_of
from gongfen.trust.services import log_entry_event
from gongfen.webhooks import payloads as webhook_payloads
from gongfen.webhooks.services import webhook_enqueue

from . import evidence as evidence_files
from .models import Entry, EntryEvent, EntryKind, EntryStatus, Evidence, RuleTotal


def new_entry_code() -> str:
    return "E" + timezone.now().strftime("%Y%m%d") + secrets.token_hex(4).upper()


def totals_apply(
    *,
    cadre_id: int,
    scheme_id: int,
    rule_id: int,
    period: str,
    amount: Decimal,
    count: int,
    quantity: Decimal = Decimal(0),
) -> None:
    """Add to one maintained total (creating it on first use); safe under concurrent writers."""
    key = {"cadre_id": cadre_id, "scheme_id": scheme_id, "rule_id": rule_id, "period": period}
    change = {"amount": F("amount") + amount, "count": F("count") + count, "quantity": F("quantity") + quantity}
    if RuleTotal.objects.filter(**key).update(**change):
        return
    try:
        with transaction.atomic():
            RuleTotal.objects.create(**key, amount=amount, count=count, quantity=quantity)
    except IntegrityError:  # another transaction created it first
        RuleTotal.objects.filter(**key).update(**change)


def _post(entry: Entry, sign: int = 1, quantity_sign: int | None = None) -> None:
    """Post an entry into its total: ``sign`` −1 for a reversal; the measure moves by ± its quantity
    (``quantity_sign``: the sign of the entry the reversal undoes, default the entry's own)."""
    qsign = entry.sign if quantity_sign is None else quantity_sign
    totals_apply(
        cadre_id=entry.cadre_id,
        scheme_id=entry.scheme_id,
        rule_id=entry.rule_id,
        period=entry.period,
        amount=entry.amount,
        count=sign,
        quantity=sign * qsign * entry.quantity,
    )


def _event(entry: Entry, action: str, actor: Actor, at, reason: str = "", data: dict | None = None) -> None:
    event = EntryEvent.objects.create(
        entry=entry, action=action, at=at, actor=actor.user, actor_label=actor.label, reason=reason, data=data or {}
    )
    log_entry_event(event=event)  # the tamper-evident log, in this transaction


def _snapshot(entry: Entry) -> dict:
    return {
        "code": entry.code,
        "cadre": entry.cadre.code,
        "scheme": entry.scheme.code,
        "rule": entry.rule.code,
        "occurred_on": entry.occurred_on.isoformat(),
        "quantity": str(entry.quantity),
        "status": entry.status,
        "points": None if entry.points is None else str(entry.points),
        "amount": None if entry.amount is None else str(entry.amount),
        "rule_version": entry.rule_version,
    }


def _locked(entry: Entry) -> Entry:
    """The entry, locked for the change; refused when its quarter is final (a final quarter never changes)."""
    from gongfen.publication.selectors import period_is_final
    from gongfen.trust.services import log_lock

    log_lock()  # the log head before the entry: the one lock order of every ledger write
    # of=("self",): lock the entry row only. Without it PostgreSQL also locks the joined cadre, scheme and
    # rule rows FOR UPDATE, which every concurrent declaration needs (FOR KEY SHARE, its foreign keys): deadlocks.
    entry = Entry.objects.select_for_update(of=("self",)).select_related("cadre", "scheme", "rule").get(pk=entry.pk)
    if period_is_final(entry.scheme_id, entry.period):
        raise DomainError(
            f"{entry.period} 已定稿，该季度的记录不能再改变；更正请在当前季度录入调整记录 (the quarter is final)"
        )
    return entry


def workspace_has_people() -> bool:
    """Whether anyone has an account here: until then a load is history arriving, not a person's decision."""
    return get_user_model().objects.exists()


def decision_refusal(actor: Actor, *, cadre_id: int | None, recorded_by_id: int | None) -> str | None:
    """Why ``actor`` may not decide (approve, reject, revoke) an entry of ``cadre_id`` recorded by ``recorded_by_id``.

    Four eyes: nobody decides an entry that is theirs (their account is linked to the cadre) or that they
    recorded. Every path that decides calls this: the services below, the bundle loader, the bulk load.
    A command line without a named operator (``--as``) decides nothing once people use the workspace.
    """
    user = actor.user
    if user is None:
        if not actor.anonymous_cli or not workspace_has_people():
            return None
        return (
            "工作区已有用户账号：命令行的审核决定须以 --as 用户名 指明操作人 "
            "(name the operator with --as; an anonymous command line decides nothing)"
        )
    if user.cadre_id is not None and user.cadre_id == cadre_id:
        return "不能审核本人的工分记录 (four eyes: not your own entry)"
    if recorded_by_id is not None and recorded_by_id == user.pk:
        return "不能审核自己录入的记录 (four eyes: not an entry you recorded)"
    return None


def _four_eyes(actor: Actor, entry: Entry) -> None:
    refusal = decision_refusal(actor, cadre_id=entry.cadre_id, recorded_by_id=entry.recorded_by_id)
    if refusal:
        raise DomainError(refusal, code="four_eyes")


def granted_points(rule: Rule, points: Decimal | None) -> Decimal:
    """The points per unit an approval grants: the rule's, or a manual amount the rule permits (人工核定)."""
    if points is None or Decimal(points) == rule.points:
        return rule.points
    points = Decimal(points)
    if not rule.manual:
        raise DomainError(
            f"规则“{rule.name}”每单位 {rule.points.normalize():f} 分，不允许人工核定其他分值（申请 {points.normalize():f}）"
            " (the rule grants its own points only)",
            field="points",
            code="points_not_manual",
        )
    if not rule.manual_min <= points <= rule.manual_max:
        raise DomainError(
            f"规则“{rule.name}”人工核定分值须在 {rule.manual_min.normalize():f} 至 {rule.manual_max.normalize():f} 之间，"
            f"得到 {points.normalize():f} (manual points out of range)",
            field="points",
            code="points_out_of_range",
        )
    return points


@transaction.atomic
def entry_declare(
    *,
    actor: Actor,
    cadre: Cadre,
    rule: Rule,
    occurred_on: date,
    quantity: Decimal = Decimal(1),
    description: str = "",
    submit: bool = True,
    code: str | None = None,
    files: Iterable[tuple[str, bytes]] = (),
    upheld_objection: int | None = None,
    vouched_by: str | None = None,
) -> Entry:
    """Record a piece of work; ``submit`` sends it for review at once (pending), else it stays declared.

    ``files`` are (name, content) pairs of evidence, checked by content.
    ``upheld_objection`` (the objection's id) is passed only by
    ``publication.objections.objection_uphold``: the correction of an upheld
    objection may post into a *published* quarter (never a final one), as
    the ranking is republished in the same transaction.
    ``vouched_by`` (``source:record id``) is passed only by
    ``intake.services.proposal_confirm``: a registered source system vouches
    for the record, so its evidence file is optional (docs/intake.md).
    """
    from gongfen.publication.selectors import period_is_final, period_is_open

    scheme: Scheme = rule.scheme
    if rule.category == Category.BASE or rule.kind == "base":
        raise DomainError(f"岗位分规则 {rule.code} 由系统按在岗天数自动计算，不能申报", field="rule")
    if rule.kind == "internal":
        raise DomainError(f"{rule.code} 是指标分组，请申报其下的末级指标", field="rule")
    if quantity is None or Decimal(quantity) <= 0:
        raise DomainError("数量必须大于 0", field="quantity")
    if occurred_on.year != scheme.year:
        raise DomainError(
            f"发生日期 {occurred_on} 不在考核方案 {scheme.name} 的年度 {scheme.year} 内", field="occurred_on"
        )
    if occurred_on > timezone.localdate():
        raise DomainError(f"发生日期 {occurred_on} 晚于今天，不能申报尚未发生的工作", field="occurred_on")
    period = period_of(occurred_on, scheme.period_kind).code
    correcting = upheld_objection is not None and not period_is_final(scheme.pk, period)
    if not correcting and not period_is_open(scheme.pk, period):
        raise DomainError(
            f"{period} 已关账，不能再申报该季度的工分 (the quarter {period} is closed)", field="occurred_on"
        )
    checked = evidence_files.check_uploads(files)
    if rule.evidence_required and not checked and not vouched_by:
        raise DomainError(f"规则“{rule.name}”须上传佐证材料 (evidence required)", field="evidence")
    now = timezone.now()
    entry = Entry.objects.create(
        code=code or new_entry_code(),
        cadre=cadre,
        scheme=scheme,
        rule=rule,
        occurred_on=occurred_on,
        period=period,
        quantity=Decimal(quantity),
        description=description,
        status=EntryStatus.PENDING if submit else EntryStatus.DECLARED,
        recorded_by=actor.user,
        recorded_by_label=actor.label,
        recorded_at=now,
    )
    for item in checked:
        token, digest = evidence_files.store(item)
        Evidence.objects.create(
            entry=entry,
            token=token,
            original_name=item.name,
            content_type=item.content_type,
            size=len(item.content),
            sha256=digest,
            uploaded_by=actor.user,
        )
    data = {"evidence": len(checked)} | ({"source": vouched_by} if vouched_by else {})
    _event(entry, EntryEvent.Action.DECLARE, actor, now, data=data)
    if submit:
        _event(entry, EntryEvent.Action.SUBMIT, actor, now)
    after = _snapshot(entry) | data
    if upheld_objection is not None:
        after["objection"] = upheld_objection
    audit_record(actor=actor, action="entry.declare", obj=entry, after=after)
    return entry


@transaction.atomic
def entry_submit(*, actor: Actor, entry: Entry) -> Entry:
    entry = _locked(entry)
    if entry.status != EntryStatus.DECLARED:
        raise DomainError(f"记录 {entry.code} 状态为“{entry.get_status_display()}”，不能提交")
    before = _snapshot(entry)
    entry.status = EntryStatus.PENDING
    entry.save(update_fields=["status"])
    _event(entry, EntryEvent.Action.SUBMIT, actor, timezone.now())
    audit_record(actor=actor, action="entry.submit", obj=entry, before=before, after=_snapshot(entry))
    return entry


@transaction.atomic
def entry_approve(*, actor: Actor, entry: Entry, reason: str = "", points: Decimal | None = None) -> Entry:
    """Grant the rule's current points (or ``points``, where the rule permits a manual amount) and post the entry.

    Four eyes: never the cadre's own account, never the entry's recorder (:func:`decision_refusal`).
    """
    entry = _locked(entry)
    _four_eyes(actor, entry)
    if entry.status != EntryStatus.PENDING:
        raise DomainError(f"记录 {entry.code} 状态为“{entry.get_status_display()}”，不能审核通过（草稿须先提交）")
    before = _snapshot(entry)
    rule = entry.rule
    now = timezone.now()
    entry.points = granted_points(rule, points)
    entry.amount = entry.sign * entry.points * entry.quantity  # an adjustment's sign −1 takes points away
    entry.rule_version = rule.version
    entry.veto = rule.veto
    entry.status = EntryStatus.APPROVED
    entry.posted = True
    entry.decided_by, entry.decided_by_label, entry.decided_at = actor.user, actor.label, now
    entry.decision_reason = reason
    entry.save()
    _post(entry)
    _event(entry, EntryEvent.Action.APPROVE, actor, now, reason, {"points": str(entry.points), "version": rule.version})
    audit_record(actor=actor, action="entry.approve", obj=entry, before=before, after=_snapshot(entry), reason=reason)
    _tell_cadre(entry, f"工分记录已通过：{rule.name}（{entry.amount.normalize():f} 分）", reason)
    webhook_enqueue(event="entry.approved", payload=lambda: webhook_payloads.entry_approved(entry))
    return entry


@transaction.atomic
def entry_reject(*, actor: Actor, entry: Entry, reason: str) -> Entry:
    if not (reason or "").strip():
        raise DomainError("退回必须说明理由", field="reason")
    entry = _locked(entry)
    _four_eyes(actor, entry)
    if entry.status != EntryStatus.PENDING:
        raise DomainError(f"记录 {entry.code} 状态为“{entry.get_status_display()}”，不能退回（草稿须先提交）")
    before = _snapshot(entry)
    now = timezone.now()
    entry.status = EntryStatus.REJECTED
    entry.decided_by, entry.decided_by_label, entry.decided_at = actor.user, actor.label, now
    entry.decision_reason = reason
    entry.save()
    _event(entry, EntryEvent.Action.REJECT, actor, now, reason)
    audit_record(actor=actor, action="entry.reject", obj=entry, before=before, after=_snapshot(entry), reason=reason)
    _tell_cadre(entry, f"工分记录被退回：{entry.rule.name}", f"退回理由：{reason}")
    return entry


def _tell_cadre(entry: Entry, title: str, body: str = "") -> None:
    """The cadre's own accounts hear that their entry was decided."""
    users = get_user_model().objects.filter(cadre_id=entry.cadre_id, is_active=True)
    notify(users, kind=NoticeKind.ENTRY, title=title, body=body, url=reverse("ledger:entry", args=[entry.code]))


def reversal_for(entry: Entry, actor: Actor, now, reason: str, n: int = 1) -> Entry:
    """The (unsaved) reversing entry of a posted ``entry``: same rule and period, the opposite amount."""
    return Entry(
        code=f"{entry.code}~R{n}",
        cadre_id=entry.cadre_id,
        scheme_id=entry.scheme_id,
        rule_id=entry.rule_id,
        occurred_on=entry.occurred_on,
        period=entry.period,
        quantity=entry.quantity,
        description=reason,
        status=EntryStatus.APPROVED,
        kind=EntryKind.REVERSAL,
        reverses=entry,
        posted=True,
        rule_version=entry.rule_version,
        points=-entry.points,
        amount=-entry.amount,
        veto=entry.veto,
        recorded_by=actor.user,
        recorded_by_label=actor.label,
        recorded_at=now,
        decided_by=actor.user,
        decided_by_label=actor.label,
        decided_at=now,
        decision_reason=reason,
    )


def _reverse(entry: Entry, actor: Actor, now, reason: str) -> Entry:
    reversal = reversal_for(entry, actor, now, reason, n=entry.reversals.count() + 1)
    reversal.save()
    _post(reversal, sign=-1, quantity_sign=entry.sign)
    return reversal


@transaction.atomic
def entry_revoke(*, actor: Actor, entry: Entry, reason: str) -> Entry:
    """Revoke an approved entry with a reversing entry; returns the reversal."""
    if not (reason or "").strip():
        raise DomainError("撤销必须说明理由", field="reason")
    entry = _locked(entry)
    _four_eyes(actor, entry)
    if entry.status != EntryStatus.APPROVED or entry.kind == EntryKind.REVERSAL:
        raise DomainError(f"记录 {entry.code} 状态为“{entry.get_status_display()}”，只有已通过的记录可以撤销")
    before = _snapshot(entry)
    now = timezone.now()
    reversal = _reverse(entry, actor, now, reason)
    entry.status = EntryStatus.REVOKED
    entry.save(update_fields=["status"])
    _event(entry, EntryEvent.Action.REVOKE, actor, now, reason, {"reversal": reversal.code})
    audit_record(actor=actor, action="entry.revoke", obj=entry, before=before, after=_snapshot(entry), reason=reason)
    return reversal


@transaction.atomic
def rule_rescore(*, actor: Actor, rule: Rule, periods: Iterable[str] | None = None, reason: str) -> list[Entry]:
    """Re-score approved entries granted under an older version of ``rule`` at its current points.

    Quarters made final are left alone: their history never changes.

    Each such entry is reversed and replaced by a ``rescore`` entry at the new
    points; history stays visible. Returns the new entries.
    """
    if not (reason or "").strip():
        raise DomainError("重算必须说明理由", field="reason")
    from gongfen.trust.services import log_lock

    from .selectors import rescorable_entries

    log_lock()
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    old = rescorable_entries(rule, periods).select_for_update(of=("self",))
    now = timezone.now()
    created = []
    for entry in old.select_related("cadre", "scheme", "rule"):
        _reverse(entry, actor, now, reason)
        entry.status = EntryStatus.REVOKED
        entry.save(update_fields=["status"])
        _event(entry, EntryEvent.Action.RESCORE, actor, now, reason, {"to_version": rule.version})
        new = Entry.objects.create(
            code=f"{entry.code.split('~')[0]}~S{rule.version}",
            cadre_id=entry.cadre_id,
            scheme_id=entry.scheme_id,
            rule=rule,
            occurred_on=entry.occurred_on,
            period=entry.period,
            quantity=entry.quantity,
            description=entry.description,
            status=EntryStatus.APPROVED,
            kind=EntryKind.RESCORE,
            reverses=entry,
            posted=True,
            rule_version=rule.version,
            points=rule.points,
            amount=rule.points * entry.quantity,
            veto=rule.veto,
            recorded_by=actor.user,
            recorded_by_label=actor.label,
            recorded_at=now,
            decided_by=actor.user,
            decided_by_label=actor.label,
            decided_at=now,
            decision_reason=reason,
        )
        _post(new)
        _event(new, EntryEvent.Action.RESCORE, actor, now, reason, {"replaces": entry.code})
        created.append(new)
    audit_record(
        actor=actor,
        action="rule.rescore",
        obj=rule,
        object_id=f"{rule.scheme.code}/{rule.code}",
        summary=f"{len(created)} entries re-scored at version {rule.version}",
        after={"version": rule.version, "points": str(rule.points), "entries": [e.code for e in created]},
        reason=reason,
    )
    return created


@transaction.atomic
def entries_decide(*, actor: Actor, entries: Iterable[Entry], decision: str, reason: str = "") -> list[Entry]:
    """Approve or reject several entries at once (bulk review), all or nothing.

    Each goes through :func:`entry_approve` or :func:`entry_reject`, so each is
    audited and posted as if decided alone; one refusal undoes them all.
    """
    if decision not in ("approve", "reject"):
        raise DomainError(f"未知的审核决定 {decision!r}", field="decision")
    if decision == "reject" and not (reason or "").strip():
        raise DomainError("退回必须说明理由", field="reason")
    if decision == "approve":
        return [entry_approve(actor=actor, entry=entry, reason=reason) for entry in entries]
    return [entry_reject(actor=actor, entry=entry, reason=reason) for entry in entries]


# --- adjustments (更正调整) -------------------------------------------------------------

ADJUSTABLE_KINDS = (EntryKind.NORMAL, EntryKind.RESCORE)


def _adjustment_refusal(original: Entry, sign: int, quantity, reason: str) -> str | None:
    from gongfen.publication.selectors import period_is_final

    if sign not in (1, -1):
        return "调整方向只能是补加 (+1) 或冲减 (−1)"
    if quantity is None or Decimal(quantity) <= 0:
        return "数量必须大于 0"
    if not (reason or "").strip():
        return "更正调整必须说明理由"
    if original.kind not in ADJUSTABLE_KINDS:
        return f"记录 {original.code} 是“{original.get_kind_display()}”，请对原始记录做更正调整"
    if not period_is_final(original.scheme_id, original.period):
        return (
            f"记录 {original.code} 所在的 {original.period} 尚未定稿：请直接审核、退回或撤销该记录，"
            "只有已定稿季度的差错才以更正调整登记"
        )
    if original.rule.veto:
        return f"规则“{original.rule.name}”是一票否决，不能以调整记录更正；请联系组织部"
    if original.status == EntryStatus.APPROVED or (original.status == EntryStatus.REJECTED and sign == 1):
        return None
    if original.status == EntryStatus.REJECTED:
        return f"记录 {original.code} 已被退回、未计分，不能冲减"
    return f"记录 {original.code} 状态为“{original.get_status_display()}”，不能更正调整"


@transaction.atomic
def adjustment_declare(
    *,
    actor: Actor,
    original: Entry,
    sign: int,
    quantity: Decimal,
    reason: str,
    occurred_on: date | None = None,
) -> Entry:
    """Post a correction of ``original`` (an entry of a final quarter) into the current open quarter.

    The adjustment (``kind=adjustment``, ``adjusts=original``, same cadre,
    scheme and rule) is pending: it goes through the normal review (four
    eyes) and, once approved, counts ``sign × points × quantity`` in the
    quarter containing today. The final quarter itself never changes.
    """
    from gongfen.publication.selectors import period_is_open
    from gongfen.trust.services import log_lock

    log_lock()
    original = (
        Entry.objects.select_for_update(of=("self",)).select_related("cadre", "scheme", "rule").get(pk=original.pk)
    )
    if refusal := _adjustment_refusal(original, sign, quantity, reason):
        raise DomainError(refusal)
    scheme, today = original.scheme, timezone.localdate()
    day = occurred_on or today
    if today.year != scheme.year:
        raise DomainError(
            f"考核方案 {scheme.name} 的年度 {scheme.year} 已结束，没有可登记调整的当前季度；"
            f"请在 {today.year} 年的考核方案中为该干部录入一条记录并在说明中注明原记录 {original.code}，"
            "或由组织部按程序处理",
            field="occurred_on",
        )
    current = period_of(today, scheme.period_kind).code
    if day > today or period_of(day, scheme.period_kind).code != current:
        raise DomainError(f"调整记录的日期须在当前季度 {current} 内且不晚于今天", field="occurred_on")
    if not period_is_open(scheme.pk, current):
        raise DomainError(f"当前季度 {current} 已关账，不能登记调整；请待下一季度开始后再登记", field="occurred_on")
    now = timezone.now()
    adjustment = Entry.objects.create(
        code=f"{original.code}~A{original.adjustments.count() + 1}",
        cadre=original.cadre,
        scheme=scheme,
        rule=original.rule,
        occurred_on=day,
        period=current,
        quantity=Decimal(quantity),
        description=reason.strip(),
        status=EntryStatus.PENDING,
        kind=EntryKind.ADJUSTMENT,
        adjusts=original,
        sign=sign,
        recorded_by=actor.user,
        recorded_by_label=actor.label,
        recorded_at=now,
    )
    data = {"adjusts": original.code, "sign": sign}
    _event(adjustment, EntryEvent.Action.DECLARE, actor, now, reason, data)
    _event(adjustment, EntryEvent.Action.SUBMIT, actor, now)
    audit_record(
        actor=actor,
        action="entry.adjust",
        obj=adjustment,
        after=_snapshot(adjustment) | data | {"original_period": original.period},
        reason=reason,
    )
    return adjustment


# --- the author's own safeguards: withdraw a pending declaration, edit or delete a draft ----------------


def _authored(actor: Actor, entry: Entry) -> Entry:
    """The entry, locked, when ``actor`` is its cadre or the user who recorded it; else a refusal.

    Withdrawing, editing and deleting are the author's own corrections of what nobody has decided yet;
    a reviewer or an administrator decides, rejects or revokes instead.
    """
    user = actor.user
    mine = user is not None and (
        (user.cadre_id is not None and user.cadre_id == entry.cadre_id) or entry.recorded_by_id == user.pk
    )
    if not mine:
        raise DomainError(_("只有本人或录入人可以撤回、修改或删除这条记录"), code="not_author")
    if entry.kind != EntryKind.NORMAL:
        raise DomainError(_("冲销、重算和更正调整记录不能撤回、修改或删除"), code="wrong_kind")
    return _locked(entry)


def _wrong_state(entry: Entry, what: str) -> DomainError:
    return DomainError(
        _("记录 %(code)s 状态为“%(status)s”，不能%(what)s")
        % {"code": entry.code, "status": entry.get_status_display(), "what": what},
        code="wrong_state",
    )


@transaction.atomic
def entry_withdraw(*, actor: Actor, entry: Entry, reason: str = "") -> Entry:
    """撤回: a pending declaration goes back to a draft (nobody has decided it; nothing was posted)."""
    entry = _authored(actor, entry)
    if entry.status != EntryStatus.PENDING:
        raise _wrong_state(entry, _("撤回（只有待审核的记录可以撤回）"))
    before = _snapshot(entry)
    entry.status = EntryStatus.DECLARED
    entry.save(update_fields=["status"])
    _event(entry, EntryEvent.Action.WITHDRAW, actor, timezone.now(), reason)
    audit_record(actor=actor, action="entry.withdraw", obj=entry, before=before, after=_snapshot(entry), reason=reason)
    return entry


@transaction.atomic
def entry_draft_update(
    *, actor: Actor, entry: Entry, occurred_on: date, quantity: Decimal, description: str = ""
) -> Entry:
    """修改草稿: a draft's date, quantity and description, checked as a new declaration would be."""
    from gongfen.publication.selectors import period_is_open

    entry = _authored(actor, entry)
    if entry.status != EntryStatus.DECLARED:
        raise _wrong_state(entry, _("修改（只有草稿可以修改，待审核的请先撤回）"))
    scheme = entry.scheme
    if quantity is None or Decimal(quantity) <= 0:
        raise DomainError(_("数量必须大于 0"), field="quantity")
    if occurred_on.year != scheme.year or occurred_on > timezone.localdate():
        raise DomainError(
            _("发生日期 %(day)s 须在考核方案的年度 %(year)s 内，且不晚于今天")
            % {"day": occurred_on, "year": scheme.year},
            field="occurred_on",
        )
    period = period_of(occurred_on, scheme.period_kind).code
    if not period_is_open(scheme.pk, period):
        raise DomainError(_("%(period)s 已关账，不能改到该季度") % {"period": period}, field="occurred_on")
    before = _snapshot(entry) | {"description": entry.description}
    entry.occurred_on, entry.period, entry.quantity = occurred_on, period, Decimal(quantity)
    entry.description = description
    entry.save(update_fields=["occurred_on", "period", "quantity", "description"])
    after = _snapshot(entry) | {"description": entry.description}
    _event(entry, EntryEvent.Action.EDIT, actor, timezone.now(), data={"before": before, "after": after})
    audit_record(actor=actor, action="entry.edit", obj=entry, before=before, after=after)
    return entry


@transaction.atomic
def entry_draft_delete(*, actor: Actor, entry: Entry, reason: str = "") -> Entry:
    """删除草稿: the draft leaves every list; the row and its events stay (the ledger is append-only)."""
    entry = _authored(actor, entry)
    if entry.status != EntryStatus.DECLARED:
        raise _wrong_state(entry, _("删除（只有草稿可以删除，待审核的请先撤回）"))
    before = _snapshot(entry)
    entry.status = EntryStatus.DELETED
    entry.save(update_fields=["status"])
    _event(entry, EntryEvent.Action.DELETE, actor, timezone.now(), reason)
    audit_record(actor=actor, action="entry.delete", obj=entry, before=before, after=_snapshot(entry), reason=reason)
    return entry
