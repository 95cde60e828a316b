"""The dossier list's bulk action « Inscrire à l'ordre du jour… » (`/comites/ajout-a-l-ordre-du-jour/`):
the rows ticked or every dossier of the list's filter (read again by projects' one definition of
the filters), a confirmation that says how many dossiers each séance in preparation would take,
then the agenda service, whose refusals are listed with their reasons."""

import datetime

import pytest
from django.contrib.auth.models import Group

from comites.models import AgendaItem, SeanceKind, SeanceState
from comites.services import agenda_add_projects, seance_change_state, seance_create
from contratville import roles
from projects.models import Status
from tests.comites.conftest import dossier
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/comites/ajout-a-l-ordre-du-jour/"


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def year():
    projects = {
        "A-1": dossier("A-1", quartiers=("QP062008",)),
        "B-2": dossier("B-2", status=Status.DEPOSE, pillar_code="emploi", theme_code="2.1"),
        "C-3": dossier("C-3", status=Status.BROUILLON),
        "D-4": dossier("D-4", status=Status.PROGRAMME),
        "E-5": dossier("E-5", year=2022, status=Status.DEPOSE),
        "F-6": dossier("F-6", status=Status.DEPOSE, pillar_code="emploi", theme_code="2.2"),
    }
    seance = seance_create(year=2021, date=datetime.date(2021, 3, 4), kind=SeanceKind.COMITE_PROGRAMMATION)
    return {"projects": projects, "seance": seance}


def on_agenda(seance) -> list[str]:
    return sorted(AgendaItem.objects.filter(seance=seance).values_list("project__reference", flat=True))


def ticked(year, *references, **extra):
    return {
        "action": "ordre-du-jour",
        "filtre": "annee=2021",
        "dossier": [str(year["projects"][r].pk) for r in references],
        **extra,
    }


def test_the_confirmation_says_how_many_each_seance_takes_before_anything_changes(agent_client, year):
    other = seance_create(year=2022, date=datetime.date(2022, 3, 1), kind=SeanceKind.COMITE_TECHNIQUE)
    closed = seance_create(year=2021, date=datetime.date(2021, 1, 10), kind=SeanceKind.COMITE_TECHNIQUE)
    seance_change_state(seance=closed, state=SeanceState.TENU)
    response = agent_client.post(URL, ticked(year, "A-1", "B-2", "C-3", "D-4", "E-5"))
    assert response.status_code == 200
    assert not AgendaItem.objects.exists()
    # Séances in preparation only, each with the dossiers it would take (A-1 and B-2 in 2021,
    # E-5 in 2022).
    assert [(s.pk, n) for s, n in response.context["seances"]] == [(year["seance"].pk, 2), (other.pk, 1)]
    html = response.content.decode()
    assert "<h1>Inscrire les 5 dossiers cochés à l'ordre du jour d'une séance</h1>" in html
    assert "<strong>2</strong> dossiers sur 5 y seront inscrits" in html
    assert "<strong>1</strong> dossier sur 5 y sera inscrit" in html
    assert html.count('name="seance"') == 2 and " checked" not in html  # two séances: one to choose


def test_confirmed_the_service_adds_them_and_lists_the_refused_with_their_reasons(agent_client, agent, year):
    seance = year["seance"]
    response = agent_client.post(
        URL, ticked(year, "A-1", "B-2", "C-3", "E-5", seance=seance.pk, confirmer="oui")
    )
    assert response.status_code == 200
    assert on_agenda(seance) == ["A-1", "B-2"]
    assert set(AgendaItem.objects.values_list("added_by", flat=True)) == {agent.pk}
    html = response.content.decode()
    assert (
        "2 dossiers inscrits à l'ordre du jour de la séance « Comité de programmation du 4 mars 2021 »."
        in html
    )
    assert "2 dossiers non inscrits" in html
    assert (
        "C-3 « Action C-3 » : son statut est « Brouillon » : seuls les dossiers déposés ou en instruction "
        "sont inscrits à l&#x27;ordre du jour." in html
    )
    assert "E-5 « Action E-5 » : c&#x27;est un dossier de 2022, la séance examine l&#x27;année 2021." in html
    # Again: already there.
    again = agent_client.post(URL, ticked(year, "A-1", seance=seance.pk, confirmer="oui"))
    assert (
        "A-1 « Action A-1 » : il est déjà à l&#x27;ordre du jour de cette séance." in again.content.decode()
    )


