"""Plotly figures as vector SVG, for the PDF bilan: the same figures as the dashboard's, drawn by
kaleido in Debian's Chromium.

Chromium takes a second or two to start and then draws a chart in a fraction of a second, so one
headless Chromium is started per process, on first use, and kept until the process ends. It runs
in its own thread, with its own asyncio loop: Django's views stay synchronous, and one lock makes
the drawings one at a time. Drawn charts are kept in a small cache keyed by the figure itself, so
a figure whose data has not changed is not drawn twice.

When no browser is available (or it fails), `figure_svg` logs a warning and returns None; the
bilan then prints its data tables and a note where the chart would be.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
# kaleido and its browser driver narrate every step at INFO; only their warnings matter here.
for _name in ("kaleido", "choreographer", "browser_proc", "logistro"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.WARNING)

START_TIMEOUT = 60  # seconds: Chromium's first start on a cold disk
RENDER_TIMEOUT = 30  # seconds for one chart
RETRY_AFTER = 300  # seconds before trying again a browser that failed to start
CACHE_SIZE = 32


# plotly.js fetches a world map (topojson) from its CDN for any geo figure, even one drawn from
# our own GeoJSON with the base map hidden. Chromium here has no network: give it an empty
# world instead, which is all a map with `visible=False` needs.
GEO_ASSETS_JS = """
window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
(function () {
  var layers = ["land", "ocean", "coastlines", "lakes", "rivers", "countries", "subunits"];
  ["world_110m", "world_50m"].forEach(function (name) {
    if (window.PlotlyGeoAssets.topojson[name]) return;
    var objects = {};
    layers.forEach(function (layer) { objects[layer] = {type: "GeometryCollection", geometries: []}; });
    window.PlotlyGeoAssets.topojson[name] = {type: "Topology", objects: objects, arcs: []};
  });
})();
"""


class ChartRenderingUnavailable(RuntimeError):
    """No browser could draw the chart."""


# Switches that choreographer (kaleido's browser driver) always gives Chromium, and that we take
# away: the charts' page needs neither. Without them, the page keeps the same-origin policy and
# cannot read other local files (tests/reports/test_pdf_resources.py draws every chart of the
# bilan without them).
REMOVED_SWITCHES = frozenset({"--disable-web-security", "--allow-file-access-from-files"})


def _strict_chromium_class():
    """choreographer's Chromium, started without REMOVED_SWITCHES."""
    from choreographer.browsers.chromium import Chromium

    class StrictChromium(Chromium):
        def get_cli(self):
            return [switch for switch in super().get_cli() if switch not in REMOVED_SWITCHES]

    return StrictChromium


def chromium_path() -> str | None:
    """The browser kaleido drives: settings.CHROMIUM_PATH, $CHROMIUM_PATH, then Debian's."""
    configured = getattr(settings, "CHROMIUM_PATH", None) or os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


class ChartRenderer:
    """One kaleido (one headless Chromium) in a background thread, started on first use."""

    def __init__(self, path: str | None):
        self.path = path
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._failed_at: float | None = None
        self._failure = ""
        self._assets: tempfile.TemporaryDirectory | None = None

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def _start(self) -> None:
        if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_AFTER:
            raise ChartRenderingUnavailable(self._failure)
        if not self.path or not Path(self.path).is_file():
            self._fail(f"aucun navigateur Chromium à l'emplacement {self.path!r}")
        import kaleido  # imported here: it pulls in a browser driver that only the PDF needs

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido", daemon=True)
        thread.start()

        self._assets = tempfile.TemporaryDirectory(prefix="bilan-kaleido-")
        geo_assets = Path(self._assets.name) / "plotly-geo-assets.js"
        geo_assets.write_text(GEO_ASSETS_JS, encoding="utf-8")
        # plotly.js from plotly.py's own package; mathjax=False: no formula in our charts, and
        # no request to a CDN.
        page = kaleido.PageGenerator(mathjax=False, others=[geo_assets.as_uri()])

        async def open_kaleido():
            k = kaleido.Kaleido(
                path=self.path,
                page_generator=page,
                timeout=RENDER_TIMEOUT,
                browser_cls=_strict_chromium_class(),
            )
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_kaleido(), loop).result(START_TIMEOUT)
        except Exception as error:  # noqa: BLE001 - any failure means: no charts, a warning
            loop.call_soon_threadsafe(loop.stop)
            self._fail(f"Chromium n'a pas démarré ({type(error).__name__}: {error})")
        self._loop, self._thread = loop, thread
        self._failed_at = None
        atexit.register(self.close)
        logger.debug("Chromium started for the charts of the PDF (%s)", self.path)

    def _fail(self, reason: str):
        self._failed_at = time.monotonic()
        self._failure = reason
        raise ChartRenderingUnavailable(reason)

    def render(self, figure: dict, *, width: int, height: int) -> bytes:
        """The SVG of a plotly figure (as a dict), `width` × `height` CSS pixels."""
        with self._lock:
            if not self.running:
                self._start()
            opts = {"format": "svg", "width": width, "height": height}
            future = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(figure, opts=opts), self._loop)
            try:
                return future.result(RENDER_TIMEOUT + 5)
            except FutureTimeout as error:
                future.cancel()
                self._close_locked()
                raise ChartRenderingUnavailable("le rendu du graphique a dépassé le délai") from error
            except Exception as error:
                # The browser may have died: start a new one next time.
                self._close_locked()
                raise ChartRenderingUnavailable(f"{type(error).__name__}: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        kaleido, loop, thread = self._kaleido, self._loop, self._thread
        self._kaleido = self._loop = self._thread = None
        if kaleido is None or loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(kaleido.close(), loop).result(10)
        except Exception:  # noqa: BLE001 - closing a browser that is already gone
            logger.debug("Chromium did not close cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(5)
        if self._assets is not None:
            self._assets.cleanup()
            self._assets = None


_renderer: ChartRenderer | None = None
_renderer_lock = threading.Lock()
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


def get_renderer() -> ChartRenderer:
    """The process's renderer, for the configured browser."""
    global _renderer
    with _renderer_lock:
        path = chromium_path()
        if _renderer is None or _renderer.path != path:
            if _renderer is not None:
                _renderer.close()
            _renderer = ChartRenderer(path)
        return _renderer


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def figure_svg(figure, *, width: int = 680, height: int = 420) -> bytes | None:
    """The figure (plotly Figure or dict) drawn as SVG; None, with a logged warning, when no
    browser can draw it."""
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    import plotly.io as pio

    text = pio.to_json(spec, validate=False, engine="json")
    key = hashlib.sha256(f"{width}x{height}:{text}".encode()).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        svg = get_renderer().render(spec, width=width, height=height)
    except ChartRenderingUnavailable as error:
        logger.warning("Graphique du bilan non dessiné : %s", error)
        return None
    with _cache_lock:
        _cache[key] = svg
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return svg
