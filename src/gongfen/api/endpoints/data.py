"""Reads: units, cadres, schemes and rules, rankings, publications, evaluation rounds (scope ``read``)."""

from __future__ import annotations

from ninja import Path, Query, Router

from gongfen.publication.selectors import period_state, snapshot_current
from gongfen.rankings.page_selectors import cadre_names
from gongfen.rankings.selectors import group_ranking
from gongfen.scoring import ranking_as_dict

from .. import out, selectors
from ..auth import need
from ..errors import not_found
from ..models import Scope
from ..pagination import page
from ..schemas import (
    CadreOut,
    CadrePage,
    EvaluationRoundPage,
    PublicationPage,
    PublishedRankingOut,
    RankingOut,
    RulePage,
    SchemeOut,
    SchemePage,
    UnitPage,
)
from .common import PageParams, responses

router = Router()
PERIOD = Path(..., min_length=1, max_length=10, description="a period code", examples=["2026Q3"])


def code_param(*examples: str):
    return Path(..., min_length=1, max_length=64, examples=list(examples))


@router.get("/units", response=responses(200, UnitPage), tags=["组织"], summary="单位（管理或审核范围内）")
def units(request, params: Query[PageParams]):
    need(request, Scope.READ)
    return page(selectors.units(request.user), cursor=params.cursor, limit=params.limit, out=out.unit)


@router.get("/cadres", response=responses(200, CadrePage), tags=["组织"], summary="干部与岗位（可见范围内）")
def cadres(request, params: Query[PageParams]):
    need(request, Scope.READ)
    return page(selectors.cadres(request.user), cursor=params.cursor, limit=params.limit, out=out.cadre)


@router.get("/cadres/{code}", response=responses(200, CadreOut), tags=["组织"], summary="一位干部")
def cadre(request, code: str = code_param("A01")):
    need(request, Scope.READ)
    found = selectors.cadres(request.user).filter(code=code).first()
    if found is None:
        raise not_found(f"干部 {code}", "code")
    return out.cadre(found)


@router.get("/schemes", response=responses(200, SchemePage), tags=["考核方案"], summary="考核方案")
def schemes(request, params: Query[PageParams]):
    need(request, Scope.READ)
    return page(selectors.schemes(request.user), cursor=params.cursor, limit=params.limit, out=out.scheme)


def _scheme(request, code: str):
    found = selectors.schemes(request.user).filter(code=code).first()
    if found is None:
        raise not_found(f"考核方案 {code}", "code")
    return found


@router.get("/schemes/{code}", response=responses(200, SchemeOut), tags=["考核方案"], summary="一个考核方案")
def scheme(request, code: str = code_param("QX-2026")):
    need(request, Scope.READ)
    return out.scheme(_scheme(request, code))


@router.get("/schemes/{code}/rules", response=responses(200, RulePage), tags=["考核方案"], summary="方案的赋分规则")
def rules(request, params: Query[PageParams], code: str = code_param("QX-2026")):
    need(request, Scope.READ)
    found = _scheme(request, code)
    return page(selectors.rules(request.user, found), cursor=params.cursor, limit=params.limit, out=out.rule)


@router.get(
    "/rankings/{group}/{period}",
    response=responses(200, RankingOut),
    tags=["排名"],
    summary="实时排名（管理员与审核人，范围内）",
)
def ranking(request, group: str = code_param("QX-ALL"), period: str = PERIOD):
    need(request, Scope.READ)
    found = selectors.provisional_group(request.user, group)
    if found is None:
        raise not_found(f"排名组 {group}", "group")
    data = ranking_as_dict(group_ranking(found, period))  # a malformed period: DomainError (422)
    codes = [r["cadre"] for r in data["rows"]] + [u["cadre"] for u in data["unranked"]]
    return out.ranking(data, cadre_names(codes), period_state(found, period))


@router.get("/publications", response=responses(200, PublicationPage), tags=["公示"], summary="可查看的公示")
def publications(request, params: Query[PageParams]):
    need(request, Scope.READ)
    rows, visible = selectors.published_periods(request.user)
    return page(rows, cursor=params.cursor, limit=params.limit, out=out.publication, keep=visible)


@router.get(
    "/publications/{group}/{period}",
    response=responses(200, PublishedRankingOut),
    tags=["公示"],
    summary="公示的排名（最新版本）",
)
def publication(request, group: str = code_param("QX-ALL"), period: str = PERIOD):
    need(request, Scope.READ)
    rows, visible = selectors.published_periods(request.user)
    row = rows.filter(group__code=group, period=period).first()
    snapshot = snapshot_current(row.group, period) if row is not None and visible(row) else None
    if snapshot is None:
        raise not_found(f"排名组 {group} {period} 的公示", "group")
    data = snapshot.data["ranking"]
    codes = [r["cadre"] for r in data["rows"]] + [u["cadre"] for u in data["unranked"]]
    shown = out.ranking(data, cadre_names(codes), row.state)
    return shown | {
        "version": snapshot.version,
        "fingerprint": snapshot.fingerprint,
        "published_at": snapshot.created_at,
    }


@router.get(
    "/evaluation-rounds",
    response=responses(200, EvaluationRoundPage),
    tags=["定性评价"],
    summary="评价轮次（所管理的，或被列为投票人的）",
)
def evaluation_rounds(request, params: Query[PageParams]):
    need(request, Scope.READ)
    rows = selectors.evaluation_rounds(request.user)
    return page(rows, cursor=params.cursor, limit=params.limit, out=out.evaluation_round)
