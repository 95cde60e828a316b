"""The comités' pages (/comites/): séances and their agenda, scenarios and their table, the
comparison of two scenarios, applying the decision, the envelopes of a year and the
documents. Views parse input and call the services and selectors; each checks its
permission on the server.

The scenario's table works as a paged form without JavaScript; static/js/scenario-table.js
saves each cell as it is typed (`scenario_cell`, `scenario_opinion`: JSON answers)."""

from .decision import scenario_apply, scenario_compare
from .downloads import scenario_pdf, scenario_xlsx, seance_decisions_pdf
from .envelopes import envelopes
from .scenarios import (
    scenario_cell,
    scenario_create,
    scenario_detail,
    scenario_duplicate,
    scenario_opinion,
    scenario_refresh,
    scenario_rename,
)
from .seances import (
    agenda_add,
    agenda_remove,
    seance_create,
    seance_detail,
    seance_list,
    seance_state,
    seance_update,
)

__all__ = [
    "agenda_add",
    "agenda_remove",
    "envelopes",
    "scenario_apply",
    "scenario_cell",
    "scenario_compare",
    "scenario_create",
    "scenario_detail",
    "scenario_duplicate",
    "scenario_opinion",
    "scenario_pdf",
    "scenario_refresh",
    "scenario_rename",
    "scenario_xlsx",
    "seance_create",
    "seance_decisions_pdf",
    "seance_detail",
    "seance_list",
    "seance_state",
    "seance_update",
]
