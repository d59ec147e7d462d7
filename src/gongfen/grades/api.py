"""Read endpoints of the grades (scope ``read``), mounted by ``gongfen.api.v1``: the sheets a user may see."""

from __future__ import annotations

from ninja import Path, Query, Router, Schema

from gongfen.api.auth import need
from gongfen.api.endpoints.common import PageParams, responses
from gongfen.api.errors import not_found
from gongfen.api.models import Scope
from gongfen.api.pagination import page

from . import selectors
from .models import GradeSheet

router = Router()


class GradeLineOut(Schema):
    cadre: str
    name: str
    rank: int | None
    score: str
    proposed: str  # '' = 不定等次
    grade: str  # '' = 不定等次
    notes: list[str]
    reason: str


class GradeSheetOut(Schema):
    id: int
    unit: str
    period: str
    kind: str
    population: str
    state: str
    seats: int
    pool: str
    version: int
    window_ends_on: str | None


class GradeSheetDetailOut(GradeSheetOut):
    lines: list[GradeLineOut]


class GradeSheetPage(Schema):
    items: list[GradeSheetOut]
    next_cursor: str | None


def sheet_out(sheet: GradeSheet) -> dict:
    return {
        "id": sheet.pk,
        "unit": sheet.unit.code,
        "period": sheet.period,
        "kind": sheet.plan.kind,
        "population": sheet.plan.population,
        "state": sheet.state,
        "seats": sheet.seats,
        "pool": sheet.pool,
        "version": sheet.version,
        "window_ends_on": sheet.window_ends_on.isoformat() if sheet.window_ends_on else None,
    }


@router.get(
    "/grades/sheets",
    operation_id="list_grade_sheets",
    response=responses(200, GradeSheetPage),
    tags=["grades"],
    summary="考核等次评定表（管理范围内）",
)
def sheets(request, params: Query[PageParams]):
    need(request, Scope.READ)
    return page(selectors.sheets_for(request.user), cursor=params.cursor, limit=params.limit, out=sheet_out)


@router.get(
    "/grades/sheets/{sheet_id}",
    operation_id="get_grade_sheet",
    response=responses(200, GradeSheetDetailOut),
    tags=["grades"],
    summary="一份等次评定表及每人的等次",
)
def sheet(request, sheet_id: int = Path(..., ge=1, le=2**31 - 1, examples=[1])):
    need(request, Scope.READ)
    found = selectors.sheets_for(request.user).filter(pk=sheet_id).first()
    if found is None:
        raise not_found(f"等次评定表 {sheet_id}", "sheet_id")
    lines = [
        {
            "cadre": line.cadre.code,
            "name": line.cadre.name,
            "rank": line.rank,
            "score": line.score,
            "proposed": line.proposed,
            "grade": line.grade,
            "notes": list(line.notes),
            "reason": line.reason,
        }
        for line in selectors.sheet_lines(found)
    ]
    return sheet_out(found) | {"lines": lines}
