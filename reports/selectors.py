"""The bilan's and the dashboard's figures, computed in one place.

Every figure comes from the funding lines and dossiers in the database, one query per family
of figures; the HTML, PDF and JSON bilans and the dashboard all call `bilan_figures`.
Amounts stay `Decimal`; percentages are rounded half-up once, by `percent()`.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from funding.models import FondsDeConcours, Funder, FundingLine, Nature
from projects.models import OperatorKind, Pillar, ProgrammeYear, Project, Status

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """`part` as a percentage of `whole`, rounded half-up to one decimal; 0.0 when whole is 0."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class PillarFigures:
    code: str
    label: str
    droit_commun: Decimal = ZERO
    specifique: Decimal = ZERO
    associative_projects: int = 0
    percent: Decimal = Decimal("0.0")
    associative_percent: Decimal = Decimal("0.0")

    @property
    def amount(self) -> Decimal:
        return self.droit_commun + self.specifique


@dataclass
class FondsDeConcoursItem:
    commune: str
    project: str
    amount: Decimal


@dataclass
class BilanFigures:
    year: int
    projects_filed: int = 0
    projects_programmed: int = 0
    projects_refused: int = 0
    projects_supported_anct: int = 0
    associative_projects: int = 0
    pillars: list[PillarFigures] = field(default_factory=list)
    priority_themes_amount: Decimal = ZERO
    priority_themes_percent: Decimal | None = None
    priority_themes_percent_previous_year: Decimal | None = None
    fcs_envelope: Decimal = ZERO
    fcs_granted: Decimal = ZERO
    fcs_projects: int = 0
    fonds_de_concours: list[FondsDeConcoursItem] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.pillars), ZERO)

    @property
    def specific_total(self) -> Decimal:
        return sum((p.specifique for p in self.pillars), ZERO)

    @property
    def droit_commun_total(self) -> Decimal:
        return sum((p.droit_commun for p in self.pillars), ZERO)

    @property
    def specific_percent(self) -> Decimal:
        return percent(self.specific_total, self.total)

    @property
    def fonds_de_concours_total(self) -> Decimal:
        return sum((item.amount for item in self.fonds_de_concours), ZERO)


def _project_counts(year: int) -> dict:
    programmed = Q(status__in=Status.programmed())
    return Project.objects.for_year(year).aggregate(
        filed=Count("id", filter=~Q(status=Status.BROUILLON)),
        programmed=Count("id", filter=programmed),
        refused=Count("id", filter=Q(status=Status.REFUSE)),
        associative=Count("id", filter=programmed & Q(operator__kind=OperatorKind.ASSOCIATION)),
    )


def _projects_with_granted_line(year: int) -> dict[str, int]:
    """For the ANCT and FCS funders: how many programmed dossiers they granted money to."""
    rows = (
        FundingLine.objects.of_programmed_projects(year)
        .filter(funder__code__in=[Funder.ANCT, Funder.CABBALR_FCS], amount_granted__gt=0)
        .values("funder__code")
        .annotate(projects=Count("project", distinct=True), granted=Sum("amount_granted"))
    )
    return {row["funder__code"]: row for row in rows}


def _granted_by_pillar_theme_nature(year: int) -> list[dict]:
    return list(
        FundingLine.objects.of_programmed_projects(year)
        .values("project__pillar__code", "project__theme__code", "nature")
        .annotate(granted=Sum("amount_granted"))
    )


def _priority_theme_codes(year: int) -> set[str]:
    return set(
        ProgrammeYear.priority_themes.through.objects.filter(programmeyear_id=year).values_list(
            "theme__code", flat=True
        )
    )


def priority_themes_percent(year: int, rows: list[dict] | None = None) -> Decimal | None:
    """Share of the year's programmed credits on its priority thématiques; None when the year
    has no priority thématiques or no programmation."""
    codes = _priority_theme_codes(year)
    if not codes:
        return None
    if rows is None:
        rows = _granted_by_pillar_theme_nature(year)
    total = sum((row["granted"] or ZERO for row in rows), ZERO)
    if not rows:
        return None
    on_priority = sum((row["granted"] or ZERO for row in rows if row["project__theme__code"] in codes), ZERO)
    return percent(on_priority, total)


