"""Every chart of the dashboard and the bilan, built once as a plotly figure in Python.

The dashboard shows a figure with plotly.js (its JSON passed by `json_script`); the PDF bilan
draws the same figure as SVG. Conventions shared by every chart:

- French numbers: `separators=", "` (decimal comma, space for thousands) and "€" in the hover
  templates; the labels drawn on the chart are formatted in Python by the same functions as
  the tables (`format_euros`, `percent_fr`), so a chart, its table and the bilan always agree
  to the cent and to the tenth of a percent.
- Colours from the Okabe-Ito palette, readable by colour-blind people, and never alone: each
  series also has a hatching pattern (bars, pie) or a dash and marker symbol (lines), a legend,
  and its values written on the chart.
- A chart that drills down carries, in each point's `customdata`, the address of the dossier
  list filtered accordingly (`link` builds it); static/js/dashboard.js follows it on click.

Amounts are Decimal until this module; plotly needs numbers, so they become floats here, at
the edge, for drawing only (every amount below 10¹⁰ € with cents survives the round trip).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go
from django.conf import settings

from projects.templatetags.money import format_euros
from projects.templatetags.money import percent_fr as _percent_fr

from .selectors import BilanFigures

GEOJSON_PATH = Path(settings.BASE_DIR) / "fixtures" / "reference" / "communes_cabbalr.geojson"

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
VERMILLION = "#D55E00"
INK = "#1d2433"
GREY = "#4d5566"

PILLAR_STYLE = {
    # colour, bar/pie hatching, line dash, marker symbol
    "cohesion_sociale": (BLUE, "", "solid", "circle"),
    "cadre_de_vie": (ORANGE, "/", "dash", "square"),
    "emploi": (GREEN, "x", "dot", "diamond"),
    "pilotage": (PURPLE, ".", "dashdot", "triangle-up"),
}
FALLBACK_STYLE = (GREY, "-", "longdash", "cross")
NATURE_STYLE = {
    # label, colour, hatching, colour of the text drawn on the bar
    "droit_commun": ("Droit commun", BLUE, "", "#ffffff"),
    "specifique": ("Crédits spécifiques", ORANGE, "/", INK),
}
SINGLE_COLOUR = BLUE
FONT = {"family": '"Open Sans", "Liberation Sans", Arial, sans-serif', "size": 13, "color": INK}
MONEY_HOVER = "%{x:,.2f} €"

Link = Callable[..., str]


def euros(amount: Decimal | int | None) -> str:
    return format_euros(amount)


def percent_fr(value: Decimal | None) -> str:
    return _percent_fr(value)


def _float(amount: Decimal | int | None) -> float:
    return float(amount or 0)


def _wrap(label: str, width: int = 22) -> str:
    """A long label on several lines (plotly breaks lines on <br> only)."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _layout(title: str, **extra) -> dict:
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "separators": ", ",
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "hoverlabel": {"font": {"family": FONT["family"]}},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
    }
    layout.update(extra)
    return layout


def _pattern(shape: str, colour: str) -> dict:
    # White hatching on the colour: visible in greyscale and to colour-blind readers.
    return {"shape": shape, "fgcolor": "#ffffff", "bgcolor": colour, "size": 8, "solidity": 0.25}


def _links(link: Link | None, params: list[dict]) -> list[str] | None:
    if link is None:
        return None
    return [link(**p) for p in params]


def _money_axis(**extra) -> dict:
    axis = {"ticksuffix": " €", "tickformat": ",.0f", "gridcolor": "#d5d9e0", "zerolinecolor": "#8a93a3"}
    axis.update(extra)
    return axis


def _bar_height(rows: int, per_row: int = 34, minimum: int = 260) -> int:
    return max(minimum, 140 + per_row * rows)


# The three figures of the bilan ----------------------------------------------------------------


def pillar_breakdown(figures: BilanFigures, link: Link | None = None) -> go.Figure:
    """The year's credits by pilier, as the seed's pie chart: each slice labelled with its
    pilier, its amount and its share, the total in the middle."""
    pillars = figures.pillars
    styles = [PILLAR_STYLE.get(p.code, FALLBACK_STYLE) for p in pillars]
    text = [
        f"{_wrap(p.short_label or p.label, 18)}<br>{euros(p.amount)}<br>{percent_fr(p.percent)}"
        for p in pillars
    ]
    trace = go.Pie(
        labels=[p.label for p in pillars],
        values=[_float(p.amount) for p in pillars],
        text=text,
        textinfo="text",
        texttemplate="%{text}",
        textposition="outside",
        hovertemplate="%{label}<br>%{value:,.2f} €<br>%{customdata[1]}<extra></extra>",
        customdata=[
            [url, percent_fr(p.percent)]
            for url, p in zip(
                _links(link, [{"pilier": [p.code]} for p in pillars]) or [""] * len(pillars),
                pillars,
                strict=True,
            )
        ],
        marker={
            "colors": [s[0] for s in styles],
            "pattern": {
                "shape": [s[1] for s in styles],
                "fgcolor": "#ffffff",
                "solidity": 0.25,
                "size": 8,
            },
            "line": {"color": "#ffffff", "width": 2},
        },
        hole=0.45,
        sort=False,
        direction="clockwise",
        rotation=0,
        showlegend=True,
    )
    fig = go.Figure(trace)
    fig.update_layout(
        _layout(
            f"Répartition financière par pilier — programmation {figures.year}",
            height=460,
            margin={"l": 40, "r": 40, "t": 60, "b": 40},
            annotations=[
                {
                    "text": f"Total<br><b>{euros(figures.total)}</b>",
                    "showarrow": False,
                    "font": {"size": 13},
                    "x": 0.5,
                    "y": 0.5,
                    "xref": "paper",
                    "yref": "paper",
                }
            ],
        )
    )
    return fig


