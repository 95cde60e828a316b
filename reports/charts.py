"""Every chart of the dashboard and the bilan, built once as a plotly figure in Python.

The dashboard shows a figure with plotly.js (its JSON passed by `json_script`); the PDF bilan
draws the same figure as SVG. Conventions shared by every chart:

- French numbers: `separators=", "` (decimal comma, space for thousands) and "€" in the hover
  templates; the labels drawn on the chart are formatted in Python by the same functions as
  the tables (contratville/formatting.py), so a chart, its table and the bilan always agree
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
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go
from django.conf import settings

from contratville.formatting import euros, number, percent, percent_text
from contratville.tabular import FORMULA_PREFIXES
from projects.models import Status

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
        # Our own style only: plotly.py's default template would add some 8 kB to every figure.
        "template": "none",
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
    # automargin: plotly widens the margin to fit the tick labels ("4 000 000 €") instead of cutting them.
    axis = {
        "ticksuffix": " €",
        "tickformat": ",.0f",
        "gridcolor": "#d5d9e0",
        "zerolinecolor": "#8a93a3",
        "automargin": True,
    }
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
        f"{_wrap(p.short_label or p.label, 18)}<br>{euros(p.amount)}<br>{percent_text(p.percent)}"
        for p in pillars
    ]
    traces = [
        go.Pie(
            labels=[p.label for p in pillars],
            values=[_float(p.amount) for p in pillars],
            text=text,
            textinfo="text",
            texttemplate="%{text}",
            textposition="outside",
            hovertemplate="%{label}<br>%{value:,.2f} €<br>%{customdata[1]}<extra></extra>",
            customdata=[
                [url, percent_text(p.percent)]
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
                    "bgcolor": [s[0] for s in styles],
                    "fgcolor": "#ffffff",
                    "fillmode": "overlay",
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
    ]
    layout = _layout(
        f"Répartition financière par pilier — programmation {figures.year}",
        height=500,
        margin={"l": 40, "r": 40, "t": 100, "b": 40},
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
    return go.Figure(data=traces, layout=layout)


def nature_by_pillar(figures: BilanFigures, link: Link | None = None) -> go.Figure:
    """Droit commun and crédits spécifiques of each pilier, stacked, with the amount of each part
    written on it and the pilier's total above."""
    pillars = figures.pillars
    x = [_wrap(p.short_label or p.label, 16) for p in pillars]
    traces = []
    for nature, (label, colour, shape, text_colour) in NATURE_STYLE.items():
        amounts = [getattr(p, nature) for p in pillars]
        traces.append(
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
    traces.append(
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
    layout = _layout(
        f"Droit commun et crédits spécifiques par pilier — {figures.year}",
        barmode="stack",
        height=460,
        yaxis=_money_axis(title={"text": "Montants accordés"}),
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    return go.Figure(data=traces, layout=layout)


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
        from .dashboard import commune_credits

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
        zip(funded_codes, _links(link, [{"commune": [code]} for code in funded_codes]) or [], strict=False)
    )
    traces = [
        go.Choropleth(
            geojson=geojson_url or geojson,
            featureidkey="properties.code_insee",
            locations=all_codes,
            z=[_float(amounts[code].amount) if code in amounts else 0 for code in all_codes],
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
    layout = _layout(
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


# The dashboard's other charts ------------------------------------------------------------------


def _hbar_layout(title: str, rows: int, per_row: int = 34, **extra) -> dict:
    return _layout(
        title,
        height=_bar_height(rows, per_row),
        xaxis=_money_axis(),
        yaxis={"autorange": "reversed", "automargin": True, "ticks": "outside", "ticklen": 4},
        margin={"l": 10, "r": 30, "t": 50, "b": 10},
        **extra,
    )


def _total_labels(y: list[str], amounts: list[Decimal], extra: list[str] | None = None) -> go.Scatter:
    """The amount written at the end of each horizontal bar."""
    # An en space keeps the label off the bar's end.
    text = [
        "\u2002" + euros(a) + (f" · {e}" if e else "")
        for a, e in zip(amounts, extra or [""] * len(amounts), strict=True)
    ]
    return go.Scatter(
        x=[_float(a) for a in amounts],
        y=y,
        mode="text",
        text=text,
        textposition="middle right",
        cliponaxis=False,
        hoverinfo="skip",
        showlegend=False,
    )


def funders_chart(figures: BilanFigures, link: Link | None = None) -> go.Figure:
    """Credits by funder, largest first, split by nature."""
    funders = sorted(figures.funders, key=lambda f: (-f.amount, f.order, f.code))
    y = [f.short_label or f.label for f in funders]
    traces = []
    for nature, (label, colour, shape, _text_colour) in NATURE_STYLE.items():
        amounts = [getattr(f, nature) for f in funders]
        if not any(amounts):
            continue
        traces.append(
            go.Bar(
                name=label,
                orientation="h",
                y=y,
                x=[_float(a) for a in amounts],
                marker={
                    "color": colour,
                    "pattern": _pattern(shape, colour),
                    "line": {"color": INK, "width": 1},
                },
                customdata=_links(link, [{"financeur": [f.code], "nature": [nature]} for f in funders]),
                hovertemplate=f"%{{y}}<br>{label} : {MONEY_HOVER}<extra></extra>",
            )
        )
    traces.append(_total_labels(y, [f.amount for f in funders]))
    layout = _hbar_layout(f"Crédits par financeur — {figures.year}", len(funders), barmode="stack")
    layout["xaxis"]["range"] = [0, _float(max((f.amount for f in funders), default=0)) * 1.45 or 1]
    return go.Figure(data=traces, layout=layout)


def themes_chart(figures: BilanFigures, link: Link | None = None) -> go.Figure:
    """Credits by thématique, in the nomenclature's order, coloured and hatched by pilier."""
    total = figures.total
    traces = []
    labels = {p.code: p.short_label or p.label for p in figures.pillars}
    y_all = [_wrap(f"{t.code} {t.label}", 44) for t in figures.themes]
    for code, _label in labels.items():
        themes = [t for t in figures.themes if t.pillar_code == code]
        if not themes:
            continue
        colour, shape, _dash, _symbol = PILLAR_STYLE.get(code, FALLBACK_STYLE)
        traces.append(
            go.Bar(
                name=labels[code],
                orientation="h",
                y=[_wrap(f"{t.code} {t.label}", 44) for t in themes],
                x=[_float(t.amount) for t in themes],
                marker={
                    "color": colour,
                    "pattern": _pattern(shape, colour),
                    "line": {"color": INK, "width": 1},
                },
                customdata=_links(link, [{"thematique": [t.code]} for t in themes]),
                hovertemplate=f"%{{y}}<br>{MONEY_HOVER}<extra>{labels[code]}</extra>",
            )
        )
    traces.append(
        _total_labels(
            y_all,
            [t.amount for t in figures.themes],
            [percent_text(percent(t.amount, total)) for t in figures.themes],
        )
    )
    # Two-line labels need taller rows.
    layout = _hbar_layout(
        f"Crédits par thématique — {figures.year}", len(figures.themes), per_row=48, barmode="overlay"
    )
    layout["yaxis"].update(categoryorder="array", categoryarray=y_all)
    layout["xaxis"]["range"] = [0, _float(max((t.amount for t in figures.themes), default=0)) * 1.6 or 1]
    return go.Figure(data=traces, layout=layout)


def areas_chart(title: str, areas: list, parameter: str, link: Link | None = None) -> go.Figure:
    """Credits of the dossiers that concern each quartier or commune, with their number."""
    y = [a.label for a in areas]
    traces = [
        go.Bar(
            orientation="h",
            y=y,
            x=[_float(a.amount) for a in areas],
            marker={"color": SKY, "line": {"color": INK, "width": 1}},
            customdata=_links(link, [{parameter: [a.code]} for a in areas]),
            hovertemplate=f"%{{y}}<br>{MONEY_HOVER}<extra></extra>",
            showlegend=False,
        )
    ]
    traces.append(
        _total_labels(
            y,
            [a.amount for a in areas],
            [f"{a.projects} dossier{'s' if a.projects > 1 else ''}" for a in areas],
        )
    )
    layout = _hbar_layout(title, len(areas))
    layout["xaxis"]["range"] = [0, _float(max((a.amount for a in areas), default=0)) * 1.7 or 1]
    return go.Figure(data=traces, layout=layout)


def evolution_chart(history: list[BilanFigures], link: Link | None = None) -> go.Figure:
    """The total and each pilier over the years: one line each, told apart by dash and marker
    as well as colour, each labelled at its last point."""
    years = [str(f.year) for f in history]
    traces = []

    def last_label(values: list[Decimal]) -> list[str]:
        return [""] * (len(values) - 1) + [euros(values[-1])] if values else []

    totals = [f.total for f in history]
    traces.append(
        go.Scatter(
            name="Total",
            x=years,
            y=[_float(v) for v in totals],
            mode="lines+markers+text",
            text=last_label(totals),
            textposition="top left",
            line={"color": INK, "width": 3},
            marker={"symbol": "star", "size": 11},
            customdata=_links(link, [{"annee": [f.year]} for f in history]),
            hovertemplate="%{x}<br>Total : %{y:,.2f} €<extra></extra>",
        )
    )
    for index, pillar in enumerate(history[0].pillars if history else []):
        colour, _shape, dash, symbol = PILLAR_STYLE.get(pillar.code, FALLBACK_STYLE)
        values = [f.pillars[index].amount for f in history]
        label = pillar.short_label or pillar.label
        traces.append(
            go.Scatter(
                name=label,
                x=years,
                y=[_float(v) for v in values],
                mode="lines+markers+text",
                text=last_label(values),
                textposition="top left",
                line={"color": colour, "dash": dash, "width": 2},
                marker={"symbol": symbol, "size": 9},
                customdata=_links(link, [{"annee": [f.year], "pilier": [pillar.code]} for f in history]),
                hovertemplate=f"%{{x}}<br>{label} : %{{y:,.2f}} €<extra></extra>",
            )
        )
    layout = _layout(
        "Évolution des crédits programmés, au total et par pilier",
        height=440,
        xaxis={"type": "category"},
        yaxis=_money_axis(rangemode="tozero"),
        margin={"l": 10, "r": 30, "t": 50, "b": 10},
    )
    return go.Figure(data=traces, layout=layout)


# Stages of the funnel: a dossier counts in every stage up to its current status.
FUNNEL_STAGES = [
    ("Déposés", Status.filed()),
    (
        "Instruits",
        [Status.EN_INSTRUCTION, Status.PROGRAMME, Status.REFUSE, Status.JUSTIFIE, Status.SOLDE],
    ),
    ("Programmés", Status.programmed()),
    ("Justifiés", [Status.JUSTIFIE, Status.SOLDE]),
    ("Soldés", [Status.SOLDE]),
]


def funnel_stages(figures: BilanFigures) -> list[tuple[str, list[str], int]]:
    return [
        (label, list(statuses), sum(figures.status_counts.get(s, 0) for s in statuses))
        for label, statuses in FUNNEL_STAGES
    ]


def status_funnel(figures: BilanFigures, link: Link | None = None) -> go.Figure:
    """From filed to closed: how many dossiers reached each stage."""
    stages = funnel_stages(figures)
    filed = stages[0][2]
    traces = [
        go.Funnel(
            y=[label for label, _statuses, _n in stages],
            x=[n for _label, _statuses, n in stages],
            text=[f"{n} ({percent_text(percent(n, filed))})" for _label, _statuses, n in stages],
            textinfo="text",
            textposition="inside",
            textfont={"color": "#ffffff"},
            marker={"color": BLUE, "line": {"color": INK, "width": 1}},
            connector={"fillcolor": "#e3f1f5"},
            customdata=_links(link, [{"statut": statuses} for _label, statuses, _n in stages]),
            hovertemplate="%{y} : %{x} dossiers<extra></extra>",
        )
    ]
    layout = _layout(
        f"Parcours des dossiers — {figures.year}",
        height=360,
        yaxis={"automargin": True},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return go.Figure(data=traces, layout=layout)


# Each chart's data, as a table and a CSV file ---------------------------------------------------


@dataclass
class Cell:
    value: object  # as computed: Decimal, int, str or None
    display: str  # as read on the page
    numeric: bool = False

    def csv(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, Decimal):
            # French spreadsheets read a decimal comma.
            return str(self.value).replace(".", ",")
        text = str(self.value)
        return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def money(value: Decimal | None) -> Cell:
    return Cell(value, euros(value), True)


def share(value: Decimal | None) -> Cell:
    return Cell(value, percent_text(value), True)


def count(value: int | None) -> Cell:
    return Cell(value, "—" if value is None else number(value), True)


def text(value: str) -> Cell:
    return Cell(value, value)


@dataclass
class TableRow:
    header: str  # the row's label, a row header
    cells: list[Cell]
    link: str = ""  # the dossiers behind the row
    code: str = ""  # the filter's code, written in the CSV


@dataclass
class ChartTable:
    caption: str
    row_header: str
    columns: list[str]
    rows: list[TableRow]
    footer: TableRow | None = None
    note: str = ""
    code_header: str = "Code"

    def csv_rows(self) -> list[list[str]]:
        with_code = any(row.code for row in self.rows)
        header = [self.row_header, *([self.code_header] if with_code else []), *self.columns]
        lines = [header]
        for row in [*self.rows, *([self.footer] if self.footer else [])]:
            label = Cell(row.header, row.header).csv()
            lines.append([label, *([row.code] if with_code else []), *(cell.csv() for cell in row.cells)])
        return lines


@dataclass
class Chart:
    name: str  # in the address of its CSV: ?format=csv&chart=<name>
    title: str
    figures: list[go.Figure]
    table: ChartTable
    description: str = ""

    def figures_json(self) -> list[dict]:
        """The figures as plain data (lists, numbers, text), for `json_script`."""
        return [figure.to_plotly_json() for figure in self.figures]


def _pillar_table(figures: BilanFigures, link: Link | None) -> ChartTable:
    total = figures.total
    hundred = Decimal("100.0")
    return ChartTable(
        caption=f"Répartition financière par pilier — programmation {figures.year}",
        row_header="Pilier",
        columns=[
            "Montant accordé",
            "Part",
            "Dossiers programmés",
            "Dossiers associatifs",
            "Part des dossiers associatifs",
        ],
        rows=[
            TableRow(
                p.label,
                [
                    money(p.amount),
                    share(p.percent),
                    count(p.projects),
                    count(p.associative_projects),
                    share(p.associative_percent),
                ],
                link(pilier=[p.code]) if link else "",
                p.code,
            )
            for p in figures.pillars
        ],
        footer=TableRow(
            "Total",
            [
                money(total),
                share(hundred if total else Decimal("0.0")),
                count(figures.projects_programmed),
                count(figures.associative_projects),
                share(hundred if figures.associative_projects else Decimal("0.0")),
            ],
        ),
    )


def _nature_table(figures: BilanFigures, link: Link | None) -> ChartTable:
    def row(p, code=""):
        cells = [
            money(p.droit_commun),
            money(p.specifique),
            money(p.amount),
            share(percent(p.specifique, p.amount)),
        ]
        return TableRow(p.label, cells, link(pilier=[p.code]) if link and code else "", code)

    footer = TableRow(
        "Total",
        [
            money(figures.droit_commun_total),
            money(figures.specific_total),
            money(figures.total),
            share(figures.specific_percent),
        ],
    )
    return ChartTable(
        caption=f"Droit commun et crédits spécifiques par pilier — {figures.year}",
        row_header="Pilier",
        columns=["Droit commun", "Crédits spécifiques", "Total", "Part des crédits spécifiques"],
        rows=[row(p, p.code) for p in figures.pillars],
        footer=footer,
    )


def _funders_table(figures: BilanFigures, funder_projects: dict[str, int], link: Link | None) -> ChartTable:
    total = figures.total
    funders = sorted(figures.funders, key=lambda f: (-f.amount, f.order, f.code))
    return ChartTable(
        caption=f"Crédits par financeur — {figures.year}",
        row_header="Financeur",
        columns=["Droit commun", "Crédits spécifiques", "Total", "Part", "Dossiers financés"],
        rows=[
            TableRow(
                f.label,
                [
                    money(f.droit_commun),
                    money(f.specifique),
                    money(f.amount),
                    share(percent(f.amount, total)),
                    count(funder_projects.get(f.code, 0)),
                ],
                link(financeur=[f.code]) if link else "",
                f.code,
            )
            for f in funders
        ],
        footer=TableRow(
            "Total",
            [
                money(figures.droit_commun_total),
                money(figures.specific_total),
                money(total),
                share(Decimal("100.0") if total else Decimal("0.0")),
                count(None),
            ],
        ),
        note="Dossiers financés : dossiers programmés auxquels le financeur a accordé un montant.",
    )


def _themes_table(figures: BilanFigures, link: Link | None) -> ChartTable:
    total = figures.total
    pillars = {p.code: p.short_label or p.label for p in figures.pillars}
    return ChartTable(
        caption=f"Crédits par thématique — {figures.year}",
        row_header="Thématique",
        columns=["Pilier", "Montant accordé", "Part", "Dossiers programmés"],
        rows=[
            TableRow(
                f"{t.code} {t.label}",
                [
                    text(pillars.get(t.pillar_code, t.pillar_code)),
                    money(t.amount),
                    share(percent(t.amount, total)),
                    count(t.projects),
                ],
                link(thematique=[t.code]) if link else "",
                t.code,
            )
            for t in figures.themes
        ],
        footer=TableRow(
            "Total",
            [
                text(""),
                money(total),
                share(Decimal("100.0") if total else Decimal("0.0")),
                count(figures.projects_programmed),
            ],
        ),
        note="Thématiques prioritaires de l'année : "
        + (
            percent_text(figures.priority_themes_percent)
            if figures.priority_themes_percent is not None
            else "aucune"
        )
        + " des crédits.",
    )


def _areas_table(
    caption: str, row_header: str, areas: list, remainder, parameter: str, link: Link | None, note: str
) -> ChartTable:
    return ChartTable(
        caption=caption,
        row_header=row_header,
        columns=["Crédits des dossiers qui le concernent", "Dossiers programmés"],
        rows=[
            TableRow(
                a.label,
                [money(a.amount), count(a.projects)],
                link(**{parameter: [a.code]}) if link else "",
                a.code,
            )
            for a in areas
        ],
        footer=TableRow(remainder.label, [money(remainder.amount), count(remainder.projects)]),
        note=note,
        code_header="Code INSEE" if parameter == "commune" else "Code QPV",
    )


def _evolution_table(history: list[BilanFigures], link: Link | None) -> ChartTable:
    pillars = history[0].pillars if history else []
    return ChartTable(
        caption="Crédits programmés par année, au total et par pilier",
        row_header="Année",
        columns=[
            "Total",
            *[p.short_label or p.label for p in pillars],
            "Part des crédits spécifiques",
            "Dossiers programmés",
        ],
        rows=[
            TableRow(
                str(f.year),
                [
                    money(f.total),
                    *[money(p.amount) for p in f.pillars],
                    share(f.specific_percent),
                    count(f.projects_programmed),
                ],
                link(annee=[f.year]) if link else "",
            )
            for f in history
        ],
    )


def _funnel_table(figures: BilanFigures, link: Link | None) -> ChartTable:
    stages = funnel_stages(figures)
    filed = stages[0][2]
    rows = [
        TableRow(label, [count(n), share(percent(n, filed))], link(statut=statuses) if link else "")
        for label, statuses, n in stages
    ]
    for status in (Status.REFUSE, Status.ABANDONNE, Status.BROUILLON):
        n = figures.status_counts.get(status, 0)
        rows.append(
            TableRow(
                f"dont {Status(status).label.lower()}s"
                if status != Status.BROUILLON
                else "Brouillons (non déposés)",
                [count(n), share(percent(n, filed)) if status != Status.BROUILLON else Cell(None, "—", True)],
                link(statut=[status]) if link else "",
            )
        )
    return ChartTable(
        caption=f"Dossiers par étape — {figures.year}",
        row_header="Étape",
        columns=["Dossiers", "Part des dossiers déposés"],
        rows=rows,
        note="Un dossier compte dans chaque étape qu'il a franchie : un dossier soldé a été déposé, "
        "instruit, programmé et justifié.",
    )


def dashboard_charts(data, link: Link | None = None, geojson_url: str | None = None) -> list[Chart]:
    """Every chart of the dashboard with its table, from `reports.dashboard.Dashboard`."""
    f, areas = data.figures, data.areas
    year = f.year
    quartier_note = (
        "Un dossier qui concerne plusieurs quartiers compte pour chacun d'eux : la colonne ne "
        "s'additionne pas. La dernière ligne : les dossiers qui ne nomment aucun quartier."
    )
    commune_note = (
        "Une commune reçoit les crédits des dossiers qui concernent l'un de ses quartiers ; seuls "
        "les quartiers dont la commune est connue sont placés. Un dossier qui concerne plusieurs "
        "communes compte pour chacune."
    )
    return [
        Chart("piliers", "Répartition par pilier", [pillar_breakdown(f, link)], _pillar_table(f, link)),
        Chart(
            "nature",
            "Droit commun et crédits spécifiques par pilier",
            [nature_by_pillar(f, link)],
            _nature_table(f, link),
        ),
        Chart(
            "financeurs",
            "Par financeur",
            [funders_chart(f, link)],
            _funders_table(f, areas.funder_projects, link),
        ),
        Chart("thematiques", "Par thématique", [themes_chart(f, link)], _themes_table(f, link)),
        Chart(
            "quartiers",
            "Par quartier",
            [areas_chart(f"Crédits par quartier — {year}", areas.quartiers, "quartier", link)],
            _areas_table(
                f"Crédits par quartier — {year}",
                "Quartier",
                areas.quartiers,
                areas.without_quartier,
                "quartier",
                link,
                quartier_note,
            ),
        ),
        Chart(
            "communes",
            "Par commune",
            [
                communes_map(year, communes=areas.communes, link=link, geojson_url=geojson_url),
                areas_chart(f"Crédits par commune — {year}", areas.communes, "commune", link),
            ],
            _areas_table(
                f"Crédits par commune — {year}",
                "Commune",
                areas.communes,
                areas.without_commune,
                "commune",
                link,
                commune_note,
            ),
        ),
        Chart(
            "evolution",
            "Évolution sur toutes les années",
            [evolution_chart(data.history, link)],
            _evolution_table(data.history, link),
        ),
        Chart("statuts", "Parcours des dossiers", [status_funnel(f, link)], _funnel_table(f, link)),
    ]
