"""Importing a programmation with a real browser, and the porteurs' pages, with axe checks."""

import re

import pytest

from projects.models import Project
from tests.browser.conftest import assert_accessible
from tests.factories import FundingLineFactory, OperatorFactory, ProgrammeYearFactory, ProjectFactory
from tests.projects.test_import_view import AGENT_ROWS
from tests.projects.test_programmation_import import GOOD_ROWS, csv_bytes


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_agent_imports_a_csv_after_its_preview(signed_in, live_server):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/import/")
    assert page.get_by_role("heading", level=1).inner_text() == "Importer une programmation"
    assert_accessible(page, "import page")

    page.get_by_label("Fichier de programmation").set_input_files(
        {"name": "programmation-2022.csv", "mimeType": "text/csv", "buffer": csv_bytes(AGENT_ROWS)}
    )
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Aperçu de l'import"
    assert "3 dossiers à créer" in page.locator(".import-summary").inner_text()
    assert page.locator(".import-projects tbody tr").count() == 3
    assert Project.objects.count() == 0
    assert_accessible(page, "import preview")

    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/projets/?annee=2022"
    assert "réussi" in page.get_by_role("status").first.inner_text()
    assert page.get_by_text("Accompagnement à la scolarité").first.is_visible()
    assert Project.objects.filter(year_id=2022).count() == 3


def test_a_file_with_errors_shows_them_without_a_confirm_button(signed_in, live_server):
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][10] = "mecene"
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/import/")
    page.get_by_label("Fichier de programmation").set_input_files(
        {"name": "programmation.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}
    )
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.wait_for_load_state("networkidle")
    error_row = page.locator(".import-errors tbody tr").first.inner_text()
    assert re.match(r"3\s+financeur\s+financeur inconnu « mecene »", error_row)
    assert page.get_by_role("button", name="Confirmer l'import").count() == 0
    assert Project.objects.count() == 0
    assert_accessible(page, "import errors")


def test_the_operator_pages_are_accessible(signed_in, live_server):
    operator = OperatorFactory(name="Association Élan", siret="73282932000074")
    for year in (2020, 2021):
        project = ProjectFactory(operator=operator, year=ProgrammeYearFactory(year=year))
        FundingLineFactory(project=project)
    OperatorFactory.create_batch(3)
    page = signed_in("agent")

    page.goto(f"{live_server.url}/porteurs/")
    assert page.locator(".operator-list tbody tr").count() == 4
    assert_accessible(page, "operator list")
    page.get_by_label("Association").check()
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state("networkidle")
    assert "type_porteur=association" in page.url

    page.get_by_role("link", name="Association Élan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Association Élan"
    assert "2 000,00" in page.locator(".operator-years tfoot").inner_text().replace("\u00a0", " ").replace(
        "\u202f", " "
    )
    assert_accessible(page, "operator detail")
