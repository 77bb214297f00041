"""The one settings module. Everything an operator may change comes from TIDINGS_* variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"TIDINGS_{name}", default)


def _flag(name: str, default: bool = False) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(_env("DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := _env("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written once per data directory so sessions survive restarts.
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in _env("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [h.strip() for h in _env("CSRF_TRUSTED_ORIGINS").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "tidings.core",
    "tidings.accounts",
    "tidings.orgs",
    "tidings.groups",
    "tidings.social",
    "tidings.posts",
    "tidings.timelines",
    "tidings.notifications",
    "tidings.search",
    "tidings.ops",
    "tidings.activities",
    "tidings.analytics",
    "tidings.extensions",
    "tidings.extensions.taskboard",
    "tidings.extensions.projects",
    "oauth2_provider",
    "tidings.api",
    "tidings.web",
]

MIDDLEWARE = [
    "tidings.web.middleware.RetryAfterMiddleware",
    "tidings.web.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before every middleware that may answer by itself, so that every answer carries it (413s too).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tidings.web.middleware.SecurityHeadersMiddleware",
    "tidings.web.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tidings.web.middleware.AccountLanguageMiddleware",
    "tidings.web.middleware.RequireTwoFactorMiddleware",
    "tidings.web.middleware.AccountSessionMiddleware",
    "tidings.web.middleware.LastActiveMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tidings.web.middleware.DomainErrorMiddleware",
    "tidings.web.acting.ActingMiddleware",
]

ROOT_URLCONF = "tidings.urls"
WSGI_APPLICATION = "tidings.wsgi.application"
AUTH_USER_MODEL = "accounts.Account"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tidings.web.context.site",
            ],
        },
    }
]

# --- Data -----------------------------------------------------------------------------------------

DATABASE_URL = _env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "tidings.sqlite3"),
            # Each server thread keeps its connection: opening one (and its PRAGMAs) per request
            # cost more than most pages' queries.
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock up front
                # so two writers queue on the busy timeout instead of failing with "database locked".
                # Reads come through the file mapped into memory (shared by every process), so each
                # connection's own page cache stays small: every server thread keeps one.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-4000; PRAGMA mmap_size=1073741824"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _env("REDIS_URL")
# Keys of one deployment (or one test run) share this prefix, so several can share a Redis.
REDIS_PREFIX = _env("REDIS_PREFIX", "tidings:")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background tasks: Huey on SQLite embedded, on Redis at scale. TIDINGS_TASKS_IMMEDIATE runs
# each task in the process that enqueued it (the unit tests; the browser tests run a real worker).
TASKS_IMMEDIATE = _flag("TASKS_IMMEDIATE")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": f"{REDIS_PREFIX}tasks",
        "url": REDIS_URL,
        "immediate": TASKS_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tidings",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": TASKS_IMMEDIATE,
        # SQLite cannot block on a queue like Redis does: poll fifty times a second when idle (a
        # new post's job waits 10 ms on average; idle, that is about 1% of a core, bench/notes.md).
        "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 0.02},
    }

# A job a worker has taken (an event's subscriber, a webhook call) is left to it this long; then
# a sweep (every minute, and when a worker starts) gives it to another, as after a worker stopped
# mid-job. Longer than the slowest job and a webhook call (10 s).
TASK_LEASE_SECONDS = int(_env("TASK_LEASE_SECONDS", "60"))
# Past this many committed events waiting for the worker, new writes are refused for a few seconds
# (429 with Retry-After) rather than let the queue and the delay of every post grow without end.
TASK_BACKLOG_LIMIT = int(_env("TASK_BACKLOG_LIMIT", "2000"))

# --- Security -------------------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# TIDINGS_TLS: people reach the site over https, through a proxy that ends TLS and sets
# X-Forwarded-Proto (README, "In production"). Only then is that header believed (a client could
# send it itself); plain http is redirected to https, HSTS tells browsers to use https alone, and
# cookies travel over https only. The health check stays reachable over plain http for the proxy.
TLS = _flag("TLS")
if TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # A year, this host's subdomains included; TIDINGS_HSTS_SECONDS=300 to try TLS out first.
    SECURE_HSTS_SECONDS = int(_env("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _flag("HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES", default=TLS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "tidings.web.views.errors.csrf_failure"
# TIDINGS_TRUSTED_PROXIES: the addresses (or networks, 10.0.0.0/24) of the reverse proxies in front.
# A request from one of them counts under the address its X-Forwarded-For names (the last one that
# is not a proxy); from anyone else that header is ignored (a client could write it itself). Without
# it, behind a proxy everyone shares the proxy's address, and so its per-address rate limits.
TRUSTED_PROXIES = [p.strip() for p in _env("TRUSTED_PROXIES").split(",") if p.strip()]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A whole request body may hold nine images; anything larger is refused with 413 before it is read.
MAX_REQUEST_BYTES = int(_env("MAX_REQUEST_BYTES", str(60 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Where to report a vulnerability (a mailto: or https: address), published at
# /.well-known/security.txt; without it that address is not found.
SECURITY_CONTACT = _env("SECURITY_CONTACT")

# --- Mail -----------------------------------------------------------------------------------------

# TIDINGS_SMTP_URL=smtp://user:password@host:587?tls=1 sends real mail; without it, mail is written
# to files under the data directory (DATA_DIR/mail) for the operator to read.
SMTP_URL = _env("SMTP_URL")
DEFAULT_FROM_EMAIL = _env("MAIL_FROM", "Tidings <tidings@localhost>")
if SMTP_URL:
    from urllib.parse import parse_qs, unquote, urlsplit

    _smtp = urlsplit(SMTP_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "localhost"
    EMAIL_PORT = _smtp.port or 25
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_USE_TLS = parse_qs(_smtp.query).get("tls", ["0"])[0] == "1"
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
# The address people use to reach this server, for links in mail.
SITE_URL = _env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Post by email: mail to post+<token>@MAIL_IN_DOMAIN, handed to `tidings mail-in` by the mail
# server (a pipe), becomes a post.
MAIL_IN_DOMAIN = _env("MAIL_IN_DOMAIN", "localhost")

# --- The product's rules --------------------------------------------------------------------------

POST_MAX_LENGTH = 140
POST_MAX_IMAGES = 9
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
TIMELINE_CAP = 800
# Each process watches for live events in one thread and wakes its open streams (core.pubsub).
# The unit tests turn it off: their database lives in one transaction the thread cannot see.
STREAM_WATCHER = True
# Accounts with more followers than this are not fanned out; their posts merge in at read time.
FANOUT_FOLLOWER_THRESHOLD = int(_env("FANOUT_FOLLOWER_THRESHOLD", "10000"))
# A fan-out writes the kept timelines this many followers at a time.
FANOUT_CHUNK = int(_env("FANOUT_CHUNK", "1000"))
# A negative post caught by a monitor is flagged first when its author has this many followers.
MONITOR_WARN_FOLLOWERS = int(_env("MONITOR_WARN_FOLLOWERS", "1000"))
# Trending topics are counted again at most this often.
TRENDS_CACHE_SECONDS = int(_env("TRENDS_CACHE_SECONDS", "60"))
# Webhooks and other server-side fetches refuse private and local addresses unless allowed here
# (an operator whose receivers live on the company network; the tests' local receiver).
FETCH_PRIVATE_ADDRESSES = _flag("FETCH_PRIVATE_ADDRESSES")
# A server-side call ends this many seconds after its name is resolved (connecting, sending, the answer),
# however slowly the other end trickles, and reads at most this many bytes of the answer.
FETCH_SECONDS = 10
FETCH_MAX_BYTES = 64 * 1024
# Timelines are kept only for people seen within this many days; others are rebuilt on return.
TIMELINE_ACTIVE_DAYS = 21
# Rate limits per account: posts, reposts and comments together; follows.
WRITES_PER_MINUTE = int(_env("WRITES_PER_MINUTE", "30"))
FOLLOWS_PER_HOUR = int(_env("FOLLOWS_PER_HOUR", "200"))
# The client API: requests per account (or address) in five minutes, as Mastodon allows.
API_REQUESTS_PER_5_MINUTES = int(_env("API_REQUESTS_PER_5_MINUTES", "300"))
APPS_PER_HOUR = int(_env("APPS_PER_HOUR", "30"))
# Where API clients open WebSocket streams, when a proxy serves them elsewhere (wss://...).
STREAMING_URL = _env("STREAMING_URL", "")
TOKENS_PER_ADDRESS = int(_env("TOKENS_PER_ADDRESS", "30"))

# OAuth 2 for API clients (Django OAuth Toolkit), fitted to Mastodon's clients: tokens last
# until revoked (stock clients never refresh), PKCE when the client sends it.
API_TOKEN_SECONDS = 10 * 365 * 24 * 3600
OAUTH2_PROVIDER_APPLICATION_MODEL = "accounts.ClientApp"
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "tidings.api.oauth.backend.Scopes",
    "OAUTH2_VALIDATOR_CLASS": "tidings.api.oauth.backend.Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_TOKEN_SECONDS,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "PKCE_REQUIRED": False,
    "REQUEST_APPROVAL_PROMPT": "auto",
    # RFC 9700 (OAuth 2.0 security best practice), as far as Mastodon's clients allow: no implicit
    # or password grant, PKCE with S256 only, `iss` in the answer of the consent page, tokens
    # kept at rest as their SHA-256 only, a replayed refresh token ends its whole family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# The rest of RFC 9700 would lock stock Mastodon clients out, so `check --deploy` is told:
# - W004, a token in the query string: Mastodon's streaming API takes `?access_token=` (a browser
#   cannot set headers on a WebSocket or EventSource); our API reads it (api/mastodon/common.py).
# - W008, http redirect URIs: Mastodon takes them, and native and desktop apps receive the code on
#   a loopback http://127.0.0.1 address (RFC 8252); Django OAuth Toolkit cannot allow only those.
# - W010, PKCE not required: Mastodon.py, toot and most apps send none (PKCE when a client sends it).
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W004", "oauth2_provider.W008", "oauth2_provider.W010"]

# --- Language -------------------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Taipei"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
    "loggers": {"huey": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING"), "propagate": False}},
}
