"""Django settings, read from the environment so one build runs from laptop to partnership.

`DATABASE_URL` chooses the database (default: embedded SQLite under `./var/`);
`SHINEALIGHT_HOME` moves `./var/`; `SHINEALIGHT_SECRET_KEY` overrides the key that
`shinealight init` writes to `var/secret_key`.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url

HOME = Path(os.environ.get("SHINEALIGHT_HOME", Path.cwd() / "var")).resolve()
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{HOME / 'shinealight.sqlite3'}"


def _secret_key() -> str:
    if key := os.environ.get("SHINEALIGHT_SECRET_KEY"):
        return key
    key_file = HOME / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    # No key on disk yet (before `init`, or in tests): a per-process key keeps sessions
    # working for this process only, which is the safe failure.
    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SHINEALIGHT_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("SHINEALIGHT_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "shinealight.accounts",
    "shinealight.audit",
    "shinealight.records",
    # Before people: its after-import hook refuses records deleted under retention
    # before linkage, extraction or alerts see them.
    "shinealight.retention",
    "shinealight.people",
    # After people: its after-import hook refreshes who knows which child once linkage ran.
    "shinealight.access",
    "shinealight.extraction",
    "shinealight.alerts",
    "shinealight.cases",
    "shinealight.exports",
    "shinealight.api",
    # Two-factor authentication: allauth's TOTP and recovery-code primitives and their
    # table (docs/adr/0004-two-factor-with-allauth-primitives.md). allauth.mfa needs
    # allauth.account installed; neither's sign-in views or URLs are used.
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shinealight.web.middleware.ContentSecurityPolicyMiddleware",
    "shinealight.web.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session signed in with a password alone reaches nothing but the second-factor pages.
    "shinealight.accounts.middleware.SecondFactorMiddleware",
    # allauth.account refuses to start without its middleware; it only sets a request context.
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # no-store for signed-in users; refusals (403/404) written to the audit trail.
    "shinealight.web.middleware.PrivateResponseMiddleware",
    # Axes must come last: it turns a locked-out login into a refusal.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shinealight.web.urls"
WSGI_APPLICATION = "shinealight.web.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "libraries": {"govuk": "shinealight.web.templatetags.govuk"},
        },
    }
]

DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one
        # failing half-way with "database is locked" (the audit chain needs a single writer).
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests run on a file in WAL mode, as the product does. Django's default for SQLite
    # tests, one in-memory database shared between threads, locks whole tables: now and
    # then a background import's write failed while the page polled the job's status.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"shinealight-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(os.environ.get("SHINEALIGHT_LOCKOUT_AFTER", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
# A right password is only half a sign-in: failures (wrong passwords and wrong codes) are
# cleared when the second factor passes too (accounts.two_factor), not at the password.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "shinealight.accounts.lockout.lockout_response"
# Locking by username alone is deliberate: partnership staff share office and NHS network
# addresses, and locking an address would lock out a whole team after one person's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Every role signs in with a password and a code from an authenticator app (TOTP).
# Switching it off ("0") is for development only.
SHINEALIGHT_MFA_REQUIRED = os.environ.get("SHINEALIGHT_MFA_REQUIRED", "1") != "0"
# Exports and PDF downloads ask for the password and code again when the last time they
# were entered is older than this.
SHINEALIGHT_REAUTHENTICATE_AFTER = timedelta(
    minutes=int(os.environ.get("SHINEALIGHT_REAUTHENTICATE_MINUTES", "5"))
)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("SHINEALIGHT_MFA_ISSUER", "Shine a Light")
# One 30-second step either side of now, for phones whose clocks drift; each step's code
# is accepted once (accounts.two_factor keeps the last step used).
MFA_TOTP_TOLERANCE = 1

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A screen left signed in on a shared office PC is a leak: sessions end after 30 minutes
# without activity (each request renews them) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SHINEALIGHT_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
HTTPS = os.environ.get("SHINEALIGHT_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "web" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the installed packages, so `serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: a view is reachable only by the roles it names.
    "DEFAULT_PERMISSION_CLASSES": ["shinealight.api.permissions.RoleAllowed"],
    # The usual parsers, refusing U+0000 (PostgreSQL cannot store it) with a 400.
    "DEFAULT_PARSER_CLASSES": [
        "shinealight.api.parsers.JSONParser",
        "shinealight.api.parsers.FormParser",
        "shinealight.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "shinealight.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shinealight.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
    # A flood of requests from one account or address is refused with 429.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("SHINEALIGHT_API_RATE", "600/minute"),
        "anon": "30/minute",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shine a Light API",
    "DESCRIPTION": (
        "Agency records in, one multi-agency picture out. Every read is audited; "
        'every error has the body {"message": …, "extra": …}.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "shinealight.api.schema.postprocess",
    ],
}

# Linkage, extraction and alerts run on each import inside its transaction. An initial bulk
# load can switch that off and run `shinealight link` and `shinealight analyse` after it.
SHINEALIGHT_ANALYSE_ON_IMPORT = os.environ.get("SHINEALIGHT_ANALYSE_ON_IMPORT", "1") != "0"

# A file uploaded on the import page is imported by a background thread of the web process,
# and its page follows it (`records.import_jobs`). "0" imports inside the upload's request
# instead: deterministic, for tests and for debugging.
SHINEALIGHT_IMPORT_IN_BACKGROUND = os.environ.get("SHINEALIGHT_IMPORT_IN_BACKGROUND", "1") != "0"

# Break-glass access to a child's records lasts this long unless ended sooner.
SHINEALIGHT_BREAK_GLASS_HOURS = float(os.environ.get("SHINEALIGHT_BREAK_GLASS_HOURS", "4"))

# Notification e-mail goes out through the database task queue (`shinealight worker`).
# The demo prints it to the console; a partnership names its backend here.
EMAIL_BACKEND = os.environ.get(
    "SHINEALIGHT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHINEALIGHT_LOG_LEVEL", "WARNING")},
}
