"""Structured errors of the API: ``{"code", "message", "field"}``, never a bare 500.

Every failure has the same shape: a stable English ``code`` for programs,
a Chinese ``message`` for people, and the ``field`` it concerns (or null).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gongfen.common import DomainError

log = logging.getLogger("gongfen.api")

# DomainError codes that are not a plain refusal (400)
DOMAIN_STATUS = {"idempotency_key_reused": 422, "idempotency_key_in_use": 409, "bad_period": 422}
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 413, 422, 429, 500, 503})


class ApiError(Exception):
    """A refusal raised by an endpoint (out of scope, missing scope, four eyes)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def rate_limited(wait: int, limit: int, per: str) -> ApiError:
    """429: ``per`` is 令牌 or 地址 (the token's, or the client address's, limit a minute)."""
    message = f"请求过于频繁：每个{per}每分钟最多 {limit} 次，请 {wait} 秒后再试 (rate limited)"
    return ApiError(429, "rate_limited", message, None, {"Retry-After": str(wait)})


def not_found(what: str, field: str | None = None) -> ApiError:
    return ApiError(404, "not_found", f"没有找到{what}，或您无权查看", field)


def body(code: str, message: str, field: str | None = None, errors: list | None = None) -> dict:
    data = {"code": code, "message": message, "field": field}
    if errors is not None:
        data["errors"] = errors
    return data


def _field_of(loc) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload")]
    return ".".join(parts) or None


def install(api: NinjaAPI) -> None:
    """Route every exception the API can meet to a structured response."""

    def respond(request, status: int, data: dict, **headers) -> HttpResponse:
        response = api.create_response(request, data, status=status)
        for name, value in headers.items():
            response[name.replace("_", "-")] = value
        return response

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError):
        response = respond(request, exc.status, body(exc.code, exc.message, exc.field))
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError):
        return respond(request, DOMAIN_STATUS.get(exc.code, 400), body(exc.code, exc.message, exc.field))

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError):
        items = [body(e.get("type", "invalid"), str(e.get("msg", "")), _field_of(e.get("loc", ()))) for e in exc.errors]
        first = items[0] if items else body("invalid", "")
        message = "请求格式有误：" + "；".join(f"{i['field'] or '请求'}：{i['message']}" for i in items)
        return respond(request, 422, body("validation_error", message, first["field"], items))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError):
        message = "需要有效的访问令牌：请在请求头中提供 Authorization: Bearer <令牌>（令牌可能已撤销或过期）"
        return respond(request, 401, body("unauthenticated", message), WWW_Authenticate="Bearer")

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404):
        return respond(request, 404, body("not_found", "没有找到，或您无权查看"))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return respond(request, 413, body("too_large", f"请求超过 {limit} MB，请减少或压缩佐证材料"))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError):
        return respond(request, exc.status_code, body("http_error", str(exc)))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception):
        from gongfen.web.middleware import BusyDatabaseMiddleware, _importing
        from gongfen.writequeue import is_locked

        if is_locked(exc):  # SQLite's write lock held past the busy timeout (a long import): 503, retry later
            return BusyDatabaseMiddleware._busy(request, importing=_importing())
        log.exception("API error on %s %s", request.method, request.path)
        return respond(request, 500, body("server_error", "服务器内部错误，已记录；请稍后重试或联系管理员"))
