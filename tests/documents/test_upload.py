"""Uploading a piece on `/projets/<id>/documents/` (README « Les pièces des dossiers »): what is stored, and each bad
input refused with its French message, nothing kept."""

import hashlib
import os
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import multipartparser

from contratville import roles
from documents.models import Document, PieceType, ScanStatus
from tests.clamav import EICAR
from tests.documents import samples
from tests.factories import ProjectFactory, UserFactory

MAX = 10 * 1024 * 1024


@pytest.fixture
def agent(db):
    user = UserFactory(username="camille", first_name="Camille", last_name="Martin")
    user.groups.add(Group.objects.get(name=roles.AGENT))
    return user


@pytest.fixture
def project(db):
    return ProjectFactory(reference="2024-017", title="Soutien scolaire")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def url(project) -> str:
    return f"/projets/{project.pk}/documents/"


def upload(client, project, name: str, content: bytes, piece: str = PieceType.STATUTS, **extra):
    return client.post(
        url(project), {"type_piece": piece, "fichier": SimpleUploadedFile(name, content), **extra}
    )


def stored_files(media_root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), media_root)
        for folder, _, names in os.walk(media_root)
        for name in names
    )


def form_errors(response) -> list[str]:
    return [error for errors in response.context["form"].errors.values() for error in errors]


def assert_nothing_kept(media_root):
    assert Document.objects.count() == 0
    assert stored_files(media_root) == []


# --- A good file ------------------------------------------------------------------------------


def test_a_pdf_is_scanned_then_stored_under_a_generated_name(
    agent_client, agent, project, scanner, media_root
):
    response = upload(agent_client, project, "Statuts 2024.pdf", samples.PDF)

    assert response.status_code == 302
    assert response["Location"] == url(project)
    document = Document.objects.get()
    assert document.project == project
    assert document.piece_type == PieceType.STATUTS
    assert document.original_name == "Statuts 2024.pdf"
    assert re.fullmatch(rf"documents/{project.pk}/[0-9a-f]{{32}}\.pdf", document.file.name)
    assert stored_files(media_root) == [document.file.name]
    assert (media_root / document.file.name).read_bytes() == samples.PDF
    assert document.size == len(samples.PDF)
    assert document.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == agent
    assert document.scan_status == ScanStatus.CLEAN
    assert document.scanned_at is not None
    assert document.scan_engine.startswith("ClamAV ")
    page = agent_client.get(url(project)).content.decode()
    assert "Pièce « Statuts 2024.pdf » (Statuts) enregistrée, analysée par l&#x27;antivirus." in page


@pytest.mark.parametrize(
    ("name", "content", "piece"),
    [
        ("rib.png", samples.PNG, PieceType.RIB),
        ("budget.docx", samples.docx(), PieceType.BUDGET_PREVISIONNEL),
        (
            "budget.ods",
            samples.odf("application/vnd.oasis.opendocument.spreadsheet"),
            PieceType.BUDGET_PREVISIONNEL,
        ),
    ],
)
def test_other_accepted_kinds(agent_client, project, scanner, name, content, piece):
    assert upload(agent_client, project, name, content, piece).status_code == 302
    assert Document.objects.get().original_name == name


# --- Antivirus --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["statuts.pdf", "eicar.txt"])
def test_eicar_is_refused_with_a_french_message_and_nothing_kept(
    agent_client, project, scanner, media_root, name
):
    response = upload(agent_client, project, name, EICAR)

    assert response.status_code == 400
    assert form_errors(response) == [
        f"Le fichier « {name} » contient un virus (Contratville-Test-EICAR.UNOFFICIAL) : il a été refusé et "
        "n'a pas été enregistré. Demandez au porteur un fichier sain."
    ]
    assert "contient un virus" in response.content.decode()
    assert_nothing_kept(media_root)


def test_eicar_inside_a_word_document_is_found(agent_client, project, scanner, media_root):
    content = samples.ooxml("docx", extra=[("word/embeddings/eicar.com", EICAR)])

    response = upload(agent_client, project, "budget.docx", content)

    assert response.status_code == 400
    assert "contient un virus (Contratville-Test-EICAR.UNOFFICIAL)" in form_errors(response)[0]
    assert_nothing_kept(media_root)


