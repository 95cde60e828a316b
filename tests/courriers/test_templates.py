"""The templates the direction edits: shipped defaults, versions kept, unknown merge fields
refused on save, the live preview on a real dossier (server-rendered fragment and no-JS)."""

import pytest
from django.test import Client

from courriers import services
from courriers.models import Letter, LetterTemplate, LetterTemplateVersion

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_three_french_templates_are_shipped():
    shipped = {t.kind: t for t in LetterTemplate.objects.all()}
    assert set(shipped) >= {"notification", "refus", "convention"}
    assert shipped["notification"].name == "Notification d'attribution"
    assert shipped["refus"].applies_to == "refuse"
    notification = shipped["notification"].current_version()
    assert notification.number == 1
    assert "{{ montant.total_en_lettres }}" in notification.body
    assert "{{ financements.tableau }}" in notification.body


def test_saving_adds_a_version_and_the_latest_is_current(direction):
    template = LetterTemplate.objects.get(kind="refus")
    version = services.template_version_create(
        template=template,
        subject="Refus — {{ dossier.numero }}",
        body="Texte {{ porteur.nom }}",
        user=direction,
    )
    assert version.number == 2
    assert template.current_version() == version
    assert template.versions.count() == 2


def test_an_unknown_merge_field_is_refused_on_save_and_nothing_is_saved(direction):
    template = LetterTemplate.objects.get(kind="notification")
    response = client_for(direction).post(
        "/courriers/modeles/notification/",
        {
            "action": "enregistrer",
            "subject": "Notification {{ dossier.numero }}",
            "body": "Madame, Monsieur, {{ porteur.telephone }}",
            "signatory_name": "",
            "signatory_title": "",
        },
    )
    assert response.status_code == 200
    assert "Champ de fusion inconnu : « {{ porteur.telephone }} »" in response.content.decode()
    assert template.versions.count() == 1


def test_the_direction_saves_a_version_from_the_browser(direction, programme):
    response = client_for(direction).post(
        "/courriers/modeles/notification/",
        {
            "action": "enregistrer",
            "subject": "Attribution — {{ dossier.numero }}",
            "body": "Bonjour **{{ porteur.nom }}**.\n\n{{ financements.tableau }}",
            "signatory_name": "M. Jean Dupont",
            "signatory_title": "Vice-président",
        },
    )
    assert response.status_code == 302
    version = LetterTemplate.objects.get(kind="notification").current_version()
    assert (version.number, version.signatory_name, version.created_by) == (2, "M. Jean Dupont", direction)


def test_the_preview_endpoint_renders_the_text_being_typed_on_a_real_dossier(direction, seance, programme):
    response = client_for(direction).post(
        "/courriers/modeles/notification/apercu/",
        {
            "subject": "Objet {{ dossier.numero }}",
            "body": "Pour {{ porteur.nom }} : {{ montant.total_en_lettres }}.",
            "dossier": programme["notified"].pk,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pour Association Lire et Grandir : sept mille cinq cents euros." in html
    assert "Objet PV2021-010" in html
    assert "<html" not in html  # a fragment
    assert LetterTemplateVersion.objects.filter(template__kind="notification").count() == 1


def test_the_preview_names_an_unknown_field(direction, seance, programme):
    response = client_for(direction).post(
        "/courriers/modeles/notification/apercu/",
        {"subject": "Objet", "body": "{{ dossier.budget }}", "dossier": programme["notified"].pk},
    )
    assert "Champ de fusion inconnu : « {{ dossier.budget }} »" in response.content.decode()


def test_the_preview_without_javascript(direction, seance, programme):
    response = client_for(direction).post(
        "/courriers/modeles/notification/",
        {
            "action": "apercu",
            "subject": "Objet",
            "body": "Texte pour {{ porteur.nom }}",
            "dossier": programme["notified"].pk,
        },
    )
    assert response.status_code == 200
    assert "Texte pour Association Lire et Grandir" in response.content.decode()
    assert LetterTemplate.objects.get(kind="notification").versions.count() == 1


def test_the_pdf_preview(direction, seance, programme):
    response = client_for(direction).post(
        "/courriers/modeles/notification/",
        {"action": "apercu-pdf", "subject": "Objet", "body": "Texte", "dossier": programme["notified"].pk},
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_editor_offers_every_merge_field(direction, programme):
    html = client_for(direction).get("/courriers/modeles/convention/").content.decode()
    for key in (
        "porteur.nom",
        "porteur.adresse",
        "financements.tableau",
        "montant.total_en_lettres",
        "agglomeration.logo",
    ):
        assert f'data-merge-field="{key}"' in html


def test_a_letter_keeps_the_version_and_the_pdf_it_was_made_with(agent, direction, seance, programme):
    template = LetterTemplate.objects.get(kind="notification")
    letter = services.letter_generate(project=programme["notified"], template=template, user=agent)
    pdf = bytes(letter.pdf)

    services.template_version_create(
        template=template, subject="Autre objet", body="Autre texte", user=direction
    )
    letter = Letter.objects.get(pk=letter.pk)

    assert letter.template_version.number == 1
    assert bytes(letter.pdf) == pdf
    assert client_for(agent).get(f"/courriers/{letter.pk}.pdf").content == pdf


def test_a_new_kind_of_letter(direction):
    response = client_for(direction).post(
        "/courriers/modeles/nouveau/",
        {
            "name": "Arrêté attributif",
            "kind": "arrete-attributif",
            "applies_to": "programme",
            "subject": "Arrêté — {{ dossier.numero }}",
            "body": "Article 1 : {{ montant.total }}",
        },
    )
    assert response.status_code == 302
    assert LetterTemplate.objects.get(kind="arrete-attributif").current_version().number == 1


def test_an_agent_cannot_edit_templates(agent):
    client = client_for(agent)
    assert client.get("/courriers/modeles/").status_code == 403
    response = client.post(
        "/courriers/modeles/refus/", {"action": "enregistrer", "subject": "x", "body": "y"}
    )
    assert response.status_code == 403
    assert LetterTemplate.objects.get(kind="refus").versions.count() == 1
