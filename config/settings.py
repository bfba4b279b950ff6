"""Pressroom settings: every value comes from the environment (django-environ), in this one place.

With no configuration at all the app runs in development mode: SQLite under var/, local media,
console email, the offline Instagram sandbox, and secrets generated once under var/.
With DEBUG off it refuses to start unless SECRET_KEY, FIELD_ENCRYPTION_KEY and ALLOWED_HOSTS are set.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import environ
import jinja2
from django.core.exceptions import ImproperlyConfigured

from config.secrets import load_dev_secrets

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)

DEBUG = env.bool("DEBUG", default=True)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

# --- secrets -----------------------------------------------------------------------------------
if DEBUG:
    _dev = load_dev_secrets(VAR_DIR)
    SECRET_KEY = env.str("SECRET_KEY", default=_dev["SECRET_KEY"])
    _field_keys = env.list("FIELD_ENCRYPTION_KEY", default=[_dev["FIELD_ENCRYPTION_KEY"]])
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    _missing = [k for k in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS") if not env.str(k, default="")]
    if _missing:
        raise ImproperlyConfigured(
            "Production settings (DEBUG off) need these environment variables: " + ", ".join(_missing)
        )
    SECRET_KEY = env.str("SECRET_KEY")
    _field_keys = env.list("FIELD_ENCRYPTION_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# A list enables rotation: the first key encrypts, every key decrypts (MultiFernet).
FIELD_ENCRYPTION_KEY = _field_keys if len(_field_keys) > 1 else _field_keys[0]

# --- apps ----------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_q",
    "encrypted_model_fields",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "scheduler",
    "archive",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
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
                "accounts.context_processors.navigation",
            ],
        },
    },
    # Jinja2 draws only the calendar's card (templates/jinja2/): a week page draws about a hundred of them, and
    # Django's engine made them half of the page's time. Everything else is Django templates.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"undefined": jinja2.StrictUndefined},  # a name the card reads and nobody set is an error
    },
]

# --- database --------------------------------------------------------------------------------------
# SQLite: WAL + IMMEDIATE transactions + busy timeout, so the web server and the task cluster can
# write at the same time without "database is locked" (see shared/publishing-reliability.md).
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "pressroom.sqlite3",
            "OPTIONS": _SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- auth ------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The admin's model permissions come from the role in each workspace (no role groups).
    "accounts.backends.WorkspaceRoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Where "home" sends a signed-in user who has a workspace (accounts does not import the apps above it).
WORKSPACE_HOME_VIEW = "scheduler:dashboard"
# Where the grid planner reads what is already on an account's profile (scheduler does not import archive):
# a function (account, limit) -> [scheduler.selectors.grid.LiveItem]; empty string = publish history only.
GRID_LIVE_SOURCE = "archive.grid.live_items"

# Login throttling: lock a username+IP pair after repeated failures.
# Two-factor sign-in (accounts/two_factor.py): required for Administrators and the Django admin. On by default in
# production (DEBUG=false); the demo (DEBUG on) leaves it off so its logins stay one step. A workspace may require
# it of all its members (its settings), whatever this says.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Pressroom"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None

# --- i18n / time -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # stored and computed in UTC; shown in each workspace's own timezone
USE_I18N = True
USE_TZ = True

# --- static and media ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
USE_S3 = bool(AWS_STORAGE_BUCKET_NAME)
if USE_S3:
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="us-east-1")
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_QUERYSTRING_EXPIRE = env.int("MEDIA_URL_EXPIRY_SECONDS", default=3600)
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Instagram fetches media from a public URL: presigned S3 URLs, or signed expiring app URLs under this base.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
MEDIA_URL_EXPIRY_SECONDS = env.int("MEDIA_URL_EXPIRY_SECONDS", default=3600)
MEDIA_MAX_IMAGE_MB = env.int("MEDIA_MAX_IMAGE_MB", default=30)
MEDIA_MAX_VIDEO_MB = env.int("MEDIA_MAX_VIDEO_MB", default=300)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temp file
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default=None)

# --- email -----------------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Pressroom <pressroom@localhost>")

# --- Instagram -------------------------------------------------------------------------------------
# The default points at the offline sandbox (`python -m instagram.sandbox`), so everything runs offline.
INSTAGRAM_GRAPH_URL = env.str("INSTAGRAM_GRAPH_URL", default="http://127.0.0.1:8100").rstrip("/")
INSTAGRAM_OAUTH_URL = env.str("INSTAGRAM_OAUTH_URL", default=INSTAGRAM_GRAPH_URL).rstrip("/")
INSTAGRAM_API_URL = env.str("INSTAGRAM_API_URL", default=INSTAGRAM_GRAPH_URL).rstrip("/")
INSTAGRAM_API_VERSION = env.str("INSTAGRAM_API_VERSION", default="v25.0")
INSTAGRAM_APP_ID = env.str("INSTAGRAM_APP_ID", default="sandbox-app")
INSTAGRAM_APP_SECRET = env.str("INSTAGRAM_APP_SECRET", default="sandbox-secret")
INSTAGRAM_TIMEOUT_SECONDS = env.float("INSTAGRAM_TIMEOUT_SECONDS", default=30.0)
INSTAGRAM_TOKEN_REFRESH_DAYS = env.int("INSTAGRAM_TOKEN_REFRESH_DAYS", default=10)

# --- task cluster (django-q2) ------------------------------------------------------------------------
# Values follow shared/publishing-reliability.md: the engine owns retries (ack_failures, max_attempts=1),
# the lease (retry) is longer than timeout x (1 + queue_limit/workers), and missed slots are not replayed.
Q_CLUSTER = {
    "name": "pressroom",
    "orm": "default",
    "workers": env.int("Q_WORKERS", default=2),
    "queue_limit": env.int("Q_QUEUE_LIMIT", default=2),
    "timeout": env.int("Q_TIMEOUT", default=120),
    "retry": env.int("Q_RETRY", default=600),
    "ack_failures": True,
    "max_attempts": 1,
    "catch_up": False,
    "recycle": 200,
    "save_limit": 1000,
    "poll": env.float("Q_POLL", default=1.0),
    "sync": env.bool("Q_SYNC", default=False),
}
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=180)

# --- publishing engine ---------------------------------------------------------------------------------
# A claimed post not finished within the lease is reaped and reconciled (never blindly retried).
PUBLISH_LEASE_SECONDS = env.int("PUBLISH_LEASE_SECONDS", default=600)
# Posts processed in parallel by one dispatcher run (threads; each waits on Instagram, not the CPU).
PUBLISH_CONCURRENCY = env.int("PUBLISH_CONCURRENCY", default=8)
# One dispatcher run stops claiming after this long, well under the cluster timeout.
DISPATCH_BUDGET_SECONDS = env.int("DISPATCH_BUDGET_SECONDS", default=50)
PUBLISH_BACKOFF_BASE_SECONDS = env.int("PUBLISH_BACKOFF_BASE_SECONDS", default=60)
PUBLISH_BACKOFF_CAP_SECONDS = env.int("PUBLISH_BACKOFF_CAP_SECONDS", default=3600)
VIDEO_POLL_SECONDS = env.int("VIDEO_POLL_SECONDS", default=20)
CONTAINER_WAIT_MAX_SECONDS = env.int("CONTAINER_WAIT_MAX_SECONDS", default=900)
RECONCILE_MAX_ATTEMPTS = env.int("RECONCILE_MAX_ATTEMPTS", default=5)
# Posts of an account that needs reconnecting wait this long past their time, then fail with that reason.
PUBLISH_RECONNECT_GRACE_HOURS = env.int("PUBLISH_RECONNECT_GRACE_HOURS", default=24)
METRICS_DAYS = env.int("METRICS_DAYS", default=30)

# --- archive (archive/conf.py documents each) -------------------------------------------------------
ARCHIVE_DOWNLOAD_CONCURRENCY = env.int("ARCHIVE_DOWNLOAD_CONCURRENCY", default=3)
ARCHIVE_PAGE_SIZE = env.int("ARCHIVE_PAGE_SIZE", default=25)
ARCHIVE_STEP_SECONDS = env.int("ARCHIVE_STEP_SECONDS", default=90)
ARCHIVE_LEASE_SECONDS = env.int("ARCHIVE_LEASE_SECONDS", default=300)
ARCHIVE_DEFAULT_REFRESH_HOURS = env.int("ARCHIVE_DEFAULT_REFRESH_HOURS", default=24)
ARCHIVE_FULL_PASS_DAYS = env.int("ARCHIVE_FULL_PASS_DAYS", default=7)

# --- security ----------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Content-Security-Policy (django-csp, docs/architecture.md): scripts only from our own static files — no inline
# <script>, no on*= handlers, no eval (htmx runs with allowEval off) — so an injected link or markup cannot run
# script. Styles keep 'unsafe-inline': templates set a few style attributes (progress bars, aspect ratios) and
# htmx and the Django admin add small <style> elements. Media may come from the S3 bucket (presigned URLs).
_MEDIA_ORIGINS = ["'self'", "data:"]
if USE_S3:
    _MEDIA_ORIGINS.append(_origin(AWS_S3_ENDPOINT_URL) if AWS_S3_ENDPOINT_URL else "https://*.amazonaws.com")
_MEDIA_ORIGINS += env.list("CSP_MEDIA_ORIGINS", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # Connected accounts' profile pictures are Instagram's URLs (the sandbox serves them itself).
        "img-src": [*_MEDIA_ORIGINS, _origin(INSTAGRAM_GRAPH_URL), "https://*.cdninstagram.com", "https://*.fbcdn.net"],
        "media-src": _MEDIA_ORIGINS,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Connecting Instagram posts a form that redirects to Instagram's sign-in page (browsers check redirects).
        "form-action": ["'self'", _origin(INSTAGRAM_OAUTH_URL)],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- production processes (issue 24: runworker, scale-out) ----------------------------------------------
# `manage.py runworker` stops within this many seconds of SIGTERM/SIGINT/SIGHUP; a publish still running
# then is left to the lease (PUBLISH_LEASE_SECONDS). Keep it below your process manager's kill timeout.
RUNWORKER_STOP_SECONDS = env.float("RUNWORKER_STOP_SECONDS", default=8.0)
# The minute schedule's dispatcher pass is skipped while a runworker dispatcher loop beat within this long.
DISPATCHER_LOOP_STALE_SECONDS = env.int("DISPATCHER_LOOP_STALE_SECONDS", default=30)
