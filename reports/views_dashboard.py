"""The director's dashboard (`/tableau-de-bord/`, docs/contracts.md §5): the year's key figures and
charts, for the direction and the comité, read only.

The view parses the address (year and the dossier list's filters, read by
`projects.filters.parse_filters` as the list reads them), asks `reports.dashboard` and
`reports.charts` for the figures, and renders them, or one chart's data as CSV
(`?format=csv&chart=<name>`). An invalid filter (an unknown code...) shows the form with its
errors and no figure: never the whole programme as if it were filtered."""

import csv
from collections.abc import Iterable
from urllib.parse import quote_plus, urlencode

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from contratville.permissions import permission_required
from contratville.versioning import Versions, cache_key, remembered, remembered_html
from projects.filters import (
    PARAMETERS,
    DossierScope,
    FilterReference,
    ParsedFilters,
    check_permissions,
    parse_filters,
)
from projects.models import Status

from . import charts as chart_builders
from .dashboard import dashboard, default_year, key_figures, year_options
from .filters import DashboardFilterForm

ONE_YEAR = "Le tableau de bord montre une année à la fois : choisissez-en une parmi {years}."


def _year(parsed: ParsedFilters, options) -> int:
    """The year asked (one at most), else the latest with a programmation."""
    years = parsed.scope.annee
    if len(years) > 1:
        parsed.add_error("annee", ONE_YEAR.format(years=", ".join(str(y) for y in years)))
    return years[-1] if years else default_year(options)


def dossier_link(year: int, scope: DossierScope):
    """`link(**parameters)`: the dossier list behind a figure, within the scope. A chart's own
    parameter narrows the scope's (the bar of one pilier lists that pilier, among the piliers
    chosen); amounts are those of programmed dossiers, so the list shows programmed dossiers
    unless `statut` says otherwise (`[]`: every status). A figure whose parameter falls outside
    the scope (the bar of a pilier not chosen, programmed dossiers when the scope keeps refused
    ones only) has no dossier behind it: no link, "".

    The address is `urlencode([annee…, *scope.params(**overrides), statut…])`, written here from
    pieces encoded once: a national dashboard makes ~3,500 of them (two per quartier)."""
    base = reverse("projects:list")

    def part(name: str, values: Iterable) -> str:
        return "&".join(f"{name}={quote_plus(str(value))}" for value in values)

    listed = [name for name in PARAMETERS if name not in ("annee", "statut")]
    scope_parts = {name: part(name, getattr(scope, name)) for name in listed}
    chosen = {name: {str(value) for value in getattr(scope, name)} for name in PARAMETERS}

    def narrowed(name: str, asked) -> str | None:
        """The part of `name` for the values asked, kept within the scope's; None when none is."""
        if not chosen[name]:
            return part(name, asked)
        if not asked:
            return part(name, getattr(scope, name))
        kept = [value for value in asked if str(value) in chosen[name]]
        return part(name, kept) if kept else None

    default_years = part("annee", [year])
    default_statuses = narrowed("statut", Status.programmed())

    def link(**overrides) -> str:
        years = narrowed("annee", overrides.pop("annee")) if "annee" in overrides else default_years
        statuses = narrowed("statut", overrides.pop("statut")) if "statut" in overrides else default_statuses
        pieces = [years]
        for name in listed:
            pieces.append(narrowed(name, overrides[name]) if name in overrides else scope_parts[name])
        pieces += [part(name, values) for name, values in overrides.items() if name not in PARAMETERS]
        pieces.append(statuses)
        if any(piece is None for piece in pieces):
            return ""
        return f"{base}?{'&'.join(piece for piece in pieces if piece)}"

    return link


def _csv_response(chart, year: int) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tableau-de-bord-{year}-{chart.name}.csv"'
    # A BOM, so that French Excel reads the accents.
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerows(chart.table.csv_rows())
    return response


