"""The dossier's pieces in a real browser: an agent uploads a dossier's pieces, EICAR is refused
with the French message; the direction sets the required pieces; axe checks each page."""

import pytest

from documents.models import Document
from tests.browser.conftest import assert_accessible
from tests.clamav import EICAR
from tests.documents import samples
from tests.factories import OperatorFactory, ProjectFactory


@pytest.fixture(autouse=True)
def pieces_settings(settings, tmp_path, clamd_socket):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANTIVIRUS = "on"
    settings.CLAMD_SOCKET = clamd_socket


@pytest.fixture
def project(db):
    return ProjectFactory(
        reference="2021-042",
        title="Accompagnement à la scolarité",
        operator=OperatorFactory(name="Association Élan", kind="association"),
    )


def deposit(page, piece: str, name: str, content: bytes, mime: str = "application/pdf"):
    page.get_by_label("Type de pièce").select_option(label=piece)
    page.get_by_label("Fichier", exact=True).set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )
    page.get_by_role("button", name="Déposer la pièce").click()
    page.wait_for_load_state("networkidle")


def test_an_agent_uploads_the_pieces_and_eicar_is_refused(signed_in, live_server, project):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.get_by_role("link", name="Pièces du dossier").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Pièces du dossier"
    assert "0 pièce reçue sur 7" in page.locator("#pieces-summary").inner_text()
    assert page.locator("#antivirus-off").count() == 0
    assert_accessible(page, "pieces page, empty")

    deposit(page, "Statuts", "statuts.pdf", samples.PDF)
    assert (
        "Pièce « statuts.pdf » (Statuts) enregistrée, analysée par l'antivirus."
        in page.get_by_role("status").inner_text()
    )
    deposit(page, "Relevé d'identité bancaire (RIB)", "rib.png", samples.PNG, "image/png")
    deposit(
        page, "Budget prévisionnel de l'action", "budget.docx", samples.docx(), "application/octet-stream"
    )

    assert "3 pièces reçues sur 7" in page.locator("#pieces-summary").inner_text()
    statuts_row = page.locator("#required-pieces tbody tr", has_text="Statuts")
    assert "Reçue" in statuts_row.inner_text()
    assert statuts_row.get_by_role("link", name="statuts.pdf").is_visible()
    assert_accessible(page, "pieces page, three pieces")

    deposit(page, "Liste des dirigeants", "dirigeants.pdf", EICAR)
    alert = page.get_by_role("alert").first.inner_text()
    assert "La pièce n'a pas été enregistrée" in alert
    assert (
        "Le fichier « dirigeants.pdf » contient un virus (Contratville-Test-EICAR.UNOFFICIAL) : il a été "
        "refusé et n'a pas été enregistré. Demandez au porteur un fichier sain." in alert
    )
    assert (
        "Manquante" in page.locator("#required-pieces tbody tr", has_text="Liste des dirigeants").inner_text()
    )
    assert_accessible(page, "pieces page, virus refused")
    assert sorted(Document.objects.values_list("original_name", flat=True)) == [
        "budget.docx",
        "rib.png",
        "statuts.pdf",
    ]

    with page.expect_download() as download:
        statuts_row.get_by_role("link", name="statuts.pdf").click()
    assert download.value.suggested_filename == "statuts.pdf"
    assert open(download.value.path(), "rb").read() == samples.PDF

    page.get_by_role("button", name="Retirer la pièce « rib.png »").click()
    page.wait_for_load_state("networkidle")
    assert "2 pièces reçues sur 7" in page.locator("#pieces-summary").inner_text()
    assert "rib.png" in page.locator("#pieces-history").inner_text()
    assert_accessible(page, "pieces page, history")


def test_a_file_over_the_limit_is_stopped_in_the_browser(signed_in, live_server, project, settings):
    settings.DOCUMENT_MAX_UPLOAD_SIZE = 1024
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/{project.pk}/documents/")

    page.get_by_label("Type de pièce").select_option(label="Statuts")
    page.get_by_label("Fichier", exact=True).set_input_files(
        {"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": samples.PDF + b" " * 2048}
    )
    message = page.locator("#upload-size-error")
    assert message.inner_text().startswith("Le fichier dépasse la taille maximale de")
    page.get_by_role("button", name="Déposer la pièce").click()
    assert page.url.endswith(f"/projets/{project.pk}/documents/")
    assert Document.objects.count() == 0
    assert_accessible(page, "pieces page, file too large")


def test_the_direction_sets_a_years_required_pieces(signed_in, live_server, project):
    page = signed_in("direction")
    page.goto(f"{live_server.url}/projets/{project.pk}/documents/")
    page.get_by_role("link", name="Pièces requises 2021").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Pièces requises en 2021"
    assert_accessible(page, "checklist page")

    page.get_by_label("Demande de subvention (CERFA n° 12156) — Association").uncheck()
    page.get_by_role("button", name="Enregistrer la liste de 2021").click()
    page.wait_for_load_state("networkidle")
    assert "Liste des pièces requises de 2021 enregistrée." in page.get_by_role("status").inner_text()

    page.goto(f"{live_server.url}/projets/{project.pk}/documents/")
    assert "0 pièce reçue sur 6" in page.locator("#pieces-summary").inner_text()
