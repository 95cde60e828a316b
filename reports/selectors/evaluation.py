"""The evaluation of a year (bilan, dashboard, `/bilan/YEAR.json` key `evaluation`): what the
programmed dossiers achieved, from their comptes-rendus financiers (funding.CompteRendu).

- `expected`: the year's programmed dossiers (`programme`, `justifie`, `solde`), each of which
  owes a compte-rendu; `justified`: those justified or closed (`justifie`, `solde`);
- `planned_charges`, `actual_charges`: the charges (accounts 60–68 and 86) of their
  comptes-rendus, planned and actual; `realisation_percent`: actual ÷ planned;
- beneficiaries: the sums of their comptes-rendus (total, of whom in QPV, women, men);
- by pilier, and by quartier (a dossier in several quartiers counts in full in each, as in the
  rest of the bilan); the year before beside the year.
A fixed number of queries (five per year), whatever the number of dossiers."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from contratville.formatting import percent
from funding.models import CHARGE_ACCOUNTS, CompteRendu, CompteRenduLine
from projects.models import Pillar, Project, Status

ZERO = Decimal("0.00")
JUSTIFIED = (Status.JUSTIFIE, Status.SOLDE)


@dataclass
class EvaluationRow:
    """A pilier's or a quartier's (or the year's) evaluation figures."""

    code: str
    label: str
    expected: int = 0
    justified: int = 0
    planned_charges: Decimal = ZERO
    actual_charges: Decimal = ZERO
    beneficiaries: int = 0
    beneficiaries_qpv: int = 0
    women: int = 0
    men: int = 0

    @property
    def justified_percent(self) -> Decimal:
        return percent(self.justified, self.expected)

    @property
    def realisation_percent(self) -> Decimal | None:
        return percent(self.actual_charges, self.planned_charges) if self.planned_charges else None

    @property
    def qpv_percent(self) -> Decimal | None:
        return percent(self.beneficiaries_qpv, self.beneficiaries) if self.beneficiaries else None


@dataclass
class Evaluation:
    year: int
    total: EvaluationRow
    pillars: list[EvaluationRow] = field(default_factory=list)
    quartiers: list[EvaluationRow] = field(default_factory=list)
    previous: "Evaluation | None" = None


def _add(row: EvaluationRow, values: dict) -> None:
    row.beneficiaries += values.get("beneficiaries") or 0
    row.beneficiaries_qpv += values.get("beneficiaries_qpv") or 0
    row.women += values.get("women") or 0
    row.men += values.get("men") or 0


def year_evaluation(year: int) -> Evaluation:
    """The year's evaluation alone (five queries); `evaluation` adds the year before."""
    programmed = Project.objects.filter(year_id=year, status__in=Status.programmed())
    pillars = {
        code: EvaluationRow(code, label)
        for code, label in Pillar.objects.order_by("order", "code").values_list("code", "label")
    }
    total = EvaluationRow("total", "Total")
    for row in (
        programmed.values("pillar__code")
        .annotate(expected=Count("pk"), justified=Count("pk", filter=Q(status__in=JUSTIFIED)))
        .order_by()
    ):
        pillar = pillars[row["pillar__code"]]
        pillar.expected, pillar.justified = row["expected"], row["justified"]
    sums = {name: Sum(name) for name in ("beneficiaries", "beneficiaries_qpv", "women", "men")}
    # Plain joins to the dossier (no `IN (subquery)`): PostgreSQL's plan for the nested form
    # took minutes on a freshly loaded database without statistics.
    of_year = {"project__year_id": year, "project__status__in": Status.programmed()}
    reports = CompteRendu.objects.filter(**of_year)
    for row in reports.values("project__pillar__code").annotate(**sums).order_by():
        _add(pillars[row["project__pillar__code"]], row)
    charges = CompteRenduLine.objects.filter(
        compte_rendu__project__year_id=year,
        compte_rendu__project__status__in=Status.programmed(),
        account__in=list(CHARGE_ACCOUNTS),
    )
    for row in (
        charges.values("compte_rendu__project__pillar__code")
        .annotate(planned=Sum("planned"), actual=Sum("actual"))
        .order_by()
    ):
        pillar = pillars[row["compte_rendu__project__pillar__code"]]
        pillar.planned_charges, pillar.actual_charges = row["planned"] or ZERO, row["actual"] or ZERO
    for pillar in pillars.values():
        total.expected += pillar.expected
        total.justified += pillar.justified
        total.planned_charges += pillar.planned_charges
        total.actual_charges += pillar.actual_charges
        total.beneficiaries += pillar.beneficiaries
        total.beneficiaries_qpv += pillar.beneficiaries_qpv
        total.women += pillar.women
        total.men += pillar.men
    quartiers: dict[int, EvaluationRow] = {}
    for row in (
        reports.filter(project__quartiers__isnull=False)
        .values(
            "project__quartiers__pk",
            "project__quartiers__code_2015",
            "project__quartiers__code_2024",
            "project__quartiers__local_code",
            "project__quartiers__name",
        )
        .annotate(dossiers=Count("pk"), **sums)
        .order_by()
    ):
        code = (
            row["project__quartiers__code_2015"]
            or row["project__quartiers__code_2024"]
            or row["project__quartiers__local_code"]
            or ""
        )
        quartier = quartiers.setdefault(
            row["project__quartiers__pk"], EvaluationRow(code, row["project__quartiers__name"])
        )
        quartier.expected += row["dossiers"]
        _add(quartier, row)
    return Evaluation(
        year=year,
        total=total,
        pillars=list(pillars.values()),
        quartiers=sorted(quartiers.values(), key=lambda q: (-q.beneficiaries, q.code)),
    )


def evaluation(year: int) -> Evaluation:
    """The year's evaluation, with the year before's (`previous`)."""
    current = year_evaluation(year)
    current.previous = year_evaluation(year - 1)
    return current
