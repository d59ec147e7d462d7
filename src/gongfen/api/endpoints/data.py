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


@router.get(
    "/units",
    operation_id="list_units",
    response=responses(200, UnitPage),
    tags=["org"],
    summary="单位（管理或审核范围内）",
)
def units(request, params: Query[PageParams]):
    need(request, Scope.READ)
    return page(selectors.units(request.user), cursor=params.cursor, limit=params.limit, out=out.unit)


@router.get(
    "/cadres",
    operation_id="list_cadres",
    response=responses(200, CadrePage),
    tags=["org"],
    summary="干部与岗位（可见范围内）",
)
def cadres(request, params: Query[PageParams]):
    need(request, Scope.READ)
    return page(selectors.cadres(request.user), cursor=params.cursor, limit=params.limit, out=out.cadre)


@router.get(
    "/cadres/{code}", operation_id="get_cadre", response=responses(200, CadreOut), tags=["org"], summary="一位干部"
)
def cadre(request, code: str = code_param("A01")):
    need(request, Scope.READ)
    found = selectors.cadres(request.user).filter(code=code).first()
    if found is None:
        raise not_found(f"干部 {code}", "code")
    return out.cadre(found)


@router.get(
    "/schemes", operation_id="list_schemes", response=responses(200, SchemePage), tags=["schemes"], summary="考核方案"
)
def schemes(request, params: Query[PageParams]):
    need(request, Scope.READ)
    return page(selectors.schemes(request.user), cursor=params.cursor, limit=params.limit, out=out.scheme)


def _scheme(request, code: str):
    found = selectors.schemes(request.user).filter(code=code).first()
    if found is None:
        raise not_found(f"考核方案 {code}", "code")
    return found


@router.get(
    "/schemes/{code}",
    operation_id="get_scheme",
    response=responses(200, SchemeOut),
    tags=["schemes"],
    summary="一个考核方案",
)
def scheme(request, code: str = code_param("QX-2026")):
    need(request, Scope.READ)
    return out.scheme(_scheme(request, code))


@router.get(
    "/schemes/{code}/rules",
    operation_id="list_scheme_rules",
    response=responses(200, RulePage),
    tags=["schemes"],
    summary="方案的赋分规则",
)
def rules(request, params: Query[PageParams], code: str = code_param("QX-2026")):
    need(request, Scope.READ)
    found = _scheme(request, code)
    return page(selectors.rules(request.user, found), cursor=params.cursor, limit=params.limit, out=out.rule)


@router.get(
    "/rankings/{group}/{period}",
    operation_id="get_ranking",
    response=responses(200, RankingOut),
    tags=["rankings"],
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


@router.get(
    "/publications",
    operation_id="list_publications",
    response=responses(200, PublicationPage),
    tags=["publications"],
    summary="可查看的公示",
)
def publications(request, params: Query[PageParams]):
    need(request, Scope.READ)
    rows, visible = selectors.published_periods(request.user)
    return page(rows, cursor=params.cursor, limit=params.limit, out=out.publication, keep=visible)


@router.get(
    "/publications/{group}/{period}",
    operation_id="get_publication",
    response=responses(200, PublishedRankingOut),
    tags=["publications"],
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
    operation_id="list_evaluation_rounds",
    response=responses(200, EvaluationRoundPage),
    tags=["evaluations"],
    summary="评价轮次（所管理的，或被列为投票人的）",
)
def evaluation_rounds(request, params: Query[PageParams]):
    need(request, Scope.READ)
    rows = selectors.evaluation_rounds(request.user)
    return page(rows, cursor=params.cursor, limit=params.limit, out=out.evaluation_round)
