"""A dossier's letters from its page, a séance's letters in batch (one PDF per dossier in a ZIP,
or all in one PDF), and who may do what."""

import io
import zipfile

import pytest
from django.test import Client

from courriers import services
from courriers.models import Letter, LetterBatch, LetterTemplate
from tests.smtp_server import pdf_text

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def template(kind: str) -> LetterTemplate:
    return LetterTemplate.objects.get(kind=kind)


def test_an_agent_generates_a_dossiers_letter_from_its_page(agent, seance, programme):
    project = programme["notified"]
    client = client_for(agent)

    page = client.get(f"/projets/{project.pk}/").content.decode()
    assert f'href="/projets/{project.pk}/courriers/"' in page

    response = client.post(f"/projets/{project.pk}/courriers/", {"template": template("notification").pk})
    assert response.status_code == 302
    letter = Letter.objects.get(project=project)
    assert (letter.template_version.template.kind, letter.created_by, letter.seance) == (
        "notification",
        agent,
        None,
    )
    assert letter.subject == "Notification d'attribution de subvention — dossier n° PV2021-010"

    download = client.get(f"/courriers/{letter.pk}.pdf")
    assert download["Content-Disposition"] == 'attachment; filename="notification-2021-pv2021-010.pdf"'
    text = pdf_text(download.content)
    assert "7 500,00 € (sept mille cinq cents euros)" in text
    # The dossier page lists it.
    assert "Notification d&#x27;attribution</a> du" in client.get(f"/projets/{project.pk}/").content.decode()


def test_a_letter_that_does_not_fit_the_status_is_refused(agent, seance, programme):
    response = client_for(agent).post(
        f"/projets/{programme['refused'].pk}/courriers/", {"template": template("notification").pk}
    )
    assert response.status_code == 200  # the form's choices are the refusal only
    assert not Letter.objects.exists()
    with pytest.raises(Exception, match="ne s'écrit que pour un dossier programmé"):
        services.letter_generate(project=programme["refused"], template=template("notification"), user=agent)


def test_a_seance_batch_gives_each_decided_dossier_its_letter(agent, seance, programme):
    steps = []
    batch = services.batch_generate(
        seance=seance,
        programmed_template=template("notification"),
        refused_template=template("refus"),
        user=agent,
        progress=lambda done, total: steps.append((done, total)),
    )

    letters = {letter.project.reference: letter for letter in batch.letters.select_related("project")}
    assert {ref: letter.template_version.template.kind for ref, letter in letters.items()} == {
        "PV2021-010": "notification",
        "PV2021-020": "refus",
        "PV2021-030": "notification",
    }
    assert steps == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert all(letter.seance == seance for letter in letters.values())


def test_the_batch_as_a_zip_of_one_pdf_per_dossier_and_as_one_pdf(agent, seance, programme):
    batch = services.batch_generate(
        seance=seance,
        programmed_template=template("convention"),
        refused_template=template("refus"),
        user=agent,
    )
    client = client_for(agent)

    archive = client.get(f"/courriers/lots/{batch.pk}/courriers.zip")
    assert archive["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as files:
        names = sorted(files.namelist())
        assert names == [
            "convention-2021-pv2021-010.pdf",
            "convention-2021-pv2021-030.pdf",
            "refus-2021-pv2021-020.pdf",
        ]
        assert "1 234,40 € (mille deux cent trente-quatre euros et quarante centimes)" in pdf_text(
            files.read("convention-2021-pv2021-030.pdf")
        )
        stored = bytes(Letter.objects.get(project=programme["refused"]).pdf)
        assert files.read("refus-2021-pv2021-020.pdf") == stored

    combined = client.get(f"/courriers/lots/{batch.pk}/courriers.pdf")
    text = pdf_text(combined.content)
    for reference in ("PV2021-010", "PV2021-020", "PV2021-030"):
        assert f"Dossier n° {reference}" in text
    assert text.count("Convention attributive de subvention") >= 2 and "n'a pas retenu votre demande" in text


def test_a_batch_page_generates_then_shows_the_letters(agent, seance, programme):
    client = client_for(agent)
    page = client.get(f"/courriers/seances/{seance.pk}/").content.decode()
    assert "Association Les Jardins" in page and "aucun</strong>" in page  # no e-mail, shown before anything
    assert "1 porteur sans courriel de contact" in page

    response = client.post(
        f"/courriers/seances/{seance.pk}/",
        {"programmed_template": template("notification").pk, "refused_template": template("refus").pk},
    )
    batch = LetterBatch.objects.get()
    assert response["Location"] == f"/courriers/lots/{batch.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert detail.count("Non envoyé") == 3


def test_an_error_on_one_letter_leaves_no_batch(agent, seance, programme, monkeypatch):
    from courriers import documents

    real = documents.letter_pdf
    calls = []

    def fail_on_the_third(letter):
        calls.append(letter)
        if len(calls) == 3:
            raise RuntimeError("mise en page impossible")
        return real(letter)

    monkeypatch.setattr(documents, "letter_pdf", fail_on_the_third)
    with pytest.raises(RuntimeError):
        services.batch_generate(
            seance=seance,
            programmed_template=template("notification"),
            refused_template=template("refus"),
            user=agent,
        )
    assert not LetterBatch.objects.exists() and not Letter.objects.exists()


def test_the_comite_sees_nothing_of_the_letters(comite_member, agent, seance, programme):
    letter = services.letter_generate(
        project=programme["notified"], template=template("notification"), user=agent
    )
    batch = services.batch_generate(
        seance=seance, programmed_template=template("notification"), refused_template=None, user=agent
    )
    client = client_for(comite_member)
    for url in (
        f"/projets/{programme['notified'].pk}/courriers/",
        f"/courriers/{letter.pk}.pdf",
        f"/courriers/seances/{seance.pk}/",
        f"/courriers/lots/{batch.pk}/",
        f"/courriers/lots/{batch.pk}/courriers.zip",
        f"/courriers/lots/{batch.pk}/envoyer/",
        "/courriers/modeles/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/courriers/{letter.pk}/envoyer/").status_code == 403
    assert "Courriers aux porteurs" not in client.get(f"/comites/seances/{seance.pk}/").content.decode()
