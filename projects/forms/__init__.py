"""The dossier form: the dossier's fields, a new operator on the spot, its funding lines and
its indicators. Amounts are typed the French way ("1 234,56") and shown back that way.

An edit form carries the version of the dossier it was opened with; when the save finds the
dossier changed since, `stale_differences` compares what the user typed with what is now
stored.

`dossier`: the dossier's own form (with a new porteur described on the spot); `formsets`: its
funding lines and indicators; `fields`: the French amount field and the widgets; `feedback`: the
error summary and the comparison after a refused stale save."""

from .dossier import ProjectForm
from .feedback import Difference, StaleComparison, error_summary, stale_differences
from .fields import DateInput, FrenchDecimalField, QuartierChoiceField, ThemeSelect
from .formsets import (
    FUNDING_LINES_PREFIX,
    INDICATORS_PREFIX,
    BaseFundingLineFormSet,
    BaseIndicatorFormSet,
    FundingLineForm,
    FundingLineFormSet,
    IndicatorForm,
    IndicatorFormSet,
    VersionedInlineFormSet,
    kept_and_removed,
)

__all__ = [
    "FUNDING_LINES_PREFIX",
    "INDICATORS_PREFIX",
    "BaseFundingLineFormSet",
    "BaseIndicatorFormSet",
    "DateInput",
    "Difference",
    "FrenchDecimalField",
    "FundingLineForm",
    "FundingLineFormSet",
    "IndicatorForm",
    "IndicatorFormSet",
    "ProjectForm",
    "QuartierChoiceField",
    "StaleComparison",
    "ThemeSelect",
    "VersionedInlineFormSet",
    "error_summary",
    "kept_and_removed",
    "stale_differences",
]
