"""Reads of the comités: séances and agendas, a scenario's table, its envelopes' gauges, what
changed since it was built, and the dashboard's figures as if it were applied.

Every function runs a fixed number of queries whatever the number of dossiers. The projected
figures are the bilan's and the dashboard's own (reports.selectors.figures_by_year,
reports.dashboard.areas), computed over the scenario's amounts and opinions through a
`Projection`: no formula is written twice."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, F, FilteredRelation, Q, Sum, Value, When

from funding.selectors import EnvelopeUsage, envelope_usage
from projects.models import Funder, FundingLine, Pillar, Project, Status
from projects.templatetags.money import format_euros
from reports.dashboard import Areas, areas, quartier_reference
from reports.selectors import BilanFigures, Projection, figures_by_year, percent

from .models import (
    AGENDA_STATUSES,
    AgendaItem,
    FundingDecision,
    Opinion,
    Scenario,
    ScenarioLine,
    ScenarioOpinion,
    Seance,
    SeanceState,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


# Séances ------------------------------------------------------------------------------------


def seance_list(years: Iterable[int] = ()):
    """Séances (of `years`, else of every year), latest first, with how many dossiers and
    scenarios each has (one query)."""
    seances = Seance.objects.select_related("year").annotate(
        dossiers=Count("agenda_items", distinct=True), scenario_count=Count("scenarios", distinct=True)
    )
    if years:
        seances = seances.filter(year_id__in=years)
    return seances.order_by("-date", "-id")


@dataclass
class AgendaRow:
    project: Project
    requested: Decimal
    granted: Decimal | None


def agenda_rows(seance: Seance) -> list[AgendaRow]:
    """The séance's agenda: each dossier with its requested and granted totals (two queries)."""
    projects = list(
        Project.objects.filter(agenda_items__seance=seance)
        .select_related("operator", "pillar")
        .order_by("pillar__order", "reference")
    )
    totals = {
        row["project_id"]: row
        for row in FundingLine.objects.filter(project__in=[p.pk for p in projects])
        .values("project_id")
        .annotate(requested=Sum("amount_requested"), granted=Sum("amount_granted"))
        .order_by()
    }
    return [
        AgendaRow(
            p,
            totals.get(p.pk, {}).get("requested") or ZERO,
            totals.get(p.pk, {}).get("granted"),
        )
        for p in projects
    ]


def eligible_queryset(seance: Seance):
    """Dossiers of the séance's year that could join its agenda: filed, undecided, and on no
    open séance's agenda (the rules of `services.agenda_add_projects`)."""
    busy = AgendaItem.objects.filter(seance__state__in=SeanceState.open()).values("project_id")
    return Project.objects.filter(year_id=seance.year_id, status__in=AGENDA_STATUSES).exclude(pk__in=busy)


def eligible_projects(seance: Seance, limit: int = 500):
    """The eligible dossiers' count, and the first `limit` by reference."""
    projects = eligible_queryset(seance).select_related("operator").order_by("reference")
    return projects.count(), list(projects[:limit])


def seances_for_agenda(projects) -> list[tuple[Seance, int]]:
    """The séances in preparation, each with how many of `projects` (a queryset of dossiers)
    may join its agenda now: one query per séance (a few are in preparation at a time)."""
    chosen = projects.order_by().values("pk")
    return [
        (seance, eligible_queryset(seance).filter(pk__in=chosen).count())
        for seance in Seance.objects.filter(state=SeanceState.EN_PREPARATION)
        .select_related("year")
        .order_by("date", "id")
    ]


# What changed since the scenario was built ---------------------------------------------------


@dataclass(frozen=True)
class _Dossier:
    reference: str
    title: str
    status: str


def _label(dossier: _Dossier) -> str:
    return f"{dossier.reference} « {dossier.title} »"


