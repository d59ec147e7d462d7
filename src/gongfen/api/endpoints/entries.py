"""Entries: list and read (scope ``read``), declare with evidence and submit drafts (``declare``),
approve, reject, revoke (``review``).

Writes go through ``gongfen.ledger.services`` and accept an ``Idempotency-Key``
header: a retry with the same key and body gets the first response back
(``Idempotent-Replayed: true``) and writes nothing.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from ninja import Header, Path, Query, Router, Schema, Status
from pydantic import Field

from gongfen.accounts.permissions import Action, cadres_for, entries_for, review_refusal
from gongfen.common import Actor
from gongfen.ledger import services as ledger
from gongfen.ledger.models import EntryStatus
from gongfen.ledger.page_selectors import is_own, rules_for_declaring

from .. import out, selectors
from ..auth import need
from ..errors import ApiError, not_found
from ..models import Scope
from ..pagination import page
from ..schemas import ApproveIn, EntryDeclareIn, EntryOut, EntryPage, EvidenceIn, ReasonIn, RevokeOut, RulePage
from ..services import idempotent_write, request_fingerprint
from .common import PageParams, responses

router = Router(tags=["entries"])
CODE = Path(..., min_length=1, max_length=80, description="entry code", examples=["E01"])
KEY_HELP = "retrying with the same key and body returns the first response and writes nothing"


class EntryFilters(PageParams):
    cadre: str | None = Field(None, max_length=64, description="cadre code")
    scheme: str | None = Field(None, max_length=64, description="scheme code")
    rule: str | None = Field(None, max_length=64, description="rule code")
    period: str | None = Field(None, max_length=10, description="e.g. 2026Q3")
    status: EntryStatus | None = None


class DeclarableParams(PageParams):
    cadre: str = Field(..., min_length=1, max_length=64, description="cadre code", examples=["A04"])
    on: date | None = Field(None, description="the day of the work (default: today)")


@router.get(
    "/entries",
    operation_id="list_entries",
    response=responses(200, EntryPage),
    summary="工分记录（可见范围内，可筛选）",
)
def entries(request, params: Query[EntryFilters]):
    need(request, Scope.READ)
    filters = params.model_dump(include={"cadre", "scheme", "rule", "period", "status"})
    rows = selectors.entries(request.user, **filters)
    return page(rows, cursor=params.cursor, limit=params.limit, out=out.entry)


@router.get("/entries/{code}", operation_id="get_entry", response=responses(200, EntryOut), summary="一条工分记录")
def entry(request, code: str = CODE):
    need(request, Scope.READ)
    return out.entry(_visible(request, code))


@router.get(
    "/declarable-rules",
    operation_id="list_declarable_rules",
    response=responses(200, RulePage),
    summary="可为某干部申报的规则",
)
def declarable_rules(request, params: Query[DeclarableParams]):
    need(request, Scope.DECLARE)
    cadre = _declarable_cadre(request, params.cadre)
    rows = rules_for_declaring(request.user, cadre, params.on or timezone.localdate())
    return page(rows, cursor=params.cursor, limit=params.limit, out=out.rule)


def _visible(request, code: str):
    found = selectors.entries(request.user).filter(code=code).first()
    if found is None:
        raise not_found(f"工分记录 {code}", "code")
    return found


def _declarable_cadre(request, code: str):
    found = cadres_for(request.user, Action.DECLARE).filter(code=code).first()
    if found is None:
        raise not_found(f"可为其申报的干部 {code}", "cadre")
    return found


def _idempotent(request, response: HttpResponse, key: str | None, payload: dict, write):
    fingerprint = request_fingerprint(request.method, request.path, payload)
    status, body, replayed = idempotent_write(user=request.user, key=key, fingerprint=fingerprint, write=write)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)


def _files(evidence: list[EvidenceIn]) -> list[tuple[str, bytes]]:
    files = []
    for i, item in enumerate(evidence):
        try:
            files.append((item.name, base64.b64decode(item.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise ApiError(
                422,
                "bad_evidence",
                f"第 {i + 1} 个佐证材料“{item.name}”不是有效的 base64 内容",
                f"evidence.{i}.content_base64",
            ) from None
    return files


@router.post(
    "/entries",
    operation_id="declare_entry",
    response=responses(201, EntryOut),
    summary="申报（录入）一条工分记录，可附佐证材料",
)
def declare(
    request,
    response: HttpResponse,
    payload: EntryDeclareIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200, description=KEY_HELP),
):
    need(request, Scope.DECLARE)

    def write():
        files = _files(payload.evidence)
        cadre = _declarable_cadre(request, payload.cadre)
        rule = (
            rules_for_declaring(request.user, cadre, payload.occurred_on)
            .filter(scheme__code=payload.scheme, code=payload.rule)
            .first()
        )
        if rule is None:
            raise ApiError(
                422,
                "rule_not_declarable",
                f"{payload.occurred_on} 您不能为干部 {cadre.code} 申报方案 {payload.scheme} 的规则 {payload.rule}"
                "（规则不存在、不适用于该干部，或超出您的权限）",
                "rule",
            )
        created = ledger.entry_declare(
            actor=Actor(request.user),
            cadre=cadre,
            rule=rule,
            occurred_on=payload.occurred_on,
            quantity=payload.quantity,
            description=payload.description,
            submit=payload.submit,
            files=files,
        )
        return 201, out.entry(selectors.entries(request.user).get(pk=created.pk))

    return _idempotent(request, response, idempotency_key, payload.model_dump(mode="json"), write)


@router.post(
    "/entries/{code}/submit",
    operation_id="submit_entry",
    response=responses(200, EntryOut),
    summary="提交草稿，等待审核",
)
def submit(
    request,
    response: HttpResponse,
    code: str = CODE,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200, description=KEY_HELP),
):
    need(request, Scope.DECLARE)

    def write():
        item = _visible(request, code)
        if not is_own(request.user, item):
            raise ApiError(403, "not_own", "只有本人或录入人可以提交这条记录", "code")
        ledger.entry_submit(actor=Actor(request.user), entry=item)
        return 200, out.entry(selectors.entries(request.user).get(pk=item.pk))

    return _idempotent(request, response, idempotency_key, {}, write)


def _to_decide(request, code: str):
    """The entry, when the user may decide it: 404 out of sight, 403 seen but not theirs to review (four eyes)."""
    found = _visible(request, code)
    if not entries_for(request.user, Action.REVIEW).filter(pk=found.pk).exists():
        raise ApiError(403, "not_reviewer", f"您没有审核工分记录 {code} 的权限", "code")
    if refusal := review_refusal(request.user, found):
        raise ApiError(403, "four_eyes", str(refusal), "code")
    return found


def _decision(request, response, code: str, payload: Schema, key: str | None, decide):
    need(request, Scope.REVIEW)

    def write():
        return 200, decide(_to_decide(request, code))

    return _idempotent(request, response, key, payload.model_dump(mode="json"), write)


@router.post(
    "/entries/{code}/approve", operation_id="approve_entry", response=responses(200, EntryOut), summary="审核通过"
)
def approve(
    request,
    response: HttpResponse,
    payload: ApproveIn,
    code: str = CODE,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200, description=KEY_HELP),
):
    def decide(item):
        ledger.entry_approve(actor=Actor(request.user), entry=item, reason=payload.reason, points=payload.points)
        return out.entry(selectors.entries(request.user).get(pk=item.pk))

    return _decision(request, response, code, payload, idempotency_key, decide)


@router.post(
    "/entries/{code}/reject",
    operation_id="reject_entry",
    response=responses(200, EntryOut),
    summary="退回（须说明理由）",
)
def reject(
    request,
    response: HttpResponse,
    payload: ReasonIn,
    code: str = CODE,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200, description=KEY_HELP),
):
    def decide(item):
        ledger.entry_reject(actor=Actor(request.user), entry=item, reason=payload.reason)
        return out.entry(selectors.entries(request.user).get(pk=item.pk))

    return _decision(request, response, code, payload, idempotency_key, decide)


@router.post(
    "/entries/{code}/revoke",
    operation_id="revoke_entry",
    response=responses(200, RevokeOut),
    summary="撤销已通过的记录（冲销）",
)
def revoke(
    request,
    response: HttpResponse,
    payload: ReasonIn,
    code: str = CODE,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200, description=KEY_HELP),
):
    def decide(item):
        reversal = ledger.entry_revoke(actor=Actor(request.user), entry=item, reason=payload.reason)
        rows = selectors.entries(request.user)
        return {"entry": out.entry(rows.get(pk=item.pk)), "reversal": out.entry(rows.get(pk=reversal.pk))}

    return _decision(request, response, code, payload, idempotency_key, decide)
