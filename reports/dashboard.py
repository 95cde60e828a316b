"""The dashboard's figures beyond the bilan's: credits by quartier and by commune, and the years
on offer. The filters and their reference data are the dossier list's (`projects.filters`). The bilan's figures themselves come from
`reports.selectors` (`figures_of_years`), so that the dashboard and the bilan never disagree.

Each function runs a fixed number of queries whatever the number of dossiers; the per-dossier
sums of the year are added up here, because a dossier that targets several quartiers of one
commune must count once for that commune.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from contratville.formatting import euros, number, percent, percent_text
from contratville.versioning import Versions, cache_key, remembered
from funding.selectors import EnvelopeUsage, set_envelopes
from projects.filters import DossierScope, FilterReference, QuartierChoice
from projects.models import Funder, FundingLine, Operator, Project, Status

from .selectors import ZERO, BilanFigures, Evaluation, Projection, figures_of_years
from .selectors.evaluation import year_evaluation


@dataclass
class AreaFigures:
    """Credits of the programmed dossiers that concern a quartier or a commune."""

    code: str
    label: str
    amount: Decimal = ZERO
    projects: int = 0


# A quartier with its codes and communes (the filters' reference data).
QuartierRef = QuartierChoice


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
    """Every quartier with its communes, in one query (the filters' own reference data)."""
    return FilterReference().quartiers


def areas(
    year: int,
    scope: DossierScope | None = None,
    *,
    quartiers: list[QuartierRef] | None = None,
    projects_programmed: int | None = None,
    projection: Projection | None = None,
) -> Areas:
    """Credits by quartier and by commune of one year's programmed dossiers in `scope`.

    A dossier counts in full for every quartier it targets (so the quartiers' column does not
    add up to the total), and once for each commune where one of its quartiers lies.
    `projects_programmed` (from the year's figures) sizes the "no quartier" row. With a
    `projection` (reports.selectors.Projection), the same figures as if its decisions were taken."""
    scope = scope or DossierScope()
    if quartiers is None:
        quartiers = quartier_reference()
    lines = FundingLine.objects.all()
    pairs_of = Project.quartiers.through.objects.all()
    status, granted = "project__status", "amount_granted"
    if projection is not None:
        status, granted = "projected_status", "projected_granted"
        lines = projection.lines(lines).alias(projected_status=projection.status("project__"))
        pairs_of = pairs_of.alias(projected_status=projection.status("project__"))
    programmed = Q(project__year_id=year, **{f"{status}__in": Status.programmed()})

    # Per dossier, its total (a few tens of thousands of rows at national scale, not one per line).
    lines = lines.filter(programmed).filter(scope.line_q()).order_by()
    per_project: dict[int, Decimal] = {
        project_id: amount or ZERO
        for project_id, amount in lines.values_list("project_id").annotate(amount=Sum(granted))
    }
    # Amounts are never negative: a funder granted money to a dossier when one of its lines is > 0.
    funder_projects: dict[str, int] = {
        code: n
        for code, n in lines.values_list("funder__code").annotate(
            n=Count("project_id", distinct=True, filter=Q(**{f"{granted}__gt": 0}))
        )
        if n
    }

    targets: dict[int, set[int]] = defaultdict(set)
    pairs = (
        pairs_of.filter(programmed)
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
        funder_projects=funder_projects,
    )


def commune_credits(year: int, scope: DossierScope | None = None) -> list[AreaFigures]:
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


@dataclass
class Dashboard:
    year: int
    years: list[YearOption]
    scope: DossierScope
    figures: BilanFigures
    previous: BilanFigures | None  # None when the year before holds no dossier
    history: list[BilanFigures]  # every year with dossiers, oldest first
    areas: Areas
    quartiers: list[QuartierRef]
    operators: list[tuple[int, str]]  # the porteurs named by the scope
    # The funders' envelopes of the year and their use, for the whole programmation (not the
    # scope: an envelope is spent by every dossier of its funder).
    envelopes: list[EnvelopeUsage] = field(default_factory=list)
    # What the year's programmed dossiers achieved (their comptes-rendus), for the whole year.
    evaluation: Evaluation | None = None


def dashboard(
    year: int,
    scope: DossierScope,
    years: list[YearOption],
    quartiers: list[QuartierRef],
    *,
    versions: Versions | None = None,
    operators: list[tuple[int, str]] | None = None,
) -> Dashboard:
    """Every figure of the dashboard for one year and scope, in a fixed number of queries.

    With `versions` (read before anything else), each year's figures and the year's areas are
    kept in the cache under the versions of the data they come from (contratville.versioning): after
    a change to 2024's dossiers, only 2024's figures are computed again (2025's priority share
    compares with 2024's: set from the figures of both years, never kept)."""
    known = {o.year for o in years}
    wanted = known | {year}

    # The fonds de concours are outside the programmation, but the director reads them here too.
    all_figures = figures_of_years(wanted, scope, versions=versions)
    figures = all_figures[year]

    def compute_areas():
        return areas(year, scope, quartiers=quartiers, projects_programmed=figures.projects_programmed)

    if versions is None:
        year_areas = compute_areas()
    else:
        year_areas = remembered(
            cache_key("areas", scope.query_string(), year, versions.of(year)), compute_areas
        )
    if operators is None:
        operators = []
    if scope.porteur and not operators:
        operators = list(Operator.objects.filter(pk__in=scope.porteur).values_list("pk", "name"))
    return Dashboard(
        year=year,
        years=years,
        scope=scope,
        figures=figures,
        previous=all_figures.get(year - 1) if (year - 1) in known else None,
        history=[all_figures[y] for y in sorted(known)],
        areas=year_areas,
        quartiers=quartiers,
        operators=operators,
        envelopes=set_envelopes(year),
        evaluation=year_evaluation(year),
    )


@dataclass
class KeyFigure:
    """One of the key figures, with the same figure the year before and the change."""

    label: str
    value: str
    detail: str = ""
    previous: str = ""  # "" when the year before has no dossier
    change: str = ""
    trend: str = ""  # "hausse", "baisse", "stable" or ""
    link: str = ""


def _sign(value) -> str:
    return "+" if value > 0 else "\u2212" if value < 0 else "±"


def _trend(difference) -> str:
    return "hausse" if difference > 0 else "baisse" if difference < 0 else "stable"


def amount_change(current: Decimal, before: Decimal | None) -> tuple[str, str]:
    """ "+219 320,00 € (+3,3 %)" and the trend; nothing when there is no year before."""
    if before is None:
        return "", ""
    difference = current - before
    text = f"{_sign(difference)}{euros(abs(difference))}"
    if before:
        change = percent(difference, before)
        text += f" ({_sign(change)}{percent_text(abs(change))})"
    return text, _trend(difference)


def count_change(current: int, before: int | None) -> tuple[str, str]:
    if before is None:
        return "", ""
    difference = current - before
    return f"{_sign(difference)}{number(abs(difference))}", _trend(difference)


def points_change(current: Decimal | None, before: Decimal | None) -> tuple[str, str]:
    """Shares change by percentage points, not by percents."""
    if current is None or before is None:
        return "", ""
    difference = current - before
    points = number(abs(difference), 1)
    return f"{_sign(difference)}{points} point{'s' if abs(difference) >= 2 else ''}", _trend(difference)


def _projects(n: int) -> str:
    return f"{number(n)} projet{'s' if n > 1 else ''}"


def key_figures(data: Dashboard, link) -> list[KeyFigure]:
    """The key figures of the dashboard's year, each compared with the year before.

    `link(**parameters)` gives the address of the dossiers behind a figure."""
    f, p = data.figures, data.previous
    programmed = Status.programmed()

    def figure(label, value, previous, change, detail="", url=""):
        return KeyFigure(label, value, detail, previous, change[0], change[1], url)

    fcs_detail = f"{euros(f.fcs_granted)} accordés"
    if f.fcs_envelope:
        share = percent_text(percent(f.fcs_granted, f.fcs_envelope))
        fcs_detail += f" sur une enveloppe de {euros(f.fcs_envelope)} ({share})"
    else:
        fcs_detail += f" ; pas d'enveloppe fixée pour {f.year}"
    return [
        figure(
            "Total programmé",
            euros(f.total),
            euros(p.total) if p else "",
            amount_change(f.total, p.total if p else None),
            "montants accordés aux dossiers programmés",
            link(),
        ),
        figure(
            "Dossiers déposés",
            number(f.projects_filed),
            number(p.projects_filed) if p else "",
            count_change(f.projects_filed, p.projects_filed if p else None),
            url=link(statut=Status.filed()),
        ),
        figure(
            "Dossiers programmés",
            number(f.projects_programmed),
            number(p.projects_programmed) if p else "",
            count_change(f.projects_programmed, p.projects_programmed if p else None),
            url=link(),
        ),
        figure(
            "Dossiers refusés",
            number(f.projects_refused),
            number(p.projects_refused) if p else "",
            count_change(f.projects_refused, p.projects_refused if p else None),
            url=link(statut=[Status.REFUSE]),
        ),
        figure(
            "Dossiers soutenus par des crédits ANCT",
            number(f.projects_supported_anct),
            number(p.projects_supported_anct) if p else "",
            count_change(f.projects_supported_anct, p.projects_supported_anct if p else None),
            "dossiers programmés avec un montant ANCT accordé",
            link(financeur=[Funder.ANCT], statut=programmed),
        ),
        figure(
            "Part des crédits spécifiques",
            percent_text(f.specific_percent),
            percent_text(p.specific_percent) if p else "",
            points_change(f.specific_percent, p.specific_percent if p else None),
            f"{euros(f.specific_total)} sur {euros(f.total)}",
            link(nature=["specifique"]),
        ),
        figure(
            "Dossiers associatifs programmés",
            number(f.associative_projects),
            number(p.associative_projects) if p else "",
            count_change(f.associative_projects, p.associative_projects if p else None),
            url=link(type_porteur=["association"]),
        ),
        figure(
            "Part des thématiques prioritaires",
            percent_text(f.priority_themes_percent),
            percent_text(f.priority_themes_percent_previous_year)
            if f.priority_themes_percent_previous_year is not None
            else "",
            points_change(f.priority_themes_percent, f.priority_themes_percent_previous_year),
            "des crédits, sur les thématiques prioritaires de l'année"
            if f.priority_themes_percent is not None
            else "aucune thématique prioritaire pour cette année",
        ),
        figure(
            "Fonds de cohésion sociale",
            _projects(f.fcs_projects),
            _projects(p.fcs_projects) if p else "",
            count_change(f.fcs_projects, p.fcs_projects if p else None),
            fcs_detail,
            link(financeur=[Funder.CABBALR_FCS], statut=programmed),
        ),
    ]
