"""Development settings: DEBUG on, SQLite by default, a throw-away secret key."""

from .base import *  # noqa: F401,F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

# Static files straight from the apps' and project's folders (no collectstatic outside production).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# E-mails (the letters) are printed on the console, never sent.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# The demonstration's agglomeration SIRET for the open data (SCDL): CABBALR's SIREN (200072460)
# with a NIC chosen so that the number passes the Luhn check. A placeholder, not its official
# SIRET: set AGGLOMERATION_SIRET to the real one.
AGGLOMERATION_SIRET = env("AGGLOMERATION_SIRET", "20007246000013")
