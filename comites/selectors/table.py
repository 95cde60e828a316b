"""The scenario's table: its rows by pilier, a page at a time, the pilier's subtotals, the
funders' totals and their envelopes' gauges, and what the table's script shows after a change."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Sum

from contratville.formatting import euros, percent, plain_amount
from funding.selectors import envelope_usage
from projects.models import Funder, Pillar, Project

from ..models import (
    Opinion,
    Scenario,
    ScenarioLine,
    ScenarioOpinion,
)

ZERO = Decimal("0.00")


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
            return None if value is None else plain_amount(value)

        return {
            "funder": self.funder_code,
            "label": self.funder_label,
            "envelope": money(self.envelope),
            "engaged": money(self.engaged),
            "proposed": money(self.proposed),
            "total": money(self.total),
            "left": money(self.left),
            "over": self.over,
            "envelope_text": euros(self.envelope) if self.envelope is not None else "pas d'enveloppe",
            "total_text": euros(self.total),
            "engaged_text": euros(self.engaged),
            "proposed_text": euros(self.proposed),
            "left_text": euros(self.left) if self.left is not None else "",
            "status_text": gauge_text(self),
        }


def gauge_text(gauge: Gauge) -> str:
    """What the gauge says in words (never only by its colour)."""
    if gauge.envelope is None:
        return f"{euros(gauge.total)} engagés et proposés, sans enveloppe fixée."
    if gauge.over:
        return (
            f"Dépassement de l'enveloppe de {euros(gauge.excess)} : "
            f"{euros(gauge.total)} engagés et proposés pour {euros(gauge.envelope)}."
        )
    return f"Reste {euros(gauge.left)} sur {euros(gauge.envelope)}."


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
        # Without the model's ordering, whose columns DISTINCT would otherwise have to carry.
        ScenarioLine.objects.filter(scenario=scenario)
        .order_by()
        .values_list("funder_id", flat=True)
        .distinct()
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
        "row_total": plain_amount(proposed),
        "row_total_text": euros(proposed),
        "pillar": row.project.pillar.code,
        "pillar_totals": {str(g.funder_id): euros(pillar.get(g.funder_id, ZERO)) for g in gauges},
        "pillar_total_text": euros(sum(pillar.values(), ZERO)),
        "column_totals": {str(g.funder_id): euros(g.proposed) for g in gauges},
        "proposed_total_text": euros(sum((g.proposed for g in gauges), ZERO)),
        "gauges": [g.as_json() for g in gauges],
    }
