"""Test settings: fast password hashing; SQLite unless DATABASE_URL names PostgreSQL."""

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Sign-in lockout (django-axes) needs the request in every authenticate() call; tests that
# exercise it turn it on with override_settings.
AXES_ENABLED = False

# Static files straight from the apps' and project's folders (no collectstatic outside production).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A letter's failed e-mail is tried again at once in the tests.
LETTER_SEND_RETRY_DELAY = 0
