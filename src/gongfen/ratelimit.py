"""A small fixed-window rate limiter on Django's cache (the ``ratelimit`` cache), for the doors anyone can knock on.

Limits (per minute; 0 turns one off; docs/security.md T19):

GONGFEN_RATE_VOTE_ADDRESS   tries of a voting code on the public ballot page, per client address (default 60)
GONGFEN_RATE_API_ADDRESS    API requests per client address (default 600)
GONGFEN_RATE_API_TOKEN      API requests per access token (default 300)

A window is the current minute: the first request in it starts its count, the count is dropped
when the minute ends. A refused request is answered 429 with ``Retry-After`` (the seconds left
in the window); the API in its structured shape ``{"code": "rate_limited", ...}``. The count
lives in this process's memory (``ratelimit`` is a local-memory cache): with several web
processes each counts its own share, so the limit per address is at most that many times the
setting. The client address is ``REMOTE_ADDR``: behind the reverse proxy, the one it passes on
(GONGFEN_TRUSTED_PROXY). Keys are hashed, so no token or address is kept in the cache in clear.
"""

from __future__ import annotations

import hashlib
import math
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

WINDOW = 60


def _now() -> float:
    return timezone.now().timestamp()  # the one clock (tests pin it; tests/test_clock.py)


def hit(scope: str, key: str, limit: int, window: int = WINDOW) -> int | None:
    """Count one request of ``key`` in ``scope``; None if it is within ``limit``, else the seconds to wait."""
    if limit <= 0:
        return None
    now = _now()
    start = int(now // window) * window
    name = f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{start}"
    cache = caches["ratelimit"]
    if cache.add(name, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=window + 5)
            count = 1
    return None if count <= limit else max(1, math.ceil(start + window - now))


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def too_many(request, wait: int, limit: int):
    """The HTML answer of a limited page: 429, what happened and when to come back."""
    message = _("尝试过于频繁（每个地址每分钟最多 %(n)d 次），请 %(s)d 秒后再试") % {"n": limit, "s": wait}
    response = render(request, "web/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def limit_by_address(scope: str, setting: str, only_if=lambda request: True):
    """A view decorator: at most ``settings.<setting>`` requests (those ``only_if`` accepts) per address a minute."""

    def decorate(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            limit = getattr(settings, setting)
            if only_if(request) and (wait := hit(scope, client_address(request), limit)) is not None:
                return too_many(request, wait, limit)
            return view(request, *args, **kwargs)

        return limited

    return decorate