def bilan_figures(year: int) -> BilanFigures:
    """All the figures of one year's bilan. A year with no data gives zeros."""
    figures = BilanFigures(year=year)
    counts = _project_counts(year)
    figures.projects_filed = counts["filed"]
    figures.projects_programmed = counts["programmed"]
    figures.projects_refused = counts["refused"]
    figures.associative_projects = counts["associative"]

    granted_by_funder = _projects_with_granted_line(year)
    figures.projects_supported_anct = granted_by_funder.get(Funder.ANCT, {}).get("projects", 0)
    fcs = granted_by_funder.get(Funder.CABBALR_FCS, {})
    figures.fcs_projects = fcs.get("projects", 0)
    figures.fcs_granted = fcs.get("granted") or ZERO

    pillars = {
        p.code: PillarFigures(code=p.code, label=p.label) for p in Pillar.objects.order_by("order", "code")
    }
    rows = _granted_by_pillar_theme_nature(year)
    for row in rows:
        pillar = pillars[row["project__pillar__code"]]
        amount = row["granted"] or ZERO
        if row["nature"] == Nature.SPECIFIQUE:
            pillar.specifique += amount
        else:
            pillar.droit_commun += amount

    associative_by_pillar = dict(
        Project.objects.for_year(year)
        .programmed()
        .filter(operator__kind=OperatorKind.ASSOCIATION)
        .values_list("pillar__code")
        .annotate(n=Count("id"))
    )
    figures.pillars = list(pillars.values())
    total = figures.total
    for pillar in figures.pillars:
        pillar.percent = percent(pillar.amount, total)
        pillar.associative_projects = associative_by_pillar.get(pillar.code, 0)
        pillar.associative_percent = percent(pillar.associative_projects, figures.associative_projects)

    programme_year = ProgrammeYear.objects.filter(year=year).first()
    if programme_year is not None:
        figures.fcs_envelope = programme_year.fcs_envelope or ZERO
        codes = _priority_theme_codes(year)
        if codes and total:
            figures.priority_themes_amount = sum(
                (row["granted"] or ZERO for row in rows if row["project__theme__code"] in codes), ZERO
            )
            figures.priority_themes_percent = percent(figures.priority_themes_amount, total)
        elif codes:
            figures.priority_themes_percent = Decimal("0.0")
    figures.priority_themes_percent_previous_year = priority_themes_percent(year - 1)

    figures.fonds_de_concours = [
        FondsDeConcoursItem(commune=f.commune.name, project=f.project_title, amount=f.amount)
        for f in FondsDeConcours.objects.filter(year_id=year)
        .select_related("commune")
        .order_by("order", "id")
    ]
    return figures


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(TENTH, rounding=ROUND_HALF_UP))


def bilan_as_json(year: int) -> dict:
    """The bilan in the form of CONTRACTS.md §4 (amounts and percentages as strings)."""
    f = bilan_figures(year)
    return {
        "year": f.year,
        "projects_filed": f.projects_filed,
        "projects_programmed": f.projects_programmed,
        "projects_refused": f.projects_refused,
        "projects_supported_anct": f.projects_supported_anct,
        "total": _money(f.total),
        "droit_commun_total": _money(f.droit_commun_total),
        "specific_total": _money(f.specific_total),
        "specific_percent": _pct(f.specific_percent),
        "associative_projects": f.associative_projects,
        "piliers": [
            {
                "code": p.code,
                "label": p.label,
                "amount": _money(p.amount),
                "percent": _pct(p.percent),
                "droit_commun": _money(p.droit_commun),
                "specifique": _money(p.specifique),
                "associative_projects": p.associative_projects,
                "associative_percent": _pct(p.associative_percent),
            }
            for p in f.pillars
        ],
        "priority_themes_percent": _pct(f.priority_themes_percent),
        "priority_themes_percent_previous_year": _pct(f.priority_themes_percent_previous_year),
        "fcs": {
            "envelope": _money(f.fcs_envelope),
            "projects": f.fcs_projects,
            "granted": _money(f.fcs_granted),
        },
        "fonds_de_concours": {
            "total": _money(f.fonds_de_concours_total),
            "items": [
                {"commune": i.commune, "project": i.project, "amount": _money(i.amount)}
                for i in f.fonds_de_concours
            ],
        },
    }