@require_safe
@permission_required("projects.view_bilan")
def dashboard_view(request):
    # The data's versions first, before any figure is read (contratville.versioning).
    versions = Versions.read()
    options = remembered(cache_key("years", versions.all()), year_options)
    reference = FilterReference()
    parsed = check_permissions(parse_filters(request.GET, reference), request.user)
    year = _year(parsed, options)
    years = sorted({o.year for o in options} | {year})
    wants_csv = request.GET.get("format") == "csv"
    if not parsed.is_valid:
        # Never the whole programme's figures as if they were filtered: the errors, the form,
        # and no figure.
        if wants_csv:
            return HttpResponseBadRequest(
                "Les filtres ne sont pas valides : aucune donnée n'a été exportée.\n"
                + "\n".join(parsed.messages),
                content_type="text/plain; charset=utf-8",
            )
        form = DashboardFilterForm(parsed, reference, years=years, year=year)
        form.prepare_display()
        context = {
            "year": str(year),
            "form": form,
            "filter_errors": parsed.messages,
            "operators": [],
        }
        return _page(request, render_to_string("reports/_dashboard_content.html", context), year, options)
    # The figures' scope: the year apart (the history chart reads every year).
    scope = parsed.scope.without("annee")
    operators = [(pk, parsed.names["porteur"][pk]) for pk in scope.porteur]

    def compute():
        return dashboard(year, scope, options, reference.quartiers, versions=versions, operators=operators)

    def charts_of(data):
        link = dossier_link(year, scope)
        return link, chart_builders.dashboard_charts(
            data, link, geojson_url=reverse("reports:dashboard-geojson")
        )

    if wants_csv:
        _link, charts = charts_of(compute())
        by_name = {chart.name: chart for chart in charts}
        chart = by_name.get(request.GET.get("chart", ""))
        if chart is None:
            raise Http404("Graphique inconnu.")
        return _csv_response(chart, year)

    def render_content() -> str:
        data = compute()
        link, charts = charts_of(data)
        query = urlencode([("annee", year), *scope.params()])
        form = DashboardFilterForm(parsed, reference, years=years, year=year)
        form.prepare_display()
        context = {
            # Years as text: the French number format would write "2 021".
            "year": str(year),
            "previous_year": str(year - 1),
            "data": data,
            "form": form,
            "operators": operators,
            "key_figures": key_figures(data, link),
            "charts": [
                {
                    "chart": chart,
                    "figures": [
                        {
                            "id": f"figure-{chart.name}-{index}",
                            "div": f"chart-{chart.name}-{index}",
                            "json": figure,
                            "title": figure["layout"]["title"]["text"],
                        }
                        for index, figure in enumerate(chart.figures_json(), start=1)
                    ],
                    "csv": f"?{query}&format=csv&chart={chart.name}",
                }
                for chart in charts
            ],
            "dossiers_url": link(),
            "scope": scope,
            "scope_labels": parsed.labels(scope),
        }
        return render_to_string("reports/_dashboard_content.html", context)

    # The page's content depends on the year, the scope and every year's data (the history
    # chart, the years on offer): it is kept under all the versions.
    content = remembered_html(
        cache_key("dashboard", year, scope.query_string(), versions.all()), render_content
    )
    return _page(request, content, year, options)


def _page(request, content: str, year: int, options):
    context = {
        "year": str(year),
        "content": content,
        # The layout's header shows the latest year; passing it saves the context processor's
        # queries.
        "current_programme_year": str(options[-1].year if options else year),
    }
    return render(request, "reports/dashboard.html", context)


@require_safe
@permission_required("projects.view_bilan")
def communes_geojson_view(request):
    """The communes' contours for the dashboard's map, read from fixtures/reference. Like every
    answer to a signed-in user, not kept by any cache (contratville/middleware.py)."""
    return HttpResponse(chart_builders.GEOJSON_PATH.read_bytes(), content_type="application/geo+json")
