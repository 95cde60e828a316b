"""What changed since a scenario was built: dossiers added to or removed from the agenda,
funding lines added, removed or changed (the list that refreshing or applying checks)."""

from dataclasses import dataclass

from contratville.formatting import euros
from projects.models import Funder, FundingLine, Project, Status

from ..models import (
    AGENDA_STATUSES,
    Scenario,
    ScenarioLine,
    ScenarioOpinion,
)

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
                f"{euros(requested)}) n'existe plus."
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
                f"{euros(requested)} à {euros(now_requested)}."
            )
    added = sorted(current.keys() - seen, key=lambda pk: (agenda[current[pk][0]].reference, pk))
    for pk in added:
        project_id, funder_id, requested = current[pk]
        differences.append(
            f"Dossier {_label(agenda[project_id])} : une ligne « {funders[funder_id]} » (demandé "
            f"{euros(requested)}) a été ajoutée."
        )
    return differences
