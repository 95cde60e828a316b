"""Production settings: everything from the environment, PostgreSQL, HTTPS only.

The security headers, the Content-Security-Policy, the sign-in protection and the session's
idle timeout are in `base` (every environment, so that the tests see them). Here: what only
makes sense behind HTTPS and a reverse proxy, and the static files collected for WhiteNoise."""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import ANTIVIRUS, BASE_DIR, env, env_bool, env_list, require_env

DEBUG = False
SECRET_KEY = require_env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# No silent fallback to a SQLite file in the code's folder: the database is always named.
DATABASES = {
    "default": dj_database_url.parse(
        require_env("DATABASE_URL"),
        conn_max_age=int(env("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

# Uploaded pieces are always scanned in production (documents/antivirus.py, CLAMD_SOCKET).
if ANTIVIRUS == "off":
    raise ImproperlyConfigured(
        "ANTIVIRUS=off est réservé au développement : en production, chaque pièce déposée est analysée "
        "par ClamAV (CLAMD_SOCKET)."
    )

# HTTPS, behind a reverse proxy that sets X-Forwarded-Proto (and X-Forwarded-For: see
# AXES_IPWARE_PROXY_COUNT in base).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Static files: `manage.py collectstatic` into STATIC_ROOT, served by WhiteNoise with hashed
# names (cached for a year by browsers) and pre-compressed copies.
STATIC_ROOT = env("STATIC_ROOT") or str(BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Only the hashed copies are kept (and compressed): every page names its files through
# {% static %}, and half the files means half the compression time at each deployment.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# E-mail through the agglomeration's SMTP server (the letters to the porteurs).
EMAIL_BACKEND = env("EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(env("EMAIL_PORT") or 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
