"""Séances and their agenda: the list of séances, an agenda's rows, the dossiers that may join
it, and the decisions of a séance applied (for its relevé de décisions)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from projects.models import FundingLine, Project

from ..models import (
    AGENDA_STATUSES,
    AgendaItem,
    FundingDecision,
    Opinion,
    ScenarioOpinion,
    Seance,
    SeanceState,
)

ZERO = Decimal("0.00")


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
