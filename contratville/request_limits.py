"""Request bodies over a size limit are refused with 413 before they are read.

`REQUEST_BODY_LIMITS` (settings) lists `(path regex, largest body in bytes)` pairs; a request to
a matching path that announces a larger `Content-Length` gets a short French page with status
413, before Django's upload handlers spool anything to memory or disk (and before the CSRF
check reads the form). The views keep their own size checks: this one only spares the server
the bytes."""

import re
from functools import cache

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes == int(megabytes):
        return f"{int(megabytes)} Mo"
    return f"{megabytes:.1f} Mo".replace(".", ",")


@cache
def _compiled(limits: tuple) -> list[tuple[re.Pattern, int, int]]:
    return [(re.compile(pattern), int(size), int(shown or size)) for pattern, size, shown in limits]


def _limits() -> list[tuple[re.Pattern, int, int]]:
    # Each entry: (pattern, largest body) or (pattern, largest body, size shown to the user).
    entries = tuple(
        tuple(entry) + (None,) * (3 - len(entry)) for entry in getattr(settings, "REQUEST_BODY_LIMITS", ())
    )
    return _compiled(entries)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            for pattern, limit, shown in _limits():
                if length > limit and pattern.search(request.path_info):
                    return self.too_large(request, shown)
        return self.get_response(request)

    @staticmethod
    def too_large(request, shown: int) -> HttpResponse:
        body = render_to_string("413.html", {"limit": _megabytes(shown), "back": request.get_full_path()})
        return HttpResponse(body, status=413)
