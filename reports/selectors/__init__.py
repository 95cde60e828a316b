"""The reads of the reports: the figures of the bilan and the dashboard (`figures`), the bilan
as JSON (`bilan_json`) and the lists the bilan names beside its figures (`lists`)."""

from .bilan_json import bilan_as_json
from .evaluation import Evaluation, EvaluationRow, evaluation
from .figures import (
    ZERO,
    BilanFigures,
    FondsDeConcoursItem,
    FunderFigures,
    PillarFigures,
    Projection,
    ThemeFigures,
    bilan_figures,
    figures_by_year,
    figures_of_years,
    priority_themes_percent,
    set_previous_year,
)
from .lists import (
    AnnexFunding,
    AnnexPillar,
    AnnexProject,
    FcsAxisCount,
    FcsProject,
    FocusAction,
    fcs_axes,
    fcs_projects,
    focus_actions,
    priority_themes,
    programmed_projects_by_pillar,
)

__all__ = [
    "Evaluation",
    "EvaluationRow",
    "evaluation",
    "ZERO",
    "AnnexFunding",
    "AnnexPillar",
    "AnnexProject",
    "BilanFigures",
    "FcsAxisCount",
    "FcsProject",
    "FocusAction",
    "FondsDeConcoursItem",
    "FunderFigures",
    "PillarFigures",
    "Projection",
    "ThemeFigures",
    "bilan_as_json",
    "bilan_figures",
    "fcs_axes",
    "fcs_projects",
    "figures_by_year",
    "figures_of_years",
    "focus_actions",
    "priority_themes",
    "priority_themes_percent",
    "programmed_projects_by_pillar",
    "set_previous_year",
]
