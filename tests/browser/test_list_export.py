"""An agent filters the dossiers' list in a real browser, downloads the export, and the file
imports back unchanged; the list is accessible (axe, WCAG 2.1 AA)."""

import csv
import io
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps

from projects.imports.service import COLUMNS, programmation_import
from projects.models import FundingLine, Operator, Pillar, Project
from tests.browser.conftest import assert_accessible

ROWS = [
    ["2022", "E-001", "Accompagnement à la scolarité", "Association Élan", "", "association",
     "cohesion_sociale", "1.1", "QP062008", "programme", "anct", "", "12000", "10000"],
    ["2022", "E-001", "Accompagnement à la scolarité", "Association Élan", "", "association",
     "cohesion_sociale", "1.1", "QP062008", "programme", "caf", "", "5000", "5000"],
    ["2022", "E-002", "Chantier d'insertion", "Régie de quartier Bruaysienne", "", "association",
     "emploi", "2.1", "QP062011|QP062012", "programme", "region", "", "30000", "25000"],
    ["2022", "E-003", "Permanence emploi", "Maison de l'emploi", "", "association",
     "emploi", "2.1", "QP062011", "depose", "france_travail", "", "8000", ""],
    ["2021", "E-004", "Jardins partagés", "Maisons & Cités", "", "bailleur",
     "cadre_de_vie", "3.1", "QP062004", "solde", "bailleur", "", "4000", "4000"],
]  # fmt: skip


@pytest.fixture(autouse=True)
def reference_data():
    """The migrations' reference data (piliers, thématiques, quartiers, funders), loaded again
    when missing. `serialized_rollback` should restore it after a transactional test, but once
    Playwright's sync API has started, Django hands out new connection objects without the
    serialized copy, so a browser test that follows another database test finds empty tables."""
    if not Pillar.objects.exists():
        import_module("projects.migrations.0002_load_reference_data").load(apps, None)
        import_module("funding.migrations.0002_load_funders").load(apps, None)


def import_programmation():
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([COLUMNS, *ROWS])
    result = programmation_import(content=buffer.getvalue().encode(), filename="programmation.csv")
    assert result.ok, result.errors


def database_state():
    return (
        list(Project.objects.order_by("id").values_list("id", "reference", "title", "status", "updated_at")),
        list(
            FundingLine.objects.order_by("id").values_list(
                "id", "funder_id", "amount_requested", "amount_granted"
            )
        ),
        list(Operator.objects.order_by("id").values_list("id", "name", "kind", "siret")),
        list(Project.quartiers.through.objects.order_by("id").values_list("project_id", "quartier_id")),
    )


def listed_references(page) -> list[str]:
    # Each row's first cell after the bulk actions' checkbox.
    return page.locator("table.dossier-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.querySelector('td:not(.choice)').innerText)"
    )


def test_an_agent_filters_searches_and_exports_a_file_that_imports_back_unchanged(signed_in, live_server):
    import_programmation()
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/")
    assert sorted(listed_references(page)) == ["E-001", "E-002", "E-003", "E-004"]
    assert_accessible(page, "liste des dossiers")

    page.get_by_label("Emploi et développement économique").check()
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state("networkidle")
    assert "pilier=emploi" in page.url
    assert sorted(listed_references(page)) == ["E-002", "E-003"]
    assert page.locator("p.summary[role=status]").inner_text().startswith("2 dossiers")

    page.get_by_label("Recherche", exact=True).fill("Régie")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state("networkidle")
    assert listed_references(page) == ["E-002"]
    assert page.get_by_role("link", name="Chantier d'insertion").is_visible()
    assert_accessible(page, "liste filtrée")

    before = database_state()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter : Excel (format d'import)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("programmation-toutes-annees-")
    assert download.suggested_filename.endswith(".xlsx")
    content = Path(download.path()).read_bytes()
    result = programmation_import(content=content, filename=download.suggested_filename)
    assert result.ok, [str(error) for error in result.errors]
    # The export holds the filtered dossier only, and changes nothing when imported back.
    assert result.projects == [(2022, "E-002", "inchangé")]
    assert (result.projects_created, result.projects_updated, result.projects_unchanged) == (0, 0, 1)
    assert database_state() == before


def test_an_unknown_code_in_the_address_shows_an_accessible_error(signed_in, live_server):
    import_programmation()
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/?pilier=culture")
    assert "Pilier inconnu : « culture »" in page.get_by_role("alert").inner_text()
    assert listed_references(page) == []
    assert_accessible(page, "filtre invalide")
