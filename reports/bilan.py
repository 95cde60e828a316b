"""The annual bilan as a document: its context, and its HTML, PDF and JSON renderings.

The web page (`/bilan/YEAR/`), the PDF (`/bilan/YEAR.pdf`) and `manage.py bilan` build one
context, `bilan_context`, from the selectors, and render one template,
`reports/_bilan_document.html`: the page wraps it in the site's layout and draws the charts with
plotly.js; the PDF wraps it in a standalone document with the print stylesheet and the same
charts as SVG (kaleido), which WeasyPrint lays out on A4 pages.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from contratville.formatting import number
from funding.selectors import set_envelopes
from projects.models import ProgrammeYear, QuartierKind

from . import charts, dashboard, selectors
from .selectors import BilanFigures, FocusAction

# WeasyPrint narrates each step of its layout at INFO.
if logging.getLogger("weasyprint.progress").level == logging.NOTSET:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

DOCUMENT_STYLESHEETS = ["css/bilan.css", "css/bilan-print.css"]


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str


def sections(year: int) -> list[Section]:
    """The bilan's sections, in the order of the report it replaces."""
    return [
        Section("contrat-de-ville", "Le Contrat de Ville et ses quartiers"),
        Section("programmation", f"La programmation {year} du Contrat de Ville"),
        Section("piliers", "Répartition financière par pilier"),
        Section("droit-commun", "Répartition entre droit commun et crédits spécifiques"),
        Section("associations", "Mobilisation des opérateurs associatifs"),
        Section("fcs", "Le Fonds de cohésion sociale de l'Agglomération"),
        Section("fonds-de-concours", "Les fonds de concours Politique de la Ville"),
        Section("focus", f"Actions « focus » {year}"),
        Section("evaluation", f"Évaluation : ce que les actions {year} ont atteint"),
        Section("pnru", "Le Programme National de Renouvellement Urbain"),
        Section("organisation", "Le service « Politique de la Ville » de l'Agglomération"),
        Section("perspectives", "Perspectives"),
        Section("avis", "Avis des communes et des conseils citoyens"),
        Section("annexe", "Annexe : les dossiers programmés par pilier et leurs financeurs"),
    ]


@dataclass
class Chart:
    """One plotly figure of the bilan: drawn by plotly.js on the page, as SVG in the PDF."""

    slug: str
    title: str
    figure: object = None  # a plotly Figure
    width: int = 680
    height: int = 420
    svg: bytes | None = None

    @property
    def element_id(self) -> str:
        return f"graphique-{self.slug}"

    @property
    def data_id(self) -> str:
        return f"graphique-{self.slug}-donnees"

    @property
    def spec(self) -> dict:
        """The figure as plain JSON data, for `json_script`."""
        return json.loads(self.figure.to_json()) if self.figure is not None else {}

    @property
    def svg_uri(self) -> str:
        # An <img> of a data URI: WeasyPrint draws it as vectors, and an SVG in an <img> runs
        # nothing, whatever text the data puts in it.
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg or b"").decode("ascii")


CHART_WIDTH = 680  # CSS pixels: about the width of the A4 page between its margins
CHART_HEIGHT = 460


def build_charts(figures: BilanFigures, communes: list[dashboard.AreaFigures]) -> dict[str, Chart]:
    """The bilan's charts: the dashboard's own figures (reports/charts/), for the same data.
    A year with nothing programmed has no chart: its tables say it all."""
    year = figures.year
    wanted = {
        "map": (
            f"Carte des communes et de leurs quartiers prioritaires, avec les crédits programmés en {year}",
            lambda: charts.communes_map(year, communes=communes) if figures.total else None,
        ),
        "pillars": (
            f"Répartition financière par pilier du Contrat de Ville, programmation {year}",
            lambda: charts.pillar_breakdown(figures) if figures.total else None,
        ),
        "natures": (
            f"Droit commun et crédits spécifiques par pilier, programmation {year}",
            lambda: charts.nature_by_pillar(figures) if figures.total else None,
        ),
    }
    result: dict[str, Chart] = {}
    for slug, (title, build) in wanted.items():
        figure = build()
        if figure is not None:
            height = figure.layout.height or CHART_HEIGHT
            result[slug] = Chart(slug=slug, title=title, figure=figure, width=CHART_WIDTH, height=height)
    return result


@dataclass
class BilanTexts:
    """The narrative parts, as saved or as being edited (for the preview)."""

    programme_year: ProgrammeYear
    focus: list[FocusAction] = field(default_factory=list)


@dataclass
class QuartierRow:
    code: str
    name: str
    kind: str
    communes: list[str]
    projects: int
    amount: Decimal


