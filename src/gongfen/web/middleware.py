"""简体中文 first: the language is Chinese unless the user chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an
office PC with an English browser would show English to a clerk who never
asked for it. Here only the language cookie set by the switch counts.
"""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers


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


class RejectNullCharactersMiddleware:
    """A query or form value with a NUL character is never legitimate: answer 400 before any view reads it.

    Django's form fields refuse NUL already, but a view that reads
    ``request.POST.getlist`` directly (bulk selections) would pass it to the
    database, and PostgreSQL refuses NUL in text: a 500 instead of a clear error.
    The JSON API is left to its own validation and structured errors.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _has_nul(query) -> bool:
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())

    def __call__(self, request):
        if request.path_info.startswith("/api/"):  # the API answers bad input with its own structured errors
            return self.get_response(request)
        if self._has_nul(request.GET) or (request.method == "POST" and self._has_nul(request.POST)):
            return HttpResponseBadRequest(
                "请求中含有空字符（NUL），已拒绝，未做任何更改。The request contains a NUL character; nothing was changed.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
