"""Bearer-token authentication and scope checks of the API."""

from __future__ import annotations

from django.conf import settings
from ninja.security import HttpBearer

from gongfen.ratelimit import hit

from .errors import ApiError, rate_limited
from .models import AccessToken, Scope
from .services import token_authenticate

SCOPE_LABELS = {Scope.READ: "read", Scope.DECLARE: "declare", Scope.REVIEW: "review", Scope.ADMIN: "admin"}


class BearerToken(HttpBearer):
    """``Authorization: Bearer gf_…``: the request acts as the token's user, within the token's scopes."""

    def authenticate(self, request, token: str) -> AccessToken | None:
        row = token_authenticate(token)
        if row is not None:
            limit = settings.GONGFEN_RATE_API_TOKEN
            if (wait := hit("api-token", str(row.pk), limit)) is not None:
                raise rate_limited(wait, limit, "令牌")
            request.user = row.user
            request.api_token = row
        return row


def need(request, scope: str) -> None:
    """Refuse (403) a request whose token lacks ``scope`` (``admin`` includes every scope)."""
    token: AccessToken = request.auth
    if not token.grants(scope):
        raise ApiError(
            403,
            "insufficient_scope",
            f"此令牌没有“{scope}”权限范围；请在“API 令牌”页面新建一个包含该范围的令牌",
            "scope",
        )