def test_every_dossier_of_the_filter_is_the_list_filter_read_again(agent_client, year):
    seance = year["seance"]
    data = {
        "action": "ordre-du-jour",
        "portee": "filtre",
        # The 2024 code of a quartier, as the list accepts it; plus the emploi pilier.
        "filtre": "annee=2021&pilier=emploi",
        "dossier": [str(year["projects"]["A-1"].pk)],
        "seance": seance.pk,
    }
    response = agent_client.post(URL, data)
    assert "les 2 dossiers du filtre" in response.content.decode()
    assert response.context["chosen"] == str(seance.pk)  # the only séance in preparation
    agent_client.post(URL, {**data, "confirmer": "oui"})
    assert on_agenda(seance) == ["B-2", "F-6"]
    agent_client.post(URL, {**data, "filtre": "quartier=QN06208M", "confirmer": "oui"})
    assert on_agenda(seance) == ["A-1", "B-2", "F-6"]


def test_an_invalid_filter_is_the_lists_own_error_and_adds_nothing(agent_client, year):
    data = {
        "action": "ordre-du-jour",
        "portee": "filtre",
        "filtre": "annee=2021&pilier=emplio",
        "confirmer": "oui",
    }
    response = agent_client.post(URL, {**data, "seance": year["seance"].pk}, follow=True)
    assert not AgendaItem.objects.exists()
    assert response.redirect_chain[0][0] == "/projets/"
    list_errors = agent_client.get("/projets/?annee=2021&pilier=emplio").context["filter_errors"]
    assert [str(m) for m in response.context["messages"]] == [
        "Le filtre de la liste n'est pas valide :",
        *list_errors,
    ]


def test_a_seance_must_be_chosen_among_those_in_preparation(agent_client, year):
    seance_create(year=2021, date=datetime.date(2021, 6, 1), kind=SeanceKind.COMITE_TECHNIQUE)
    response = agent_client.post(URL, ticked(year, "A-1", confirmer="oui"))
    assert (
        "Choisissez la séance à l&#x27;ordre du jour de laquelle inscrire les dossiers."
        in response.content.decode()
    )
    held = seance_create(year=2021, date=datetime.date(2021, 2, 1), kind=SeanceKind.COMITE_TECHNIQUE)
    seance_change_state(seance=held, state=SeanceState.TENU)
    response = agent_client.post(URL, ticked(year, "A-1", seance=held.pk, confirmer="oui"))
    assert response.context["error"] and not AgendaItem.objects.exists()


def test_without_a_seance_in_preparation_the_page_says_so(agent_client, year):
    seance_change_state(seance=year["seance"], state=SeanceState.TENU)
    html = agent_client.post(URL, ticked(year, "A-1")).content.decode()
    assert "Aucune séance n'est en préparation" in html and 'href="/comites/seances/nouvelle/"' in html


def test_only_agents_and_the_direction_add_to_an_agenda(client, year):
    data = ticked(year, "A-1", seance=year["seance"].pk, confirmer="oui")
    assert client.post(URL, data).status_code == 302
    member = UserFactory()
    member.groups.add(Group.objects.get(name=roles.COMITE))
    client.force_login(member)
    assert client.post(URL, data).status_code == 403
    assert client.get(URL).status_code == 405
    assert not AgendaItem.objects.exists()
    director = UserFactory()
    director.groups.add(Group.objects.get(name=roles.DIRECTION))
    client.force_login(director)
    client.post(URL, data)
    assert on_agenda(year["seance"]) == ["A-1"]


def test_the_seance_list_reads_its_year_as_the_dossier_filters_do(client, agent, year):
    client.force_login(agent)
    assert list(client.get("/comites/?annee=2021").context["seances"]) == [year["seance"]]
    bad = client.get("/comites/?annee=deux-mille")
    assert bad.context["filter_errors"] == ["« deux-mille » n'est pas une année (exemple : 2022)."]
    assert bad.context["seances"] == [] and 'role="alert"' in bad.content.decode()
    agenda_add_projects(seance=year["seance"], project_ids=[year["projects"]["A-1"].pk])
    assert client.get("/comites/?annee=2022").context["seances"].count() == 0
