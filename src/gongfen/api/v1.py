"""The JSON API, version 1 (/api/v1/): its OpenAPI document is /api/v1/openapi.json, its docs page /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from . import errors
from .auth import BearerToken
from .endpoints import data, entries


class Utf8JSON(JSONRenderer):
    """JSON as UTF-8 text (names stay readable: ``"齐溪镇"``, not ``"\\u9f50…"``)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
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
)
errors.install(api)
api.add_router("/", data.router)
api.add_router("/", entries.router)


def not_found(request, rest: str):
    """Any other path under /api/v1/: the structured 404 of the API, not the HTML page."""
    from django.http import JsonResponse

    return JsonResponse(errors.body("not_found", f"没有这个接口：/api/v1/{rest}"), status=404)
