"""Production settings: everything of gongfen.settings, hardened; refuses to start without a secret key.

``DJANGO_SETTINGS_MODULE=gongfen.settings_production gongfen manage check --deploy`` reports no warning
(tests/security/test_settings.py). Environment, beyond gongfen.settings:

GONGFEN_SECRET_KEY       required: 50 or more random characters (``python3 -c "import secrets;
                         print(secrets.token_urlsafe(50))"``), kept out of the repository;
                         a weak key (shorter than 50, fewer than 5 distinct characters, or Django's
                         "django-insecure-" placeholder: Django's own rule, security.W009) refuses to start
GONGFEN_HTTPS            default 1: secure cookies, redirect to HTTPS, HSTS; 0 only for a closed test network
GONGFEN_HSTS_SECONDS     default one year
GONGFEN_PROXY_SSL_HEADER 1 when a reverse proxy (nginx) ends TLS and sets ``X-Forwarded-Proto: https``;
                         the proxy must overwrite that header from clients; ``gongfen serve`` then
                         trusts X-Forwarded-Proto and X-Forwarded-For from GONGFEN_TRUSTED_PROXY
                         (see gongfen.settings)
"""

import os

from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("GONGFEN_SECRET_KEY"):  # checked before gongfen.settings could create a local key
    raise ImproperlyConfigured("GONGFEN_SECRET_KEY must be set in production (生产环境必须设置 GONGFEN_SECRET_KEY)")


from .settings import *  # noqa: F403
from .settings import env_bool

SECRET_KEY = os.environ["GONGFEN_SECRET_KEY"]


def weak_secret_key(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions and CSRF tokens (Django's rule, security.W009), or None."""
    from django.core.checks.security.base import (
        SECRET_KEY_INSECURE_PREFIX,
        SECRET_KEY_MIN_LENGTH,
        SECRET_KEY_MIN_UNIQUE_CHARACTERS,
    )

    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"只有 {len(key)} 个字符，至少需要 {SECRET_KEY_MIN_LENGTH} 个 (shorter than {SECRET_KEY_MIN_LENGTH})"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"只用了 {len(set(key))} 种字符，至少需要 {SECRET_KEY_MIN_UNIQUE_CHARACTERS} 种 "
            f"(fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct characters)"
        )
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"是 Django 生成的“{SECRET_KEY_INSECURE_PREFIX}”占位密钥 (Django's insecure placeholder)"
    return None


if (weakness := weak_secret_key(os.environ["GONGFEN_SECRET_KEY"])) is not None:
    raise ImproperlyConfigured(
        f'GONGFEN_SECRET_KEY 太弱：{weakness}；请用 python3 -c "import secrets; print(secrets.token_urlsafe(50))" '
        "生成一个 (GONGFEN_SECRET_KEY is too weak)"
    )

DEBUG = False
HTTPS = env_bool("GONGFEN_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("GONGFEN_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env_bool("GONGFEN_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