@dataclass
class CommuneRow:
    name: str
    quartiers: list[str]
    projects: int
    amount: Decimal


def _quartier_counts(quartiers: list[dashboard.QuartierRef]) -> dict[str, int]:
    counts = {"qpv": 0, "veille": 0}
    for quartier in quartiers:
        counts["qpv" if quartier.kind == QuartierKind.QPV else "veille"] += 1
    counts["total"] = counts["qpv"] + counts["veille"]
    return counts


def _quartier_rows(quartiers: list[dashboard.QuartierRef], areas: dashboard.Areas) -> list[QuartierRow]:
    credits = {area.code: area for area in areas.quartiers}
    return [
        QuartierRow(
            code=q.code,
            name=q.name,
            kind=q.kind,
            communes=[name for _code, name in q.communes],
            projects=credits[q.code].projects if q.code in credits else 0,
            amount=credits[q.code].amount if q.code in credits else selectors.ZERO,
        )
        for q in quartiers
    ]


def _commune_rows(quartiers: list[dashboard.QuartierRef], areas: dashboard.Areas) -> list[CommuneRow]:
    """The map's data table: the communes of the priority geography, most credits first."""
    names: dict[str, list[str]] = {}
    for q in quartiers:
        for code, _name in q.communes:
            names.setdefault(code, []).append(q.name)
    return [
        CommuneRow(name=c.label, quartiers=names.get(c.code, []), projects=c.projects, amount=c.amount)
        for c in areas.communes
    ]


def bilan_context(year: int, *, texts: BilanTexts | None = None) -> dict:
    """Everything the bilan's template shows for `year`. `texts` replaces the saved narrative
    parts (the preview of the texts form)."""
    figures = selectors.bilan_figures(year)
    if texts is None:
        programme_year = ProgrammeYear.objects.filter(year=year).first() or ProgrammeYear(year=year)
        focus = selectors.focus_actions(year)
    else:
        programme_year, focus = texts.programme_year, texts.focus
    fcs_projects = selectors.fcs_projects(year)
    annex = selectors.programmed_projects_by_pillar(year)
    top_pillar = max(figures.pillars, key=lambda p: p.amount) if figures.total else None
    quartiers = dashboard.quartier_reference()
    areas = dashboard.areas(year, quartiers=quartiers, projects_programmed=figures.projects_programmed)
    return {
        # Years as text: a number would be printed "2 021" by the French number format.
        "year": str(year),
        "previous_year": str(year - 1),
        "agglomeration_name": settings.AGGLOMERATION_NAME,
        "agglomeration_short_name": settings.AGGLOMERATION_SHORT_NAME,
        "programme_year": programme_year,
        "figures": figures,
        "pillars_by_code": {p.code: p for p in figures.pillars},
        "top_pillar": top_pillar,
        "quartiers": _quartier_rows(quartiers, areas),
        "quartier_counts": _quartier_counts(quartiers),
        "communes": _commune_rows(quartiers, areas),
        "without_quartier": areas.without_quartier,
        "fonds_de_concours_communes": len({item.commune for item in figures.fonds_de_concours}),
        "priority_themes": selectors.priority_themes(year),
        "focus_actions": focus,
        "fcs_projects": fcs_projects,
        "fcs_axes": selectors.fcs_axes(fcs_projects),
        "fcs_projects_total": sum((p.granted for p in fcs_projects), selectors.ZERO),
        "envelopes": set_envelopes(year),
        "evaluation": selectors.evaluation(year),
        "annex": annex,
        "annex_projects": sum(len(p.projects) for p in annex),
        "sections": sections(year),
        "charts": build_charts(figures, areas.communes),
        "generated_on": timezone.localdate(),
    }


def document_title(year: int) -> str:
    return f"La mise en œuvre du Contrat de Ville en {year}"


def _stylesheets() -> str:
    css = []
    for name in DOCUMENT_STYLESHEETS:
        path = finders.find(name)
        css.append(Path(path).read_text(encoding="utf-8"))
    return "\n".join(css)


# "4 734 927,00 €" as the charts write amounts (with no-break or narrow no-break spaces).
_AMOUNT_WITH_CENTS = re.compile(r"(\d{1,3}(?:[\u00a0\u202f ]\d{3})*),(\d{2})(?=[\u00a0\u202f ]?€)")


def _whole_euros(text):
    """The amounts of a chart's label in whole euros, as the rest of the printed bilan."""
    if not isinstance(text, str):
        return text

    def whole(match: re.Match) -> str:
        amount = Decimal(re.sub(r"\D", "", match.group(1)) + "." + match.group(2))
        return number(amount)

    return _AMOUNT_WITH_CENTS.sub(whole, text)


