"""The dashboard's figures as if a scenario were applied, beside the programme's as it is: the
bilan's own queries (`reports.selectors.figures_by_year`, `reports.dashboard.areas`) read the
scenario's amounts and opinions through a `Projection`."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, CharField, F, FilteredRelation, Q, Value, When

from contratville.formatting import percent
from funding.selectors import EnvelopeUsage, envelope_usage
from projects.models import Status
from reports.dashboard import Areas, areas, quartier_reference
from reports.selectors import BilanFigures, Projection, figures_by_year

from ..models import (
    Opinion,
    Scenario,
    ScenarioOpinion,
)

ZERO = Decimal("0.00")


# The figures as if the scenario were applied --------------------------------------------------


class ScenarioProjection(Projection):
    """The programme as if `scenario` were applied: its favourable dossiers programmed with its
    proposed amounts, its unfavourable ones refused, the postponed ones as they are."""

    def __init__(self, scenario: Scenario):
        self.scenario_id = scenario.pk

    def status(self, path: str = ""):
        opinions = ScenarioOpinion.objects.filter(scenario_id=self.scenario_id)
        return Case(
            When(
                **{f"{path}pk__in": opinions.filter(opinion=Opinion.FAVORABLE).values("project_id")},
                then=Value(Status.PROGRAMME),
            ),
            When(
                **{f"{path}pk__in": opinions.filter(opinion=Opinion.DEFAVORABLE).values("project_id")},
                then=Value(Status.REFUSE),
            ),
            default=F(f"{path}status"),
            output_field=CharField(),
        )

    def lines(self, lines):
        # One LEFT JOIN on the scenario's own line of each funding line, if any.
        lines = lines.alias(
            in_scenario=FilteredRelation(
                "scenario_lines", condition=Q(scenario_lines__scenario_id=self.scenario_id)
            )
        )
        return lines.alias(
            projected_granted=Case(
                When(in_scenario__id__isnull=False, then=F("in_scenario__proposed")),
                default=F("amount_granted"),
            )
        )


@dataclass
class EnvelopeLine:
    """One funder's envelope against a set of figures (now, or as if a scenario applied)."""

    funder_code: str
    funder_label: str
    envelope: Decimal | None
    amount: Decimal

    @property
    def left(self) -> Decimal | None:
        return None if self.envelope is None else self.envelope - self.amount

    @property
    def over(self) -> bool:
        return self.envelope is not None and self.amount > self.envelope

    @property
    def excess(self) -> Decimal:
        """How far above its envelope (0 when within it)."""
        return self.amount - self.envelope if self.over else ZERO


@dataclass
class ProgrammeFigures:
    """The dashboard's figures of a year, now or as if a scenario were applied."""

    title: str
    scenario: Scenario | None
    figures: BilanFigures
    areas: Areas
    envelopes: list[EnvelopeLine] = field(default_factory=list)

    @property
    def associative_percent(self) -> Decimal:
        return percent(self.figures.associative_projects, self.figures.projects_programmed)


def _programme_figures(
    year: int, title: str, scenario: Scenario | None, usages: list[EnvelopeUsage], quartiers
) -> ProgrammeFigures:
    projection = ScenarioProjection(scenario) if scenario is not None else None
    figures = figures_by_year([year], projection=projection)[year]
    year_areas = areas(
        year, quartiers=quartiers, projects_programmed=figures.projects_programmed, projection=projection
    )
    by_code = {f.code: f for f in figures.funders}
    codes = [u.funder_code for u in usages] + [f.code for f in figures.funders]
    envelopes = {u.funder_code: u for u in usages}
    lines = []
    for code in dict.fromkeys(codes):
        funder_figures = by_code.get(code)
        usage = envelopes.get(code)
        lines.append(
            EnvelopeLine(
                funder_code=code,
                funder_label=usage.funder_label if usage else funder_figures.label,
                envelope=usage.montant if usage else None,
                amount=funder_figures.amount if funder_figures else ZERO,
            )
        )
    return ProgrammeFigures(title, scenario, figures, year_areas, lines)


def compared_figures(year: int, scenarios: list[Scenario]) -> list[ProgrammeFigures]:
    """The year's figures now, then as if each scenario were applied, side by side."""
    usages = envelope_usage(year)
    quartiers = quartier_reference()
    result = [_programme_figures(year, "Programmation actuelle", None, usages, quartiers)]
    for scenario in scenarios:
        result.append(_programme_figures(year, f"Scénario « {scenario.name} »", scenario, usages, quartiers))
    return result
