"""Production settings: everything of gongfen.settings, hardened; refuses to start without a secret key.

``DJANGO_SETTINGS_MODULE=gongfen.settings_production gongfen manage check --deploy`` reports no warning
(tests/security/test_settings.py). Environment, beyond gongfen.settings:

GONGFEN_SECRET_KEY       required: 50 or more random characters (``python3 -c "import secrets;
                         print(secrets.token_urlsafe(50))"``), kept out of the repository;
                         a shorter or repetitive key fails ``check --deploy`` (security.W009)
GONGFEN_HTTPS            default 1: secure cookies, redirect to HTTPS, HSTS; 0 only for a closed test network
GONGFEN_HSTS_SECONDS     default one year
GONGFEN_PROXY_SSL_HEADER 1 when a reverse proxy (nginx) ends TLS and sets ``X-Forwarded-Proto: https``;
                         the proxy must overwrite that header from clients
"""

import os

from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("GONGFEN_SECRET_KEY"):  # checked before gongfen.settings could create a local key
    raise ImproperlyConfigured("GONGFEN_SECRET_KEY must be set in production (生产环境必须设置 GONGFEN_SECRET_KEY)")

from .settings import *  # noqa: F403
from .settings import env_bool

SECRET_KEY = os.environ["GONGFEN_SECRET_KEY"]
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
