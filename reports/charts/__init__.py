"""Every chart of the dashboard and the bilan, built once as a plotly figure in Python.

- `figures`: the plotly figures (pilier, nature, funders, thématiques, areas, evolution, funnel);
- `geo`: the communes' map, their contours and where their names are written;
- `tables`: each chart's data as an accessible table and its CSV;
- `sections`: the dashboard's sections, a chart with its table (`dashboard_charts`);
- `style`: the palette, the layout and the labels every figure shares.

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

Amounts are Decimal until this package; plotly needs numbers, so they become floats here, at
the edge, for drawing only (every amount below 10¹⁰ € with cents survives the round trip).
"""

from .figures import (
    FUNNEL_STAGES,
    areas_chart,
    evolution_chart,
    funders_chart,
    funnel_stages,
    nature_by_pillar,
    pillar_breakdown,
    status_funnel,
    themes_chart,
)
from .geo import GEOJSON_PATH, commune_centroids, communes_geojson, communes_map
from .sections import Chart, dashboard_charts
from .style import Link
from .tables import Cell, ChartTable, TableRow, count, money, share, text

__all__ = [
    "FUNNEL_STAGES",
    "GEOJSON_PATH",
    "Cell",
    "Chart",
    "ChartTable",
    "Link",
    "TableRow",
    "areas_chart",
    "commune_centroids",
    "communes_geojson",
    "communes_map",
    "count",
    "dashboard_charts",
    "evolution_chart",
    "funders_chart",
    "funnel_stages",
    "money",
    "nature_by_pillar",
    "pillar_breakdown",
    "share",
    "status_funnel",
    "text",
    "themes_chart",
]
