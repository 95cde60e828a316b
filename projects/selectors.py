"""Reads of dossiers with their money: the list's rows and totals, the export's dossiers, and
one dossier with its funding plan for its page and its form.

Amounts come from the funding lines, summed in the database. Per-dossier totals are
correlated subqueries and the totals of a set are summed over the lines whose dossier is in
its scope (`projects.filters.DossierScope`, whose conditions across quartiers and funding lines
are `EXISTS`): a filter that crosses quartiers or funding lines can never count a line twice. One dossier's totals are computed from its lines already loaded with it, so that
its page's query count does not grow with its lines.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from contratville.collation import french
from contratville.formatting import euros, percent
from projects.models import FundingLine, Nature, Project, Quartier, Status, StatusChange

from .filters import DossierScope

ZERO = Decimal("0.00")
TOTAL_FIELD = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class Sort:
    """One sortable column of the list: its `?tri=` key and what it orders by."""

    key: str
    label: str
    numeric: bool = False


SORTS = [
    Sort("reference", "N° de dossier"),
    Sort("annee", "Année"),
    Sort("intitule", "Intitulé"),
    Sort("porteur", "Porteur"),
    Sort("pilier", "Pilier"),
    Sort("statut", "Statut"),
    Sort("demande", "Demandé", numeric=True),
    Sort("accorde", "Accordé", numeric=True),
]
SORT_KEYS = {sort.key for sort in SORTS}
# Ties are broken by year (latest first) then reference, unique together: the order is total
# and pages never overlap.
DEFAULT_ORDER = ["-year_id", "reference"]


def _status_rank():
    """Statuses sort in workflow order (docs/domain.md §2), not alphabetically."""
    return Case(
        *[When(status=value, then=Value(rank)) for rank, value in enumerate(Status.values)],
        output_field=IntegerField(),
    )


def _sort_expression(key: str):
    # Names and titles in French dictionary order, the same on SQLite and PostgreSQL.
    return {
        "reference": lambda: F("reference"),
        "annee": lambda: F("year_id"),
        "intitule": lambda: french("title"),
        "porteur": lambda: french("operator__name"),
        "pilier": lambda: F("pillar__order"),
        "statut": _status_rank,
        "demande": lambda: F("requested_total"),
        "accorde": lambda: F("granted_total"),
    }[key]()


def parse_sort(raw: str | None) -> tuple[str, bool]:
    """`"-accorde"` → `("accorde", True)`; an unknown key gives the default order `("", False)`."""
    raw = (raw or "").strip()
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in SORT_KEYS:
        return "", False
    return key, descending


def _line_sum(field: str):
    lines = (
        FundingLine.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Subquery(lines, output_field=TOTAL_FIELD)


def with_funding_totals(projects: QuerySet) -> QuerySet:
    """Each dossier with `requested_total` (0 without lines) and `granted_total` (None while
    nothing is granted)."""
    return projects.annotate(
        requested_total=Coalesce(_line_sum("amount_requested"), Value(ZERO), output_field=TOTAL_FIELD),
        granted_total=_line_sum("amount_granted"),
    )


def sorted_projects(projects: QuerySet, sort: str = "", descending: bool = False) -> QuerySet:
    """Order dossiers by a column of the list; empty values (nothing granted) always last."""
    if not sort:
        return projects.order_by(*DEFAULT_ORDER)
    expression = _sort_expression(sort)
    primary = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return projects.order_by(primary, *DEFAULT_ORDER)


def project_rows(projects: QuerySet, sort: str = "", descending: bool = False) -> QuerySet:
    """The list's rows: dossiers with what each row shows, in one query per page."""
    rows = with_funding_totals(projects.select_related("operator", "pillar"))
    return sorted_projects(rows, sort, descending)


@dataclass(frozen=True)
class FundingTotals:
    requested: Decimal = ZERO
    granted: Decimal = ZERO


def funding_totals(scope: DossierScope | None = None, *, lines_in_scope: bool = False) -> FundingTotals:
    """Requested and granted totals of the funding lines of the dossiers in `scope` (one
    query); with `lines_in_scope`, of the lines that the scope's funder and nature filters
    choose only (`financeur=anct`: the ANCT lines of those dossiers, as the dashboard sums)."""
    scope = scope or DossierScope()
    # An empty scope is every line: no condition, no join.
    condition = scope.line_q() if lines_in_scope else scope.project_q("project__")
    row = FundingLine.objects.filter(condition).aggregate(
        requested=Coalesce(Sum("amount_requested"), Value(ZERO), output_field=TOTAL_FIELD),
        granted=Coalesce(Sum("amount_granted"), Value(ZERO), output_field=TOTAL_FIELD),
    )
    return FundingTotals(requested=row["requested"], granted=row["granted"])


