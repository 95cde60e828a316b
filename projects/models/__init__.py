"""The dossier and what it refers to, as one package: reference data (piliers, thématiques,
communes, quartiers, porteurs, programme years), the dossier and its workflow's records, and its
financial plan (funders, funding lines)."""

from .base import MONEY, CodeManager, history_records
from .choices import FcsAxis, Nature, OperatorKind, QuartierKind, Status
from .dossier import Indicator, Project, StatusChange
from .funding import Funder, FunderManager, FundingLine, FundingLineQuerySet
from .reference import (
    Commune,
    CommuneManager,
    Operator,
    Pillar,
    ProgrammeYear,
    Quartier,
    QuartierManager,
    Theme,
)

__all__ = [
    "MONEY",
    "CodeManager",
    "Commune",
    "CommuneManager",
    "FcsAxis",
    "Funder",
    "FunderManager",
    "FundingLine",
    "FundingLineQuerySet",
    "Indicator",
    "Nature",
    "Operator",
    "OperatorKind",
    "Pillar",
    "ProgrammeYear",
    "Project",
    "Quartier",
    "QuartierKind",
    "QuartierManager",
    "Status",
    "StatusChange",
    "Theme",
    "history_records",
]
