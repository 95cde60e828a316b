"""The bilan's and the dashboard's figures, computed in one place.

Every figure comes from the funding lines and dossiers in the database, one query per family
of figures; the HTML, PDF and JSON bilans and the dashboard all call `bilan_figures`.
Amounts stay `Decimal`; percentages are rounded half-up once, by `percent()`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Expression, F, Q, QuerySet, Sum

from contratville.versioning import Versions, cache_key, remembered_many
from funding.models import FondsDeConcours
from funding.selectors import envelope_total_subquery, fcs_envelope_amount
from projects.filters import DossierScope
from projects.models import (
    FcsAxis,
    Funder,
    FundingLine,
    Nature,
    OperatorKind,
    Pillar,
    ProgrammeYear,
    Project,
    Status,
    Theme,
)

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
    short_label: str = ""
    # Programmed dossiers of the pilier.
    projects: int = 0

    @property
    def amount(self) -> Decimal:
        return self.droit_commun + self.specifique


@dataclass
class ThemeFigures:
    """Credits and programmed dossiers of one thématique."""

    code: str
    label: str
    pillar_code: str
    order: int = 0
    amount: Decimal = ZERO
    projects: int = 0


@dataclass
class FunderFigures:
    """Credits granted by one funder to programmed dossiers, by nature."""

    code: str
    label: str
    short_label: str = ""
    order: int = 0
    droit_commun: Decimal = ZERO
    specifique: Decimal = ZERO

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
    # Breakdowns for the dashboard's charts, from the same queries as the figures above.
    themes: list[ThemeFigures] = field(default_factory=list)
    funders: list[FunderFigures] = field(default_factory=list)
    # Dossiers by status (drafts included), in the order of `Status`.
    status_counts: dict[str, int] = field(default_factory=dict)
    # Whether the year has programmed funding lines (even of 0 €).
    has_programmed_lines: bool = False

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


class Projection:
    """The figures *as if* some decisions were taken (a comité's scenario applied): each
    dossier's projected status and each funding line's projected granted amount, as SQL
    expressions that the figures' own queries use instead of the stored ones.

    The caller (an upper layer: comites) subclasses it; the base class projects nothing, so
    that its figures are the stored ones."""

    def status(self, path: str = "") -> Expression:
        """The projected status of the dossier reached by `path` from the queried model (`""`
        for a dossier, `"project__"` for a funding line or a dossier's quartier)."""
        return F(f"{path}status")

    def lines(self, lines: QuerySet) -> QuerySet:
        """`lines` (funding lines) with the alias `projected_granted`, the amount each line
        would have granted."""
        return lines.alias(projected_granted=F("amount_granted"))


def _priority_theme_codes(year: int) -> set[str]:
    return set(
        ProgrammeYear.priority_themes.through.objects.filter(programmeyear_id=year).values_list(
            "theme__code", flat=True
        )
    )


def _granted_by_pillar_theme_nature(year: int) -> list[dict]:
    return list(
        FundingLine.objects.of_programmed_projects(year)
        .values("project__pillar__code", "project__theme__code", "nature")
        .annotate(granted=Sum("amount_granted"))
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


def bilan_figures(year: int, scope: DossierScope | None = None) -> BilanFigures:
    """All the figures of one year's bilan. A year with no data gives zeros.

    `scope` (the dashboard's filters) restricts the dossiers and funding lines counted."""
    return figures_of_years([year], scope)[year]


def figures_by_year(
    years: Iterable[int],
    scope: DossierScope | None = None,
    *,
    with_fonds_de_concours: bool = False,
    projection: Projection | None = None,
) -> dict[int, BilanFigures]:
    """The bilan's figures of several years at once, in the same fixed number of queries as one
    year (seven, eight with the fonds de concours): each query groups by year.

    Dossier counts and the ANCT and FCS figures concern the dossiers in `scope`; amounts, the
    lines in `scope` too (a funder or nature filter keeps only those lines).

    At national scale (30,000 dossiers a year) the two big queries group by identifiers only
    (year, pilier, thématique, nature, funder), never by labels, which come from the reference
    tables apart; the ANCT dossiers are counted in the counts' query, and the FCS figures read
    the FCS lines alone, rather than a `COUNT(DISTINCT)` over every funding line
    (docs/performance.md).

    Each year's `priority_themes_percent_previous_year` stays None: it needs the year before's
    figures, which `figures_of_years` reads beside it and sets (`set_previous_year`).

    With a `projection`, the same figures as if its decisions were taken: each query reads the
    projected status and granted amounts instead of the stored ones (never cached)."""
    scope = scope or DossierScope()
    years = sorted(set(years))
    # The piliers, each with its thématiques (one query; a pilier without any still comes).
    pillar_rows: list[tuple[str, str, str]] = []
    pillar_code: dict[int, str] = {}
    theme_of: dict[int, tuple[str, str, int]] = {}
    for pk, code, label, short, theme_pk, theme_code, theme_label, theme_order in Pillar.objects.order_by(
        "order", "code", "themes__id"
    ).values_list(
        "pk", "code", "label", "short_label", "themes__pk", "themes__code", "themes__label", "themes__order"
    ):
        if pk not in pillar_code:
            pillar_code[pk] = code
            pillar_rows.append((code, label, short))
        if theme_pk is not None:
            theme_of[theme_pk] = (theme_code, theme_label, theme_order)
    figures: dict[int, BilanFigures] = {}
    for y in years:
        figures[y] = BilanFigures(
            year=y,
            pillars=[
                PillarFigures(code=c, label=label, short_label=short) for c, label, short in pillar_rows
            ],
            status_counts=dict.fromkeys(Status.values, 0),
        )
    pillars = {y: {p.code: p for p in f.pillars} for y, f in figures.items()}
    themes: dict[int, dict[str, ThemeFigures]] = {y: {} for y in years}
    funders: dict[int, dict[str, FunderFigures]] = {y: {} for y in years}
    programmed = Status.programmed()

    funder_of = {
        pk: (code, label, short, order)
        for pk, code, label, short, order in Funder.objects.values_list(
            "pk", "code", "label", "short_label", "order"
        )
    }
    funder_pk = {code: pk for pk, (code, *_rest) in funder_of.items()}

    # What the queries read: the stored status and amounts, or the projected ones.
    status, line_status, granted = "status", "project__status", "amount_granted"
    projects, lines = Project.objects.all(), FundingLine.objects.all()
    if projection is not None:
        status, line_status, granted = "projected_status", "projected_status", "projected_granted"
        projects = projects.annotate(projected_status=projection.status())
        lines = projection.lines(lines).alias(projected_status=projection.status("project__"))

    def granted_by(funder_code: str) -> Q:
        """The dossier has a line of that funder with money granted: `id IN (…)`, which
        PostgreSQL hashes once from the partial index of granted lines (`fundingline_granted_idx`)
        rather than probing the lines of every dossier."""
        with_money = lines.filter(funder_id=funder_pk.get(funder_code), **{f"{granted}__gt": 0})
        # The status first: PostgreSQL then looks up programmed dossiers only.
        return Q(**{f"{status}__in": programmed}) & Q(pk__in=with_money.values("project_id"))

    counts = (
        projects.filter(year_id__in=years)
        .filter(scope.project_q())
        .values("year_id", "pillar_id", "theme_id", status)
        .annotate(
            n=Count("id"),
            associative=Count("id", filter=Q(operator__kind=OperatorKind.ASSOCIATION)),
            anct=Count("id", filter=granted_by(Funder.ANCT)),
        )
        .order_by()
    )
    for row in counts:
        f, n, row_status = figures[row["year_id"]], row["n"], row[status]
        f.status_counts[row_status] = f.status_counts.get(row_status, 0) + n
        if row_status != Status.BROUILLON:
            f.projects_filed += n
        if row_status == Status.REFUSE:
            f.projects_refused += n
        if row_status in programmed:
            f.projects_programmed += n
            f.associative_projects += row["associative"]
            code = pillar_code[row["pillar_id"]]
            pillar = pillars[f.year][code]
            pillar.projects += n
            pillar.associative_projects += row["associative"]
            theme = _theme(themes[f.year], theme_of[row["theme_id"]], code)
            theme.projects += n
            f.projects_supported_anct += row["anct"]

    # The FCS: few lines (one dossier in ten at most), read through the funder's index.
    fcs = (
        lines.filter(
            funder_id=funder_pk.get(Funder.CABBALR_FCS),
            project__year_id__in=years,
            **{f"{granted}__gt": 0, f"{line_status}__in": programmed},
        )
        .filter(scope.project_q("project__"))
        .values("project__year_id")
        .annotate(projects=Count("project", distinct=True), granted=Sum(granted))
        .order_by()
    )
    for row in fcs:
        f = figures[row["project__year_id"]]
        f.fcs_projects = row["projects"]
        f.fcs_granted = row["granted"] or ZERO

    rows = (
        lines.filter(project__year_id__in=years, **{f"{line_status}__in": programmed})
        .filter(scope.line_q())
        .values("project__year_id", "project__pillar_id", "project__theme_id", "nature", "funder_id")
        .annotate(granted=Sum(granted))
        .order_by()
    )
    has_lines: set[int] = set()
    for row in rows:
        y = row["project__year_id"]
        has_lines.add(y)
        amount = row["granted"] or ZERO
        code = pillar_code[row["project__pillar_id"]]
        pillar = pillars[y][code]
        theme = _theme(themes[y], theme_of[row["project__theme_id"]], code)
        theme.amount += amount
        funder_code, funder_label, funder_short, funder_order = funder_of[row["funder_id"]]
        funder = funders[y].get(funder_code)
        if funder is None:
            funder = funders[y][funder_code] = FunderFigures(
                code=funder_code, label=funder_label, short_label=funder_short, order=funder_order
            )
        if row["nature"] == Nature.SPECIFIQUE:
            pillar.specifique += amount
            funder.specifique += amount
        else:
            pillar.droit_commun += amount
            funder.droit_commun += amount

    # The FCS envelope: the year's `Envelope` of the fund, else the year's older setting.
    envelopes = {
        y: fcs_envelope_amount(envelope, legacy)
        for y, legacy, envelope in ProgrammeYear.objects.filter(year__in=years)
        .annotate(fcs_envelope_set=envelope_total_subquery(Funder.CABBALR_FCS))
        .values_list("year", "fcs_envelope", "fcs_envelope_set")
    }
    priority_codes: dict[int, set[str]] = {y: set() for y in years}
    for y, code in ProgrammeYear.priority_themes.through.objects.filter(
        programmeyear_id__in=years
    ).values_list("programmeyear_id", "theme__code"):
        priority_codes[y].add(code)

    for y, f in figures.items():
        f.themes = sorted(themes[y].values(), key=lambda t: (t.order, t.code))
        f.funders = sorted(funders[y].values(), key=lambda fu: (fu.order, fu.code))
        total = f.total
        for pillar in f.pillars:
            pillar.percent = percent(pillar.amount, total)
            pillar.associative_percent = percent(pillar.associative_projects, f.associative_projects)
        codes = priority_codes[y]
        on_priority = sum((t.amount for t in f.themes if t.code in codes), ZERO)
        if y in envelopes:
            f.fcs_envelope = envelopes[y] or ZERO
            if codes and total:
                f.priority_themes_amount = on_priority
                f.priority_themes_percent = percent(on_priority, total)
            elif codes:
                f.priority_themes_percent = Decimal("0.0")
    for y, f in figures.items():
        f.has_programmed_lines = y in has_lines

    if with_fonds_de_concours:
        for item in (
            FondsDeConcours.objects.filter(year_id__in=years)
            .select_related("commune")
            .order_by("order", "id")
        ):
            figures[item.year_id].fonds_de_concours.append(
                FondsDeConcoursItem(commune=item.commune.name, project=item.project_title, amount=item.amount)
            )
    return {y: figures[y] for y in years}


def set_previous_year(figures: BilanFigures, previous: BilanFigures) -> None:
    """The year before's priority share, beside the year's: as `priority_themes_percent`, None
    without priority thématiques or without programmed lines that year."""
    figures.priority_themes_percent_previous_year = (
        previous.priority_themes_percent if previous.has_programmed_lines else None
    )


def figures_of_years(
    years: Iterable[int], scope: DossierScope | None = None, *, versions: Versions | None = None
) -> dict[int, BilanFigures]:
    """`figures_by_year(years, scope, with_fonds_de_concours=True)`, each year's figures kept in
    the cache under its data version when `versions` is given (read before anything else:
    contratville.versioning). A year's figures are kept without the previous year's priority share,
    which is set here from the figures of both years: a change to 2024 computes 2024 again, and
    no other year."""
    scope = scope or DossierScope()
    years = set(years)
    with_before = years | {y - 1 for y in years}

    def compute(some_years):
        return figures_by_year(some_years, scope, with_fonds_de_concours=True)

    if versions is None:
        figures = compute(with_before)
    else:
        scope_key = scope.query_string()
        keys = {y: cache_key("figures", scope_key, y, versions.of(y)) for y in with_before}
        # Fresh copies (the cache pickles): setting the previous year's share below changes
        # nothing in the cache.
        figures = remembered_many(keys, compute)
    for y in years:
        set_previous_year(figures[y], figures[y - 1])
    return {y: figures[y] for y in sorted(years)}


def _theme(themes: dict[str, ThemeFigures], theme: tuple[str, str, int], pillar_code: str) -> ThemeFigures:
    """The figures of a thématique (`theme`: its code, label and order), made on first sight,
    under the pilier of the dossiers first seen with it."""
    code, label, order = theme
    if code not in themes:
        themes[code] = ThemeFigures(code=code, label=label, pillar_code=pillar_code, order=order)
    return themes[code]


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(TENTH, rounding=ROUND_HALF_UP))


def bilan_as_json(year: int, *, versions: Versions | None = None) -> dict:
    """The bilan in the form of docs/contracts.md §4 (amounts and percentages as strings); its
    figures from the cache when `versions` is given (`figures_of_years`)."""
    f = figures_of_years([year], versions=versions)[year]
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


# The bilan's lists: what the report names, beside the figures. One query per family.


def priority_themes(year: int) -> list[Theme]:
    """The year's priority thématiques, in the nomenclature's order."""
    return list(Theme.objects.filter(priority_in_years__year=year).order_by("order", "code"))


@dataclass
class FocusAction:
    order: int
    reference: str
    title: str
    operator: str
    partner: str
    description: str
    results: str
    objective: str

    @property
    def operator_label(self) -> str:
        """ "CABBALR – Extracité": the porteur, then who carried the action out for it."""
        return f"{self.operator} – {self.partner}" if self.partner else self.operator

    @classmethod
    def from_project(cls, project: Project, order: int) -> "FocusAction":
        return cls(
            order=order,
            reference=project.reference,
            title=project.title,
            operator=project.operator.name,
            partner=project.partner,
            description=project.focus_description,
            results=project.focus_results,
            objective=project.focus_objective,
        )


def focus_actions(year: int) -> list[FocusAction]:
    """The year's focus actions, in their rank's order (one query)."""
    projects = (
        Project.objects.for_year(year)
        .filter(is_focus=True)
        .select_related("operator")
        .order_by(F("focus_order").asc(nulls_last=True), "reference")
    )
    return [FocusAction.from_project(p, rank) for rank, p in enumerate(projects, start=1)]


@dataclass
class FcsProject:
    reference: str
    title: str
    operator: str
    axis: str
    granted: Decimal

    @property
    def axis_label(self) -> str:
        return FcsAxis(self.axis).label if self.axis in FcsAxis.values else ""


@dataclass
class FcsAxisCount:
    code: str
    label: str
    projects: int


def fcs_projects(year: int) -> list[FcsProject]:
    """Programmed dossiers granted Fonds de cohésion sociale money, with that amount (one query)."""
    rows = (
        FundingLine.objects.of_programmed_projects(year)
        .filter(funder__code=Funder.CABBALR_FCS, amount_granted__gt=0)
        .values("project__reference", "project__title", "project__operator__name", "project__fcs_axis")
        .annotate(granted=Sum("amount_granted"))
        .order_by("project__operator__name", "project__title", "project__reference")
    )
    return [
        FcsProject(
            reference=row["project__reference"],
            title=row["project__title"],
            operator=row["project__operator__name"],
            axis=row["project__fcs_axis"],
            granted=row["granted"] or ZERO,
        )
        for row in rows
    ]


def fcs_axes(projects: list[FcsProject]) -> list[FcsAxisCount]:
    """The five axes of the FCS, in their order, with how many of `projects` each one has."""
    counts: dict[str, int] = {}
    for project in projects:
        counts[project.axis] = counts.get(project.axis, 0) + 1
    return [
        FcsAxisCount(code=code, label=label, projects=counts.get(code, 0)) for code, label in FcsAxis.choices
    ]


@dataclass
class AnnexFunding:
    funder: str
    nature: str
    amount: Decimal


@dataclass
class AnnexProject:
    reference: str
    title: str
    operator: str
    fundings: list[AnnexFunding] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((f.amount for f in self.fundings), ZERO)


@dataclass
class AnnexPillar:
    code: str
    label: str
    projects: list[AnnexProject] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((p.total for p in self.projects), ZERO)


def programmed_projects_by_pillar(year: int) -> list[AnnexPillar]:
    """The annex of the bilan: every programmed dossier under its pilier, with the amount each
    funder granted it (three queries: piliers, dossiers, funding lines). All four piliers, always."""
    pillars = {
        p.code: AnnexPillar(code=p.code, label=p.label) for p in Pillar.objects.order_by("order", "code")
    }
    projects: dict[int, AnnexProject] = {}
    for row in (
        Project.objects.for_year(year)
        .programmed()
        .order_by("reference")
        .values_list("id", "reference", "title", "operator__name", "pillar__code")
    ):
        pk, reference, title, operator, pillar_code = row
        projects[pk] = AnnexProject(reference=reference, title=title, operator=operator)
        pillars[pillar_code].projects.append(projects[pk])
    lines = (
        FundingLine.objects.of_programmed_projects(year)
        .filter(amount_granted__gt=0)
        .order_by("project_id", "funder__order", "funder__code", "position", "id")
        .values_list("project_id", "funder__short_label", "funder__label", "nature", "amount_granted")
    )
    for project_id, short_label, label, nature, amount in lines:
        projects[project_id].fundings.append(
            AnnexFunding(funder=short_label or label, nature=nature, amount=amount)
        )
    return list(pillars.values())
