"""Sign-in protection and the security log.

- django-axes locks a (username, address) pair after AXES_FAILURE_LIMIT wrong passwords for
  AXES_COOLOFF_TIME: `lockout_response` is its French page, `client_ip_address` tells it the
  client's address behind a reverse proxy.
- A signed-in session ends after SESSION_COOKIE_AGE seconds without a request:
  `SessionActivityMiddleware` pushes its expiry back as its user works.
- Every sign-in failure, lockout and refused permission (403) is written to the
  `contratville.security` logger with the user, the address, the path and the view, for the
  administrator to follow up. Passwords never reach the log.
"""

import ipaddress
import logging
import math
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.shortcuts import render
from django.views import defaults

security_log = logging.getLogger("contratville.security")


def client_ip_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind AXES_IPWARE_PROXY_COUNT reverse proxies,
    the entry of X-Forwarded-For that the outermost proxy appended.

    Each proxy appends the address it received the request from, so with N proxies the client
    is the N-th entry from the right; whatever is further left was written by the client and
    proves nothing."""
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


def _username(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return "(anonyme)"


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match._func_path) if match else ""


def lockout_minutes() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked (username, address) pair: a French page, status 429."""
    from axes.helpers import get_client_username

    username = get_client_username(request, credentials) or ""
    security_log.warning(
        "Connexion bloquée : identifiant %r verrouillé depuis l'adresse %s pour %d minutes",
        username,
        client_ip_address(request),
        lockout_minutes(),
        extra={"username": username, "ip_address": client_ip_address(request), "path": request.path},
    )
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "username": username,
            "minutes": lockout_minutes(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def log_login_failure(sender, credentials, request=None, **kwargs):
    """Django sends `user_login_failed` with the credentials already cleansed of the password."""
    username = str(credentials.get("username", ""))[:150]
    address = client_ip_address(request) if request is not None else None
    path = request.get_full_path() if request is not None else ""
    security_log.warning(
        "Échec de connexion : identifiant %r depuis l'adresse %s (%s)",
        username,
        address,
        path,
        extra={"username": username, "ip_address": address, "path": path},
    )


def log_login(sender, request, user, **kwargs):
    address = client_ip_address(request) if request is not None else None
    security_log.info(
        "Connexion : %s depuis l'adresse %s",
        user.get_username(),
        address,
        extra={"username": user.get_username(), "ip_address": address},
    )


def permission_denied(request, exception=None, template_name="403.html"):
    """`handler403`: every PermissionDenied becomes the 403 page, and a line in the log."""
    username, view, path = _username(request), _view_name(request), request.get_full_path()
    security_log.warning(
        "Accès refusé : %s %s pour %s (vue %s, adresse %s)",
        request.method,
        path,
        username,
        view,
        client_ip_address(request),
        extra={"username": username, "path": path, "view": view, "method": request.method},
    )
    return defaults.permission_denied(request, exception, template_name=template_name)


# When the session's expiry was last pushed back (seconds since the epoch).
ACTIVITY_KEY = "_contratville_activity"


class SessionActivityMiddleware:
    """A signed-in user's session expires SESSION_COOKIE_AGE seconds after their last request.

    Saving a session sets its expiry (in the database and on the cookie) to that age from now.
    Saving it on every request would cost a write per page; it is saved again only when the
    last save is more than SESSION_REFRESH_INTERVAL seconds old, so the session ends between
    SESSION_COOKIE_AGE - SESSION_REFRESH_INTERVAL and SESSION_COOKIE_AGE after the last request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(ACTIVITY_KEY, 0) >= settings.SESSION_REFRESH_INTERVAL:
                # Marks the session modified: SessionMiddleware saves it, with a new expiry.
                request.session[ACTIVITY_KEY] = now
        return response


def stamp_session_activity(sender, request, user, **kwargs):
    """Signing in saves the session: the first requests after it need not."""
    if request is not None and hasattr(request, "session"):
        request.session[ACTIVITY_KEY] = int(time.time())


def connect_signals() -> None:
    user_login_failed.connect(log_login_failure, dispatch_uid="contratville_log_login_failure")
    user_logged_in.connect(log_login, dispatch_uid="contratville_log_login")
    user_logged_in.connect(stamp_session_activity, dispatch_uid="contratville_stamp_session_activity")
