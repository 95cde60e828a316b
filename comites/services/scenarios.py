"""Scenarios of a séance: created from its agenda, duplicated, renamed, and brought up to date
when the agenda or its dossiers' funding lines changed."""

from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from projects.models import FundingLine, Project

from .. import selectors
from ..models import (
    AgendaItem,
    Scenario,
    ScenarioLine,
    ScenarioOpinion,
    Seance,
    SeanceState,
)
from .seances import add_rows

# Scenarios --------------------------------------------------------------------------------


def check_editable(scenario: Scenario) -> None:
    if scenario.applied_at is not None:
        raise ValidationError(f"Le scénario « {scenario.name} » a été appliqué : il ne se modifie plus.")
    if scenario.frozen:
        raise ValidationError(f"Le scénario « {scenario.name} » est figé : il se consulte sans se modifier.")
    if scenario.seance.state == SeanceState.CLOS:
        raise ValidationError("La séance est close : ses scénarios ne se modifient plus.")


def _check_name(seance: Seance, name: str, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Donnez un nom au scénario."})
    if len(name) > 120:
        raise ValidationError({"name": "Le nom du scénario ne dépasse pas 120 caractères."})
    if Scenario.objects.filter(seance=seance, name__iexact=name).exclude(pk=exclude).exists():
        raise ValidationError({"name": f"Un scénario de cette séance s'appelle déjà « {name} »."})
    return name


@transaction.atomic
def scenario_create(*, seance: Seance, name: str, user: AbstractBaseUser | None = None) -> Scenario:
    """A scenario for the séance's agenda: every funding line at its requested amount, every
    dossier with a favourable opinion."""
    seance = Seance.objects.select_for_update().get(pk=seance.pk)
    if seance.state == SeanceState.CLOS:
        raise ValidationError("La séance est close : elle n'a plus de nouveau scénario.")
    if seance.scenarios.filter(applied_at__isnull=False).exists():
        raise ValidationError(
            "La décision de cette séance a été appliquée : elle n'a plus de nouveau scénario."
        )
    scenario = Scenario(seance=seance, name=_check_name(seance, name), created_by=user)
    scenario.full_clean()
    scenario.save()
    projects = list(Project.objects.filter(agenda_items__seance=seance).order_by("pk"))
    add_rows([scenario], projects)
    return scenario


@transaction.atomic
def scenario_duplicate(*, scenario: Scenario, name: str, user: AbstractBaseUser | None = None) -> Scenario:
    """A copy of `scenario` (its amounts, opinions and comments) under a new name, open for
    changes even when the original is frozen."""
    seance = Seance.objects.select_for_update().get(pk=scenario.seance_id)
    if seance.state == SeanceState.CLOS:
        raise ValidationError("La séance est close : elle n'a plus de nouveau scénario.")
    if seance.scenarios.filter(applied_at__isnull=False).exists():
        raise ValidationError(
            "La décision de cette séance a été appliquée : elle n'a plus de nouveau scénario."
        )
    copy = Scenario(seance=seance, name=_check_name(seance, name), created_by=user)
    copy.full_clean()
    copy.save()
    ScenarioOpinion.objects.bulk_create(
        ScenarioOpinion(scenario=copy, project_id=o.project_id, opinion=o.opinion, comment=o.comment)
        for o in ScenarioOpinion.objects.filter(scenario=scenario)
    )
    ScenarioLine.objects.bulk_create(
        ScenarioLine(
            scenario=copy,
            project_id=line.project_id,
            funder_id=line.funder_id,
            funding_line_id=line.funding_line_id,
            requested=line.requested,
            proposed=line.proposed,
        )
        for line in ScenarioLine.objects.filter(scenario=scenario)
    )
    return copy


@transaction.atomic
def scenario_rename(*, scenario: Scenario, name: str, version: int) -> Scenario:
    """Rename a scenario, if nobody renamed it since `version`."""
    locked = Scenario.objects.select_for_update(of=("self",)).select_related("seance").get(pk=scenario.pk)
    check_editable(locked)
    if locked.version != version:
        raise ValidationError(
            f"Le scénario a été renommé « {locked.name} » par une autre personne entre-temps : rien n'a été "
            "enregistré."
        )
    locked.name = _check_name(locked.seance, name, exclude=locked.pk)
    locked.version += 1
    locked.full_clean()
    locked.save(update_fields=["name", "version", "updated_at"])
    return locked


@transaction.atomic
def scenario_refresh(*, scenario: Scenario) -> list[str]:
    """Bring a scenario up to date with its séance's agenda and its dossiers' funding lines;
    returns what changed (the differences of `scenario_differences`).

    A line still there keeps its proposed amount (a line of a dossier re-imported is found
    again by its funder and nature); a new line is proposed at its requested amount; a line
    gone is dropped; a dossier added to the agenda gets its row, one removed loses it."""
    scenario = Scenario.objects.select_for_update(of=("self",)).select_related("seance").get(pk=scenario.pk)
    check_editable(scenario)
    differences = selectors.scenario_differences(scenario)
    if not differences:
        return []
    agenda = set(AgendaItem.objects.filter(seance_id=scenario.seance_id).values_list("project_id", flat=True))
    rows = set(ScenarioOpinion.objects.filter(scenario=scenario).values_list("project_id", flat=True))
    gone = rows - agenda
    ScenarioOpinion.objects.filter(scenario=scenario, project_id__in=gone).delete()
    ScenarioLine.objects.filter(scenario=scenario, project_id__in=gone).delete()
    ScenarioOpinion.objects.bulk_create(
        ScenarioOpinion(scenario=scenario, project_id=pk) for pk in agenda - rows
    )

    current = defaultdict(list)
    for line in FundingLine.objects.filter(project_id__in=agenda).select_related("funder"):
        current[line.project_id].append(line)
    kept: dict[int, ScenarioLine] = {}
    orphans: dict[tuple[int, int], list[ScenarioLine]] = defaultdict(list)
    for line in ScenarioLine.objects.filter(scenario=scenario, project_id__in=agenda):
        if line.funding_line_id is None:
            orphans[(line.project_id, line.funder_id)].append(line)
        else:
            kept[line.funding_line_id] = line
    to_create, to_update = [], []
    for project_id, lines in current.items():
        for funding_line in lines:
            line = kept.pop(funding_line.pk, None)
            if line is None and orphans.get((project_id, funding_line.funder_id)):
                # The same funder's line, replaced by a re-import: its proposal carries over.
                line = orphans[(project_id, funding_line.funder_id)].pop(0)
                line.funding_line = funding_line
            if line is None:
                to_create.append(
                    ScenarioLine(
                        scenario=scenario,
                        project_id=project_id,
                        funder_id=funding_line.funder_id,
                        funding_line=funding_line,
                        requested=funding_line.amount_requested,
                        proposed=funding_line.amount_requested,
                    )
                )
                continue
            line.funder_id = funding_line.funder_id
            line.requested = funding_line.amount_requested
            to_update.append(line)
    stale = [line.pk for line in kept.values()] + [line.pk for group in orphans.values() for line in group]
    ScenarioLine.objects.filter(pk__in=stale).delete()
    ScenarioLine.objects.bulk_update(to_update, ["funding_line", "funder", "requested"])
    ScenarioLine.objects.bulk_create(to_create)
    # Every row changed under the pages showing it.
    ScenarioOpinion.objects.filter(scenario=scenario).update(version=F("version") + 1)
    return differences
