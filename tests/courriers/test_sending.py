"""Sending the letters by e-mail, to a real SMTP server started by the test (aiosmtpd): the
porteur receives its letter from the agglomeration's address with the PDF attached; every
sending is recorded; a failing server is tried again, then the failure is shown and the letter
can be sent again; a batch lists the dossiers without e-mail and sends nothing before the
user confirms."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from courriers import services
from courriers.models import LetterSending, LetterTemplate, SendingStatus
from tests.smtp_server import pdf_text

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def batch(seance, agent):
    return services.batch_generate(
        seance=seance,
        programmed_template=LetterTemplate.objects.get(kind="notification"),
        refused_template=LetterTemplate.objects.get(kind="refus"),
        user=agent,
    )


def test_a_letter_reaches_the_porteur_with_its_pdf(smtp_server, agent, seance, programme, settings):
    settings.DEFAULT_FROM_EMAIL = "Politique de la ville <politique-de-la-ville@agglo.example.org>"
    letter = services.letter_generate(
        project=programme["notified"], template=LetterTemplate.objects.get(kind="notification"), user=agent
    )

    sending = services.letter_send(letter=letter, user=agent)

    assert (sending.status, sending.attempts, sending.recipient, sending.sent_by) == (
        SendingStatus.SENT,
        1,
        "contact@lire-grandir.example.org",
        agent,
    )
    (received,) = smtp_server.messages
    assert received.recipients == ["contact@lire-grandir.example.org"]
    assert received.sender == "politique-de-la-ville@agglo.example.org"
    assert (
        received.message["Subject"].strip()
        == "Notification d'attribution de subvention — dossier n° PV2021-010"
    )
    assert "PV2021-010" in received.message.get_body(("plain",)).get_content()
    ((name, pdf),) = received.pdf_attachments()
    assert name == "notification-2021-pv2021-010.pdf"
    assert pdf == bytes(letter.pdf)
    assert "sept mille cinq cents euros" in pdf_text(pdf)


def test_a_temporary_failure_is_tried_again(smtp_server, agent, seance, programme):
    letter = services.letter_generate(
        project=programme["notified"], template=LetterTemplate.objects.get(kind="notification"), user=agent
    )
    smtp_server.refuse(2)
    delays = []

    sending = services.letter_send(letter=letter, user=agent, sleep=delays.append)

    assert (sending.status, sending.attempts, sending.error) == (SendingStatus.SENT, 3, "")
    assert len(smtp_server.messages) == 1
    assert len(delays) == 2 and delays[1] == 2 * delays[0]


def test_a_lasting_failure_is_recorded_then_sent_again(smtp_server, agent, seance, programme, settings):
    settings.LETTER_SEND_ATTEMPTS = 3
    letter = services.letter_generate(
        project=programme["notified"], template=LetterTemplate.objects.get(kind="notification"), user=agent
    )
    smtp_server.refuse(3, "554 5.7.1 Message refusé")
    client = client_for(agent)

    client.post(f"/courriers/{letter.pk}/envoyer/")
    failed = LetterSending.objects.get()
    assert (failed.status, failed.attempts) == (SendingStatus.FAILED, 3)
    assert "554" in failed.error and "Message refusé" in failed.error
    page = client.get(f"/projets/{programme['notified'].pk}/courriers/").content.decode()
    assert "Échec" in page and "Message refusé" in page and "Renvoyer" in page

    client.post(f"/courriers/{letter.pk}/envoyer/")  # "Renvoyer"
    assert list(LetterSending.objects.order_by("pk").values_list("status", flat=True)) == ["echec", "envoye"]
    assert len(smtp_server.messages) == 1


def test_a_porteur_without_email_gets_nothing_and_no_sending_is_recorded(
    smtp_server, agent, seance, programme
):
    letter = services.letter_generate(
        project=programme["no_email"], template=LetterTemplate.objects.get(kind="notification"), user=agent
    )
    with pytest.raises(ValidationError, match="n'a pas de courriel de contact"):
        services.letter_send(letter=letter, user=agent)
    assert not LetterSending.objects.exists() and smtp_server.messages == []


def test_a_batch_lists_the_dossiers_without_email_and_sends_nothing_before_confirmation(
    smtp_server, agent, batch, programme
):
    client = client_for(agent)

    page = client.get(f"/courriers/lots/{batch.pk}/envoyer/").content.decode()

    assert "1 dossier sans courriel de contact valide" in page
    assert "PV2021-030" in page and "Association Les Jardins" in page
    assert "Confirmer l'envoi de 2 courriers" in page
    assert smtp_server.messages == [] and not LetterSending.objects.exists()

    ready = list(batch.letters.exclude(project=programme["no_email"]).values_list("pk", flat=True))
    response = client.post(f"/courriers/lots/{batch.pk}/envoyer/", {"courrier": ready})

    assert response.status_code == 302
    assert sorted(r for m in smtp_server.messages for r in m.recipients) == [
        "contact@lire-grandir.example.org",
        "fetes@example.org",
    ]
    refusal = next(m for m in smtp_server.messages if m.recipients == ["fetes@example.org"])
    assert "n'a pas retenu votre demande" in pdf_text(refusal.pdf_attachments()[0][1])
    assert LetterSending.objects.filter(status=SendingStatus.SENT).count() == 2
    assert not LetterSending.objects.filter(letter__project=programme["no_email"]).exists()

    # Sent letters are not sent twice by the batch.
    again = client.get(f"/courriers/lots/{batch.pk}/envoyer/").content.decode()
    assert "Aucun courrier à envoyer" in again


def test_only_the_confirmed_letters_go(smtp_server, agent, batch, programme):
    """A porteur whose e-mail was added after the confirmation page was shown is not sent to
    until the user confirms it."""
    notified = batch.letters.get(project=programme["notified"])
    programme["no_email"].operator.email = "jardins@example.org"
    programme["no_email"].operator.save()

    result = services.batch_send(batch=batch, letter_ids=[notified.pk], user=agent)

    assert [s.recipient for s in result.sent] == ["contact@lire-grandir.example.org"]
    assert [m.recipients for m in smtp_server.messages] == [["contact@lire-grandir.example.org"]]


def test_a_batch_with_a_failing_server_records_each_failure(smtp_server, agent, batch, programme, settings):
    settings.LETTER_SEND_ATTEMPTS = 2
    smtp_server.refuse(2, "554 5.0.0 Boîte pleine")  # the first letter fails twice, the second goes
    ids = list(batch.letters.exclude(project=programme["no_email"]).values_list("pk", flat=True))
    progress = []

    result = services.batch_send(
        batch=batch,
        letter_ids=ids,
        user=agent,
        progress=lambda d, t: progress.append((d, t)),
        sleep=lambda s: None,
    )

    assert (len(result.sent), len(result.failed)) == (1, 1)
    assert result.failed[0].attempts == 2 and "Boîte pleine" in result.failed[0].error
    assert progress == [(0, 2), (1, 2), (2, 2)]
    page = client_for(agent).get(f"/courriers/lots/{batch.pk}/").content.decode()
    assert "1 envoi en échec" in page
