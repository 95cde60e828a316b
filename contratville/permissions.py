"""Server-side permission checks for views: sign-in first, then the permission.

An anonymous visitor is sent to the login page; a signed-in user without the permission gets
a 403 page (never a login loop)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def permission_required(*perms: str):
    """Decorator: the user must be signed in and hold every permission in `perms`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
