"""The director's dashboard (`/tableau-de-bord/`, docs/contracts.md §5): the year's key figures and
charts, for the direction and the comité, read only.

The view parses the address (year and the dossier list's filters), asks `reports.dashboard` and
`reports.charts` for the figures, and renders them, or one chart's data as CSV
(`?format=csv&chart=<name>`)."""

import csv
from collections.abc import Iterable
from urllib.parse import quote_plus, urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from contratville.converters import parse_id
from contratville.permissions import permission_required
from contratville.versioning import Versions, cache_key, remembered, remembered_html
from projects.models import Status

from . import charts as chart_builders
from .dashboard import dashboard, default_year, filter_choices, key_figures, quartier_reference, year_options
from .filters import PARAMETERS, DashboardFilterForm, Scope, scope_from_query

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(query, options) -> int:
    value = parse_id(query.get("annee") or "")
    if value is not None and MIN_YEAR <= value <= MAX_YEAR:
        return value
    return default_year(options)


def dossier_link(year: int, scope: Scope):
    """`link(**parameters)`: the dossier list behind a figure. A chart's own parameter replaces
    the scope's (the bar of one pilier lists that pilier); amounts are those of programmed
    dossiers, so the list shows programmed dossiers unless `statut` says otherwise.

    The address is `urlencode([annee…, *scope.params(**overrides), statut…])`, written here from
    pieces encoded once: a national dashboard makes ~3,500 of them (two per quartier)."""
    base = reverse("projects:list")

    def part(name: str, values: Iterable) -> str:
        return "&".join(f"{name}={quote_plus(str(value))}" for value in values)

    scope_parts = {name: part(name, getattr(scope, name)) for name in PARAMETERS}
    default_years = part("annee", [year])
    default_statuses = part("statut", Status.programmed())

    def link(**overrides) -> str:
        years = part("annee", overrides.pop("annee")) if "annee" in overrides else default_years
        statuses = part("statut", overrides.pop("statut")) if "statut" in overrides else default_statuses
        pieces = [years]
        pieces += [
            part(name, overrides[name]) if name in overrides else scope_parts[name] for name in PARAMETERS
        ]
        pieces += [part(name, values) for name, values in overrides.items() if name not in PARAMETERS]
        pieces.append(statuses)
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
    year = _year(request.GET, options)
    quartiers = quartier_reference()
    choices = filter_choices(quartiers)
    scope = scope_from_query(request.GET, choices)

    def charts_of(data):
        link = dossier_link(year, scope)
        return link, chart_builders.dashboard_charts(
            data, link, geojson_url=reverse("reports:dashboard-geojson")
        )

    if request.GET.get("format") == "csv":
        _link, charts = charts_of(dashboard(year, scope, options, quartiers, versions=versions))
        by_name = {chart.name: chart for chart in charts}
        chart = by_name.get(request.GET.get("chart", ""))
        if chart is None:
            raise Http404("Graphique inconnu.")
        return _csv_response(chart, year)

    def render_content() -> str:
        data = dashboard(year, scope, options, quartiers, versions=versions)
        link, charts = charts_of(data)
        years = sorted({o.year for o in options} | {year})
        query = urlencode([("annee", year), *scope.params()])
        context = {
            # Years as text: the French number format would write "2 021".
            "year": str(year),
            "previous_year": str(year - 1),
            "data": data,
            "form": DashboardFilterForm(years=years, year=year, scope=scope, choices=choices),
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
            "scope_labels": _scope_labels(scope, choices, data.operators),
        }
        return render_to_string("reports/_dashboard_content.html", context)

    # The page's content depends on the year, the scope and every year's data (the history
    # chart, the years on offer): it is kept under all the versions.
    content = remembered_html(
        cache_key("dashboard", year, scope.query_string(), versions.all()), render_content
    )
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


def _scope_labels(scope: Scope, choices, operators) -> list[tuple[str, str]]:
    """The active filters, as French readers say them: [("Pilier", "Emploi, Pilotage"), ...]."""
    form_labels = {name: field.label for name, field in DashboardFilterForm.base_fields.items()}
    form_labels["porteur"] = "Porteur"
    labels = []
    for name in (
        "pilier",
        "thematique",
        "type_porteur",
        "porteur",
        "quartier",
        "commune",
        "financeur",
        "nature",
    ):
        values = getattr(scope, name)
        if not values:
            continue
        names = dict(operators) if name == "porteur" else dict(getattr(choices, name))
        labels.append((form_labels[name], ", ".join(str(names.get(v, v)) for v in values)))
    return labels
