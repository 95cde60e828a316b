"""The map of the communes: their contours (our GeoJSON, no tile server), where each name is
written, and the choropleth of the credits programmed for their quartiers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go
from django.conf import settings

from contratville.formatting import euros

from .style import INK, Link, as_float, base_layout, links_of

GEOJSON_PATH = Path(settings.BASE_DIR) / "fixtures" / "reference" / "communes_cabbalr.geojson"


@lru_cache(maxsize=1)
def communes_geojson() -> dict:
    """The contours of the agglomeration's communes (WGS 84), property `code_insee`."""
    return json.loads(GEOJSON_PATH.read_text(encoding="utf-8"))


def _centroid(ring: Sequence[Sequence[float]]) -> tuple[float, float]:
    """Area centroid of a polygon ring (shoelace formula), where a commune's name is written."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * area), cy / (3 * area)


@lru_cache(maxsize=1)
def commune_centroids() -> dict[str, tuple[float, float]]:
    centroids = {}
    for feature in communes_geojson()["features"]:
        geometry = feature["geometry"]
        rings = [geometry["coordinates"][0]] if geometry["type"] == "Polygon" else []
        if geometry["type"] == "MultiPolygon":
            rings = [polygon[0] for polygon in geometry["coordinates"]]
        largest = max(rings, key=len)
        centroids[feature["properties"]["code_insee"]] = _centroid(largest)
    return centroids


def communes_map(
    year: int, scope=None, communes=None, link: Link | None = None, geojson_url: str | None = None
) -> go.Figure:
    """The agglomeration's communes shaded by the credits programmed in `year` for their
    quartiers; communes with credits also carry their name and amount. Drawn from our GeoJSON
    with plotly's geo choropleth: no tile server, works offline.

    `communes` (AreaFigures, from `reports.dashboard.areas`) saves the query when the caller
    has them already. The contours are in the figure, unless `geojson_url` names an address
    of our own where plotly.js fetches them (the web page: the browser caches them, and the
    page is 90 kB lighter)."""
    if communes is None:
        from ..dashboard import commune_credits

        communes = commune_credits(year, scope)
    geojson = communes_geojson()
    all_codes = [f["properties"]["code_insee"] for f in geojson["features"]]
    names = {f["properties"]["code_insee"]: f["properties"].get("nom", "") for f in geojson["features"]}
    centroids = commune_centroids()

    amounts = {c.code: c for c in communes if c.code in names}
    # One trace, so that the contours are sent once: communes without credits sit at zero,
    # drawn in the light grey that starts the scale.
    funded_codes = [code for code in all_codes if code in amounts and amounts[code].amount]
    links = dict(
        zip(funded_codes, links_of(link, [{"commune": [code]} for code in funded_codes]) or [], strict=False)
    )
    traces = [
        go.Choropleth(
            geojson=geojson_url or geojson,
            featureidkey="properties.code_insee",
            locations=all_codes,
            z=[as_float(amounts[code].amount) if code in amounts else 0 for code in all_codes],
            text=[names[code] for code in all_codes],
            customdata=[links.get(code, "") for code in all_codes],
            # Light to dark blue: one hue read by its lightness, safe for colour-blind readers.
            colorscale=[[0, "#f5f6f8"], [1e-9, "#deebf7"], [0.5, "#6baed6"], [1, "#08306b"]],
            zmin=0,
            marker={"line": {"color": "#5d6675", "width": 0.6}},
            colorbar={
                "title": {"text": "Crédits"},
                "tickformat": ",.0f",
                "ticksuffix": " €",
                "len": 0.8,
                "thickness": 14,
            },
            hovertemplate="%{text}<br>%{z:,.2f} €<extra></extra>",
            name="Crédits programmés",
        )
    ]
    funded = [c for c in amounts.values() if c.amount]
    if funded:
        # The name and amount written on each commune with credits: the value is read, not
        # guessed from a shade.
        traces.append(
            go.Scattergeo(
                lon=[centroids[c.code][0] for c in funded],
                lat=[centroids[c.code][1] for c in funded],
                mode="markers+text",
                marker={"size": 6, "color": INK, "symbol": "circle"},
                text=[f"{c.label}<br>{euros(c.amount)}" for c in funded],
                textposition="top center",
                # A white halo keeps the label legible on the darkest communes.
                textfont={"size": 11, "color": INK, "shadow": "0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    layout = base_layout(
        f"Crédits programmés pour les quartiers de chaque commune — {year}",
        height=560,
        margin={"l": 0, "r": 0, "t": 50, "b": 0},
        geo={
            "fitbounds": "locations",
            "visible": False,
            "projection": {"type": "mercator"},
            "bgcolor": "#ffffff",
        },
    )
    return go.Figure(data=traces, layout=layout)
