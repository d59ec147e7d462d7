"""Intake (scope ``intake``): a registered source system posts batches of proposed records and reads back
what became of them (confirmed, disputed). Only a token made with the source (``intake.Source.token``)
is answered; docs/intake.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool

from gongfen.intake import selectors as intake_selectors
from gongfen.intake import services as intake
from gongfen.intake.models import ProposalStatus

from ..auth import need
from ..errors import ApiError, body
from ..models import Scope
from ..pagination import page
from ..schemas import IsoDate
from .common import PageParams, responses

router = Router(tags=["intake"])


class IntakeRecordIn(Schema):
    source_record_id: str = Field(min_length=1, max_length=100, description="the source's own id", examples=["YJS-1"])
    person: str = Field(min_length=1, max_length=100, description="the person's id in the source system")
    scheme: str = Field(min_length=1, max_length=64, examples=["QX-2026"])
    rule: str = Field(min_length=1, max_length=64, examples=["R-TASK"])
    occurred_on: IsoDate = Field(examples=["2026-08-03"])
    quantity: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=4, examples=["1"])
    description: str = Field("", max_length=2000)
    evidence_ref: str = Field("", max_length=300, description="where the source keeps the evidence")
    evidence_sha256: str = Field("", pattern=r"^([0-9a-fA-F]{64})?$", description="SHA-256 of the evidence file")


class IntakeBatchIn(Schema):
    records: list[IntakeRecordIn] = Field(min_length=1, max_length=intake.MAX_BATCH)
    partial: StrictBool = Field(
        False, description="false: all or nothing; true: store the good records and list the refused ones"
    )


class IntakeAccepted(Schema):
    index: int
    source_record_id: str
    status: Literal["created", "unchanged"]
    cadre: str


class IntakeRefused(Schema):
    index: int
    source_record_id: str
    code: str
    message: str
    field: str


class IntakeBatchOut(Schema):
    batch: str
    created: int
    unchanged: int
    accepted: list[IntakeAccepted]
    refused: list[IntakeRefused]


class IntakeRecordOut(Schema):
    source_record_id: str
    person: str
    cadre: str
    scheme: str
    rule: str
    occurred_on: IsoDate
    quantity: str
    status: ProposalStatus
    decline_reason: str
    entry: str | None
    entry_status: str | None


class IntakeRecordPage(Schema):
    items: list[IntakeRecordOut]
    next_cursor: str | None


class IntakeRecordFilters(PageParams):
    status: ProposalStatus | None = None


def _source(request):
    need(request, Scope.INTAKE)
    source = getattr(request.auth, "intake_source", None) if Scope.INTAKE in request.auth.scopes else None
    if source is None or not source.active:
        raise ApiError(403, "not_a_source", "此令牌不属于已登记且在用的来源系统；请联系组织部登记来源系统", None)
    return source


def _refused(r: intake.Refusal) -> dict:
    return {
        "index": r.index,
        "source_record_id": r.source_record_id,
        "code": r.code,
        "message": r.message,
        "field": f"records.{r.index}.{r.field}",
    }


@router.post(
    "/intake/batches",
    operation_id="post_intake_batch",
    response=responses(200, IntakeBatchOut),
    summary="推送一批待确认记录（按来源记录号幂等）",
)
def post_batch(request, payload: IntakeBatchIn):
    source = _source(request)
    records = [r.model_dump() for r in payload.records]
    try:
        report = intake.batch_receive(source=source, records=records, partial=payload.partial)
    except intake.BatchRefused as exc:
        items = [
            body(
                r.code,
                f"第 {r.index + 1} 条（记录号 {r.source_record_id}）：{r.message}",
                f"records.{r.index}.{r.field}",
            )
            for r in exc.report.refused
        ]
        return Status(422, body(exc.code, exc.message, exc.field, items))
    accepted = [(i, p, "created") for i, p in report.created] + [(i, p, "unchanged") for i, p in report.unchanged]
    return {
        "batch": report.batch,
        "created": len(report.created),
        "unchanged": len(report.unchanged),
        "accepted": [
            {"index": i, "source_record_id": p.source_record_id, "status": s, "cadre": p.cadre.code}
            for i, p, s in sorted(accepted, key=lambda t: t[0])
        ],
        "refused": [_refused(r) for r in report.refused],
    }


def _record(p) -> dict:
    return {
        "source_record_id": p.source_record_id,
        "person": p.identifier,
        "cadre": p.cadre.code,
        "scheme": p.rule.scheme.code,
        "rule": p.rule.code,
        "occurred_on": p.occurred_on,
        "quantity": f"{p.quantity.normalize():f}",
        "status": p.status,
        "decline_reason": p.decline_reason,
        "entry": p.entry.code if p.entry_id else None,
        "entry_status": p.entry.status if p.entry_id else None,
    }


@router.get(
    "/intake/records",
    operation_id="list_intake_records",
    response=responses(200, IntakeRecordPage),
    summary="本来源系统推送的记录及其结果（已确认、有异议）",
)
def records(request, params: Query[IntakeRecordFilters]):
    source = _source(request)
    rows = intake_selectors.records_of_source(source, status=params.status)
    return page(rows, cursor=params.cursor, limit=params.limit, out=_record)
