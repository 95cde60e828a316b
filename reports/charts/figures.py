"""The plotly figures of the bilan and the dashboard, from the selectors' figures (a chart's
values are written on it with contratville/formatting.py, as its table writes them)."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from contratville.formatting import euros, percent, percent_text
from projects.models import Status

from ..selectors import BilanFigures
from .style import (
    BLUE,
    FALLBACK_STYLE,
    INK,
    MONEY_HOVER,
    NATURE_STYLE,
    PILLAR_STYLE,
    SKY,
    Link,
    as_float,
    base_layout,
    hatching,
    hbar_layout,
    links_of,
    money_axis,
    total_labels,
    wrap,
)

# The three figures of the bilan ----------------------------------------------------------------


def pillar_breakdown(figures: BilanFigures, link: Link | None = None) -> go.Figure:
    """The year's credits by pilier, as the seed's pie chart: each slice labelled with its
    pilier, its amount and its share, the total in the middle."""
    pillars = figures.pillars
    styles = [PILLAR_STYLE.get(p.code, FALLBACK_STYLE) for p in pillars]
    text = [
        f"{wrap(p.short_label or p.label, 18)}<br>{euros(p.amount)}<br>{percent_text(p.percent)}"
        for p in pillars
    ]
    traces = [
        go.Pie(
            labels=[p.label for p in pillars],
            values=[as_float(p.amount) for p in pillars],
            text=text,
            textinfo="text",
            texttemplate="%{text}",
            textposition="outside",
            hovertemplate="%{label}<br>%{value:,.2f} €<br>%{customdata[1]}<extra></extra>",
            customdata=[
                [url, percent_text(p.percent)]
                for url, p in zip(
                    links_of(link, [{"pilier": [p.code]} for p in pillars]) or [""] * len(pillars),
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
    layout = base_layout(
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
    x = [wrap(p.short_label or p.label, 16) for p in pillars]
    traces = []
    for nature, (label, colour, shape, text_colour) in NATURE_STYLE.items():
        amounts = [getattr(p, nature) for p in pillars]
        traces.append(
            go.Bar(
                name=label,
                x=x,
                y=[as_float(a) for a in amounts],
                text=[euros(a) if a else "" for a in amounts],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": text_colour},
                marker={
                    "color": colour,
                    "pattern": hatching(shape, colour),
                    "line": {"color": INK, "width": 1},
                },
                customdata=links_of(link, [{"pilier": [p.code], "nature": [nature]} for p in pillars]),
                hovertemplate=f"%{{x}}<br>{label} : %{{y:,.2f}} €<extra></extra>",
            )
        )
    traces.append(
        go.Scatter(
            x=x,
            y=[as_float(p.amount) for p in pillars],
            mode="text",
            text=[f"Total {euros(p.amount)}" for p in pillars],
            textposition="top center",
            hoverinfo="skip",
            showlegend=False,
        )
    )
    layout = base_layout(
        f"Droit commun et crédits spécifiques par pilier — {figures.year}",
        barmode="stack",
        height=460,
        yaxis=money_axis(title={"text": "Montants accordés"}),
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    return go.Figure(data=traces, layout=layout)


# The dashboard's other charts ------------------------------------------------------------------
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
                x=[as_float(a) for a in amounts],
                marker={
                    "color": colour,
                    "pattern": hatching(shape, colour),
                    "line": {"color": INK, "width": 1},
                },
                customdata=links_of(link, [{"financeur": [f.code], "nature": [nature]} for f in funders]),
                hovertemplate=f"%{{y}}<br>{label} : {MONEY_HOVER}<extra></extra>",
            )
        )
    traces.append(total_labels(y, [f.amount for f in funders]))
    layout = hbar_layout(f"Crédits par financeur — {figures.year}", len(funders), barmode="stack")
    layout["xaxis"]["range"] = [0, as_float(max((f.amount for f in funders), default=0)) * 1.45 or 1]
    return go.Figure(data=traces, layout=layout)


def themes_chart(figures: BilanFigures, link: Link | None = None) -> go.Figure:
    """Credits by thématique, in the nomenclature's order, coloured and hatched by pilier."""
    total = figures.total
    traces = []
    labels = {p.code: p.short_label or p.label for p in figures.pillars}
    y_all = [wrap(f"{t.code} {t.label}", 44) for t in figures.themes]
    for code, _label in labels.items():
        themes = [t for t in figures.themes if t.pillar_code == code]
        if not themes:
            continue
        colour, shape, _dash, _symbol = PILLAR_STYLE.get(code, FALLBACK_STYLE)
        traces.append(
            go.Bar(
                name=labels[code],
                orientation="h",
                y=[wrap(f"{t.code} {t.label}", 44) for t in themes],
                x=[as_float(t.amount) for t in themes],
                marker={
                    "color": colour,
                    "pattern": hatching(shape, colour),
                    "line": {"color": INK, "width": 1},
                },
                customdata=links_of(link, [{"thematique": [t.code]} for t in themes]),
                hovertemplate=f"%{{y}}<br>{MONEY_HOVER}<extra>{labels[code]}</extra>",
            )
        )
    traces.append(
        total_labels(
            y_all,
            [t.amount for t in figures.themes],
            [percent_text(percent(t.amount, total)) for t in figures.themes],
        )
    )
    # Two-line labels need taller rows.
    layout = hbar_layout(
        f"Crédits par thématique — {figures.year}", len(figures.themes), per_row=48, barmode="overlay"
    )
    layout["yaxis"].update(categoryorder="array", categoryarray=y_all)
    layout["xaxis"]["range"] = [0, as_float(max((t.amount for t in figures.themes), default=0)) * 1.6 or 1]
    return go.Figure(data=traces, layout=layout)


