"""Séances and their agenda: what may be put on it, and why a dossier is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from comites.models import AgendaItem, ScenarioLine, ScenarioOpinion, SeanceKind, SeanceState
from comites.services import (
    agenda_add_projects,
    agenda_remove_project,
    seance_change_state,
    seance_create,
    seance_update,
)
from projects.models import Status
from tests.comites.conftest import COMITE_DATE, dossier

pytestmark = pytest.mark.django_db


def test_a_new_seance_is_in_preparation(seance, agent):
    assert seance.state == SeanceState.EN_PREPARATION
    assert seance.year_id == 2021
    assert seance.created_by == agent
    assert seance.label == "Comité de programmation du 4 mars 2021"


def test_a_seance_of_unknown_kind_is_refused(programme):
    with pytest.raises(ValidationError) as error:
        seance_create(year=2021, date=COMITE_DATE, kind="assemblee")
    assert "kind" in error.value.message_dict


def test_the_state_goes_forward_and_a_closed_seance_no_longer_changes(seance):
    with pytest.raises(ValidationError) as error:
        seance_change_state(seance=seance, state=SeanceState.CLOS)
    assert "« En préparation » ne peut pas passer à l'état « Clos »" in error.value.messages[0]
    seance_change_state(seance=seance, state=SeanceState.TENU)
    seance_change_state(seance=seance, state=SeanceState.CLOS)
    with pytest.raises(ValidationError) as error:
        seance_update(seance=seance, date=COMITE_DATE, kind=SeanceKind.COMITE_TECHNIQUE)
    assert "close" in error.value.messages[0]


def test_dossiers_are_added_and_each_refused_one_says_why(seance, programme, agent):
    other_year = dossier("Z-9", year=2022)
    draft = dossier("D-4", status=Status.BROUILLON)
    result = agenda_add_projects(
        seance=seance,
        project_ids=[
            programme["a"].pk,
            programme["done"].pk,
            other_year.pk,
            draft.pk,
            999999,
            programme["a"].pk,
        ],
        user=agent,
    )

    assert result.added == [programme["a"]]
    reasons = dict(result.refused)
    assert reasons["P-0 « Action P-0 »"].startswith("son statut est « Programmé »")
    assert reasons["D-4 « Action D-4 »"].startswith("son statut est « Brouillon »")
    assert reasons["Z-9 « Action Z-9 »"] == "c'est un dossier de 2022, la séance examine l'année 2021."
    assert reasons["n° 999999"] == "ce dossier n'existe pas."
    assert list(AgendaItem.objects.values_list("project__reference", "added_by")) == [("A-1", agent.pk)]


def test_a_dossier_already_on_the_agenda_is_refused_again(with_agenda, programme):
    result = agenda_add_projects(seance=with_agenda, project_ids=[programme["a"].pk])
    assert result.added == []
    assert result.refused == [("A-1 « Action A-1 »", "il est déjà à l'ordre du jour de cette séance.")]


def test_a_dossier_on_two_open_seances_at_once_is_refused(with_agenda, programme):
    technique = seance_create(year=2021, date=datetime.date(2021, 2, 20), kind=SeanceKind.COMITE_TECHNIQUE)
    result = agenda_add_projects(seance=technique, project_ids=[programme["a"].pk])

    assert result.added == []
    [(label, reason)] = result.refused
    assert label == "A-1 « Action A-1 »"
    assert reason == (
        "il est déjà à l'ordre du jour de la séance « Comité de programmation du 4 mars 2021 » "
        "(en préparation) : un dossier n'est examiné que par une séance ouverte à la fois."
    )


def test_once_the_first_seance_is_closed_the_dossier_may_go_to_another(with_agenda, programme):
    seance_change_state(seance=with_agenda, state=SeanceState.TENU)
    seance_change_state(seance=with_agenda, state=SeanceState.CLOS)
    later = seance_create(year=2021, date=datetime.date(2021, 6, 1), kind=SeanceKind.COMITE_FINANCEURS)
    assert agenda_add_projects(seance=later, project_ids=[programme["a"].pk]).added == [programme["a"]]


def test_the_agenda_of_a_held_seance_no_longer_changes(with_agenda, programme):
    extra = dossier("E-5")
    seance_change_state(seance=with_agenda, state=SeanceState.TENU)
    with pytest.raises(ValidationError) as error:
        agenda_add_projects(seance=with_agenda, project_ids=[extra.pk])
    assert "ne change plus" in error.value.messages[0]
    assert not AgendaItem.objects.filter(project=extra).exists()


def test_the_agenda_s_changes_reach_the_open_scenarios(scenario, with_agenda, programme):
    extra = dossier("E-5", lines=(("anct", "700.00"), ("caf", "300.00")))
    agenda_add_projects(seance=with_agenda, project_ids=[extra.pk])
    assert ScenarioOpinion.objects.filter(scenario=scenario, project=extra).exists()
    assert sorted(
        ScenarioLine.objects.filter(scenario=scenario, project=extra).values_list("proposed", flat=True)
    ) == [
        300,
        700,
    ]

    agenda_remove_project(seance=with_agenda, project=extra)
    assert not ScenarioOpinion.objects.filter(project=extra).exists()
    assert not ScenarioLine.objects.filter(project=extra).exists()
    with pytest.raises(ValidationError):
        agenda_remove_project(seance=with_agenda, project=extra)
