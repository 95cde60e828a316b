"""Letters in the browser: the direction edits a template with a merge field and sees the
preview follow; an agent generates a comité's letters, downloads the ZIP and sends them (the
local SMTP server receives each with its PDF); axe finds no WCAG 2.1 A/AA violation."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comites.models import SeanceKind, SeanceState
from comites.services import (
    agenda_add_projects,
    scenario_apply,
    scenario_create,
    scenario_opinion_update,
    seance_change_state,
    seance_create,
)
from courriers.models import LetterSending, LetterTemplate
from tests.browser.conftest import assert_accessible, make_user
from tests.courriers.conftest import dossier, operator
from tests.factories import ProgrammeYearFactory
from tests.smtp_server import pdf_text, serving


@pytest.fixture
def decided():
    ProgrammeYearFactory(year=2021)
    notified = dossier(
        "PV2021-010",
        "Ateliers numériques",
        operator("Association Lire et Grandir", email="contact@lire-grandir.example.org"),
        (("anct", "5000.00"), ("region", "2500.00")),
    )
    refused = dossier(
        "PV2021-020",
        "Fête de quartier",
        operator("Comité des fêtes", email="fetes@example.org"),
        (("anct", "900"),),
    )
    no_email = dossier(
        "PV2021-030", "Jardins partagés", operator("Association Les Jardins"), (("caf", "400"),)
    )
    seance = seance_create(year=2021, date=datetime.date(2021, 3, 4), kind=SeanceKind.COMITE_PROGRAMMATION)
    agenda_add_projects(seance=seance, project_ids=[notified.pk, refused.pk, no_email.pk])
    scenario = scenario_create(seance=seance, name="Proposition")
    scenario_opinion_update(scenario=scenario, project=refused, opinion="defavorable", comment="", version=1)
    seance_change_state(seance=seance, state=SeanceState.TENU)
    scenario_apply(scenario=scenario, user=make_user("direction", "direction-decision"))
    return {"seance": seance, "notified": notified}


@pytest.fixture
def mail_server(settings):
    """The local SMTP server (tests/smtp_server.py), for the live server's sendings."""
    with serving(settings) as server:
        yield server


def test_the_direction_edits_a_template_and_previews_it(signed_in, live_server, decided):
    page = signed_in("direction")
    page.goto(f"{live_server.url}/courriers/modeles/notification/")
    preview = page.locator("[data-letter-preview]")
    expect(preview).to_contain_text("sept mille cinq cents euros")
    assert_accessible(page, "éditeur de modèle")

    body = page.get_by_label("Texte du courrier")
    body.fill("Bonjour {{ porteur.nom }},\n\nVous recevez ")
    expect(preview).to_contain_text("Bonjour Association Lire et Grandir,")
    page.get_by_role("button", name="Insérer le champ montant.total_en_lettres").click()
    expect(body).to_have_value("Bonjour {{ porteur.nom }},\n\nVous recevez {{ montant.total_en_lettres }}")
    expect(preview).to_contain_text("Vous recevez sept mille cinq cents euros")

    body.press("End")
    body.type(" {{ porteur.fax }}")
    expect(preview).to_contain_text("Champ de fusion inconnu : « {{ porteur.fax }} »")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.locator(".error-summary")).to_contain_text("Champ de fusion inconnu : « {{ porteur.fax }} »")
    assert LetterTemplate.objects.get(kind="notification").versions.count() == 1
    assert_accessible(page, "éditeur avec erreur")

    page.get_by_label("Texte du courrier").fill("Bonjour {{ porteur.nom }}, {{ montant.total_en_lettres }}.")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.locator(".messages")).to_contain_text("version 2")
    current = LetterTemplate.objects.get(kind="notification").current_version()
    assert current.body == "Bonjour {{ porteur.nom }}, {{ montant.total_en_lettres }}."


def test_an_agent_generates_downloads_and_sends_a_comites_letters(
    signed_in, live_server, decided, mail_server
):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/comites/seances/{decided['seance'].pk}/")
    page.get_by_role("link", name="Courriers aux porteurs").click()
    expect(page.get_by_role("heading", name="Courriers de la séance")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 porteur sans courriel de contact")
    assert_accessible(page, "courriers de la séance")

    page.get_by_role("button", name="Générer les courriers").click()
    expect(page.get_by_role("heading", name="Lot de courriers")).to_be_visible()
    assert_accessible(page, "lot de courriers")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (ZIP, un PDF par dossier)").click()
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as archive:
        assert sorted(archive.namelist()) == [
            "notification-2021-pv2021-010.pdf",
            "notification-2021-pv2021-030.pdf",
            "refus-2021-pv2021-020.pdf",
        ]

    page.get_by_role("link", name="Envoyer par courriel…").click()
    expect(page.locator("main")).to_contain_text("1 dossier sans courriel de contact valide")
    assert mail_server.messages == []
    assert_accessible(page, "confirmation de l'envoi")
    page.get_by_role("button", name="Confirmer l'envoi de 2 courriers").click()

    expect(page.locator(".messages")).to_contain_text("2 courriers envoyés.")
    assert LetterSending.objects.filter(status="envoye").count() == 2
    received = {m.recipients[0]: m for m in mail_server.messages}
    assert sorted(received) == ["contact@lire-grandir.example.org", "fetes@example.org"]
    ((name, pdf),) = received["contact@lire-grandir.example.org"].pdf_attachments()
    assert name == "notification-2021-pv2021-010.pdf"
    assert "7 500,00 € (sept mille cinq cents euros)" in pdf_text(pdf)
    assert Decimal("7500.00") == sum(line.amount_granted for line in decided["notified"].funding_lines.all())
    assert_accessible(page, "lot envoyé")
