"""The compte-rendu financier in a real browser: an agent cannot mark a dossier justifié without
it, enters it (dates, assessment, beneficiaries, accounts, the indicator's achieved value), sees
the gaps computed, then marks the dossier justifié. axe checks the page."""

import datetime
from decimal import Decimal

import pytest

from funding.models import CompteRendu
from projects.models import Status
from tests.browser.conftest import assert_accessible
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory

NBSP = "\u00a0"


@pytest.fixture
def project(db):
    project = ProjectFactory(
        reference="2021-007",
        title="Qualification des aidants numériques",
        year=ProgrammeYearFactory(year=2021),
        operator=OperatorFactory(name="Dév And You", kind="association"),
        status=Status.PROGRAMME,
        decision_date=datetime.date(2021, 3, 4),
    )
    project.indicators.create(label="Aidants formés", unit="personnes", expected=Decimal("40"))
    return project


def test_an_agent_enters_the_compte_rendu_then_marks_the_dossier_justifie(signed_in, live_server, project):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.get_by_role("button", name="Marquer justifié").click()
    page.wait_for_load_state("networkidle")
    assert "sans son compte-rendu financier complet" in page.get_by_role("status").inner_text()

    page.locator(".dossier-links").get_by_role("link", name="Compte-rendu financier").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Compte-rendu financier"
    assert_accessible(page, "compte-rendu, empty")

    page.get_by_label("Reçu le").fill("2022-05-02")
    page.get_by_label("Action menée du", exact=False).first.fill("2021-01-04")
    page.get_by_label("Action menée jusqu'au").fill("2021-12-17")
    page.get_by_label("Bilan qualitatif").fill("42 aidants formés, ateliers hebdomadaires.")
    page.get_by_label("Bénéficiaires").first.fill("120")
    page.get_by_label("Dont habitants des QPV").fill("90")
    page.get_by_label("60 – Achats : prévu").fill("1 000")
    page.get_by_label("60 – Achats : réalisé").fill("1 200,50")
    page.get_by_label("74 – Subventions d'exploitation : réalisé").fill("5 000")
    page.get_by_label("Aidants formés : valeur atteinte").fill("42")
    page.get_by_role("button", name="Enregistrer le compte-rendu").click()
    page.wait_for_load_state("networkidle")
    assert "Compte-rendu financier enregistré." in page.get_by_role("status").inner_text()
    assert "Compte-rendu complet" in page.locator("#compte-rendu-etat").inner_text()
    sixty = page.locator("#charges tbody tr", has_text="60 – Achats")
    assert f"200,50{NBSP}€" in sixty.inner_text() and f"20,1{NBSP}%" in sixty.inner_text()
    assert_accessible(page, "compte-rendu, saved")
    assert CompteRendu.objects.get().beneficiaries_qpv == 90

    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.get_by_role("button", name="Marquer justifié").click()
    page.wait_for_load_state("networkidle")
    project.refresh_from_db()
    assert project.status == Status.JUSTIFIE
    assert project.indicators.get().achieved == Decimal("42.00")


def test_the_follow_up_page_lists_the_late_compte_rendu_and_is_accessible(signed_in, live_server, project):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Suivi").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Suivi des dossiers"
    assert page.locator('[data-count="comptes-rendus"]').inner_text() == "1"
    page.locator(
        "section", has=page.get_by_role("heading", name="Comptes-rendus financiers en retard")
    ).get_by_role("link", name="2021-007 (2021)").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Compte-rendu financier"
    page.go_back()
    assert_accessible(page, "follow-up page")


def test_the_compte_rendu_import_page_shows_its_errors_accessibly(signed_in, live_server, project):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/comptes-rendus/import/")
    assert page.get_by_role("heading", level=1).inner_text() == "Importer des comptes-rendus financiers"
    assert_accessible(page, "compte-rendu import, empty")
    content = b"annee;numero_dossier;compte;prevu;realise\n2021;2021-007;59;10;10\n"
    page.get_by_label("Fichier des comptes-rendus (CSV ou XLSX)").set_input_files(
        {"name": "cr.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state("networkidle")
    alert = page.get_by_role("alert").inner_text()
    assert "1 erreur(s) : rien n'a été enregistré." in alert
    assert "Ligne 2, colonne « compte » : compte inconnu « 59 »" in alert
    assert_accessible(page, "compte-rendu import, errors")
    assert not CompteRendu.objects.exists()
