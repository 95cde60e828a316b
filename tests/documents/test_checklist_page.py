"""The direction sets the pieces required per porteur type, by default and for one year
(`/pieces-requises/`)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from contratville import roles
from documents.models import Checklist
from documents.selectors import required_pieces
from tests.factories import ProgrammeYearFactory, UserFactory


@pytest.fixture
def direction(db):
    user = UserFactory(username="directrice", first_name="Claire", last_name="Durand")
    user.groups.add(Group.objects.get(name=roles.DIRECTION))
    client = Client()
    client.force_login(user)
    return client


def test_the_default_list_is_shown_as_a_grid(direction):
    response = direction.get("/pieces-requises/")

    assert response.status_code == 200
    grid = {
        row["code"]: {cell["kind"] for cell in row["cells"] if cell["checked"]}
        for row in response.context["grid"]
    }
    assert grid["statuts"] == {"association", "entreprise"}
    assert grid["budget_previsionnel"] == {
        "association",
        "commune",
        "epci",
        "bailleur",
        "etablissement_public",
        "entreprise",
        "autre",
    }
    assert grid["autre"] == set()
    page = response.content.decode()
    assert 'aria-label="Statuts — Association"' in page
    assert "Pièces requises : liste par défaut" in page


def test_a_year_without_its_own_list_says_it_follows_the_default(direction):
    ProgrammeYearFactory(year=2024)

    response = direction.get("/pieces-requises/?annee=2024")

    assert response.context["follows_default"] is True
    page = response.content.decode()
    assert "2024 n'a pas de liste propre" in page
    assert '<option value="2024" selected>2024</option>' in page


def test_saving_a_years_list(direction):
    response = direction.post(
        "/pieces-requises/",
        {"annee": "2024", "pieces": ["association:rib", "association:statuts", "commune:rib"]},
    )

    assert response.status_code == 302
    assert response["Location"] == "/pieces-requises/?annee=2024"
    assert required_pieces(year=2024, operator_kind="association") == ["statuts", "rib"]
    assert required_pieces(year=2024, operator_kind="commune") == ["rib"]
    assert required_pieces(year=2023, operator_kind="commune") == ["budget_previsionnel"]
    checklist = Checklist.objects.get(year=2024)
    assert checklist.updated_by.username == "directrice"
    page = direction.get(response["Location"]).content.decode()
    assert "Liste de 2024 modifiée le" in page
    assert "par Claire Durand" in page


def test_saving_the_default_list(direction):
    direction.post("/pieces-requises/", {"pieces": ["commune:budget_previsionnel", "commune:rib"]})

    assert required_pieces(year=2030, operator_kind="commune") == ["rib", "budget_previsionnel"]
    assert required_pieces(year=2030, operator_kind="association") == []


def test_a_year_goes_back_to_the_default_list(direction):
    direction.post("/pieces-requises/", {"annee": "2024", "pieces": ["association:rib"]})

    direction.post("/pieces-requises/", {"annee": "2024", "action": "defaut"})

    assert not Checklist.objects.filter(year=2024).exists()
    assert len(required_pieces(year=2024, operator_kind="association")) == 7


def test_unknown_codes_change_nothing(direction):
    response = direction.post("/pieces-requises/", {"annee": "2024", "pieces": ["association:passeport"]})

    assert response.status_code == 302
    assert not Checklist.objects.filter(year=2024).exists()
    messages = [str(message) for message in direction.get(response["Location"]).context["messages"]]
    assert messages == ["Pièce ou type de porteur inconnu : rechargez la page."]


def test_an_impossible_year_is_not_found(direction):
    assert direction.get("/pieces-requises/?annee=abc").status_code == 404
    assert direction.get("/pieces-requises/?annee=99999").status_code == 404


@pytest.mark.parametrize("role", [roles.AGENT, roles.COMITE])
def test_agents_and_the_comite_cannot_change_the_lists(db, role):
    user = UserFactory(username="x")
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)

    assert client.get("/pieces-requises/").status_code == 403
    assert client.post("/pieces-requises/", {"pieces": []}).status_code == 403
    assert len(required_pieces(year=2030, operator_kind="association")) == 7