def scenario_differences(scenario: Scenario) -> list[str]:
    """What differs between a scenario and its séance's agenda and dossiers as they are now,
    one French sentence each: a dossier added to or removed from the agenda, a dossier decided
    or abandoned meanwhile, a funding line added or removed, a requested amount or a funder
    changed. Empty when the scenario is up to date. Five queries, plain values (a national
    comité's agenda holds thousands of lines)."""
    agenda = {
        pk: _Dossier(reference, title, status)
        for pk, reference, title, status in Project.objects.filter(
            agenda_items__seance_id=scenario.seance_id
        ).values_list("pk", "reference", "title", "status")
    }
    rows = {
        pk: _Dossier(reference, title, status)
        for pk, reference, title, status in ScenarioOpinion.objects.filter(scenario=scenario).values_list(
            "project_id", "project__reference", "project__title", "project__status"
        )
    }
    differences: list[str] = []
    for pk in sorted(agenda.keys() - rows.keys(), key=lambda k: agenda[k].reference):
        differences.append(
            f"Le dossier {_label(agenda[pk])} a été inscrit à l'ordre du jour après la préparation du scénario."
        )
    for pk in sorted(rows.keys() - agenda.keys(), key=lambda k: rows[k].reference):
        differences.append(f"Le dossier {_label(rows[pk])} a été retiré de l'ordre du jour.")
    both = agenda.keys() & rows.keys()
    for pk in sorted(both, key=lambda k: agenda[k].reference):
        dossier = agenda[pk]
        if dossier.status not in AGENDA_STATUSES:
            differences.append(
                f"Le dossier {_label(dossier)} est désormais « {Status(dossier.status).label} » : "
                "il n'est plus à décider."
            )

    funders = dict(Funder.objects.values_list("pk", "label"))
    # The lines as they are: id → (dossier, funder, requested).
    current = {
        pk: (project_id, funder_id, requested)
        for pk, project_id, funder_id, requested in FundingLine.objects.filter(project_id__in=both)
        .order_by()
        .values_list("pk", "project_id", "funder_id", "amount_requested")
    }
    seen = set()
    for project_id, funder_id, funding_line_id, requested in (
        ScenarioLine.objects.filter(scenario=scenario, project_id__in=both)
        .order_by("project__reference", "id")
        .values_list("project_id", "funder_id", "funding_line_id", "requested")
    ):
        label = _label(agenda[project_id])
        line = current.get(funding_line_id)
        if line is None:
            differences.append(
                f"Dossier {label} : la ligne « {funders[funder_id]} » (demandé "
                f"{format_euros(requested)}) n'existe plus."
            )
            continue
        seen.add(funding_line_id)
        _project, now_funder, now_requested = line
        if now_funder != funder_id:
            differences.append(
                f"Dossier {label} : la ligne « {funders[funder_id]} » est désormais celle de « {funders[now_funder]} »."
            )
        if now_requested != requested:
            differences.append(
                f"Dossier {label} : le montant demandé à « {funders[now_funder]} » est passé de "
                f"{format_euros(requested)} à {format_euros(now_requested)}."
            )
    added = sorted(current.keys() - seen, key=lambda pk: (agenda[current[pk][0]].reference, pk))
    for pk in added:
        project_id, funder_id, requested = current[pk]
        differences.append(
            f"Dossier {_label(agenda[project_id])} : une ligne « {funders[funder_id]} » (demandé "
            f"{format_euros(requested)}) a été ajoutée."
        )
    return differences


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


# The scenario's table ------------------------------------------------------------------------


@dataclass
class Gauge:
    """A funder's envelope against what is engaged (programmed) and what the scenario proposes
    (favourable dossiers)."""

    funder_id: int
    funder_code: str
    funder_label: str
    envelope: Decimal | None
    engaged: Decimal
    proposed: Decimal

    @property
    def total(self) -> Decimal:
        return self.engaged + self.proposed

    @property
    def left(self) -> Decimal | None:
        return None if self.envelope is None else self.envelope - self.total

    @property
    def over(self) -> bool:
        return self.envelope is not None and self.total > self.envelope

    @property
    def excess(self) -> Decimal:
        """How far above its envelope (0 when within it)."""
        return self.total - self.envelope if self.over else ZERO

    @property
    def percent(self) -> Decimal | None:
        return None if not self.envelope else percent(self.total, self.envelope)

    def as_json(self) -> dict:
        def money(value):
            return None if value is None else str(value.quantize(CENT))

        return {
            "funder": self.funder_code,
            "label": self.funder_label,
            "envelope": money(self.envelope),
            "engaged": money(self.engaged),
            "proposed": money(self.proposed),
            "total": money(self.total),
            "left": money(self.left),
            "over": self.over,
            "envelope_text": format_euros(self.envelope) if self.envelope is not None else "pas d'enveloppe",
            "total_text": format_euros(self.total),
            "engaged_text": format_euros(self.engaged),
            "proposed_text": format_euros(self.proposed),
            "left_text": format_euros(self.left) if self.left is not None else "",
            "status_text": gauge_text(self),
        }


def gauge_text(gauge: Gauge) -> str:
    """What the gauge says in words (never only by its colour)."""
    if gauge.envelope is None:
        return f"{format_euros(gauge.total)} engagés et proposés, sans enveloppe fixée."
    if gauge.over:
        return (
            f"Dépassement de l'enveloppe de {format_euros(gauge.excess)} : "
            f"{format_euros(gauge.total)} engagés et proposés pour {format_euros(gauge.envelope)}."
        )
    return f"Reste {format_euros(gauge.left)} sur {format_euros(gauge.envelope)}."


