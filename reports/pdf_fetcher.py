"""What WeasyPrint may read while it lays out a PDF: our own static files and `data:` URIs.

The bilan's document holds its stylesheets inline and its charts as `data:` URIs; it names
nothing else. Its texts are written by the direction, and escaped; but should an `<img>`, a
`<link>` or a CSS `url()` ever reach the document, WeasyPrint's default fetcher would read any
`file://` on the server (`/etc/passwd`, the `.env`) and any `http(s)://` address (the server's
network, a cloud's metadata address). This one reads only files under the static folders
(those the staticfiles finders search, and STATIC_ROOT), by their real path (no `..` nor
symbolic link out of them), and refuses the rest, with a line in the log; WeasyPrint then
leaves the resource out."""

import logging
import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)


class RefusedResource(ValueError):
    """A resource outside our static files."""


def static_roots() -> list[Path]:
    """The folders our static files come from, as real paths."""
    roots = []
    for finder in finders.get_finders():
        for location in getattr(finder, "locations", []):  # FileSystemFinder: (prefix, root)
            roots.append(location[1] if isinstance(location, tuple) else location)
        for storage in getattr(finder, "storages", {}).values():  # AppDirectoriesFinder
            roots.append(storage.location)
    if settings.STATIC_ROOT:
        roots.append(settings.STATIC_ROOT)
    return [Path(os.path.realpath(root)) for root in roots]


def static_file(url: str) -> Path | None:
    """The file a `file://` URL names, if it is one of our static files."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(os.path.realpath(url2pathname(parts.path)))
    if not path.is_file():
        return None
    if any(path.is_relative_to(root) for root in static_roots()):
        return path
    return None


class StaticFilesURLFetcher(URLFetcher):
    """WeasyPrint's fetcher, limited to `data:` URIs and our static files."""

    def __init__(self, **kwargs):
        # No redirect to follow, no protocol but these two.
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_file(url)
        if path is None:
            logger.warning("PDF : ressource refusée (hors des fichiers statiques) : %.200s", url)
            raise RefusedResource(f"ressource refusée : {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
