"""The agglomeration's subsidies as open data, in the national SCDL « subventions » format
(docs/contracts.md §10; `manage.py export_scdl YEAR`, and the direction's download).

One row per programmed dossier of the year that the agglomeration funds (its funders,
`Funder.paid_by_agglomeration`, with a granted amount): the grantor from the settings
(`AGGLOMERATION_NAME`, `AGGLOMERATION_SIRET`), the decision date as the convention's date, the
porteur's SIRET or RNA number, the payment conditions and period from the lines' schedule
(funding.Payment: one payment « unique », several « échelonné »; the period from the first to the
last date, paid or planned). The agglomeration's own actions (its money on its own dossiers) are
not subsidies and are left out. A dossier that lacks what a required field needs is reported in
French and left out, never written invalid. The columns and their rules: funding/schemas/."""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch

from contratville.formatting import plain_amount
from projects.models import FundingLine, Project, Status
from projects.validators import RNA

from .models import Payment, PaymentState

SCHEMA_PATH = Path(__file__).parent / "schemas" / "scdl-subventions-2.1.1.json"
FIELDS = [f["name"] for f in json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["fields"]]
SIRET = re.compile(r"\d{14}")


@dataclass
class ScdlExport:
    rows: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return buffer.getvalue().encode("utf-8")


def scdl_export(year: int) -> ScdlExport:
    """The year's rows and the problems of the dossiers left out. Three queries."""
    result = ScdlExport()
    grantor_name = (settings.AGGLOMERATION_NAME or "").strip()
    grantor_siret = (getattr(settings, "AGGLOMERATION_SIRET", "") or "").strip()
    if not SIRET.fullmatch(grantor_siret):
        result.problems.append(
            f"Le SIRET de l'agglomération (réglage AGGLOMERATION_SIRET) est « {grantor_siret} » : "
            "14 chiffres attendus ; aucune ligne n'est écrite."
        )
        return result
    lines = FundingLine.objects.filter(
        funder__paid_by_agglomeration=True, amount_granted__gt=0
    ).prefetch_related(Prefetch("payments", queryset=Payment.objects.counted().order_by("planned_on", "pk")))
    projects = (
        Project.objects.filter(
            year_id=year, status__in=Status.programmed(), funding_lines__in=lines.values("pk")
        )
        .distinct()
        .select_related("operator")
        .prefetch_related(Prefetch("funding_lines", queryset=lines, to_attr="agglomeration_lines"))
        .order_by("reference", "pk")
    )
    own_names = {settings.AGGLOMERATION_NAME, settings.AGGLOMERATION_SHORT_NAME}
    for project in projects:
        operator = project.operator
        if operator.name in own_names or (operator.siret and operator.siret[:9] == grantor_siret[:9]):
            # The agglomeration's money on its own actions is not a subsidy (no convention).
            continue
        row, missing = _row(project, grantor_name, grantor_siret)
        if missing:
            result.problems.append(
                f"Dossier {project.reference} ({project.operator.name}) : {' ; '.join(missing)}."
            )
        else:
            result.rows.append(row)
    return result


def _row(project: Project, grantor_name: str, grantor_siret: str) -> tuple[dict, list[str]]:
    missing = []
    operator = project.operator
    siret = operator.siret if SIRET.fullmatch(operator.siret or "") else ""
    rna = operator.rna if RNA.fullmatch(operator.rna or "") else ""
    if not (siret or rna):
        missing.append("le porteur n'a ni SIRET ni numéro RNA (à saisir sur sa fiche)")
    if project.decision_date is None:
        missing.append("pas de date de décision (la date de la convention)")
    amount = sum((line.amount_granted for line in project.agglomeration_lines), Decimal("0.00"))
    payments = [p for line in project.agglomeration_lines for p in line.payments.all()]
    dates = sorted(p.paid_on if p.state == PaymentState.VERSE else p.planned_on for p in payments)
    if not dates:
        missing.append("aucun versement prévu (l'échéancier donne les conditions et la période de versement)")
    if not grantor_name:
        missing.append("le nom de l'agglomération (réglage AGGLOMERATION_NAME) est vide")
    if missing:
        return {}, missing
    period = dates[0].isoformat() if len(dates) == 1 else f"{dates[0].isoformat()}/{dates[-1].isoformat()}"
    return {
        "nomAttribuant": grantor_name,
        "idAttribuant": grantor_siret,
        "dateConvention": project.decision_date.isoformat(),
        "referenceDecision": project.reference,
        "nomBeneficiaire": operator.name,
        "idBeneficiaire": siret,
        "rnaBeneficiaire": rna,
        "objet": project.title[:256],
        "montant": plain_amount(amount),
        "nature": "aide en numéraire",
        "conditionsVersement": "unique" if len(dates) == 1 else "échelonné",
        "datesPeriodeVersement": period,
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }, []