def _favourable_lines(scenario: Scenario):
    favourable = ScenarioOpinion.objects.filter(scenario=scenario, opinion=Opinion.FAVORABLE).values(
        "project_id"
    )
    return ScenarioLine.objects.filter(scenario=scenario, project_id__in=favourable)


def scenario_gauges(scenario: Scenario) -> list[Gauge]:
    """Each funder of the scenario or with an envelope: envelope, engaged, proposed (on the
    favourable dossiers), in the funders' order. Six queries."""
    year = scenario.seance.year_id
    proposed = {
        row["funder_id"]: row["proposed"] or ZERO
        for row in _favourable_lines(scenario)
        .values("funder_id")
        .annotate(proposed=Sum("proposed"))
        .order_by()
    }
    funder_ids = set(
        ScenarioLine.objects.filter(scenario=scenario).values_list("funder_id", flat=True).distinct()
    )
    return [
        Gauge(
            u.funder_id, u.funder_code, u.funder_label, u.montant, u.engage, proposed.get(u.funder_id, ZERO)
        )
        for u in envelope_usage(year, funder_ids=funder_ids)
    ]


@dataclass
class Cell:
    line_id: int
    requested: Decimal
    proposed: Decimal | None
    error: str = ""
    typed: str | None = None  # what the user typed, shown again with its error

    @property
    def above_requested(self) -> bool:
        return self.proposed is not None and self.proposed > self.requested


@dataclass
class Row:
    project: Project
    opinion: str
    comment: str
    version: int
    # One list of cells per column (a dossier may have two lines of one funder).
    cells: list[list[Cell]]
    requested: Decimal = ZERO
    proposed: Decimal = ZERO
    errors: list[str] = field(default_factory=list)


@dataclass
class PillarTotals:
    code: str
    label: str
    by_funder: list[Decimal]
    requested: Decimal = ZERO
    dossiers: int = 0

    @property
    def proposed(self) -> Decimal:
        return sum(self.by_funder, ZERO)


@dataclass
class ScenarioTable:
    """A page of the scenario's table: rows (with, after the last row of a pilier on the page,
    that pilier's subtotal over the whole scenario) and the whole scenario's totals."""

    funders: list[Funder]
    page: Page
    items: list  # Row or PillarTotals, in the order shown
    pillars: list[PillarTotals]
    total_by_funder: list[Decimal]
    requested_total: Decimal
    dossiers: int

    @property
    def proposed_total(self) -> Decimal:
        return sum(self.total_by_funder, ZERO)


PER_PAGE = 50
PER_PAGE_CHOICES = (25, 50, 100, 200)


def scenario_table(scenario: Scenario, page_number=1, per_page: int = PER_PAGE) -> ScenarioTable:
    """One page of the scenario's table, rows in the order of the piliers then by reference.
    Seven queries whatever the number of dossiers: funders, piliers, count, page, its lines,
    totals by pilier and funder, requested totals by pilier."""
    funders = list(
        Funder.objects.filter(
            pk__in=ScenarioLine.objects.filter(scenario=scenario).values("funder_id")
        ).order_by("order", "code")
    )
    column = {f.pk: i for i, f in enumerate(funders)}
    pillars = {
        pk: PillarTotals(code, label, [ZERO] * len(funders))
        for pk, code, label in Pillar.objects.order_by("order", "code").values_list("pk", "code", "label")
    }
    opinions = (
        ScenarioOpinion.objects.filter(scenario=scenario)
        .select_related("project__operator", "project__pillar")
        .order_by("project__pillar__order", "project__pillar__code", "project__reference", "project_id")
    )
    page = Paginator(opinions, per_page).get_page(page_number)
    # The page's rows and the next one, whose pilier says whether the page's last row closes its
    # own (one query, wherever the page is).
    start = max(page.start_index() - 1, 0)
    fetched = list(opinions[start : start + per_page + 1])
    page.object_list = fetched[:per_page]
    following = fetched[per_page] if len(fetched) > per_page else None
    rows = {
        o.project_id: Row(o.project, o.opinion, o.comment, o.version, [[] for _ in funders])
        for o in page.object_list
    }
    for line in ScenarioLine.objects.filter(scenario=scenario, project_id__in=rows).order_by(
        "funder__order", "id"
    ):
        row = rows[line.project_id]
        row.cells[column[line.funder_id]].append(Cell(line.pk, line.requested, line.proposed))
        row.requested += line.requested
        if row.opinion == Opinion.FAVORABLE:
            row.proposed += line.proposed or ZERO
    for row_data in (
        _favourable_lines(scenario)
        .values("project__pillar_id", "funder_id")
        .annotate(proposed=Sum("proposed"))
        .order_by()
    ):
        pillars[row_data["project__pillar_id"]].by_funder[column[row_data["funder_id"]]] += (
            row_data["proposed"] or ZERO
        )
    for row_data in (
        ScenarioLine.objects.filter(scenario=scenario)
        .values("project__pillar_id")
        .annotate(requested=Sum("requested"), dossiers=Count("project_id", distinct=True))
        .order_by()
    ):
        pillar = pillars[row_data["project__pillar_id"]]
        pillar.requested = row_data["requested"] or ZERO
        pillar.dossiers = row_data["dossiers"]

    items: list = []
    ordered = [rows[o.project_id] for o in page.object_list]
    for row, after in zip(ordered, [*ordered[1:], following], strict=True):
        items.append(row)
        # A pilier's subtotal follows its last row.
        if after is None or after.project.pillar_id != row.project.pillar_id:
            items.append(pillars[row.project.pillar_id])
    totals = [sum((p.by_funder[i] for p in pillars.values()), ZERO) for i in range(len(funders))]
    return ScenarioTable(
        funders=funders,
        page=page,
        items=items,
        pillars=list(pillars.values()),
        total_by_funder=totals,
        requested_total=sum((p.requested for p in pillars.values()), ZERO),
        dossiers=page.paginator.count,
    )


