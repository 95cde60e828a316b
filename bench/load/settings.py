"""The production settings, for the load test only: plain HTTP on the loopback address.

`bench/load/run.sh` serves the application with gunicorn on 127.0.0.1 without TLS, so the
cookies that production marks `Secure` (browsers and locust's HTTP client send them over HTTPS
only) are sent over HTTP here, and nothing redirects to HTTPS. Everything else, the database,
the middleware, static files and security headers, is production's."""

from contratville.settings.production import *  # noqa: F401,F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