def test_a_virus_is_logged(agent_client, project, scanner, caplog):
    with caplog.at_level("WARNING", logger="contratville.security"):
        upload(agent_client, project, "statuts.pdf", EICAR)

    assert "Virus refusé au dépôt : Contratville-Test-EICAR.UNOFFICIAL" in caplog.text
    assert "camille" in caplog.text


def test_scanner_unreachable_refuses_the_file(agent_client, project, settings, tmp_path, media_root):
    settings.ANTIVIRUS = "on"
    settings.CLAMD_SOCKET = str(tmp_path / "clamd-absent.sock")

    response = upload(agent_client, project, "statuts.pdf", samples.PDF)

    assert response.status_code == 503
    assert form_errors(response) == [
        "L'antivirus ne répond pas : le fichier « statuts.pdf » n'a pas été enregistré. Réessayez dans "
        "quelques minutes ; si cela dure, prévenez l'administrateur."
    ]
    assert_nothing_kept(media_root)


def test_antivirus_off_stores_unscanned_and_every_upload_page_says_so(
    agent_client, project, settings, media_root
):
    settings.ANTIVIRUS = "off"
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"

    page = agent_client.get(url(project)).content.decode()
    assert 'id="antivirus-off"' in page
    assert "Antivirus désactivé (ANTIVIRUS=off)" in page

    response = upload(agent_client, project, "statuts.pdf", samples.PDF)

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.scan_status == ScanStatus.NOT_SCANNED
    assert document.scanned_at is None
    assert stored_files(media_root) == [document.file.name]
    page = agent_client.get(url(project)).content.decode()
    assert "NON analysée (antivirus désactivé)" in page
    assert "non analysé par l'antivirus" in page


def test_the_warning_is_absent_when_the_antivirus_is_on(agent_client, project, scanner):
    assert 'id="antivirus-off"' not in agent_client.get(url(project)).content.decode()


# --- Content against extension ----------------------------------------------------------------


def test_a_pdf_that_is_really_an_executable(agent_client, project, scanner, media_root):
    response = upload(agent_client, project, "statuts.pdf", samples.EXECUTABLE)

    assert response.status_code == 400
    assert form_errors(response) == [
        "Le fichier « statuts.pdf » est refusé : son nom annonce un document PDF, mais son contenu est un "
        "programme Windows (exécutable)."
    ]
    assert_nothing_kept(media_root)


def test_a_zip_bomb_in_a_word_document(agent_client, project, scanner, media_root):
    response = upload(
        agent_client, project, "budget.docx", samples.zip_bomb_docx(25), PieceType.BUDGET_PREVISIONNEL
    )

    assert response.status_code == 400
    assert form_errors(response) == [
        "Le fichier « budget.docx » est refusé : une fois décompressé, il occuperait bien plus qu'un document "
        "(bombe de décompression) ; il n'est pas enregistré."
    ]
    assert_nothing_kept(media_root)


def test_a_zip_bomb_hiding_its_size(agent_client, project, scanner, media_root):
    response = upload(agent_client, project, "budget.docx", samples.hidden_bomb_docx())

    assert response.status_code == 400
    assert "bombe de décompression cachée" in form_errors(response)[0]
    assert_nothing_kept(media_root)


# --- Size -------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(
    agent_client, project, monkeypatch, media_root
):
    parsed = []
    original = multipartparser.MultiPartParser.parse
    monkeypatch.setattr(
        multipartparser.MultiPartParser, "parse", lambda self: parsed.append(1) or original(self)
    )

    response = upload(agent_client, project, "statuts.pdf", samples.PDF + b"\0" * (11 * 1024 * 1024))

    assert response.status_code == 413
    assert parsed == []
    body = response.content.decode()
    assert "Envoi trop volumineux" in body
    assert "un document ne peut dépasser 10 Mo" in body
    assert_nothing_kept(media_root)


