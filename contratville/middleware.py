"""Request size limits, and no caching of what a signed-in user sees.

`RequestSizeLimitMiddleware` is the first of MIDDLEWARE: it looks at the request's declared
length before anything reads its body. Django's CSRF middleware reads `request.POST`, which
writes an upload above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file: without this check, an
anonymous visitor's 300 MB POST to the import page would be written to disk whole, and only then
sent to the login page. The limits depend on the address (settings REQUEST_MAX_BODY_SIZE,
IMPORT_MAX_UPLOAD_SIZE, DOCUMENT_MAX_UPLOAD_SIZE): the same for every visitor, signed in or not,
since the session is not read yet.

`PrivateCacheMiddleware` marks every answer to a signed-in user `private, no-store` (pages,
exports, PDF, JSON): no shared proxy nor browser cache keeps them. It runs inside WhiteNoise, so
the static files keep their own long cache headers."""

import re
from functools import cached_property

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{title} — Contrat de Ville</title></head>
<body>
<main>
<h1>{title}</h1>
<p>{message}</p>
<p><a href="/">Retour à l'accueil</a></p>
</main>
</body>
</html>
"""


def format_size(size: int) -> str:
    """`10485760` → `10 Mo`, `2621440` → `2,5 Mo`."""
    megabytes = size / (1024 * 1024)
    if megabytes == int(megabytes):
        return f"{int(megabytes)} Mo"
    return f"{megabytes:.1f} Mo".replace(".", ",")


def refusal(status: int, title: str, message: str) -> HttpResponse:
    """A short French page. The body that was not read is the server's to drop (gunicorn reads
    it away or closes the connection); a WSGI application may not set `Connection` itself."""
    response = HttpResponse(
        PAGE.format(title=escape(title), message=escape(message)),
        status=status,
        content_type="text/html; charset=utf-8",
    )
    add_never_cache_headers(response)
    return response


class RequestSizeLimitMiddleware:
    """Refuses a request body above the limit of its address, before it is read: 413 when the
    declared length is too large, 400 when it is not a number, 411 when the body comes in chunks
    without a declared length (Django would read none of it: better say so than lose it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def import_paths(self) -> list[re.Pattern]:
        return [re.compile(pattern) for pattern in settings.IMPORT_UPLOAD_PATHS]

    @cached_property
    def document_paths(self) -> list[re.Pattern]:
        return [re.compile(pattern) for pattern in settings.DOCUMENT_UPLOAD_PATHS]

    def limit(self, path: str) -> tuple[int, str]:
        """The largest body accepted at `path`, and what it is for (for the message)."""
        margin = settings.UPLOAD_ENVELOPE_MARGIN
        if any(pattern.search(path) for pattern in self.import_paths):
            size = settings.IMPORT_MAX_UPLOAD_SIZE
            return size + margin, f"un fichier importé ne peut dépasser {format_size(size)}"
        if any(pattern.search(path) for pattern in self.document_paths):
            size = settings.DOCUMENT_MAX_UPLOAD_SIZE
            return size + margin, f"un document ne peut dépasser {format_size(size)}"
        size = settings.REQUEST_MAX_BODY_SIZE
        return size, f"un formulaire ne peut dépasser {format_size(size)}"

    def __call__(self, request):
        refused = self.check(request.META, request.path_info)
        return refused or self.get_response(request)

    def check(self, meta, path: str) -> HttpResponse | None:
        declared = (meta.get("CONTENT_LENGTH") or "").strip()
        if not declared:
            if meta.get("HTTP_TRANSFER_ENCODING", "").strip():
                return refusal(
                    411,
                    "Longueur de la requête requise",
                    "La requête doit indiquer sa longueur (en-tête Content-Length) : "
                    "un envoi par morceaux n'est pas accepté.",
                )
            return None
        # Digits only (no sign, no "1e9"), and no more than a 64-bit length.
        if not (declared.isascii() and declared.isdigit()) or len(declared) > 18:
            return refusal(400, "Requête invalide", "La longueur déclarée de la requête n'est pas valide.")
        limit, explanation = self.limit(path)
        if int(declared) > limit:
            return refusal(
                413,
                "Envoi trop volumineux",
                f"L'envoi dépasse la taille acceptée : {explanation}. Rien n'a été enregistré.",
            )
        return None


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` (with Django's never-cache headers) on every answer to
    a signed-in user, whatever the view set: what a user sees depends on their rights."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
