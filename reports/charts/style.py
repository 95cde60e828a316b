"""The charts' look, shared by every figure: the colour-blind-safe palette with its hatchings,
dashes and markers, the French layout, the money axis and the labels written on the bars."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import plotly.graph_objects as go

from contratville.formatting import euros

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


def as_float(amount: Decimal | int | None) -> float:
    return float(amount or 0)


def wrap(label: str, width: int = 22) -> str:
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


def base_layout(title: str, **extra) -> dict:
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


def hatching(shape: str, colour: str) -> dict:
    # White hatching on the colour: visible in greyscale and to colour-blind readers.
    return {"shape": shape, "fgcolor": "#ffffff", "bgcolor": colour, "size": 8, "solidity": 0.25}


def links_of(link: Link | None, params: list[dict]) -> list[str] | None:
    if link is None:
        return None
    return [link(**p) for p in params]


def money_axis(**extra) -> dict:
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


def bar_height(rows: int, per_row: int = 34, minimum: int = 260) -> int:
    return max(minimum, 140 + per_row * rows)


def hbar_layout(title: str, rows: int, per_row: int = 34, **extra) -> dict:
    return base_layout(
        title,
        height=bar_height(rows, per_row),
        xaxis=money_axis(),
        yaxis={"autorange": "reversed", "automargin": True, "ticks": "outside", "ticklen": 4},
        margin={"l": 10, "r": 30, "t": 50, "b": 10},
        **extra,
    )


def total_labels(y: list[str], amounts: list[Decimal], extra: list[str] | None = None) -> go.Scatter:
    """The amount written at the end of each horizontal bar."""
    # An en space keeps the label off the bar's end.
    text = [
        "\u2002" + euros(a) + (f" · {e}" if e else "")
        for a, e in zip(amounts, extra or [""] * len(amounts), strict=True)
    ]
    return go.Scatter(
        x=[as_float(a) for a in amounts],
        y=y,
        mode="text",
        text=text,
        textposition="middle right",
        cliponaxis=False,
        hoverinfo="skip",
        showlegend=False,
    )
