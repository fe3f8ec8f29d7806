"""Settings for Dasan Console, read from the environment.

The embedded default (no environment at all) runs on a SQLite file and the
in-memory channel layer, so `make run` works with nothing installed. Set
DATABASE_URL (postgres://...) and REDIS_URL (redis://...) for the real services.
"""

import ipaddress
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("DASAN_SHARED_DIR", BASE_DIR.parent / "shared"))
VAR_DIR = Path(os.environ.get("DASAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-for-the-embedded-default"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here (no CDN)
    "channels",
    "corsheaders",
    "csp",
    "callcenter",
    "knowledgebase",
    "floor",
    "inquiries",
    "referrals",
    "axes",
    "safety",
    "reports",
]

# Kept short on purpose: under ASGI every middleware costs thread hops
# (docs/PERFORMANCE.md in shared/).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CORS for Open311's public reads only (CORS_URLS_REGEX); async, so no thread hop
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # NUL or a broken character in the path, query or form fields: 400 before any view.
    # Sync only, and here, innermost but for axes: under daphne Django runs the middleware
    # before the last sync-only one in one worker thread and those after it on the event
    # loop, where each of Django's own (MiddlewareMixin) hops to a thread and back for its
    # process_request and process_response, waiting for the loop that writes every socket's
    # pushes each time (docs/BENCHMARKS.md, "The peak hour at x20, round 4").
    "callcenter.inputs.HostileInputMiddleware",
    # last, as its documentation asks: it turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "callcenter.urls"
ASGI_APPLICATION = "callcenter.asgi.application"

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
                "callcenter.context_processors.roles",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
        }
    }
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3 with Django's own pool: persistent connections (CONN_MAX_AGE > 0)
    # leak under daphne; the pool does not, and is 1.8x faster than reconnecting.
    _db["CONN_MAX_AGE"] = 0
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "20")),
        # With PostgreSQL down a request waits this long for a connection, then gets
        # a 503 (callcenter/errors.py): short, so the phone system and the pages hear
        # "unavailable, retry" at once instead of hanging (README "Outages").
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "1.5")),
    }
    # libpq's connect timeout (whole seconds, at least 2): a server that drops packets
    # instead of refusing them fails the pool's connection attempts this fast.
    _db["OPTIONS"]["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "2"))
    # A pooled connection is checked (an empty query) before it is handed out: after
    # PostgreSQL restarts, the dead connections are replaced instead of failing one
    # request each. DB_HEALTH_CHECKS=0 saves that round trip per request.
    _db["CONN_HEALTH_CHECKS"] = env_bool("DB_HEALTH_CHECKS", True)
    # Parameters bound by the server, not pasted into the SQL by psycopg: a pooled
    # connection then prepares the statements it runs again and again (a logged
    # call's inserts, the token look-up), and PostgreSQL skips parsing and planning
    # them. About 10% of a logged call's time (docs/BENCHMARKS.md). DB_SERVER_SIDE_BINDING=0
    # goes back to Django's default, client-side binding.
    _db["OPTIONS"]["server_side_binding"] = env_bool("DB_SERVER_SIDE_BINDING", True)
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the daphne worker threads write concurrently.
    _db.setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Browser tests serve pages from a daphne subprocess, which cannot see an
    # in-memory database: give each test run its own file.
    _db["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"dasan-test-{os.getpid()}.sqlite3")}
# A read replica for reports and exports (callcenter/replica.py): reads inside a
# `replica_reads()` block go to it; writes always go to `default`.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL)
    if _replica["ENGINE"] != _db["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be the same kind of database as DATABASE_URL.")
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        # the primary's pool and timeouts; and a read-only session, so a write sent there by
        # mistake fails loudly instead of landing on a copy
        _replica.update({key: _db[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")})
        _replica["OPTIONS"] = {**_db["OPTIONS"], "options": "-c default_transaction_read_only=on"}
    # tests read the test database through the replica alias (it is the same data)
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["callcenter.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer: lower latency and CPU than the list-based
            # layer for broadcasts (shared/docs/PERFORMANCE.md).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py's asyncio pool defaults to 100 connections;
                        # a process holding many sockets needs more.
                        "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "2000")),
                    }
                ],
                "prefix": os.environ.get("CHANNEL_PREFIX", "dasan"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in lockout (django-axes; README "Security"): an account is locked after
# LOGIN_FAILURE_LIMIT failed sign-ins, an address after LOGIN_ADDRESS_FAILURE_LIMIT
# (higher: a floor of agents may share one address), for LOGIN_LOCKOUT_MINUTES
# after the last failure. The console's sign-in and Django admin's alike.
# Admins unlock in Django admin (Axes → access attempts: delete the row) or with
# `manage.py axes_reset_username <name>` / `axes_reset_ip <address>`.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: the account, the address
AXES_HANDLER = "callcenter.lockout.LockoutHandler"  # the two limits above
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "callcenter.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "callcenter.lockout.client_ip"
AXES_VERBOSE = False
# Sessions last a shift (and its overtime), not Django's two weeks.
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_HOURS", "12")) * 3600)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "callcenter" / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
# Our own date and time formats over Django's: a 24-hour clock in Korean and English.
FORMAT_MODULE_PATH = ["callcenter.formats"]
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Uploaded files (missing persons' photos) -------------------------------------
# Never served as static files: the safety app serves a photo to those allowed, and logs it.
MEDIA_ROOT = Path(os.environ.get("DASAN_MEDIA_DIR", VAR_DIR / "media"))

# --- Realtime -----------------------------------------------------------------
# Each server process checks this often that the channel layer (Redis) still carries
# its messages; when it does not, its open sockets are closed so that the pages show
# "reconnecting" and come back with a fresh snapshot (callcenter/realtime/fanout.py). 0: never.
REALTIME_LAYER_CHECK_SECONDS = float(os.environ.get("REALTIME_LAYER_CHECK_SECONDS", "5"))

# --- Requests -----------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # a body over 1 MB is refused with 413

# --- CORS: Open311 only, reads only -------------------------------------------
# A city's map or app on another site may read the public Open311 feed from a
# browser: any origin, no cookies, GET and HEAD (OPTIONS is the preflight).
# Nothing else on the console answers another origin.
CORS_URLS_REGEX = r"^/open311/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "callcenter.authentication.CachedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["callcenter.inputs.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "callcenter.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "callcenter.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Request rates (callcenter/throttling.py; README "Security"); "off" switches one off.
    "DEFAULT_THROTTLE_CLASSES": ["callcenter.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_TOKEN_RATE", "6000/min"),
        "open311_key": os.environ.get("OPEN311_KEY_RATE", "600/min"),
        "open311_post": os.environ.get("OPEN311_POST_RATE", "30/min"),
    },
}
# API tokens found are kept per process this many seconds (callcenter/authentication.py):
# a token revoked in one daphne process may still work that long in another. 0 = off.
TOKEN_CACHE_SECONDS = float(os.environ.get("TOKEN_CACHE_SECONDS", "10"))
# What a process keeps between requests (roles, tokens, categories, synonyms, the wallboard's
# daily and last figures) is declared in one mechanism, callcenter/caches.py; 0 turns all off.
LOCAL_CACHES = os.environ.get("LOCAL_CACHES", "1") != "0"
# The search log (knowledgebase.SearchLog) keeps searches this many days; `manage.py kb_search_log_prune` deletes older.
KB_SEARCH_LOG_DAYS = int(os.environ.get("KB_SEARCH_LOG_DAYS", "90"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Dasan Console API",
    "DESCRIPTION": "The API of Seoul's 120 Dasan Call Center console.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the API's own staff: agents, supervisors, admins (not the phone system, not partners)
    "SERVE_PERMISSIONS": ["callcenter.permissions.CanReadApiDocs"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "referrals.models.Status",
        "ReferralSourceEnum": "referrals.models.Referral.Source",
        "FollowUpStatusEnum": "referrals.models.FollowUp.Status",
        "SafetyPersonKindEnum": "safety.models.Kind",
        "SafetyCaseStatusEnum": "safety.models.Status",
        "SafetyCaseEventKindEnum": "safety.models.CaseEvent.Kind",
    },
}

# --- Security (production) ----------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# Behind a proxy the access log's source address is the right-most X-Forwarded-For
# hop that is not a proxy of ours: the server's peer (the proxy) and these
# addresses or networks (further proxies in front of it), comma separated.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network") from _exc
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp), in every mode: pages load scripts, styles,
# fonts and images from this origin only and open sockets to it only; no inline
# script or style anywhere (the templates have none: a test checks it), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Domain settings ----------------------------------------------------------
# Service level threshold T in seconds ("80/20": 80% answered within 20 s).
SERVICE_LEVEL_THRESHOLD_SECONDS = int(os.environ.get("SERVICE_LEVEL_THRESHOLD_SECONDS", "20"))
SERVICE_LEVEL_TARGET = float(os.environ.get("SERVICE_LEVEL_TARGET", "0.8"))
# Wallboard pushes: the first change goes out at once, then at most one push
# per window (seconds); 0.25 is about four a second (floor/services.py).
WALLBOARD_COALESCE_SECONDS = float(os.environ.get("WALLBOARD_COALESCE_SECONDS", "0.25"))
# Erlang C: the share of paid time agents are not on the phones (breaks, training,
# absence; pyworkforce's "shrinkage") and the highest occupancy planned for.
ERLANG_SHRINKAGE = float(os.environ.get("ERLANG_SHRINKAGE", "0.3"))
ERLANG_MAX_OCCUPANCY = float(os.environ.get("ERLANG_MAX_OCCUPANCY", "0.85"))
# An agent longer than this in after-call work is shown apart and not counted as staffed.
AFTER_CALL_WORK_LIMIT_SECONDS = float(os.environ.get("AFTER_CALL_WORK_LIMIT_SECONDS", "180"))
# The operating day begins at this local time ("HH:MM"): a call with no shift
# around it may be corrected by its agent until the next one begins.
OPERATING_DAY_STARTS = os.environ.get("OPERATING_DAY_STARTS", "08:00")
# Referrals: hours the centre has to call the citizen back once a service completes a case.
REFERRAL_FOLLOWUP_HOURS = float(os.environ.get("REFERRAL_FOLLOWUP_HOURS", "24"))
# Times the APIs accept (callcenter/inputs.py, BoundedDateTimeField): a phone event
# at most this many days old; a call's start and end at most this many days back;
# a referral's appointment at most this many days ahead. Never in the future
# (five minutes of clock difference allowed).
PHONE_EVENT_MAX_AGE_DAYS = int(os.environ.get("PHONE_EVENT_MAX_AGE_DAYS", "7"))
CALL_BACKDATE_DAYS = int(os.environ.get("CALL_BACKDATE_DAYS", "366"))
REFERRAL_SCHEDULE_MAX_DAYS = int(os.environ.get("REFERRAL_SCHEDULE_MAX_DAYS", "365"))

# Safety (missing persons): closed cases are pseudonymized this many days after closing
# (`manage.py safety_retention`); photos above this size are refused; the emergency
# service a missing-person report is handed to (a warm transfer), by slug.
SAFETY_RETENTION_DAYS = int(os.environ.get("SAFETY_RETENTION_DAYS", "365"))
SAFETY_PHOTO_MAX_BYTES = int(os.environ.get("SAFETY_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
SAFETY_HANDOFF_SERVICE = os.environ.get("SAFETY_HANDOFF_SERVICE", "police-112")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        # failures and lockouts (WARNING) are kept; every attempt's bookkeeping (INFO) is not
        "axes": {"level": "WARNING"},
    },
}
