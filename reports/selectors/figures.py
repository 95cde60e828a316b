"""The bilan's and the dashboard's figures, computed in one place.

Every figure comes from the funding lines and dossiers in the database, one query per family
of figures; the HTML, PDF and JSON bilans and the dashboard all call `figures_by_year` (through
`bilan_figures` and `figures_of_years`). Amounts stay `Decimal`; percentages are rounded
half-up once, by `contratville.formatting.percent`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Expression, F, Q, QuerySet, Sum

from contratville.formatting import percent
from contratville.versioning import Versions, cache_key, remembered_many
from funding.models import FondsDeConcours
from funding.selectors import envelope_total_subquery, fcs_envelope_amount
from projects.filters import DossierScope
from projects.models import (
    Funder,
    FundingLine,
    Nature,
    OperatorKind,
    Pillar,
    ProgrammeYear,
    Project,
    Status,
)

ZERO = Decimal("0.00")


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