def test_other_addresses_keep_the_smaller_limit_of_forms(agent_client, project, monkeypatch):
    """The same body to another address is refused too: forms take 2,5 Mo at most."""
    response = agent_client.post(
        f"/projets/{project.pk}/statut/",
        {"to_status": "abandonne", "fichier": SimpleUploadedFile("x.pdf", b"\0" * (11 * 1024 * 1024))},
    )

    assert response.status_code == 413
    assert "un formulaire ne peut dépasser 2,5 Mo" in response.content.decode()


def test_a_file_just_over_the_limit_gets_the_forms_message(agent_client, project, scanner, media_root):
    response = upload(
        agent_client, project, "statuts.pdf", samples.PDF + b"\0" * (MAX + 1 - len(samples.PDF))
    )

    assert response.status_code == 400
    assert form_errors(response) == [
        "Le fichier dépasse la taille maximale de 10 Mo : il n'a pas été enregistré. Réduisez-le (par "
        "exemple en l'enregistrant en PDF compressé)."
    ]
    assert_nothing_kept(media_root)


def test_a_file_of_exactly_the_limit_is_accepted(agent_client, project, scanner):
    content = samples.PDF + b"\0" * (MAX - len(samples.PDF))

    assert upload(agent_client, project, "statuts.pdf", content).status_code == 302
    assert Document.objects.get().size == MAX


# --- File names -------------------------------------------------------------------------------


def raw_upload(client, project, filename: bytes, content: bytes, piece: str = "statuts"):
    """A multipart body written by hand: the test client would strip the name's folders itself."""
    boundary = "frontiere-de-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="type_piece"\r\n\r\n{piece}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="'
        ).encode()
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic(
        "POST", url(project), body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.parametrize(
    ("filename", "kept"),
    [
        (b"../../../etc/statuts.pdf", "statuts.pdf"),
        (b"C:\\\\Users\\\\asso\\\\RIB.pdf", "RIB.pdf"),
        (b"sta\x07tu\x1bts.pdf", "statuts.pdf"),
        ("rib\u202e\u200b.pdf".encode(), "rib.pdf"),
    ],
)
def test_path_separators_and_control_characters_are_removed(
    agent_client, project, scanner, media_root, filename, kept
):
    response = raw_upload(agent_client, project, filename, samples.PDF)

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.original_name == kept
    assert re.fullmatch(rf"documents/{project.pk}/[0-9a-f]{{32}}\.pdf", document.file.name)
    assert stored_files(media_root) == [document.file.name]


@pytest.mark.parametrize("filename", [b"\x01\x02\x03\x04", b"../..", "\u202e\u200b".encode()])
def test_a_name_of_control_characters_only_gets_a_french_message(
    agent_client, project, scanner, media_root, filename
):
    response = raw_upload(agent_client, project, filename, samples.PDF + b" " * 2000)

    assert response.status_code == 400
    assert form_errors(response) == [
        "Le nom du fichier est illisible (il ne contient que des caractères invisibles ou des séparateurs de "
        "dossiers) : renommez le fichier, puis déposez-le à nouveau."
    ]
    assert_nothing_kept(media_root)


# --- The form ---------------------------------------------------------------------------------


def test_no_file_chosen(agent_client, project):
    response = agent_client.post(url(project), {"type_piece": "statuts"})

    assert response.status_code == 400
    assert form_errors(response) == ["Choisissez un fichier à déposer."]


def test_an_unknown_piece_type(agent_client, project, scanner, media_root):
    response = upload(agent_client, project, "statuts.pdf", samples.PDF, piece="passeport")

    assert response.status_code == 400
    assert form_errors(response) == ["Type de pièce inconnu : choisissez-le dans la liste."]
    assert_nothing_kept(media_root)


def test_the_error_summary_is_announced(agent_client, project, scanner):
    response = upload(agent_client, project, "statuts.pdf", samples.EXECUTABLE)

    page = response.content.decode()
    assert '<div class="error-summary" role="alert" id="upload-errors">' in page
    assert "La pièce n'a pas été enregistrée" in page
