"""Reads of dossiers with their money: the list's rows and totals, and the export's dossiers.

Amounts come from the funding lines, summed in the database. Per-dossier totals are
correlated subqueries and the totals of a set are summed over the lines whose dossier is in
that set (`project IN (…)`): a filter that crosses quartiers or funding lines can never count
a line twice.
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
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from contratville.collation import french
from projects.models import Pillar, ProgrammeYear, Project, Status

from .models import Envelope, Funder, FundingLine

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
    query = projects.query
    if not (query.where or query.is_sliced or query.combinator or query.distinct):
        # Every dossier, so every line: no `project IN (SELECT id FROM project)` to join.
        lines = FundingLine.objects.all()
    else:
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


# Envelopes: each funder's money for a year, what its grants to programmed dossiers engage,
# and what is left (CONTRACTS.md §7, DOMAIN.md "Enveloppe").


def fcs_envelope_amount(envelope: Decimal | None, legacy: Decimal | None) -> Decimal | None:
    """The Fonds de cohésion sociale's envelope of a year: its `Envelope` when one is set, else
    the year's older setting (`ProgrammeYear.fcs_envelope`). One rule for the bilan and the
    envelopes' figures."""
    return envelope if envelope is not None else legacy


def envelope_total_subquery(funder_code: str, year=None) -> Subquery:
    """The whole envelope of `funder_code` for the year in `year` (an expression; by default
    the outer row's `year`), as a correlated subquery: None when not set."""
    year = OuterRef("year") if year is None else year
    envelopes = Envelope.objects.totals().filter(funder__code=funder_code, year_id=year).order_by()
    return Subquery(envelopes.values("amount")[:1], output_field=TOTAL_FIELD)


@dataclass
class PillarEnvelopeUsage:
    """One pilier's part of a funder's envelope: `montant` None when not split for it."""

    code: str
    label: str
    montant: Decimal | None
    engage: Decimal = ZERO

    @property
    def reste(self) -> Decimal | None:
        return None if self.montant is None else self.montant - self.engage


@dataclass
class EnvelopeUsage:
    """A funder's envelope of a year and its use. `montant` is None without envelope."""

    funder_id: int
    funder_code: str
    funder_label: str
    year: int
    montant: Decimal | None
    engage: Decimal = ZERO
    pillars: list[PillarEnvelopeUsage] = field(default_factory=list)

    @property
    def reste(self) -> Decimal | None:
        return None if self.montant is None else self.montant - self.engage

    @property
    def over_committed(self) -> bool:
        return self.montant is not None and self.engage > self.montant

    def as_json(self) -> dict:
        """The object of CONTRACTS.md §7 (amounts as strings with two decimals)."""

        def money(value: Decimal | None) -> str | None:
            return None if value is None else str(value.quantize(Decimal("0.01")))

        return {
            "financeur": self.funder_code,
            "annee": self.year,
            "montant": money(self.montant),
            "engage": money(self.engage),
            "reste": money(self.reste),
        }


def envelope_usage(year: int, *, funder_ids=None) -> list[EnvelopeUsage]:
    """Each funder that has an envelope for `year` or money granted on the year's programmed
    dossiers, in the funders' order: its envelope (`montant`), what it granted to programmed
    dossiers (`engage`, the bilan's own definition: `FundingLine.of_programmed_projects`), what
    is left, and the same by pilier. Five queries whatever the number of dossiers: funders,
    piliers, envelopes, the year's older FCS setting, granted sums.

    `funder_ids` keeps those funders too even when they have neither (a scenario's columns)."""
    funders = list(Funder.objects.order_by("order", "code").values_list("pk", "code", "label"))
    pillars = list(Pillar.objects.order_by("order", "code").values_list("pk", "code", "label"))
    totals: dict[int, Decimal] = {}
    parts: dict[tuple[int, int], Decimal] = {}
    for funder_id, pillar_id, amount in Envelope.objects.filter(year_id=year).values_list(
        "funder_id", "pillar_id", "amount"
    ):
        if pillar_id is None:
            totals[funder_id] = amount
        else:
            parts[(funder_id, pillar_id)] = amount
    legacy_fcs = ProgrammeYear.objects.filter(year=year).values_list("fcs_envelope", flat=True).first()
    engaged: dict[int, Decimal] = {}
    engaged_by_pillar: dict[tuple[int, int], Decimal] = {}
    granted_lines = (
        FundingLine.objects.of_programmed_projects(year)
        .values("funder_id", "project__pillar_id")
        .annotate(granted=Sum("amount_granted"))
        .order_by()
    )
    for row in granted_lines:
        amount = row["granted"] or ZERO
        engaged[row["funder_id"]] = engaged.get(row["funder_id"], ZERO) + amount
        key = (row["funder_id"], row["project__pillar_id"])
        engaged_by_pillar[key] = engaged_by_pillar.get(key, ZERO) + amount

    wanted = set(funder_ids or ())
    result = []
    for funder_id, code, label in funders:
        montant = totals.get(funder_id)
        if code == Funder.CABBALR_FCS:
            montant = fcs_envelope_amount(montant, legacy_fcs)
        engage = engaged.get(funder_id, ZERO)
        has_parts = any((funder_id, pillar_id) in parts for pillar_id, _c, _l in pillars)
        if montant is None and not has_parts and not engage and funder_id not in wanted:
            continue
        usage = EnvelopeUsage(funder_id, code, label, year, montant, engage)
        usage.pillars = [
            PillarEnvelopeUsage(
                pillar_code,
                pillar_label,
                parts.get((funder_id, pillar_id)),
                engaged_by_pillar.get((funder_id, pillar_id), ZERO),
            )
            for pillar_id, pillar_code, pillar_label in pillars
        ]
        result.append(usage)
    return result