def nature_by_pillar(figures: BilanFigures, link: Link | None = None) -> go.Figure:
    """Droit commun and crédits spécifiques of each pilier, stacked, with the amount of each part
    written on it and the pilier's total above."""
    pillars = figures.pillars
    x = [_wrap(p.short_label or p.label, 16) for p in pillars]
    fig = go.Figure()
    for nature, (label, colour, shape, text_colour) in NATURE_STYLE.items():
        amounts = [getattr(p, nature) for p in pillars]
        fig.add_trace(
            go.Bar(
                name=label,
                x=x,
                y=[_float(a) for a in amounts],
                text=[euros(a) if a else "" for a in amounts],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": text_colour},
                marker={
                    "color": colour,
                    "pattern": _pattern(shape, colour),
                    "line": {"color": INK, "width": 1},
                },
                customdata=_links(link, [{"pilier": [p.code], "nature": [nature]} for p in pillars]),
                hovertemplate=f"%{{x}}<br>{label} : %{{y:,.2f}} €<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[_float(p.amount) for p in pillars],
            mode="text",
            text=[f"Total {euros(p.amount)}" for p in pillars],
            textposition="top center",
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.update_layout(
        _layout(
            f"Droit commun et crédits spécifiques par pilier — {figures.year}",
            barmode="stack",
            height=460,
            yaxis=_money_axis(title={"text": "Montants accordés"}),
            uniformtext={"minsize": 10, "mode": "hide"},
        )
    )
    return fig


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


def communes_map(year: int, scope=None, communes=None, link: Link | None = None) -> go.Figure:
    """The agglomeration's communes shaded by the credits programmed in `year` for their
    quartiers; communes with credits also carry their name and amount. Drawn from our GeoJSON
    with plotly's geo choropleth: no tile server, works offline.

    `communes` (AreaFigures, from `reports.dashboard.areas`) saves the query when the caller
    has them already."""
    if communes is None:
        from .dashboard import commune_credits

        communes = commune_credits(year, scope)
    geojson = communes_geojson()
    all_codes = [f["properties"]["code_insee"] for f in geojson["features"]]
    names = {f["properties"]["code_insee"]: f["properties"].get("nom", "") for f in geojson["features"]}
    centroids = commune_centroids()

    amounts = {c.code: c for c in communes if c.code in names}
    # One trace, so that the contours are sent once: communes without credits sit at zero,
    # drawn in the light grey that starts the scale.
    links = _links(link, [{"commune": [code]} for code in all_codes]) or [""] * len(all_codes)
    fig = go.Figure(
        go.Choropleth(
            geojson=geojson,
            featureidkey="properties.code_insee",
            locations=all_codes,
            z=[_float(amounts[code].amount) if code in amounts else 0 for code in all_codes],
            text=[names[code] for code in all_codes],
            customdata=[
                url if code in amounts and amounts[code].amount else ""
                for url, code in zip(links, all_codes, strict=True)
            ],
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
    )
    funded = [c for c in amounts.values() if c.amount]
    if funded:
        # The name and amount written on each commune with credits: the value is read, not
        # guessed from a shade.
        fig.add_trace(
            go.Scattergeo(
                lon=[centroids[c.code][0] for c in funded],
                lat=[centroids[c.code][1] for c in funded],
                mode="markers+text",
                marker={"size": 6, "color": INK, "symbol": "circle"},
                text=[f"{c.label}<br>{euros(c.amount)}" for c in funded],
                textposition="top center",
                textfont={"size": 11, "color": INK},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_geos(
        fitbounds="locations",
        visible=False,
        projection={"type": "mercator"},
        bgcolor="#ffffff",
    )
    fig.update_layout(
        _layout(
            f"Crédits programmés pour les quartiers de chaque commune — {year}",
            height=560,
            margin={"l": 0, "r": 0, "t": 50, "b": 0},
        )
    )
    return fig
