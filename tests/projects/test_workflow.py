"""The dossier's workflow: which moves are allowed, who may decide, what is recorded."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from contratville import roles
from projects.models import Status, StatusChange
from projects.services import (
    ALLOWED_TRANSITIONS,
    project_change_status,
    transition_label,
    transitions_for_user,
)
from tests.factories import ProgrammeYearFactory, ProjectFactory, complete_compte_rendu

pytestmark = pytest.mark.django_db

EVERY_ALLOWED_MOVE = [
    (source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in targets
]


@pytest.fixture
def agent(user_in):
    return user_in(roles.AGENT, first_name="Camille", last_name="Agent")


@pytest.fixture
def direction(user_in):
    return user_in(roles.DIRECTION)


def test_the_workflow_follows_domain_order():
    assert ALLOWED_TRANSITIONS == {
        "brouillon": ("depose", "abandonne"),
        "depose": ("en_instruction", "abandonne"),
        "en_instruction": ("programme", "refuse", "abandonne"),
        "programme": ("justifie", "abandonne"),
        "justifie": ("solde",),
        "refuse": ("en_instruction",),
        "abandonne": (),
        "solde": (),
    }


@pytest.mark.parametrize(
    "source, target, label",
    [
        ("brouillon", "depose", "Déposer"),
        ("depose", "en_instruction", "Mettre en instruction"),
        ("en_instruction", "programme", "Programmer"),
        ("en_instruction", "refuse", "Refuser"),
        ("depose", "abandonne", "Abandonner"),
        ("programme", "justifie", "Marquer justifié"),
        ("justifie", "solde", "Solder"),
        ("refuse", "en_instruction", "Réexaminer"),
    ],
)
def test_each_move_has_its_french_verb(source, target, label):
    assert transition_label(source, target) == label


@pytest.mark.parametrize("source, target", EVERY_ALLOWED_MOVE)
def test_every_allowed_move_is_made_and_recorded(source, target, direction):
    project = ProjectFactory(status=source)
    if target == Status.JUSTIFIE:
        # What the funding app requires of that move (tests/funding/test_compte_rendu.py).
        complete_compte_rendu(project)

    project_change_status(project=project, to_status=target, user=direction, comment="  Vu en réunion  ")

    project.refresh_from_db()
    assert project.status == target
    change = StatusChange.objects.get(project=project)
    assert (change.from_status, change.to_status, change.changed_by, change.comment) == (
        source,
        target,
        direction,
        "Vu en réunion",
    )


def test_a_move_outside_the_workflow_is_refused_with_both_statuses_named(direction):
    project = ProjectFactory(status=Status.BROUILLON)

    with pytest.raises(ValidationError) as error:
        project_change_status(project=project, to_status=Status.PROGRAMME, user=direction)

    assert error.value.messages == [
        "Un dossier au statut « Brouillon » ne peut pas passer au statut « Programmé »."
    ]
    project.refresh_from_db()
    assert project.status == Status.BROUILLON
    assert not StatusChange.objects.exists()


def test_a_closed_dossier_goes_nowhere(direction):
    project = ProjectFactory(status=Status.SOLDE)
    with pytest.raises(ValidationError, match="« Soldé » ne peut pas passer au statut « Programmé »"):
        project_change_status(project=project, to_status=Status.PROGRAMME, user=direction)


@pytest.mark.parametrize("target", [Status.PROGRAMME, Status.REFUSE])
def test_an_agent_cannot_decide(target, agent):
    project = ProjectFactory(status=Status.EN_INSTRUCTION)

    with pytest.raises(PermissionDenied):
        project_change_status(project=project, to_status=target, user=agent)

    project.refresh_from_db()
    assert project.status == Status.EN_INSTRUCTION
    assert project.decision_date is None
    assert not StatusChange.objects.exists()


def test_an_agent_makes_the_other_moves(agent):
    project = ProjectFactory(status=Status.DEPOSE)
    project_change_status(project=project, to_status=Status.EN_INSTRUCTION, user=agent)
    assert project.status == Status.EN_INSTRUCTION
    assert StatusChange.objects.get().changed_by == agent


def test_programming_takes_the_given_committee_date(direction):
    ProgrammeYearFactory(year=2021, programming_committee_on=date(2021, 3, 30))
    project = ProjectFactory(status=Status.EN_INSTRUCTION)

    project_change_status(
        project=project, to_status=Status.PROGRAMME, user=direction, decision_date=date(2021, 4, 2)
    )

    project.refresh_from_db()
    assert project.decision_date == date(2021, 4, 2)


def test_a_decision_without_date_takes_the_years_committee_date(direction):
    year = ProgrammeYearFactory(year=2021)
    year.programming_committee_on = date(2021, 3, 30)
    year.save()
    project = ProjectFactory(status=Status.EN_INSTRUCTION, year=year)

    project_change_status(project=project, to_status=Status.REFUSE, user=direction)

    project.refresh_from_db()
    assert project.decision_date == date(2021, 3, 30)


def test_a_decision_without_any_committee_date_takes_today(direction):
    project = ProjectFactory(status=Status.EN_INSTRUCTION)
    project_change_status(project=project, to_status=Status.PROGRAMME, user=direction)
    project.refresh_from_db()
    assert project.decision_date == timezone.localdate()


def test_a_reexamined_dossier_loses_its_refusal_date(direction):
    project = ProjectFactory(status=Status.REFUSE, decision_date=date(2021, 3, 30))
    project_change_status(project=project, to_status=Status.EN_INSTRUCTION, user=direction)
    project.refresh_from_db()
    assert project.status == Status.EN_INSTRUCTION
    assert project.decision_date is None


def test_only_the_moves_a_user_may_make_are_offered(agent, direction, user_in):
    project = ProjectFactory(status=Status.EN_INSTRUCTION)
    comite = user_in(roles.COMITE)

    assert [t.to_status for t in transitions_for_user(project=project, user=direction)] == [
        "programme",
        "refuse",
        "abandonne",
    ]
    assert [t.to_status for t in transitions_for_user(project=project, user=agent)] == ["abandonne"]
    assert transitions_for_user(project=project, user=comite) == []


# Through the view


def test_the_button_moves_the_dossier_and_says_so(client, agent):
    project = ProjectFactory(status=Status.DEPOSE, reference="2021-007")
    client.force_login(agent)

    response = client.post(f"/projets/{project.pk}/statut/", {"to_status": "en_instruction"}, follow=True)

    assert response.redirect_chain == [(f"/projets/{project.pk}/", 302)]
    assert "Le dossier 2021-007 est désormais « En instruction »." in response.content.decode()
    project.refresh_from_db()
    assert project.status == Status.EN_INSTRUCTION


def test_the_view_reports_a_forbidden_move_as_a_french_message(client, agent):
    project = ProjectFactory(status=Status.BROUILLON)
    client.force_login(agent)

    response = client.post(f"/projets/{project.pk}/statut/", {"to_status": "solde"}, follow=True)

    assert response.status_code == 200
    assert (
        "Un dossier au statut « Brouillon » ne peut pas passer au statut « Soldé »."
        in response.content.decode()
    )
    project.refresh_from_db()
    assert project.status == Status.BROUILLON


@pytest.mark.parametrize("target", ["programme", "refuse"])
def test_an_agent_gets_403_when_deciding_through_the_view(client, agent, target):
    project = ProjectFactory(status=Status.EN_INSTRUCTION)
    client.force_login(agent)

    response = client.post(f"/projets/{project.pk}/statut/", {"to_status": target})

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.status == Status.EN_INSTRUCTION


def test_the_direction_programmes_with_the_committee_date(client, direction):
    project = ProjectFactory(status=Status.EN_INSTRUCTION)
    client.force_login(direction)

    response = client.post(
        f"/projets/{project.pk}/statut/",
        {"to_status": "programme", "decision_date": "2021-03-30", "comment": "Comité du 30 mars"},
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.decision_date) == (Status.PROGRAMME, date(2021, 3, 30))
    assert StatusChange.objects.get(project=project).comment == "Comité du 30 mars"


def test_get_on_the_transition_address_is_not_allowed(client, agent):
    project = ProjectFactory(status=Status.DEPOSE)
    client.force_login(agent)
    assert client.get(f"/projets/{project.pk}/statut/").status_code == 405


def test_the_comite_cannot_move_a_dossier(client, user_in):
    project = ProjectFactory(status=Status.DEPOSE)
    client.force_login(user_in(roles.COMITE))
    assert client.post(f"/projets/{project.pk}/statut/", {"to_status": "en_instruction"}).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    project = ProjectFactory(status=Status.DEPOSE)
    response = client.post(f"/projets/{project.pk}/statut/", {"to_status": "en_instruction"})
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_the_transition_needs_the_csrf_token(agent):
    project = ProjectFactory(status=Status.DEPOSE)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.post(f"/projets/{project.pk}/statut/", {"to_status": "en_instruction"}).status_code == 403
    project.refresh_from_db()
    assert project.status == Status.DEPOSE
