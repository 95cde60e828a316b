"""The dashboard's sections: each chart's figures with its table, in the page's order."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from .figures import (
    areas_chart,
    evolution_chart,
    funders_chart,
    nature_by_pillar,
    pillar_breakdown,
    status_funnel,
    themes_chart,
)
from .geo import communes_map
from .style import Link
from .tables import (
    ChartTable,
    areas_table,
    evolution_table,
    funders_table,
    funnel_table,
    nature_table,
    pillar_table,
    themes_table,
)


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
        Chart("piliers", "Répartition par pilier", [pillar_breakdown(f, link)], pillar_table(f, link)),
        Chart(
            "nature",
            "Droit commun et crédits spécifiques par pilier",
            [nature_by_pillar(f, link)],
            nature_table(f, link),
        ),
        Chart(
            "financeurs",
            "Par financeur",
            [funders_chart(f, link)],
            funders_table(f, areas.funder_projects, link),
        ),
        Chart("thematiques", "Par thématique", [themes_chart(f, link)], themes_table(f, link)),
        Chart(
            "quartiers",
            "Par quartier",
            [areas_chart(f"Crédits par quartier — {year}", areas.quartiers, "quartier", link)],
            areas_table(
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
            areas_table(
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
            evolution_table(data.history, link),
        ),
        Chart("statuts", "Parcours des dossiers", [status_funnel(f, link)], funnel_table(f, link)),
    ]
