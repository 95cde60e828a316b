"""Settings shared by every environment, read from the environment where they vary."""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def csp_hash(source: str) -> str:
    """A Content-Security-Policy source that allows exactly this inline text (with 'unsafe-hashes'
    for an attribute)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"La variable d'environnement {name} est obligatoire.")
    return value


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, with its site open to administrators only (contratville/admin_site.py).
    "contratville.apps.ContratvilleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    # Registers django-csp's checks of the policy's format.
    "csp",
    # Sign-in failures and refused permissions logged (contratville/auth.py).
    "contratville.apps.ContratvilleConfig",
    "projects",
    "funding",
    "reports",
    "comites",
    "documents",
    "courriers",
]

MIDDLEWARE = [
    # First: a request body above its address's limit is refused (413) before anything reads it
    # (the CSRF middleware's request.POST would write an upload to disk).
    "contratville.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files served by the application itself (behind any reverse proxy).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # `Cache-Control: private, no-store` on every answer to a signed-in user (inside WhiteNoise:
    # static files keep their cache headers).
    "contratville.middleware.PrivateCacheMiddleware",
    # Pushes a signed-in session's expiry back as its user works (SESSION_IDLE_TIMEOUT).
    "contratville.auth.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's middleware, with the admin's few inline attributes allowed on /admin/ only.
    "contratville.security.CSPMiddleware",
    # Records who made each change in the audit trail.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: counts failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "contratville.urls"
WSGI_APPLICATION = "contratville.wsgi.application"

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
                "projects.context_processors.programme_year",
            ],
        },
    },
]

# SQLite in the project folder unless DATABASE_URL says otherwise (production: PostgreSQL).
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# French formats: "6 931 463,00" (the fr locale groups with a no-break space).
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (the dossiers' pieces, pending imports), through Django's default storage. No
# URL serves this folder: pieces are sent by permission-checked views only (documents/views.py).
MEDIA_ROOT = Path(env("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "media/"

# Request bodies (contratville/middleware.py): above the limit of its address, a request is
# refused with 413 before anything reads it, for every visitor, signed in or not.
# Import files are read in memory; beyond this size they are refused. The programmation import
# and the admin's spreadsheet imports (django-import-export's /admin/<app>/<model>/import/).
IMPORT_MAX_UPLOAD_SIZE = int(env("IMPORT_MAX_UPLOAD_SIZE", str(10 * 1024 * 1024)))
IMPORT_UPLOAD_PATHS = [
    r"^/projets/import/$",
    r"^/comptes-rendus/import/$",
    r"^/admin/[a-z_]+/[a-z_]+/import/$",
]
# The dossiers' pieces (documents/): the addresses that take them.
DOCUMENT_MAX_UPLOAD_SIZE = int(env("DOCUMENT_MAX_UPLOAD_SIZE", str(10 * 1024 * 1024)))
DOCUMENT_UPLOAD_PATHS = [r"^/projets/\d+/documents/$"]
# What a multipart request adds around its file: boundaries, the part's headers, the other
# fields. A file at the limit passes, and the form says in French when it is above.
UPLOAD_ENVELOPE_MARGIN = 64 * 1024
# Every other request body (forms, sign-in): Django's own default for form data.
REQUEST_MAX_BODY_SIZE = int(env("REQUEST_MAX_BODY_SIZE", str(5 * 1024 * 1024 // 2)))
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_SIZE

# --- The dossiers' pieces (documents/): antivirus (their size: DOCUMENT_MAX_UPLOAD_SIZE above) ---
# Every piece is scanned by ClamAV's daemon before it is stored, over its Unix socket. ANTIVIRUS=off
# stores files unscanned, saying so on every upload page: development only (refused in production).
ANTIVIRUS = (
    "off" if (env("ANTIVIRUS") or "on").strip().lower() in {"off", "0", "false", "no", "non"} else "on"
)
CLAMD_SOCKET = env("CLAMD_SOCKET") or "/var/run/clamav/clamd.ctl"
CLAMD_TIMEOUT = float(env("CLAMD_TIMEOUT") or 30)

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Sign-in failures, lockouts and refused permissions (contratville/auth.py): always kept,
        # whatever LOG_LEVEL says, for the administrator to read.
        "contratville.security": {"level": "INFO"},
    },
}

# --- Security headers and cookies (every environment: the tests see what production sends) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Caches, in each process's memory. "figures": the dashboard's figures and pages, keyed on the
# data's versions (contratville.versioning), so never stale; at most ~300 entries of ≤ 150 kB.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4): no inline script or style anywhere; the charts' data
# comes through json_script and plotly.js from our own static files, its style sheets too
# (templates/reports/_plotly.html). The Django admin's few inline attributes are allowed on
# /admin/ only (contratville/security.py). tests/browser/test_csp.py watches for violations.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The only two style attributes plotly.js writes for our charts: an empty one (colour
        # bars) and the one of <b> in a chart's text.
        "style-src-attr": ["'unsafe-hashes'", csp_hash(""), csp_hash("font-weight:bold")],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Sessions: they end after SESSION_IDLE_TIMEOUT seconds without a request (8 hours by
# default). Each request of a signed-in user pushes the expiry back, by saving the session again
# at most every SESSION_REFRESH_INTERVAL seconds (contratville/auth.py) rather than on every
# request as SESSION_SAVE_EVERY_REQUEST would: one write per minute instead of one per page. ---
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_TIMEOUT") or 8 * 3600)
SESSION_REFRESH_INTERVAL = min(60, SESSION_COOKIE_AGE // 10)

# --- Sign-in protection (django-axes) ---
# Five wrong passwords for one username from one address lock that pair for 15 minutes: one
# person's typos never lock their colleagues behind the same NAT, nor that person on another
# computer. A successful sign-in clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# French page with the delay in minutes, and the lockout logged.
AXES_LOCKOUT_CALLABLE = "contratville.auth.lockout_response"
# The client's address: REMOTE_ADDR, or, behind AXES_IPWARE_PROXY_COUNT reverse proxies that
# each append to X-Forwarded-For, the address the outermost of them saw. Never trust the
# header without proxies: any client can write it.
AXES_CLIENT_IP_CALLABLE = "contratville.auth.client_ip_address"
AXES_IPWARE_PROXY_COUNT = int(env("AXES_IPWARE_PROXY_COUNT") or 0) or None

# Name printed on the bilan and in the interface.
AGGLOMERATION_NAME = env(
    "AGGLOMERATION_NAME",
    "Communauté d'Agglomération de Béthune-Bruay, Artois Lys Romane",
)
AGGLOMERATION_SHORT_NAME = env("AGGLOMERATION_SHORT_NAME", "CABBALR")
# Letters to the porteurs (courriers): the letterhead's address and town ("Béthune, le …").
AGGLOMERATION_ADDRESS = env("AGGLOMERATION_ADDRESS", "")
AGGLOMERATION_TOWN = env("AGGLOMERATION_TOWN", "Béthune")

# E-mail: the letters leave from the agglomeration's address. Development prints them on the
# console (dev.py); production sends them through the SMTP server of the environment
# (production.py). A letter is tried LETTER_SEND_ATTEMPTS times, after 2, then 4 seconds...
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or "Politique de la ville <politique-de-la-ville@example.org>"
SERVER_EMAIL = env("SERVER_EMAIL") or DEFAULT_FROM_EMAIL
LETTER_REPLY_TO = env("LETTER_REPLY_TO", "")
LETTER_SEND_ATTEMPTS = int(env("LETTER_SEND_ATTEMPTS") or 3)
LETTER_SEND_RETRY_DELAY = float(env("LETTER_SEND_RETRY_DELAY") or 2)
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT") or 20)

# The follow-up page (/suivi/): a dossier in instruction for longer than this many days is listed
# (the page's « Seuil » changes it for one view).
FOLLOW_UP_INSTRUCTION_DAYS = int(env("FOLLOW_UP_INSTRUCTION_DAYS", "60"))

# The agglomeration's SIRET (14 digits): the `idAttribuant` of its subsidies' open data (SCDL,
# `manage.py export_scdl`). No default in production: set AGGLOMERATION_SIRET.
AGGLOMERATION_SIRET = env("AGGLOMERATION_SIRET", "")
