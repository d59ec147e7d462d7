"""Production settings: everything of gongfen.settings, hardened; refuses to start without a secret key."""

import os

from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("GONGFEN_SECRET_KEY"):  # checked before gongfen.settings could create a local key
    raise ImproperlyConfigured("GONGFEN_SECRET_KEY must be set in production (生产环境必须设置 GONGFEN_SECRET_KEY)")

from .settings import *  # noqa: F403
from .settings import env_bool

SECRET_KEY = os.environ["GONGFEN_SECRET_KEY"]
DEBUG = False
SESSION_COOKIE_SECURE = env_bool("GONGFEN_HTTPS", True)
CSRF_COOKIE_SECURE = env_bool("GONGFEN_HTTPS", True)
SECURE_SSL_REDIRECT = env_bool("GONGFEN_HTTPS", True)
SECURE_HSTS_SECONDS = int(os.environ.get("GONGFEN_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
