"""The shapes the API reads and writes (its OpenAPI components).

Points, amounts and weights are decimal strings (``"12.5"``), never floats:
every number can be recomputed to the cent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.conf import settings
from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool


def _iso_text(value):
    """JSON dates are text (``"2026-08-03"``); a number is not taken for a timestamp."""
    if not isinstance(value, str | date):
        raise ValueError("日期须写成 YYYY-MM-DD 格式的字符串")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(ErrorItem):
    """Every error: a stable ``code``, a message for people (Chinese), the ``field`` concerned."""

    errors: list[ErrorItem] | None = None


class PostOut(Schema):
    unit: str
    position: str
    start: date
    end: date | None


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    path: str


class CadreOut(Schema):
    code: str
    name: str
    posts: list[PostOut]


class NamedValue(Schema):
    name: str
    value: str


class SchemeOut(Schema):
    code: str
    name: str
    unit: str
    year: int
    derived_from: str | None
    weight_quantitative: str
    weight_qualitative: str
    min_days: int
    period_kind: str
    tier_policy: str
    action_policy: str
    tiers: list[NamedValue] = Field(description="name and cumulative share")
    grades: list[NamedValue]
    evaluator_classes: list[NamedValue] = Field(description="name and weight")
    category_caps: dict[str, str]


class RuleOut(Schema):
    scheme: str
    code: str
    name: str
    category: str
    points: str
    unit_label: str
    cap: str | None
    veto: bool
    positions: list[str]
    evidence_required: bool
    version: int


class EvidenceOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str


class EvidenceIn(Schema):
    name: str = Field(min_length=1, max_length=255, examples=["验收单.pdf"])
    content_base64: str = Field(
        min_length=1,
        description="the file, base64-encoded: a PDF, PNG, JPEG or WebP of at most 10 MB, read by its content; "
        "the whole request may be at most 12 MB",
        examples=["JVBERi0xLjQK..."],
    )


class EntryOut(Schema):
    code: str
    cadre: str
    scheme: str
    rule: str
    occurred_on: date
    period: str
    quantity: str
    description: str
    status: str
    kind: str
    points: str | None
    amount: str | None
    rule_version: int | None
    reverses: str | None
    recorded_by: str
    recorded_at: datetime
    decided_by: str
    decided_at: datetime | None
    decision_reason: str
    evidence: list[EvidenceOut]


class EntryDeclareIn(Schema):
    cadre: str = Field(min_length=1, max_length=64, description="cadre code", examples=["A04"])
    scheme: str = Field(min_length=1, max_length=64, description="scheme code", examples=["QX-2026"])
    rule: str = Field(min_length=1, max_length=64, description="rule code within the scheme", examples=["R-TASK"])
    occurred_on: IsoDate = Field(examples=["2026-08-03"])
    quantity: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=4, examples=["2"])
    description: str = Field("", max_length=2000, examples=["完成村级道路验收"])
    submit: StrictBool = Field(True, description="false keeps it as a draft (declared), true sends it for review")
    evidence: list[EvidenceIn] = Field(
        default_factory=list,
        max_length=settings.GONGFEN_EVIDENCE_MAX_FILES,
        description="佐证材料, required by rules marked evidence_required",
    )


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000, examples=["核实无误"])


class ApproveIn(ReasonIn):
    points: Decimal | None = Field(
        None,
        description="人工核定分值: points per unit other than the rule's, only where the rule permits a manual range",
        examples=[None],
    )


class RevokeOut(Schema):
    entry: EntryOut
    reversal: EntryOut


class RankingRowOut(Schema):
    cadre: str
    name: str
    rank: int
    tier: str
    quantitative: str
    quantitative_normalized: str
    qualitative: str | None = Field(description="null when the cadre has no counted ballot in the period")
    composite: str
    vetoed: bool
    actions: list[str]


class UnrankedOut(Schema):
    cadre: str
    name: str
    days: int


class RankingOut(Schema):
    group: str
    period: str
    state: str
    size: int
    rows: list[RankingRowOut]
    unranked: list[UnrankedOut]


class PublishedRankingOut(RankingOut):
    version: int
    fingerprint: str = Field(description="SHA-256 of the snapshot's canonical JSON, printed on the notice")
    published_at: datetime


class PublicationOut(Schema):
    group: str
    group_name: str
    period: str
    state: str
    window_starts_on: date | None
    window_ends_on: date | None


class RoundClassOut(Schema):
    name: str
    mode: str


class EvaluationRoundOut(Schema):
    id: int
    group: str
    period: str
    state: str
    opens_at: datetime
    closes_at: datetime
    classes: list[RoundClassOut]
    cadres: int


def paged(item: type[Schema], name: str) -> type[Schema]:
    """A page of ``item``: ``items`` and the cursor of the next page (null on the last)."""
    return type(name, (Schema,), {"__annotations__": {"items": list[item], "next_cursor": str | None}})


UnitPage = paged(UnitOut, "UnitPage")
CadrePage = paged(CadreOut, "CadrePage")
SchemePage = paged(SchemeOut, "SchemePage")
RulePage = paged(RuleOut, "RulePage")
EntryPage = paged(EntryOut, "EntryPage")
PublicationPage = paged(PublicationOut, "PublicationPage")
EvaluationRoundPage = paged(EvaluationRoundOut, "EvaluationRoundPage")
