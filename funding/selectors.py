"""Reads of dossiers with their money: the list's rows and totals, and the export's dossiers.

Amounts come from the funding lines, summed in the database. Per-dossier totals are
correlated subqueries and the totals of a set are summed over the lines whose dossier is in
that set (`project IN (…)`): a filter that crosses quartiers or funding lines can never count
a line twice.
"""

from dataclasses import dataclass
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
from projects.models import Status

from .models import FundingLine

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
    """Statuses sort in workflow order (DOMAIN.md), not alphabetically."""
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


def funding_totals(projects: QuerySet, *, funders=(), natures=()) -> FundingTotals:
    """Requested and granted totals of the funding lines of the given dossiers (one query);
    only the lines of the given funders and natures when some are given."""
    lines = FundingLine.objects.filter(project__in=projects.order_by().values("pk"))
    if funders:
        lines = lines.filter(funder__in=[funder.pk for funder in funders])
    if natures:
        lines = lines.filter(nature__in=natures)
    row = lines.aggregate(
        requested=Coalesce(Sum("amount_requested"), Value(ZERO), output_field=TOTAL_FIELD),
        granted=Coalesce(Sum("amount_granted"), Value(ZERO), output_field=TOTAL_FIELD),
    )
    return FundingTotals(requested=row["requested"], granted=row["granted"])


def projects_for_export(projects: QuerySet, sort: str = "", descending: bool = False, chunk_size: int = 1000):
    """The dossiers to export with everything a row needs, read in chunks (a constant
    number of queries per chunk, bounded memory whatever the size of the programmation)."""
    lines = FundingLine.objects.select_related("funder").order_by("position", "id")
    rows = projects.select_related("operator", "pillar", "theme").prefetch_related(
        "quartiers", Prefetch("funding_lines", queryset=lines)
    )
    if sort in ("demande", "accorde"):
        rows = with_funding_totals(rows)
    return sorted_projects(rows, sort, descending).iterator(chunk_size=chunk_size)
