"""Séances and their agenda: a séance goes from preparation to held to closed; a dossier joins
or leaves its agenda, and with it every scenario still open."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import FundingLine, ProgrammeYear, Project

from ..models import (
    AGENDA_STATUSES,
    AgendaItem,
    Scenario,
    ScenarioLine,
    ScenarioOpinion,
    Seance,
    SeanceState,
    dossier_label,
)

# A séance's state may go to these.
STATE_MOVES: dict[str, tuple[str, ...]] = {
    SeanceState.EN_PREPARATION: (SeanceState.TENU,),
    SeanceState.TENU: (SeanceState.EN_PREPARATION, SeanceState.CLOS),
    SeanceState.CLOS: (),
}


# Séances ----------------------------------------------------------------------------------


@transaction.atomic
def seance_create(
    *, year: int, date: date, kind: str, title: str = "", user: AbstractBaseUser | None = None
) -> Seance:
    """A new séance, en préparation, for `year` (created when missing)."""
    programme_year, _created = ProgrammeYear.objects.get_or_create(year=year)
    seance = Seance(year=programme_year, date=date, kind=kind, title=title.strip(), created_by=user)
    seance.full_clean()
    seance.save()
    return seance


@transaction.atomic
def seance_update(*, seance: Seance, date: date, kind: str, title: str = "") -> Seance:
    """Change a séance's date, kind or title; a closed séance no longer changes."""
    locked = Seance.objects.select_for_update().get(pk=seance.pk)
    if locked.state == SeanceState.CLOS:
        raise ValidationError("Cette séance est close : elle ne se modifie plus.")
    locked.date, locked.kind, locked.title = date, kind, title.strip()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def seance_change_state(*, seance: Seance, state: str) -> Seance:
    """en préparation → tenu → clos (a séance held may go back to preparation until its
    decision is applied)."""
    locked = Seance.objects.select_for_update().get(pk=seance.pk)
    if state not in STATE_MOVES.get(locked.state, ()):
        raise ValidationError(
            "Une séance « %(from)s » ne peut pas passer à l'état « %(to)s ».",
            params={
                "from": SeanceState(locked.state).label,
                "to": SeanceState(state).label if state in SeanceState.values else state,
            },
        )
    if state == SeanceState.EN_PREPARATION and locked.scenarios.filter(applied_at__isnull=False).exists():
        raise ValidationError(
            "La décision de cette séance a été appliquée : elle ne revient pas en préparation."
        )
    locked.state = state
    locked.save(update_fields=["state", "updated_at"])
    seance.state = state
    return locked


# The agenda -------------------------------------------------------------------------------


@dataclass
class AgendaResult:
    """What adding dossiers to an agenda did: those added, and each refused one with why."""

    added: list[Project] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (dossier or id, French reason)


def _check_agenda_open(seance: Seance) -> None:
    if seance.state != SeanceState.EN_PREPARATION:
        raise ValidationError(
            f"L'ordre du jour de la séance « {seance.label} » ne change plus : elle est "
            f"« {SeanceState(seance.state).label.lower()} »."
        )


def _open_scenarios(seance: Seance) -> list[Scenario]:
    return list(Scenario.objects.filter(seance=seance, frozen=False, applied_at__isnull=True))


def add_rows(scenarios: Iterable[Scenario], projects: Sequence[Project]) -> None:
    """Rows for `projects` in each scenario: a favourable opinion, each funding line at its
    requested amount. Three queries whatever the number of dossiers."""
    scenarios = list(scenarios)
    if not scenarios or not projects:
        return
    lines = list(
        FundingLine.objects.filter(project__in=[p.pk for p in projects]).order_by(
            "project_id", "position", "id"
        )
    )
    ScenarioOpinion.objects.bulk_create(
        ScenarioOpinion(scenario=scenario, project_id=project.pk)
        for scenario in scenarios
        for project in projects
    )
    ScenarioLine.objects.bulk_create(
        ScenarioLine(
            scenario=scenario,
            project_id=line.project_id,
            funder_id=line.funder_id,
            funding_line=line,
            requested=line.amount_requested,
            proposed=line.amount_requested,
        )
        for scenario in scenarios
        for line in lines
    )


@transaction.atomic
def agenda_add_projects(
    *, seance: Seance, project_ids: Iterable[int], user: AbstractBaseUser | None = None
) -> AgendaResult:
    """Put dossiers on a séance's agenda (the dossier list's bulk action calls it too).

    Each dossier that cannot be added is refused with its reason, the others are added: a
    dossier of another year, one already decided or still a draft, one already on this agenda
    or on the agenda of another open séance (a dossier is examined by one séance at a time).
    The séance must be in preparation (else ValidationError, nothing added)."""
    seance = Seance.objects.select_for_update().get(pk=seance.pk)
    _check_agenda_open(seance)
    wanted = list(dict.fromkeys(int(pk) for pk in project_ids))
    # Locked in one order: two people adding the same dossier to two séances wait for each other.
    projects = {p.pk: p for p in Project.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    elsewhere: dict[int, Seance] = {}
    for item in (
        AgendaItem.objects.filter(project_id__in=projects, seance__state__in=SeanceState.open())
        .select_related("seance")
        .order_by("seance__date")
    ):
        elsewhere.setdefault(item.project_id, item.seance)
    result = AgendaResult()
    for pk in wanted:
        project = projects.get(pk)
        if project is None:
            result.refused.append((f"n° {pk}", "ce dossier n'existe pas."))
            continue
        label = dossier_label(project)
        other = elsewhere.get(pk)
        if project.year_id != seance.year_id:
            reason = f"c'est un dossier de {project.year_id}, la séance examine l'année {seance.year_id}."
        elif project.status not in AGENDA_STATUSES:
            reason = (
                f"son statut est « {project.get_status_display()} » : seuls les dossiers déposés ou en "
                "instruction sont inscrits à l'ordre du jour."
            )
        elif other is not None and other.pk == seance.pk:
            reason = "il est déjà à l'ordre du jour de cette séance."
        elif other is not None:
            reason = (
                f"il est déjà à l'ordre du jour de la séance « {other.label} » "
                f"({SeanceState(other.state).label.lower()}) : un dossier n'est examiné que par une "
                "séance ouverte à la fois."
            )
        else:
            result.added.append(project)
            continue
        result.refused.append((label, reason))
    AgendaItem.objects.bulk_create(AgendaItem(seance=seance, project=p, added_by=user) for p in result.added)
    add_rows(_open_scenarios(seance), result.added)
    return result


@transaction.atomic
def agenda_remove_project(*, seance: Seance, project: Project) -> None:
    """Take a dossier off a séance's agenda (and off its open scenarios)."""
    seance = Seance.objects.select_for_update().get(pk=seance.pk)
    _check_agenda_open(seance)
    deleted, _by_model = AgendaItem.objects.filter(seance=seance, project=project).delete()
    if not deleted:
        raise ValidationError(
            f"Le dossier {dossier_label(project)} n'est pas à l'ordre du jour de cette séance."
        )
    scenarios = _open_scenarios(seance)
    ScenarioOpinion.objects.filter(scenario__in=scenarios, project=project).delete()
    ScenarioLine.objects.filter(scenario__in=scenarios, project=project).delete()
