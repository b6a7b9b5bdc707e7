"""Journeymap settings.

Everything configurable comes from environment variables read through the small typed
helpers below; a bad value stops the process at start-up instead of misbehaving later.
With nothing set, the app runs embedded: SQLite under var/, an in-memory channel layer and
Celery tasks executed in-process (see docs/architecture.md, "Two ways to run").
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets model admin and querysets be written as generics (for mypy) at runtime too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_url(name: str, *, schemes: set[str]) -> str | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    scheme = urlparse(raw).scheme
    if scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must use one of {sorted(schemes)}, got {scheme!r}")
    return raw


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATABASE_URL = env_url("DATABASE_URL", schemes={"sqlite", "postgres", "postgresql"})
REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss"})
SERVICES_MODE = REDIS_URL is not None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "channels",
    "workspaces",
    "personas",
    "maps",
    "touchpoints",
    "live",
    "exports",
    "collab",
    "history",
    "method",
    "sheets",
    "portfolio",
    "integrations",
    "accounts_oidc",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "journeymap.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "journeymap.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "journeymap.urls"
ASGI_APPLICATION = "journeymap.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workspaces.context_processors.workspace_nav",
                "accounts_oidc.context_processors.oidc_sign_in",
            ],
        },
    },
]

# Persistent connections: opening one per change made live editing fall seconds behind
# (docs/architecture.md, "Rules the code keeps").
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 600)
if DATABASE_URL is None:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'journeymap.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["workspaces.auth.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 50, minimum=1)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SIGNUP_ENABLED = env_bool("SIGNUP_ENABLED", True)

# Sign-in with OpenID Connect (docs/operations.md), on when OIDC_ISSUER is set. The endpoints
# come from the issuer's discovery document; PKCE, state and nonce are always checked. An
# empty value means the default (docker-compose.yml passes every one through, empty or not).
OIDC_ISSUER = (env_url("OIDC_ISSUER", schemes={"https", "http"}) or "").rstrip("/")
OIDC_ENABLED = bool(OIDC_ISSUER)
_issuer = urlparse(OIDC_ISSUER)
if _issuer.scheme == "http" and _issuer.hostname not in {"127.0.0.1", "localhost", "::1"}:
    raise ImproperlyConfigured("OIDC_ISSUER must use https (http only on loopback, tests)")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "").strip() or "OpenID Connect"
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
if OIDC_ENABLED and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
OIDC_ALLOWED_DOMAINS = [domain.lower() for domain in env_list("OIDC_ALLOWED_DOMAINS", [])]
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USERS", True)
OIDC_WORKSPACE = env_str("OIDC_WORKSPACE", "").strip()
OIDC_WORKSPACE_ROLE = env_str("OIDC_WORKSPACE_ROLE", "").strip() or "member"
if OIDC_WORKSPACE_ROLE not in {"admin", "member"}:
    raise ImproperlyConfigured("OIDC_WORKSPACE_ROLE must be admin or member")
if OIDC_WORKSPACE:
    try:
        uuid.UUID(OIDC_WORKSPACE)
    except ValueError:
        raise ImproperlyConfigured("OIDC_WORKSPACE must be a workspace id (a UUID)") from None
# Entra ID has no email_verified; its optional claim xms_edov says the same (docs).
OIDC_EMAIL_VERIFIED_CLAIM = env_str("OIDC_EMAIL_VERIFIED_CLAIM", "").strip() or "email_verified"
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "").strip() or "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_VERIFY_SSL = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.insert(0, "accounts_oidc.backends.OIDCBackend")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Static files are served by WhiteNoise under ASGI; in development straight from the finders.
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()
WHITENOISE_AUTOREFRESH = DEBUG
# Request bodies: JSON (changes, imports) up to MAX_REQUEST_BYTES, uploads up to MAX_UPLOAD_BYTES.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 5 * 1024 * 1024, minimum=1024)
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    # Token first: DRF takes the WWW-Authenticate header from the first class, and only a
    # class that sends one turns "not signed in" into 401 (docs/protocol.md) rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "journeymap.schema.AutoSchema",
    "EXCEPTION_HANDLER": "journeymap.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_RATE_ANON", "120/min"),
        "user": env_str("API_RATE_USER", "1200/min"),
        "auth": env_str("API_RATE_AUTH", "20/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Journeymap API",
    "DESCRIPTION": "REST API of Journeymap, the collaborative customer journey map editor.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no CDN, CSP-compatible.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "WorkspaceRoleEnum": "workspaces.models.Membership.Role",
        "MapRoleEnum": "workspaces.models.MapRole",
        "ShareLinkRoleEnum": "workspaces.models.ShareLink.Role",
        "AudienceEnum": "maps.models.Audience",
        "WebhookEventEnum": "integrations.models.Event",
        "WebhookBodyFormatEnum": "integrations.models.BodyFormat",
        "DeliveryStatusEnum": "integrations.models.Delivery.Status",
        "OpportunityStatusEnum": "maps.models.OpportunityStatus",
    },
}

# A strict Content-Security-Policy: no inline or third-party scripts anywhere (pass data to
# scripts with json_script). Inline style attributes stay allowed for user-chosen colours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Channels: Redis when configured so any number of ASGI processes share groups.
# CHANNEL_LAYER picks the channels-redis backend: "pubsub" (RedisPubSubChannelLayer) or
# "core" (RedisChannelLayer); the default is the faster one in bench/live_latency.py
# (docs/benchmarks.md). Both deliver at most once; clients repair gaps from the op log.
CHANNEL_LAYER = env_str("CHANNEL_LAYER", "pubsub")
# Seconds without a heartbeat after which a socket's presence is dropped (its process died).
LIVE_PRESENCE_TTL = env_int("LIVE_PRESENCE_TTL", 45, minimum=2)
# Threads per ASGI process applying socket changes; each map always uses the same one (its
# changes stay in order), different maps commit in parallel. Each holds a database connection.
LIVE_CHANGE_LANES = env_int("LIVE_CHANGE_LANES", 4, minimum=1)
# Per socket: changes, and presence messages plus pings, a second (rate, burst). Past them a
# change is refused with `rate_limited`; extra cursors are dropped (live/consumers.py).
LIVE_CHANGE_RATE = (50.0, 100.0)
LIVE_PRESENCE_RATE = (20.0, 20.0)
# The map documents each process keeps built, by version (maps/document_cache.py): at most
# this many, and this many bytes of JSON in all (a 600-item map is about 230 KB).
MAP_DOCUMENT_CACHE_ENTRIES = env_int("MAP_DOCUMENT_CACHE_ENTRIES", 200, minimum=1)
MAP_DOCUMENT_CACHE_BYTES = env_int("MAP_DOCUMENT_CACHE_BYTES", 64 * 1024 * 1024, minimum=1)
# Threads per ASGI process running HTTP requests' synchronous code; each keeps a database
# connection for CONN_MAX_AGE (journeymap/asgi.py).
HTTP_THREADS = env_int("HTTP_THREADS", 8, minimum=1)
# "socket" (default): the editor edits over the live socket (static/js/editor/socket.js, which
# falls back to REST by itself when the very first handshake fails, e.g. behind a proxy without
# WebSockets). "rest": POST each change and poll the op log every 5 s, never opening a socket
# (a WSGI-only deployment; no presence, no live export progress).
EDITOR_TRANSPORT = env_str("EDITOR_TRANSPORT", "socket")
if EDITOR_TRANSPORT not in {"socket", "rest"}:
    raise ImproperlyConfigured("EDITOR_TRANSPORT must be 'socket' or 'rest'")
if CHANNEL_LAYER not in {"core", "pubsub"}:
    raise ImproperlyConfigured("CHANNEL_LAYER must be 'core' or 'pubsub'")
if REDIS_URL and CHANNEL_LAYER == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
elif REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: a Redis broker in services mode, in-process (eager) execution otherwise.
EXPORT_TIME_LIMIT = env_int("EXPORT_TIME_LIMIT", 120, minimum=10)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not SERVICES_MODE
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200, minimum=1)
# A redelivery must never start while the first run may still be going: the visibility
# timeout stays above the hard time limit of the longest task (docs/exports.md, "Jobs").
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": EXPORT_TIME_LIMIT * 3 + 60}
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 14, minimum=1)
# "auto": a warm Chromium when one is installed, WeasyPrint otherwise (docs/exports.md).
EXPORT_ENGINE = env_str("EXPORT_ENGINE", "auto")
if EXPORT_ENGINE not in {"auto", "chromium", "weasyprint"}:
    raise ImproperlyConfigured("EXPORT_ENGINE must be auto, chromium or weasyprint")
CELERY_BEAT_SCHEDULE = {
    "purge-old-exports": {"task": "maps.purge_exports", "schedule": 6 * 3600.0},
    "close-expired-share-links": {"task": "live.share_links_expire", "schedule": 60.0},
    "webhook-action-items-due": {"task": "integrations.action_items_due", "schedule": 3600.0},
}

# Webhooks (docs/integrations.md). Private, loopback and metadata targets are refused unless
# WEBHOOK_ALLOW_PRIVATE_TARGETS is on (a receiver inside the company network, or tests).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10, minimum=1)
# At most one "map changed" delivery per map per this many seconds, with the revision range.
WEBHOOK_MAP_CHANGED_SECONDS = env_int("WEBHOOK_MAP_CHANGED_SECONDS", 10, minimum=0)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
# A webhook whose deliveries have failed without a success for this long is switched off.
WEBHOOK_DISABLE_AFTER_HOURS = env_int("WEBHOOK_DISABLE_AFTER_HOURS", 24, minimum=1)
SITE_URL = env_str("SITE_URL", "")

if REDIS_URL:
    # Throttle and sign-in counters; a Redis outage degrades them instead of failing requests.
    CACHES = {
        "default": {
            "BACKEND": "journeymap.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "journeymap@localhost")

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The container healthcheck speaks plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
