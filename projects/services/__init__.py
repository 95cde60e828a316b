"""Writes of a dossier: its workflow (`workflow`) and its form's save with its funding lines and
indicators (`dossiers`). The programmation import writes in bulk through `projects.imports`."""

from .dossiers import (
    CREATE_REASON,
    GRANTED_AMOUNTS_FROZEN,
    UPDATE_REASON,
    StaleProjectError,
    granted_amounts,
    granted_amounts_frozen,
    project_save_with_lines,
)
from .operators import EDITABLE_FIELDS, StaleOperatorError, operator_update
from .workflow import (
    ALLOWED_TRANSITIONS,
    DECIDE_PERMISSION,
    DECIDED,
    DECISIONS,
    TRANSITION_LABELS,
    Transition,
    decision_date_after,
    project_change_status,
    status_label,
    transition_label,
    transitions_for_user,
    transitions_from,
)

__all__ = [
    "EDITABLE_FIELDS",
    "StaleOperatorError",
    "operator_update",
    "ALLOWED_TRANSITIONS",
    "CREATE_REASON",
    "DECIDED",
    "DECIDE_PERMISSION",
    "DECISIONS",
    "GRANTED_AMOUNTS_FROZEN",
    "StaleProjectError",
    "TRANSITION_LABELS",
    "Transition",
    "UPDATE_REASON",
    "decision_date_after",
    "granted_amounts",
    "granted_amounts_frozen",
    "project_change_status",
    "project_save_with_lines",
    "status_label",
    "transition_label",
    "transitions_for_user",
    "transitions_from",
]
