"""The PDF reads only our own static files (reports/pdf_fetcher.py), and the charts' Chromium
keeps the web's security: no `--disable-web-security`, no `--allow-file-access-from-files`
(reports/svg.py)."""

import logging
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Template

from projects.models import ProgrammeYear
from reports import bilan, svg
from reports.pdf_fetcher import RefusedResource, StaticFilesURLFetcher
from tests.factories import FundingLineFactory, ProgrammeYearFactory, ProjectFactory, funder, pillar, quartier

# A 1×1 PNG: what the server below answers for any image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.fixture
def http_server():
    """A web server on the loopback that notes every request it gets."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = PNG if self.path.endswith(".png") else b"body { color: red }"
            self.send_response(200)
            self.send_header("Content-Type", "image/png" if self.path.endswith(".png") else "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


HOSTILE_DOCUMENT = Template(
    """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Essai</title>
<link rel="stylesheet" href="{{ server }}/feuille.css">
<style>@import url("{{ server }}/importee.css");
body { background: url("file:///etc/passwd") }
h1 { background: url("{{ server }}/fond.png") }</style></head>
<body><h1>Essai</h1>
<img src="file:///etc/passwd" alt="x">
<img src="{{ server }}/image.png" alt="x">
<img src="https://example.org/image.png" alt="x">
<img src="contratville/settings/base.py" alt="x">
<img src="static/../contratville/settings/base.py" alt="x">
<img src="{{ static_image }}" alt="x">
</body></html>"""
)


def hostile_html(server: str) -> str:
    return HOSTILE_DOCUMENT.render(Context({"server": server, "static_image": static_image_uri()}))


def static_image_uri() -> str:
    """One of our static images (the admin's), as a file:// URL."""
    return Path(finders.find("admin/img/icon-yes.svg")).resolve().as_uri()


def test_the_fetcher_reads_our_static_files_and_data_uris():
    fetcher = StaticFilesURLFetcher()
    css = Path(finders.find("css/bilan.css"))
    response = fetcher.fetch(css.resolve().as_uri())
    assert response.read() == css.read_bytes()
    assert response.content_type == "text/css"
    # An app's static file too (the admin's).
    admin_css = Path(finders.find("admin/css/base.css"))
    assert fetcher.fetch(admin_css.resolve().as_uri()).read() == admin_css.read_bytes()
    assert fetcher.fetch("data:text/plain;charset=utf-8,bonjour").read() == b"bonjour"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://autre-serveur/etc/passwd",
        Path(settings.BASE_DIR, "contratville", "settings", "base.py").as_uri(),
        Path(settings.BASE_DIR, "static").resolve().as_uri() + "/../contratville/settings/base.py",
        Path(settings.BASE_DIR, "static").resolve().as_uri() + "/%2E%2E/contratville/settings/base.py",
        Path(settings.BASE_DIR, "static").resolve().as_uri() + "/",  # a folder
        "http://127.0.0.1:9/image.png",
        "https://example.org/image.png",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.org/image.png",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises((RefusedResource, ValueError)):
        StaticFilesURLFetcher().fetch(url)


def test_a_symbolic_link_out_of_the_static_folders_is_refused(settings, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "passwd.css").symlink_to("/etc/passwd")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static]
    with pytest.raises(RefusedResource):
        StaticFilesURLFetcher().fetch((static / "passwd.css").as_uri())


def test_the_pdf_fetches_nothing_from_a_hostile_document(http_server, caplog):
    server, hits = http_server
    with caplog.at_level(logging.WARNING, logger="reports.pdf_fetcher"):
        pdf = bilan.html_to_pdf(hostile_html(server), stylesheets=("css/bilan.css",))
    assert pdf.startswith(b"%PDF")
    assert hits == []
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "reports.pdf_fetcher")
    for url in (
        "file:///etc/passwd",
        f"{server}/image.png",
        f"{server}/feuille.css",
        f"{server}/importee.css",
        f"{server}/fond.png",
        "https://example.org/image.png",
        "contratville/settings/base.py",
    ):
        assert url in refused, url
    # Our own static image was read.
    assert static_image_uri() not in refused


def test_without_the_fetcher_weasyprint_would_fetch_them(http_server):
    """The control: the server above does see WeasyPrint's default fetcher."""
    from weasyprint import HTML

    server, hits = http_server
    HTML(string=hostile_html(server), base_url=str(settings.BASE_DIR)).write_pdf()
    assert "/image.png" in hits and "/feuille.css" in hits


@pytest.mark.django_db
def test_the_bilan_s_texts_cannot_bring_a_resource_into_the_pdf(http_server, monkeypatch):
    server, hits = http_server
    monkeypatch.setattr(bilan, "_draw_charts", lambda charts: None)
    year = ProgrammeYearFactory(year=2021)
    year.perspectives_text = f'<img src="{server}/texte.png"> <link rel="stylesheet" href="{server}/t.css">'
    year.save()
    bilan.clear_pdf_cache()
    pdf = bilan.render_pdf(2021)
    assert pdf.startswith(b"%PDF")
    assert hits == []


# --- The charts' browser -----------------------------------------------------------------------


@pytest.fixture
def fresh_renderer(monkeypatch):
    """A renderer of its own (its own Chromium), closed at the end."""
    monkeypatch.setattr(svg, "_renderer", None)
    monkeypatch.setattr(svg, "_cache", OrderedDict())
    yield
    if svg._renderer is not None:
        svg._renderer.close()


def _browser_command_lines(renderer) -> list[list[str]]:
    process = renderer._kaleido.subprocess
    lines = [list(map(str, process.args))]
    for child in psutil.Process(process.pid).children(recursive=True):
        try:
            lines.append(child.cmdline())
        except psutil.Error:
            continue
    return lines


@pytest.mark.django_db
def test_every_chart_of_the_bilan_is_drawn_by_a_chromium_without_the_insecure_switches(fresh_renderer):
    year = ProgrammeYearFactory(year=2021)
    for code, amount in (
        ("cohesion_sociale", "12000.00"),
        ("emploi", "8000.00"),
        ("cadre_de_vie", "3000.00"),
    ):
        project = ProjectFactory(year=year, pillar=pillar(code))
        project.quartiers.add(quartier())
        FundingLineFactory(project=project, amount_requested=amount, funder=funder("anct"))
    assert ProgrammeYear.objects.filter(year=2021).exists()
    context = bilan.bilan_context(2021)
    charts = context["charts"]
    assert len(charts) >= 3
    bilan._draw_charts(charts)
    for name, chart in charts.items():
        assert chart.svg is not None and chart.svg.lstrip().startswith(b"<svg"), name
    renderer = svg.get_renderer()
    command_lines = _browser_command_lines(renderer)
    assert any("--headless" in line for line in command_lines)
    for line in command_lines:
        assert not set(line) & {"--disable-web-security", "--allow-file-access-from-files"}, line
