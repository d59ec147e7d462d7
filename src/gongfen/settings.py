"""Settings, all from the environment (zero set-up by default).

GONGFEN_HOME          where local state lives (default ./var/)
GONGFEN_DATABASE_URL  default: sqlite:///$GONGFEN_HOME/gongfen.sqlite3
GONGFEN_REPLICA_DATABASE_URL  a PostgreSQL streaming replica of it for published-board and ledger
                      reads (gongfen.dbrouting, docs/scaling.md "Read scaling"); unset: one database
GONGFEN_REPLICA_STICKY_SECONDS  after a user writes, their reads stay on the primary this long (default 5)
GONGFEN_RATE_VOTE_ADDRESS, GONGFEN_RATE_API_ADDRESS, GONGFEN_RATE_API_TOKEN  rate limits a minute (gongfen.ratelimit)
GONGFEN_SQLITE_TIMEOUT   seconds a SQLite writer waits for the write lock (default 30)
GONGFEN_SESSIONS      db | file: where sessions live (default: file on SQLite, db on PostgreSQL)
GONGFEN_TRUSTED_PROXY the reverse proxy's address, whose X-Forwarded-* headers `gongfen serve` believes
                      (default 127.0.0.1 when GONGFEN_PROXY_SSL_HEADER=1, else none)
GONGFEN_TRUSTED_PROXY_HEADERS  which (default x-forwarded-proto,x-forwarded-for)
GONGFEN_SECRET_KEY    required by gongfen.settings_production; here a key is
                      generated once and kept in $GONGFEN_HOME/secret_key
GONGFEN_DEBUG         1/true to turn on Django's debug mode
GONGFEN_ALLOWED_HOSTS comma-separated (default: localhost names)
GONGFEN_NOTICE_EMAIL  1/true to e-mail notices too (Django's EMAIL_* settings below say how)
GONGFEN_BASE_URL      the address people open (e.g. https://gongfen.example.gov.cn): the objection address and
                      its QR code printed on 公示 notices, links in e-mails; unset: the request's host, with a
                      warning logged (and from `check --deploy`); set it in production
GONGFEN_WEBHOOKS_INLINE 1/true to send webhooks in a background thread right after commit (docs/webhooks.md)
GONGFEN_IMPORT_RUNNER thread (default) | worker | inline: who runs spreadsheet import jobs (docs/spreadsheets.md)
GONGFEN_IMPORT_MAX_MB largest spreadsheet the web accepts, in MB (default 60)
GONGFEN_EVIDENCE_MAX_FILES  evidence files of one declaration, web and API (default 5; each at most 10 MB)
GONGFEN_EVIDENCE_MAX_MB     their total size, in MB (default 20)
GONGFEN_RANKING_CACHE_URL  redis://… to share computed rankings between processes (needs gongfen[redis]);
                      GONGFEN_RANKING_CACHE_OFF=1 turns the ranking cache off (docs/scaling.md)
GONGFEN_WEBHOOK_HOSTS comma-separated host names webhooks may be sent to (".example.gov.cn" takes its
                      subdomains too); unset: any host (docs/webhooks.md "Which addresses")
GONGFEN_EMAIL_HOST, GONGFEN_EMAIL_PORT, GONGFEN_EMAIL_USER, GONGFEN_EMAIL_PASSWORD,
GONGFEN_EMAIL_TLS, GONGFEN_EMAIL_FROM   the SMTP server for notices
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from gongfen import workspace

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


GONGFEN_HOME = workspace.home()


def _local_secret_key() -> str:
    """A per-installation key for local use, created on first start."""
    path = GONGFEN_HOME / "secret_key"
    if not path.exists():
        GONGFEN_HOME.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


SECRET_KEY = os.environ.get("GONGFEN_SECRET_KEY") or _local_secret_key()
DEBUG = env_bool("GONGFEN_DEBUG")
ALLOWED_HOSTS = env_list("GONGFEN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "gongfen.accounts",
    "gongfen.audit",
    "gongfen.org",
    "gongfen.schemes",
    "gongfen.ledger",
    "gongfen.evaluations",
    "gongfen.rankings",
    "gongfen.publication",
    "gongfen.notices",
    "gongfen.outputs",
    "gongfen.results",
    "gongfen.grades",
    "gongfen.interchange",
    "gongfen.trust",
    "gongfen.analytics",
    "gongfen.web",
    "gongfen.api",
    "gongfen.webhooks",
    "gongfen.intake",
    "gongfen.reminders",
    "django_htmx",
    "ninja",  # the JSON API; listed so its docs page uses the bundled Swagger UI files, not a CDN
    "axes",  # login throttling and lock-out (docs/security.md)
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongfen.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gongfen.web.middleware.ApiRateLimitMiddleware",  # per client address (gongfen.ratelimit)
    "gongfen.web.middleware.RejectNullCharactersMiddleware",
    "gongfen.web.middleware.BusyDatabaseMiddleware",  # SQLite during an import: 503 "正在导入，请稍后再试"
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongfen.dbrouting.PrimaryAfterWriteMiddleware",  # per-request read routing; sticky primary after a write
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongfen.web.middleware.PasswordChangeRequiredMiddleware",  # after a reset by an administrator
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into the login page with its message
]

ROOT_URLCONF = "gongfen.urls"
WSGI_APPLICATION = "gongfen.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongfen.web.context.navigation",
            ],
        },
    },
]


def database_config(url: str | None) -> dict:
    if not url:
        GONGFEN_HOME.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{GONGFEN_HOME / 'gongfen.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside one writer; IMMEDIATE transactions take the
        # write lock up front so concurrent writers wait (busy timeout) instead of
        # failing with "database is locked" half-way through a transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("GONGFEN_SQLITE_TIMEOUT", "30")),
        }
        config.setdefault("TEST", {})["NAME"] = os.environ.get("GONGFEN_TEST_SQLITE_NAME") or None
    return config


DATABASES = {"default": database_config(os.environ.get("GONGFEN_DATABASE_URL"))}
# 浙政钉/DingTalk work notifications for the daily digest (docs/intake.md); off unless app key, secret and agent id
GONGFEN_DINGTALK = {
    "corp_id": os.environ.get("GONGFEN_DINGTALK_CORP_ID", ""),
    "app_key": os.environ.get("GONGFEN_DINGTALK_APP_KEY", ""),
    "app_secret": os.environ.get("GONGFEN_DINGTALK_APP_SECRET", ""),
    "agent_id": os.environ.get("GONGFEN_DINGTALK_AGENT_ID", ""),
    "base_url": os.environ.get("GONGFEN_DINGTALK_BASE_URL", ""),
}

if os.environ.get("GONGFEN_TEST_DATABASE_NAME"):  # lets several test runs share one PostgreSQL server
    DATABASES["default"]["TEST"] = {"NAME": os.environ["GONGFEN_TEST_DATABASE_NAME"]}
if os.environ.get("GONGFEN_REPLICA_DATABASE_URL"):  # read scaling (gongfen.dbrouting); tests use the primary
    DATABASES["replica"] = {
        **database_config(os.environ["GONGFEN_REPLICA_DATABASE_URL"]),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["gongfen.dbrouting.ReplicaRouter"]
GONGFEN_REPLICA_STICKY_SECONDS = float(os.environ.get("GONGFEN_REPLICA_STICKY_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# the password policy (docs/security.md T1): at least 10 characters, not all digits, not a common password,
# not like the user name; checked by accounts.services on every path (web, admin, command line)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "gongfen.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = GONGFEN_HOME / "static"  # only for `collectstatic`; WhiteNoise serves from the packages
MEDIA_ROOT = GONGFEN_HOME / "media"  # evidence files; never served as static files
WHITENOISE_USE_FINDERS = True  # serve static files from the installed packages, no collectstatic needed
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks there too
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Computed rankings (docs/scaling.md, "What makes ranking fast"): never stale, they are keyed by the
# database's own version stamps. Local memory by default; with several processes, set
# GONGFEN_RANKING_CACHE_URL=redis://127.0.0.1:6379/1 so that they share what one has computed.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongfen"},
    "rankings": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["GONGFEN_RANKING_CACHE_URL"]}
        if os.environ.get("GONGFEN_RANKING_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongfen-rankings"}
    ),
}
CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongfen-ratelimit"}
# rate limits a minute (gongfen.ratelimit; 0: off): the public ballot per address, the API per address and token
GONGFEN_RATE_VOTE_ADDRESS = int(os.environ.get("GONGFEN_RATE_VOTE_ADDRESS", "60"))
GONGFEN_RATE_API_ADDRESS = int(os.environ.get("GONGFEN_RATE_API_ADDRESS", "600"))
GONGFEN_RATE_API_TOKEN = int(os.environ.get("GONGFEN_RATE_API_TOKEN", "300"))
GONGFEN_RANKING_CACHE = not env_bool("GONGFEN_RANKING_CACHE_OFF")
GONGFEN_RANKING_CACHE_ROWS = int(os.environ.get("GONGFEN_RANKING_CACHE_ROWS", "200000"))  # per process

# Sessions: in the database on PostgreSQL; on SQLite in files under GONGFEN_HOME/private/sessions, so that
# signing in never waits for SQLite's one write lock (held for minutes by a big import; docs/security.md T18)
SESSION_ENGINE = {"db": "django.contrib.sessions.backends.db", "file": "django.contrib.sessions.backends.file"}[
    os.environ.get("GONGFEN_SESSIONS") or ("file" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "db")
]
SESSION_FILE_PATH = GONGFEN_HOME / "private" / "sessions"
if SESSION_ENGINE.endswith(".file"):
    SESSION_FILE_PATH.mkdir(mode=0o700, parents=True, exist_ok=True)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("GONGFEN_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Uploads (docs/security.md T7, T15): evidence of one declaration, the same on the web form and the API
GONGFEN_EVIDENCE_MAX_FILES = int(os.environ.get("GONGFEN_EVIDENCE_MAX_FILES", "5"))
GONGFEN_EVIDENCE_MAX_BYTES = int(os.environ.get("GONGFEN_EVIDENCE_MAX_MB", "20")) * 1024 * 1024  # all files together
# the API's JSON body carries the evidence in base64 (4/3 of its size); it is read into memory whole
DATA_UPLOAD_MAX_MEMORY_SIZE = GONGFEN_EVIDENCE_MAX_BYTES * 4 // 3 + 1024 * 1024
# a web upload bigger than this is streamed to a temporary file, never held in memory
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "gongfen.uploads.BoundedUploadHandler",  # at most GONGFEN_EVIDENCE_MAX_FILES files, GONGFEN_UPLOAD_MAX_BYTES
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Security (docs/security.md). Lock-out: after AXES_FAILURE_LIMIT failed logins for one user name from
# one address, that pair is refused (even with the right password) for the cool-off; an administrator
# unlocks earlier with `gongfen manage axes_reset_username NAME` or in the admin (Axes › Access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("GONGFEN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GONGFEN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# the lock ends 15 minutes after the 5th failure, as the login page says (a try during it does not extend it)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "gongfen.accounts.lockout.locked_out"
AXES_HANDLER = "gongfen.accounts.lockout.QueuedAxesHandler"  # its rows wait in a queue while SQLite is busy
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)  # never a client-supplied X-Forwarded-For
# Content Security Policy: our own scripts, styles and images only; no inline script, style or eval
# (htmx's injected indicator styles are off in base.html's htmx-config and live in app.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The reverse proxy in front of `gongfen serve` (docs/security.md §5): waitress takes X-Forwarded-Proto (so a
# request that came in over HTTPS is seen as one, with no redirect loop) and X-Forwarded-For (the client's
# address, for the lock-out and the audit trail) from that address only, and drops them from anyone else.
GONGFEN_TRUSTED_PROXY = os.environ.get(
    "GONGFEN_TRUSTED_PROXY", "127.0.0.1" if env_bool("GONGFEN_PROXY_SSL_HEADER") else ""
)
GONGFEN_TRUSTED_PROXY_HEADERS = env_list("GONGFEN_TRUSTED_PROXY_HEADERS", "x-forwarded-proto,x-forwarded-for")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # no request body, cookie or header reaches a log line; passwords and ID numbers are masked
    "filters": {"redact": {"()": "gongfen.logfilters.RedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGFEN_LOG_LEVEL", "WARNING")},
}

# notices by e-mail (站内通知 are always on); see gongfen.notices.services
GONGFEN_NOTICE_EMAIL = env_bool("GONGFEN_NOTICE_EMAIL")
GONGFEN_BASE_URL = os.environ.get("GONGFEN_BASE_URL", "")
GONGFEN_WEBHOOKS_INLINE = env_bool("GONGFEN_WEBHOOKS_INLINE")  # send webhooks right after commit too (docs/webhooks.md)
GONGFEN_WEBHOOK_HOSTS = [h.lower() for h in env_list("GONGFEN_WEBHOOK_HOSTS", "")]  # empty: any host
# spreadsheet imports from the web (docs/spreadsheets.md): "thread" runs queued jobs in a background thread of
# the web process, "worker" leaves them to `gongfen jobs run`, "inline" runs them in the request (tests)
GONGFEN_IMPORT_RUNNER = os.environ.get("GONGFEN_IMPORT_RUNNER", "thread")
GONGFEN_IMPORT_MAX_BYTES = int(os.environ.get("GONGFEN_IMPORT_MAX_MB", "60")) * 1024 * 1024
# the most file data one web request may upload (the larger of a spreadsheet and a declaration's evidence)
GONGFEN_UPLOAD_MAX_BYTES = max(GONGFEN_IMPORT_MAX_BYTES, GONGFEN_EVIDENCE_MAX_BYTES) + 1024 * 1024
EMAIL_HOST = os.environ.get("GONGFEN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("GONGFEN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("GONGFEN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GONGFEN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("GONGFEN_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("GONGFEN_EMAIL_FROM", "gongfen@localhost")
