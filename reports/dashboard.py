"""The dashboard's figures beyond the bilan's: credits by quartier and by commune, the years
on offer, and the reference data of the filters. The bilan's figures themselves come from
`reports.selectors` (`figures_by_year`), so that the dashboard and the bilan never disagree.

Each function runs a fixed number of queries whatever the number of dossiers; the per-dossier
sums of the year are added up here, because a dossier that targets several quartiers of one
commune must count once for that commune.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from funding.models import Funder, FundingLine
from projects.models import Operator, Project, Quartier, QuartierKind, Status, Theme

from .filters import Choices, Scope
from .selectors import ZERO, BilanFigures, figures_by_year


@dataclass
class AreaFigures:
    """Credits of the programmed dossiers that concern a quartier or a commune."""

    code: str
    label: str
    amount: Decimal = ZERO
    projects: int = 0


@dataclass
class QuartierRef:
    id: int
    code: str
    name: str
    kind: str
    communes: list[tuple[str, str]] = field(default_factory=list)  # (INSEE code, name)

    @property
    def label(self) -> str:
        return self.name if self.kind == QuartierKind.QPV else f"{self.name} (veille)"


@dataclass
class Areas:
    quartiers: list[AreaFigures]
    communes: list[AreaFigures]
    # Dossiers that name no quartier (intercommunal actions), or none placed in a commune.
    without_quartier: AreaFigures
    without_commune: AreaFigures
    # Programmed dossiers to which each funder granted money (> 0), by funder code.
    funder_projects: dict[str, int]


def quartier_reference() -> list[QuartierRef]:
    """Every quartier with its communes, in one query."""
    quartiers: dict[int, QuartierRef] = {}
    rows = Quartier.objects.order_by("kind", "code_2015", "name").values(
        "id", "name", "kind", "code_2015", "code_2024", "local_code", "communes__insee_code", "communes__name"
    )
    for row in rows:
        ref = quartiers.get(row["id"])
        if ref is None:
            code = row["code_2015"] or row["code_2024"] or row["local_code"] or ""
            ref = quartiers[row["id"]] = QuartierRef(row["id"], code, row["name"], row["kind"])
        if row["communes__insee_code"]:
            ref.communes.append((row["communes__insee_code"], row["communes__name"]))
    return list(quartiers.values())


def areas(
    year: int,
    scope: Scope | None = None,
    *,
    quartiers: list[QuartierRef] | None = None,
    projects_programmed: int | None = None,
) -> Areas:
    """Credits by quartier and by commune of one year's programmed dossiers in `scope`.

    A dossier counts in full for every quartier it targets (so the quartiers' column does not
    add up to the total), and once for each commune where one of its quartiers lies.
    `projects_programmed` (from the year's figures) sizes the "no quartier" row."""
    scope = scope or Scope()
    if quartiers is None:
        quartiers = quartier_reference()
    programmed = Q(project__year_id=year, project__status__in=Status.programmed())

    per_project: dict[int, Decimal] = defaultdict(lambda: ZERO)
    funder_projects: dict[str, int] = defaultdict(int)
    lines = (
        FundingLine.objects.filter(programmed)
        .filter(scope.line_q())
        .values_list("project_id", "funder__code")
        .annotate(granted=Sum("amount_granted"))
        .order_by()
    )
    for project_id, funder_code, granted in lines:
        per_project[project_id] += granted or ZERO
        if granted:
            funder_projects[funder_code] += 1

    targets: dict[int, set[int]] = defaultdict(set)
    pairs = (
        Project.quartiers.through.objects.filter(programmed)
        .filter(scope.project_q("project__"))
        .values_list("project_id", "quartier_id")
    )
    for project_id, quartier_id in pairs:
        targets[project_id].add(quartier_id)

    by_quartier = {q.id: AreaFigures(q.code, q.label) for q in quartiers}
    communes_of = {q.id: q.communes for q in quartiers}
    by_commune: dict[str, AreaFigures] = {}
    for q in quartiers:
        for insee_code, name in q.communes:
            by_commune.setdefault(insee_code, AreaFigures(insee_code, name))

    placed_amount, placed_projects = ZERO, 0
    in_commune_amount = ZERO
    in_commune_projects = 0
    for project_id, quartier_ids in targets.items():
        amount = per_project.get(project_id, ZERO)
        placed_amount += amount
        placed_projects += 1
        communes = set()
        for quartier_id in quartier_ids:
            area = by_quartier[quartier_id]
            area.amount += amount
            area.projects += 1
            communes.update(code for code, _name in communes_of[quartier_id])
        for code in communes:
            by_commune[code].amount += amount
            by_commune[code].projects += 1
        if communes:
            in_commune_amount += amount
            in_commune_projects += 1

    total = sum(per_project.values(), ZERO)
    if projects_programmed is None:
        projects_programmed = len(set(per_project) | set(targets))
    return Areas(
        quartiers=list(by_quartier.values()),
        communes=sorted(by_commune.values(), key=lambda a: (-a.amount, a.label)),
        without_quartier=AreaFigures(
            "", "Sans quartier précisé", total - placed_amount, projects_programmed - placed_projects
        ),
        without_commune=AreaFigures(
            "",
            "Sans commune connue",
            total - in_commune_amount,
            projects_programmed - in_commune_projects,
        ),
        funder_projects=dict(funder_projects),
    )


def commune_credits(year: int, scope: Scope | None = None) -> list[AreaFigures]:
    """Credits programmed for the quartiers of each commune (the map's figures)."""
    return areas(year, scope).communes


@dataclass
class YearOption:
    year: int
    projects: int
    programmed: int


def year_options() -> list[YearOption]:
    """Years that hold dossiers, oldest first."""
    rows = (
        Project.objects.values("year_id")
        .annotate(n=Count("id"), programmed=Count("id", filter=Q(status__in=Status.programmed())))
        .order_by("year_id")
    )
    return [YearOption(row["year_id"], row["n"], row["programmed"]) for row in rows]


def default_year(options: list[YearOption]) -> int:
    """The latest year with a programmation, else the latest with dossiers, else this year."""
    programmed = [o.year for o in options if o.programmed]
    if programmed:
        return programmed[-1]
    if options:
        return options[-1].year
    return timezone.localdate().year


def filter_choices(quartiers: list[QuartierRef]) -> Choices:
    """The filters' values from the reference data (piliers and thématiques in one query)."""
    pillars: dict[str, str] = {}
    themes = []
    rows = Theme.objects.order_by("pillar__order", "pillar__code", "order", "code").values_list(
        "code", "label", "pillar__code", "pillar__label"
    )
    for code, label, pillar_code, pillar_label in rows:
        pillars.setdefault(pillar_code, pillar_label)
        themes.append((code, f"{code} {label}"))
    communes = {}
    for q in quartiers:
        for code, name in q.communes:
            communes[code] = name
    return Choices(
        pilier=list(pillars.items()),
        thematique=themes,
        quartier=[(q.code, f"{q.label} ({q.code})") for q in quartiers if q.code],
        commune=sorted(communes.items(), key=lambda item: item[1]),
        financeur=list(Funder.objects.values_list("code", "label")),
    )


@dataclass
class Dashboard:
    year: int
    years: list[YearOption]
    scope: Scope
    figures: BilanFigures
    previous: BilanFigures | None  # None when the year before holds no dossier
    history: list[BilanFigures]  # every year with dossiers, oldest first
    areas: Areas
    quartiers: list[QuartierRef]
    operators: list[tuple[int, str]]  # the porteurs named by the scope


def dashboard(year: int, scope: Scope, years: list[YearOption], quartiers: list[QuartierRef]) -> Dashboard:
    """Every figure of the dashboard for one year and scope, in a fixed number of queries."""
    known = {o.year for o in years}
    all_figures = figures_by_year(known | {year}, scope)
    figures = all_figures[year]
    operators = []
    if scope.porteur:
        operators = list(Operator.objects.filter(pk__in=scope.porteur).values_list("pk", "name"))
    return Dashboard(
        year=year,
        years=years,
        scope=scope,
        figures=figures,
        previous=all_figures.get(year - 1) if (year - 1) in known else None,
        history=[all_figures[y] for y in sorted(known)],
        areas=areas(year, scope, quartiers=quartiers, projects_programmed=figures.projects_programmed),
        quartiers=quartiers,
        operators=operators,
    )