def scenario_feedback(scenario: Scenario, project_id: int) -> dict:
    """What the table's script shows after a row changed: the row's version and total, its
    pilier's subtotals by funder, and every funder's gauge (whose proposed amount is also the
    column's total). Nine queries."""
    row = ScenarioOpinion.objects.select_related("project__pillar").get(
        scenario=scenario, project_id=project_id
    )
    lines = list(ScenarioLine.objects.filter(scenario=scenario, project_id=project_id))
    favourable = row.opinion == Opinion.FAVORABLE
    proposed = sum((line.proposed or ZERO for line in lines), ZERO) if favourable else ZERO
    pillar = {
        item["funder_id"]: item["proposed"] or ZERO
        for item in _favourable_lines(scenario)
        .filter(project__pillar_id=row.project.pillar_id)
        .values("funder_id")
        .annotate(proposed=Sum("proposed"))
        .order_by()
    }
    gauges = scenario_gauges(scenario)
    return {
        "project": project_id,
        "version": row.version,
        "opinion": row.opinion,
        "row_total": str(proposed.quantize(CENT)),
        "row_total_text": format_euros(proposed),
        "pillar": row.project.pillar.code,
        "pillar_totals": {str(g.funder_id): format_euros(pillar.get(g.funder_id, ZERO)) for g in gauges},
        "pillar_total_text": format_euros(sum(pillar.values(), ZERO)),
        "column_totals": {str(g.funder_id): format_euros(g.proposed) for g in gauges},
        "proposed_total_text": format_euros(sum((g.proposed for g in gauges), ZERO)),
        "gauges": [g.as_json() for g in gauges],
    }


# Documents -------------------------------------------------------------------------------------


@dataclass
class DossierDecision:
    project: Project
    verdict: str  # "Programmé", "Refusé" or "Ajourné": the séance's decision on the dossier
    comment: str
    decisions: list[FundingDecision]

    @property
    def granted(self) -> Decimal:
        return sum((d.amount or ZERO for d in self.decisions if d.decision == "accorde"), ZERO)


VERDICTS = {Opinion.FAVORABLE: "Programmé", Opinion.DEFAVORABLE: "Refusé", Opinion.AJOURNE: "Ajourné"}


def seance_decisions(seance: Seance) -> list[DossierDecision]:
    """The decisions a séance took, by dossier (the relevé de décisions): three queries."""
    by_project: dict[int, list[FundingDecision]] = defaultdict(list)
    for decision in (
        FundingDecision.objects.filter(seance=seance)
        .select_related("funder")
        .order_by("project_id", "funder__order", "funder__code", "id")
    ):
        by_project[decision.project_id].append(decision)
    opinions = {
        o.project_id: o
        for o in ScenarioOpinion.objects.filter(scenario__seance=seance, scenario__applied_at__isnull=False)
    }
    projects = (
        Project.objects.filter(pk__in=by_project.keys() | opinions.keys())
        .select_related("operator", "pillar")
        .order_by("pillar__order", "reference")
    )
    return [
        DossierDecision(
            p,
            VERDICTS.get(opinions[p.pk].opinion, "") if p.pk in opinions else "",
            opinions[p.pk].comment if p.pk in opinions else "",
            by_project[p.pk],
        )
        for p in projects
    ]
