"""简体中文 first: the language is Chinese unless the user chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an
office PC with an English browser would show English to a clerk who never
asked for it. Here only the language cookie set by the switch counts.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response


NUL_MESSAGE = (
    "请求中含有空字符（NUL），已拒绝，未做任何更改。The request contains a NUL character; nothing was changed."
)


def _nul_in_json(value, at: str = "") -> str | None:
    """The dotted place (``evidence.0.name``) of the first string or key with a NUL in a JSON value, or None."""
    if isinstance(value, str):
        return (at or "body") if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        here = f"{at}.{key}" if at else str(key)
        if isinstance(key, str) and "\x00" in key:
            return here
        if (found := _nul_in_json(item, here)) is not None:
            return found
    return None


class RejectNullCharactersMiddleware:
    """A NUL character in a path, query, form, header or JSON body is never legitimate: answer 400 before any view.

    Django's form fields refuse NUL already, but a view that reads
    ``request.POST.getlist`` directly (bulk selections), a URL's code or a JSON
    string would pass it to the database, and PostgreSQL refuses NUL in text:
    a 500 instead of a clear error. The JSON API gets the same refusal in its
    structured shape ``{"code": "nul_character", "message", "field"}``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _in_query(query) -> str | None:
        for key, values in query.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "")
        return None

    def _in_api_request(self, request) -> str | None:
        if "\x00" in request.path_info:
            return "path"
        if (found := self._in_query(request.GET)) is not None:
            return found
        for name, value in request.META.items():
            if name.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                return name.removeprefix("HTTP_").replace("_", "-").title()
        if request.method in ("GET", "HEAD", "OPTIONS") or request.content_type.startswith("multipart/"):
            return None
        try:
            raw = request.body
        except RequestDataTooBig:  # the API answers it with its own 413
            return None
        if request.content_type.endswith("json"):
            try:
                return _nul_in_json(json.loads(raw))
            except ValueError:  # not JSON, or not UTF-8: the API's validation says so
                return None
        return "body" if b"\x00" in raw else None

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            if (field := self._in_api_request(request)) is not None:
                return JsonResponse(
                    {"code": "nul_character", "message": NUL_MESSAGE, "field": field},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            return self.get_response(request)
        if (
            "\x00" in request.path_info
            or self._in_query(request.GET) is not None
            or (request.method == "POST" and self._in_query(request.POST) is not None)
        ):
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class BusyDatabaseMiddleware:
    """A write that meets the long lock of an import answers 503 "正在导入，请稍后再试", never a 500.

    While an import job is applying, its one all-or-nothing transaction holds SQLite's only write
    lock (and, on PostgreSQL, the tamper-evident log's head, which every ledger write needs) until
    it ends. So a request that would write is refused at once, rather than holding one of the
    server's few threads for the 30 s busy timeout and failing then (SQLite) or waiting for the
    whole import (PostgreSQL); signing in and out and the language switch go on (their writes
    never wait: see gongfen.writequeue). A write that still finds SQLite locked past the timeout
    gets the same answer. The API answers in its structured shape, ``{"code": "busy", ...}``;
    both send ``Retry-After``.
    """

    EXEMPT = ("/login/", "/logout/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and not request.path_info.startswith(self.EXEMPT)
            and _importing()
        ):
            return self._busy(request, importing=True)
        return self.get_response(request)

    def process_exception(self, request, exception):
        from gongfen.writequeue import is_locked

        if is_locked(exception):
            return self._busy(request, importing=_importing())
        return None

    @staticmethod
    def _busy(request, importing: bool):
        message = (
            _("正在导入，请稍后再试（导入完成前暂不能保存更改）")
            if importing
            else _("数据库正忙，请稍后再试（本次操作未保存）")
        )
        if request.path_info.startswith("/api/"):
            response = JsonResponse(
                {"code": "busy", "message": str(message), "field": None},
                status=503,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = render(request, "web/busy.html", {"message": message}, status=503)
        response["Retry-After"] = "60"
        return response


def _importing() -> bool:
    from gongfen.interchange.models import ImportJob, JobStatus

    return ImportJob.objects.filter(status=JobStatus.APPLYING).exists()


class ApiRateLimitMiddleware:
    """At most GONGFEN_RATE_API_ADDRESS API requests a minute per client address (gongfen.ratelimit), before
    anything else is done for them: a 429 in the API's structured shape. The limit per token is in
    ``api.auth.BearerToken``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/v1/"):
            from gongfen.api.errors import body, rate_limited
            from gongfen.ratelimit import client_address, hit

            limit = settings.GONGFEN_RATE_API_ADDRESS
            if (wait := hit("api-address", client_address(request), limit)) is not None:
                refusal = rate_limited(wait, limit, "地址")
                response = JsonResponse(
                    body(refusal.code, refusal.message), status=429, json_dumps_params={"ensure_ascii": False}
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user whose password an administrator reset (``must_change_password``) sees only the password page
    until they have chosen a new one (signing out and the language switch still work)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.urls import reverse

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            page = reverse("password_change")
            if not request.path_info.startswith((page, reverse("logout"), "/i18n/", "/api/", "/static/")):
                return redirect(page)
        return self.get_response(request)
