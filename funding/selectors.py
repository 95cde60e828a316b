"""Reads of the funding app: each funder's envelope for a year, what its grants to programmed
dossiers engage, and what is left (docs/contracts.md §6)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    DecimalField,
    OuterRef,
    Subquery,
    Sum,
)

from contratville.formatting import percent, plain_amount
from projects.models import Funder, FundingLine, Pillar, ProgrammeYear

from .models import Envelope

ZERO = Decimal("0.00")
TOTAL_FIELD = DecimalField(max_digits=16, decimal_places=2)


# Envelopes: each funder's money for a year, what its grants to programmed dossiers engage,
# and what is left (docs/contracts.md §6, docs/domain.md §5).


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

    @property
    def percent_engaged(self) -> Decimal | None:
        """`engage` as a percentage of `montant` (one decimal, above 100 when over-committed);
        None without envelope."""
        return None if not self.montant else percent(self.engage, self.montant)

    def as_json(self) -> dict:
        """The object of docs/contracts.md §6 (amounts as strings with two decimals)."""

        def money(value: Decimal | None) -> str | None:
            return None if value is None else plain_amount(value)

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


def set_envelopes(year: int) -> list[EnvelopeUsage]:
    """The year's envelopes that are set, with their use (`envelope_usage`): what the dashboard
    and the bilan show. A funder without envelope has none to use."""
    return [usage for usage in envelope_usage(year) if usage.montant is not None]
