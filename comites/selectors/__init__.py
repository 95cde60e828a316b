"""Reads of the comités: séances and agendas, a scenario's table, its envelopes' gauges, what
changed since it was built, and the dashboard's figures as if it were applied.

Every function runs a fixed number of queries whatever the number of dossiers. The projected
figures are the bilan's and the dashboard's own (reports.selectors.figures_by_year,
reports.dashboard.areas), computed over the scenario's amounts and opinions through a
`Projection`: no formula is written twice."""

from .differences import scenario_differences
from .projection import EnvelopeLine, ProgrammeFigures, ScenarioProjection, compared_figures
from .seances import (
    VERDICTS,
    AgendaRow,
    DossierDecision,
    agenda_rows,
    eligible_projects,
    eligible_queryset,
    seance_decisions,
    seance_list,
    seances_for_agenda,
)
from .table import (
    PER_PAGE,
    PER_PAGE_CHOICES,
    Cell,
    Gauge,
    PillarTotals,
    Row,
    ScenarioTable,
    gauge_text,
    scenario_feedback,
    scenario_gauges,
    scenario_table,
)

__all__ = [
    "PER_PAGE",
    "PER_PAGE_CHOICES",
    "VERDICTS",
    "AgendaRow",
    "Cell",
    "DossierDecision",
    "EnvelopeLine",
    "Gauge",
    "PillarTotals",
    "ProgrammeFigures",
    "Row",
    "ScenarioProjection",
    "ScenarioTable",
    "agenda_rows",
    "compared_figures",
    "eligible_projects",
    "eligible_queryset",
    "gauge_text",
    "scenario_differences",
    "scenario_feedback",
    "scenario_gauges",
    "scenario_table",
    "seance_decisions",
    "seance_list",
    "seances_for_agenda",
]
