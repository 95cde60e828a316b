"""Administration of the reference data, the funders, the programme years, the porteurs and the
dossiers with their funding lines (`reference`, `dossiers`).

The admin is for administrators only (contratville/admin_site.py). Even for them, the workflow
owns a dossier's status: the status, the decision date and the version are read-only here, and
so are the bilan's texts (a dossier's focus fields, a year's narrative), which the direction
writes at /bilan/<année>/textes/. A status moves only through the workflow service
(`project_change_status`, the dossier page's buttons); a dossier is created by the dossier form
or the import, which record its first status, never here. A form of this admin that writes a
dossier or one of its lines (`DossierVersionForm`) is saved only if the dossier is still at the
version the page was opened with, and gives it the next version, like the dossier form: neither
overwrites the other's changes unseen.

The models with an audit trail (operators, programme years, dossiers, indicators) have the
"Historique" page of django-simple-history, read only: who changed what, when, and why.
"""

from .dossiers import (
    DossierRowAdmin,
    DossierVersionForm,
    FundingLineAdmin,
    FundingLineInline,
    ProjectAdmin,
    bump_dossier_versions,
)
from .reference import FunderAdmin, OperatorAdmin, ProgrammeYearAdmin, format_euros

__all__ = [
    "DossierRowAdmin",
    "DossierVersionForm",
    "FunderAdmin",
    "FundingLineAdmin",
    "FundingLineInline",
    "OperatorAdmin",
    "ProgrammeYearAdmin",
    "ProjectAdmin",
    "bump_dossier_versions",
    "format_euros",
]
