"""Writes of the comités: séances, their agenda, scenarios and applying a comité's decision.

Every service takes keyword arguments, checks what it writes (`full_clean`, French
`ValidationError` messages naming the dossier or the séance concerned) and writes in one
transaction: a refused write leaves nothing half-written.

A scenario follows its séance's agenda: a dossier added to the agenda gets a row (its funding
lines at their requested amounts, a favourable opinion) in every scenario still open, a dossier
removed loses it. A dossier's lines may still change after (an edit, a re-import):
`scenario_differences` (comites.selectors) lists what changed, `scenario_refresh` brings the
scenario up to date, and applying refuses a scenario that is not.

A row of a scenario (one dossier) has a version: each change of the row checks the version the
user's page was showing and increments it in the same UPDATE, so that two people on one
scenario never overwrite each other silently (`StaleRowError`)."""

from .apply import APPLY_PERMISSION, ApplyResult, ScenarioChangedError, scenario_apply
from .cells import (
    CellResult,
    RowInput,
    RowsError,
    RowsResult,
    StaleRowError,
    cell_label,
    parse_proposed,
    scenario_cell_update,
    scenario_opinion_update,
    scenario_rows_update,
)
from .scenarios import scenario_create, scenario_duplicate, scenario_refresh, scenario_rename
from .seances import (
    STATE_MOVES,
    AgendaResult,
    agenda_add_projects,
    agenda_remove_project,
    seance_change_state,
    seance_create,
    seance_update,
)

__all__ = [
    "APPLY_PERMISSION",
    "STATE_MOVES",
    "AgendaResult",
    "ApplyResult",
    "CellResult",
    "RowInput",
    "RowsError",
    "RowsResult",
    "ScenarioChangedError",
    "StaleRowError",
    "agenda_add_projects",
    "agenda_remove_project",
    "cell_label",
    "parse_proposed",
    "scenario_apply",
    "scenario_cell_update",
    "scenario_create",
    "scenario_duplicate",
    "scenario_opinion_update",
    "scenario_refresh",
    "scenario_rename",
    "scenario_rows_update",
    "seance_change_state",
    "seance_create",
    "seance_update",
]
