"""`?pieces=manquantes`: the dossiers that miss a required piece, as a filter of the dossier list,
its export, the dashboard and the bulk actions (the documents app registers it on the shared
filters, projects/filters/scope.py)."""

import csv
import io

import pytest

from contratville import versioning
from documents.services import checklist_save
from tests.documents.factories import DocumentFactory
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory
from tests.html import element

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossiers():
    year = ProgrammeYearFactory(year=2021)
    complete = ProjectFactory(reference="COMPLET", year=year, operator=OperatorFactory(kind="commune"))
    DocumentFactory(project=complete, piece_type="budget_previsionnel")
    ProjectFactory(reference="SANS-BUDGET", year=year, operator=OperatorFactory(kind="commune"))
    lacking_rib = ProjectFactory(reference="SANS-RIB", year=year, operator=OperatorFactory(kind="bailleur"))
    DocumentFactory(project=lacking_rib, piece_type="budget_previsionnel")
    return complete


def references(response) -> list[str]:
    return sorted(project.reference for project in response.context["page"].object_list)


def test_the_list_keeps_the_dossiers_that_miss_a_piece(agent_client, dossiers):
    response = agent_client.get("/projets/?annee=2021&pieces=manquantes")
    assert response.status_code == 200
    assert references(response) == ["SANS-BUDGET", "SANS-RIB"]
    box = element(response.content, "input", name="pieces", value="manquantes")
    assert box.checked
    label = element(response.content, "label", for_=box.attrs["id"])
    assert label.text == "Pièces manquantes"


def test_a_piece_received_takes_the_dossier_out_of_the_list(agent_client, dossiers):
    lacking = ProjectFactory._meta.model.objects.get(reference="SANS-RIB")
    DocumentFactory(project=lacking, piece_type="rib")
    assert references(agent_client.get("/projets/?pieces=manquantes")) == ["SANS-BUDGET"]


def test_a_years_own_checklist_decides(agent_client, dossiers, direction):
    # 2021's own list asks nothing of a bailleur: only the commune without its budget is left.
    checklist_save(year=2021, pieces=[("commune", "budget_previsionnel")], user=direction)
    assert references(agent_client.get("/projets/?pieces=manquantes")) == ["SANS-BUDGET"]


def test_the_export_follows_the_filter(agent_client, dossiers):
    response = agent_client.get("/projets/export/?format=csv&pieces=manquantes")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted({row["numero_dossier"] for row in rows}) == ["SANS-BUDGET", "SANS-RIB"]


def test_the_dashboard_counts_them_and_sees_a_new_piece_at_once(direction_client, dossiers):
    url = "/tableau-de-bord/?annee=2021&pieces=manquantes"
    page = direction_client.get(url)
    assert sum(page.context["data"].figures.status_counts.values()) == 2
    assert ("Pièces du dossier", "Pièces manquantes") in page.context["scope_labels"]
    # The page is kept in the cache under the year's data version; a piece renews it.
    lacking = ProjectFactory._meta.model.objects.get(reference="SANS-BUDGET")
    before = versioning.Versions.read().of(2021)
    DocumentFactory(project=lacking, piece_type="budget_previsionnel")
    assert versioning.Versions.read().of(2021) != before
    page = direction_client.get(url)
    assert sum(page.context["data"].figures.status_counts.values()) == 1


def test_the_comite_which_does_not_see_the_pieces_may_not_count_them(comite_client, dossiers):
    page = comite_client.get("/tableau-de-bord/?annee=2021&pieces=manquantes")
    assert page.status_code == 200
    assert page.context["filter_errors"] == [
        "Pièces du dossier : le filtre « Pièces manquantes » n'est pas ouvert à votre rôle."
    ]
    assert "key_figures" not in page.context