def _for_print(figure):
    """A copy of a dashboard figure for paper: its title gives way to the document's caption
    (plotly places a pie's outside labels without regard to the title), its axes' labels get
    room, and the amounts written on it are in whole euros, like every other amount of the PDF."""
    import plotly.graph_objects as go

    figure = go.Figure(figure)
    figure.update_layout(title_text=None)
    # Room for the axes' labels, whatever margins the screen version chose.
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    for trace in figure.data:
        text = getattr(trace, "text", None)
        if isinstance(text, str):
            trace.text = _whole_euros(text)
        elif text is not None:
            trace.text = [_whole_euros(t) for t in text]
    figure.layout.annotations = [
        annotation.update(text=_whole_euros(annotation.text)) for annotation in figure.layout.annotations
    ]
    return figure


def _draw_charts(charts: dict[str, Chart]) -> None:
    """The charts as SVG for the printed document."""
    from .svg import figure_svg

    for chart in charts.values():
        chart.svg = figure_svg(_for_print(chart.figure), width=chart.width, height=chart.height)


def render_document(year: int, *, texts: BilanTexts | None = None) -> str:
    """The bilan as one standalone HTML document: print stylesheet inline, charts as SVG.
    It is what WeasyPrint turns into the PDF, and what `manage.py bilan --format html` writes."""
    with translation.override(settings.LANGUAGE_CODE):
        context = bilan_context(year, texts=texts)
        _draw_charts(context["charts"])
        context.update(
            document_title=document_title(year),
            # Our own static stylesheets, inlined so that the document stands alone.
            inline_css=mark_safe(_stylesheets()),  # noqa: S308
            print_charts=True,
        )
        return render_to_string("reports/bilan_pdf.html", context)


PDF_CACHE_SIZE = 8
_pdf_cache: OrderedDict[str, bytes] = OrderedDict()
_pdf_cache_lock = threading.Lock()


@contextmanager
def _fewer_gc_pauses():
    """WeasyPrint allocates a great many small objects: with Python's default thresholds the
    cyclic garbage collector runs thousands of times during one layout, a fifth of its time."""
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def html_to_pdf(html: str, *, stylesheets: tuple[str, ...] = (), prepared=None, url_fetcher=None) -> bytes:
    """WeasyPrint's PDF of the standalone document: tagged (structure for screen readers),
    fonts embedded, its title, author and language from the document's head. `stylesheets`
    (our static files' names, e.g. "css/bilan.css") are applied besides the document's own
    styles, for documents whose template holds none. `prepared`, a (FontConfiguration, [CSS])
    pair made once, spares their parsing to callers that render many documents (the letters).
    WeasyPrint reads nothing but `data:` URIs and our static files (reports/pdf_fetcher.py), or
    less with `url_fetcher` (the letters' fetcher reads data: URIs only)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from .pdf_fetcher import StaticFilesURLFetcher

    fetcher = url_fetcher or StaticFilesURLFetcher()
    if prepared is not None:
        font_config, css = prepared
    else:
        font_config = FontConfiguration()
        css = [
            CSS(
                string=Path(finders.find(name)).read_text(encoding="utf-8"),
                font_config=font_config,
                url_fetcher=fetcher,
            )
            for name in stylesheets
        ]
    with _fewer_gc_pauses():
        return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf(
            stylesheets=css, font_config=font_config, pdf_tags=True
        )


def render_pdf(year: int, *, texts: BilanTexts | None = None) -> bytes:
    """The bilan as a PDF (A4, cover, table of contents, running header and footer).

    The PDF is a function of its HTML document alone, which holds every figure, text and chart:
    a document already laid out in this process is served again from a small cache keyed by
    its content, so that nothing stale can come out of it."""
    html = render_document(year, texts=texts)
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()
    with _pdf_cache_lock:
        if key in _pdf_cache:
            _pdf_cache.move_to_end(key)
            return _pdf_cache[key]
    pdf = html_to_pdf(html)
    with _pdf_cache_lock:
        _pdf_cache[key] = pdf
        while len(_pdf_cache) > PDF_CACHE_SIZE:
            _pdf_cache.popitem(last=False)
    return pdf


def clear_pdf_cache() -> None:
    with _pdf_cache_lock:
        _pdf_cache.clear()


def pdf_filename(year: int) -> str:
    return f"bilan-contrat-de-ville-{year}.pdf"


def render_json(year: int) -> dict:
    """The machine-readable bilan of docs/contracts.md §4."""
    return selectors.bilan_as_json(year)