def areas_chart(title: str, areas: list, parameter: str, link: Link | None = None) -> go.Figure:
    """Credits of the dossiers that concern each quartier or commune, with their number."""
    y = [a.label for a in areas]
    traces = [
        go.Bar(
            orientation="h",
            y=y,
            x=[as_float(a.amount) for a in areas],
            marker={"color": SKY, "line": {"color": INK, "width": 1}},
            customdata=links_of(link, [{parameter: [a.code]} for a in areas]),
            hovertemplate=f"%{{y}}<br>{MONEY_HOVER}<extra></extra>",
            showlegend=False,
        )
    ]
    traces.append(
        total_labels(
            y,
            [a.amount for a in areas],
            [f"{a.projects} dossier{'s' if a.projects > 1 else ''}" for a in areas],
        )
    )
    layout = hbar_layout(title, len(areas))
    layout["xaxis"]["range"] = [0, as_float(max((a.amount for a in areas), default=0)) * 1.7 or 1]
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
            y=[as_float(v) for v in totals],
            mode="lines+markers+text",
            text=last_label(totals),
            textposition="top left",
            line={"color": INK, "width": 3},
            marker={"symbol": "star", "size": 11},
            customdata=links_of(link, [{"annee": [f.year]} for f in history]),
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
                y=[as_float(v) for v in values],
                mode="lines+markers+text",
                text=last_label(values),
                textposition="top left",
                line={"color": colour, "dash": dash, "width": 2},
                marker={"symbol": symbol, "size": 9},
                customdata=links_of(link, [{"annee": [f.year], "pilier": [pillar.code]} for f in history]),
                hovertemplate=f"%{{x}}<br>{label} : %{{y:,.2f}} €<extra></extra>",
            )
        )
    layout = base_layout(
        "Évolution des crédits programmés, au total et par pilier",
        height=440,
        xaxis={"type": "category"},
        yaxis=money_axis(rangemode="tozero"),
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
            customdata=links_of(link, [{"statut": statuses} for _label, statuses, _n in stages]),
            hovertemplate="%{y} : %{x} dossiers<extra></extra>",
        )
    ]
    layout = base_layout(
        f"Parcours des dossiers — {figures.year}",
        height=360,
        yaxis={"automargin": True},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return go.Figure(data=traces, layout=layout)
