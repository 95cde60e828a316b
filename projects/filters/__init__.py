"""The dossier filters: one definition of the query parameters of docs/contracts.md §5 for every
page that takes them (docs/architecture.md).

- `parameters`: reading and checking the parameters (`parse_filters`), the reference data they
  accept (`FilterReference`), their French labels and error messages;
- `scope`: the `DossierScope` they give, its SQL conditions and its canonical address;
- `forms`: the forms that show them, and the dossier list's `ProjectFilter`.
"""

from .forms import (
    DossierFilterForm,
    ManyOptionsSelectMultiple,
    ParsedFilterForm,
    ProjectFilter,
    RepeatableTextInput,
    shown,
)
from .parameters import (
    LABELS,
    MAX_ID,
    MAX_SEARCH_LENGTH,
    MAX_VALUES,
    MAX_YEAR,
    MIN_YEAR,
    FilterReference,
    ParsedFilters,
    QuartierChoice,
    check_permissions,
    parse_filters,
)
from .scope import LINE_PARAMETERS, PARAMETERS, DossierScope, case_variants

__all__ = [
    "LABELS",
    "LINE_PARAMETERS",
    "MAX_ID",
    "MAX_SEARCH_LENGTH",
    "MAX_VALUES",
    "MAX_YEAR",
    "MIN_YEAR",
    "PARAMETERS",
    "DossierFilterForm",
    "DossierScope",
    "FilterReference",
    "ManyOptionsSelectMultiple",
    "ParsedFilterForm",
    "ParsedFilters",
    "ProjectFilter",
    "QuartierChoice",
    "RepeatableTextInput",
    "case_variants",
    "check_permissions",
    "parse_filters",
    "shown",
]
