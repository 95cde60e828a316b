"""Reads of one dossier with its funding plan, for the dossier page and the dossier form.

The totals are computed from the funding lines already loaded with the dossier, so that the
page's query count does not grow with its lines."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from projects.models import Project, Quartier, StatusChange
from projects.templatetags.money import format_euros

from .models import FundingLine, Nature

ZERO = Decimal("0.00")
TENTH = Decimal("0.1")


def share_percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """`part` as a percentage of `whole`, rounded half-up to one decimal; 0.0 when whole is 0.

    The same rule as the bilan's percentages (DOMAIN.md), written here because funding may not
    import reports."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


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
        return share_percent(self.specific_granted, self.granted)

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
        f"Le total demandé du plan de financement ({format_euros(plan.requested)}) "
        f"diffère du budget de l'action ({format_euros(plan.budget)}) : "
        f"écart de {format_euros(plan.budget_gap)}."
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
