"""The JSON API, version 1 (/api/v1/): its OpenAPI document is /api/v1/openapi.json, its docs page /api/v1/docs.

The document is OpenAPI 3.1 that ``openapi-spec-validator`` accepts and ``openapi-python-client``
turns into a client (``tests/api/test_openapi_clients.py``): every operation has a readable
``operation_id`` (``list_units``, ``get_ranking``) and an ASCII tag (the Chinese names are the tags'
descriptions), and :meth:`GongfenAPI.get_openapi_schema` repairs, in this one place, what
django-ninja 1.7 gets wrong (its issue #1636: a parameter's JSON Schema ``examples`` list copied
onto the Parameter Object, where OpenAPI wants a map of Example Objects).
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from gongfen.grades import api as grades_api

from . import errors
from .auth import BearerToken
from .endpoints import data, entries, intake

# the tags of the operations: ASCII names (module names in generated clients), described in Chinese
TAGS = [
    {"name": "org", "description": "组织：单位、干部与岗位"},
    {"name": "schemes", "description": "考核方案与赋分规则"},
    {"name": "entries", "description": "工分记录：查询、申报、提交、审核、退回、撤销"},
    {"name": "rankings", "description": "实时排名"},
    {"name": "publications", "description": "公示与定稿的排名"},
    {"name": "evaluations", "description": "定性评价轮次"},
    {"name": "grades", "description": "考核等次（年度考核、平时考核）"},
    {"name": "intake", "description": "来源系统推送待确认记录（仅来源系统令牌）"},
]


def parameter_examples_as_map(schema: dict) -> dict:
    """A Parameter Object's ``examples`` as OpenAPI 3.1 wants it: a map of Example Objects.

    django-ninja copies the parameter's JSON Schema ``examples`` (a list, right inside ``schema``)
    onto the parameter itself (django-ninja issue #1636); each listed value becomes
    ``{"<value>": {"value": <value>}}``. The list stays inside the parameter's ``schema``.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                examples = parameter.get("examples")
                if isinstance(examples, list):
                    parameter["examples"] = {str(value): {"value": value} for value in examples}
    return schema


class GongfenAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return parameter_examples_as_map(schema)

    def get_openapi_operation_id(self, operation) -> str:
        """The view's own name (every route names its ``operation_id``; this is the fallback)."""
        return operation.view_func.__name__


class Utf8JSON(JSONRenderer):
    """JSON as UTF-8 text (names stay readable: ``"齐溪镇"``, not ``"\\u9f50…"``)."""

    json_dumps_params = {"ensure_ascii": False}


api = GongfenAPI(
    title="gongfen 工分 API",
    version="1",
    description=(
        "干部实绩考评系统的 JSON 接口。认证：`Authorization: Bearer <个人访问令牌>`（在“API 令牌”页面创建）。"
        "令牌只能做其用户本人能做、且在令牌权限范围（read/declare/review/admin）内的事。"
        "错误统一为 `{code, message, field}`；列表按游标分页（`limit` ≤ 200，`next_cursor`）；"
        "写操作接受 `Idempotency-Key` 请求头，重试不会重复写入。"
    ),
    auth=BearerToken(),
    renderer=Utf8JSON(),
    urls_namespace="api-v1",
    # Swagger UI from the files django-ninja ships (ninja is in INSTALLED_APPS); no validator badge call-out
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_extra={"tags": TAGS},
)
errors.install(api)
api.add_router("/", data.router)
api.add_router("/", entries.router)
api.add_router("/", grades_api.router)
api.add_router("/", intake.router)


def not_found(request, rest: str):
    """Any other path under /api/v1/: the structured 404 of the API, not the HTML page."""
    from django.http import JsonResponse

    return JsonResponse(errors.body("not_found", f"没有这个接口：/api/v1/{rest}"), status=404)