@dataclass(frozen=True)
class ExportLine:
    funder_code: str
    funder_label: str
    nature: str
    requested: Decimal
    granted: Decimal | None


@dataclass
class ExportDossier:
    """What an export row shows of a dossier, read as plain values (no model instances: an
    export of every year is tens of thousands of lines)."""

    year: int
    reference: str
    title: str
    operator_name: str
    siret: str
    operator_kind: str
    pillar_code: str
    pillar_label: str
    theme_code: str
    theme_label: str
    status: str
    # (code, name) of each quartier, sorted by code.
    quartiers: list[tuple[str, str]] = field(default_factory=list)
    lines: list[ExportLine] = field(default_factory=list)


_EXPORT_FIELDS = [
    "pk",
    "year_id",
    "reference",
    "title",
    "operator__name",
    "operator__siret",
    "operator__kind",
    "pillar__code",
    "pillar__label",
    "theme__code",
    "theme__label",
    "status",
]


def _batches(iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def dossiers_for_export(
    projects: QuerySet, sort: str = "", descending: bool = False, chunk_size: int = 2000
) -> Iterator[ExportDossier]:
    """The dossiers to export, in the list's order, with their quartiers and funding lines
    (in their order). Three queries per chunk of dossiers; memory bounded by the chunk."""
    if sort in ("demande", "accorde"):
        projects = with_funding_totals(projects)
    rows = sorted_projects(projects, sort, descending).values_list(*_EXPORT_FIELDS)
    Through = Project.quartiers.through
    for batch in _batches(rows.iterator(chunk_size=chunk_size), chunk_size):
        dossiers = {row[0]: ExportDossier(*row[1:]) for row in batch}
        links = (
            Through.objects.filter(project_id__in=dossiers)
            .order_by()
            .values_list(
                "project_id",
                "quartier__code_2015",
                "quartier__code_2024",
                "quartier__local_code",
                "quartier__name",
            )
        )
        for project_id, code_2015, code_2024, local_code, name in links:
            dossiers[project_id].quartiers.append((code_2015 or code_2024 or local_code or "", name))
        lines = (
            FundingLine.objects.filter(project_id__in=dossiers)
            .order_by("project_id", "position", "id")
            .values_list(
                "project_id", "funder__code", "funder__label", "nature", "amount_requested", "amount_granted"
            )
        )
        for project_id, *line in lines:
            dossiers[project_id].lines.append(ExportLine(*line))
        for dossier in dossiers.values():
            dossier.quartiers.sort()
            yield dossier


@dataclass(frozen=True)
class FundingPlan:
    lines: list[FundingLine]
    requested: Decimal
    granted: Decimal
    specific_granted: Decimal
    budget: Decimal | None

    @property
    def specific_percent(self) -> Decimal:
        """Share of the granted amount that is crédits spécifiques."""
        return percent(self.specific_granted, self.granted)

    @property
    def has_granted(self) -> bool:
        return any(line.amount_granted is not None for line in self.lines)

    @property
    def matches_budget(self) -> bool:
        """False when a budget is known and the amounts requested do not add up to it."""
        return self.budget is None or self.requested == self.budget

    @property
    def budget_gap(self) -> Decimal:
        return (self.budget or ZERO) - self.requested


def funding_plan(project: Project) -> FundingPlan:
    """The dossier's funding lines and their totals (uses the prefetched lines if any)."""
    lines = list(project.funding_lines.all())
    granted_lines = [line for line in lines if line.amount_granted is not None]
    return FundingPlan(
        lines=lines,
        requested=sum((line.amount_requested for line in lines), ZERO),
        granted=sum((line.amount_granted for line in granted_lines), ZERO),
        specific_granted=sum(
            (line.amount_granted for line in granted_lines if line.nature == Nature.SPECIFIQUE), ZERO
        ),
        budget=project.budget,
    )


def budget_mismatch_message(plan: FundingPlan) -> str | None:
    """The French warning shown when the plan's requested total differs from the budget."""
    if plan.matches_budget:
        return None
    return (
        f"Le total demandé du plan de financement ({euros(plan.requested)}) "
        f"diffère du budget de l'action ({euros(plan.budget)}) : "
        f"écart de {euros(plan.budget_gap)}."
    )


def project_detail_queryset():
    """Everything the dossier page shows, in a number of queries that does not depend on the
    number of lines, quartiers, indicators or status changes."""
    return Project.objects.select_related(
        "year", "operator", "operator__commune", "pillar", "theme"
    ).prefetch_related(
        Prefetch("quartiers", queryset=Quartier.objects.prefetch_related("communes")),
        "indicators",
        Prefetch("funding_lines", queryset=FundingLine.objects.select_related("funder")),
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("changed_by")),
    )
