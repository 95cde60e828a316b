"""A dossier's pieces page: the checklist table, download as attachment, withdrawal and
replacement kept in the history, quarantine, and who may do what."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from contratville import roles
from documents.models import Document, PieceType, ScanStatus
from tests.documents import samples
from tests.documents.factories import DocumentFactory
from tests.factories import OperatorFactory, ProjectFactory, UserFactory


def user_with(role: str, username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def agent(db):
    return user_with(roles.AGENT, "agent-pieces")


@pytest.fixture
def agent_client(agent):
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def project(db):
    return ProjectFactory(
        reference="2024-017", operator=OperatorFactory(name="Association Élan", kind="association")
    )


def page_url(project) -> str:
    return f"/projets/{project.pk}/documents/"


def download_url(document) -> str:
    return f"/projets/{document.project_id}/documents/{document.pk}/telecharger/"


def test_the_checklist_table_shows_received_and_missing_pieces(agent_client, project):
    DocumentFactory(project=project, piece_type=PieceType.STATUTS, original_name="statuts.pdf")
    DocumentFactory(project=project, piece_type=PieceType.RIB, original_name="rib.pdf")
    DocumentFactory(project=project, piece_type=PieceType.AUTRE, original_name="photo.pdf")

    response = agent_client.get(page_url(project))

    assert response.status_code == 200
    pieces = response.context["pieces"]
    assert [(row.piece_type, row.received) for row in pieces.required] == [
        ("statuts", True),
        ("rib", True),
        ("liste_dirigeants", False),
        ("rapport_activite", False),
        ("comptes_approuves", False),
        ("budget_previsionnel", False),
        ("cerfa_12156", False),
    ]
    assert [row.piece_type for row in pieces.others] == ["autre"]
    page = response.content.decode()
    assert "2 pièces reçues sur 7" in page
    assert "Pièces requises pour un porteur de type « Association » en 2021 (liste par défaut)" in page
    assert (
        "manquent : Liste des dirigeants, Dernier rapport d&#x27;activité, Derniers comptes approuvés, "
        "Budget prévisionnel de l&#x27;action, Demande de subvention (CERFA n° 12156)."
        in " ".join(page.split())
    )


def test_a_download_is_an_attachment_with_the_original_name(agent_client, project):
    document = DocumentFactory(project=project, original_name="Statuts « Élan ».pdf")

    response = agent_client.get(download_url(document))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Statuts%20%C2%AB%20%C3%89lan%20%C2%BB.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_a_piece_is_downloaded_only_under_its_own_dossier(agent_client, project):
    document = DocumentFactory(project=project)
    other = ProjectFactory()

    assert agent_client.get(f"/projets/{other.pk}/documents/{document.pk}/telecharger/").status_code == 404


def test_no_address_serves_the_storage_folder(agent_client, project, settings):
    document = DocumentFactory(project=project)

    for address in (
        f"/media/{document.file.name}",
        f"/{settings.MEDIA_URL}{document.file.name}",
        f"/{document.file.name}",
    ):
        assert agent_client.get(address.replace("//", "/")).status_code == 404


def test_a_piece_in_quarantine_is_never_downloaded(agent_client, project):
    document = DocumentFactory(
        project=project,
        scan_status=ScanStatus.INFECTED,
        scan_signature="Win.Test.EICAR_HDB-1",
        original_name="rib.pdf",
    )

    response = agent_client.get(download_url(document))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Pièce en quarantaine" in page
    assert "l'antivirus y a détecté un virus (Win.Test.EICAR_HDB-1)" in page
    assert not response.streaming
    assert "Content-Disposition" not in response


def test_a_piece_in_quarantine_does_not_count_as_received(agent_client, project):
    DocumentFactory(project=project, piece_type=PieceType.STATUTS, scan_status=ScanStatus.INFECTED)

    pieces = agent_client.get(page_url(project)).context["pieces"]

    assert pieces.required[0].piece_type == "statuts"
    assert pieces.required[0].received is False


def test_withdrawing_a_piece_keeps_it_in_the_history(agent_client, agent, project):
    document = DocumentFactory(project=project, original_name="statuts.pdf")

    response = agent_client.post(f"/projets/{project.pk}/documents/{document.pk}/retirer/")

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted_by == agent
    assert document.deleted_at is not None
    assert document.file.storage.exists(document.file.name)
    pieces = agent_client.get(page_url(project)).context["pieces"]
    assert pieces.required[0].documents == []
    assert pieces.history == [document]
    # Still downloadable from the history.
    assert agent_client.get(download_url(document)).status_code == 200


def test_replacing_a_piece_links_the_old_file_to_the_new(agent_client, project, scanner):
    old = DocumentFactory(project=project, piece_type=PieceType.RIB, original_name="rib-2023.pdf")

    response = agent_client.post(
        page_url(project),
        {"type_piece": "rib", "fichier": SimpleUploadedFile("rib-2024.pdf", samples.PDF), "remplace": old.pk},
    )

    assert response.status_code == 302
    new = Document.objects.get(original_name="rib-2024.pdf")
    old.refresh_from_db()
    assert old.replaced_by == new
    assert old.deleted_at is not None
    assert list(Document.objects.current()) == [new]
    page = agent_client.get(page_url(project)).content.decode()
    assert "remplacé par « rib-2024.pdf »" in page


def test_a_refused_replacement_leaves_the_old_piece_current(agent_client, project, scanner):
    old = DocumentFactory(project=project, piece_type=PieceType.RIB)

    response = agent_client.post(
        page_url(project),
        {
            "type_piece": "rib",
            "fichier": SimpleUploadedFile("rib.pdf", samples.EXECUTABLE),
            "remplace": old.pk,
        },
    )

    assert response.status_code == 400
    old.refresh_from_db()
    assert old.is_current
    assert Document.objects.count() == 1


def test_a_piece_of_another_dossier_cannot_be_replaced(agent_client, project, scanner):
    other = DocumentFactory(project=ProjectFactory())

    response = agent_client.post(
        page_url(project),
        {"type_piece": "rib", "fichier": SimpleUploadedFile("rib.pdf", samples.PDF), "remplace": other.pk},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["remplace"] == [
        "La pièce à remplacer n'est plus dans ce dossier : rechargez la page."
    ]
    other.refresh_from_db()
    assert other.is_current


def test_deleting_a_dossier_removes_its_stored_files(project, django_capture_on_commit_callbacks):
    document = DocumentFactory(project=project)
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        project.delete()

    assert not storage.exists(name)


# --- Roles ------------------------------------------------------------------------------------


def test_the_comite_sees_nothing_of_the_pieces(project):
    document = DocumentFactory(project=project)
    client = Client()
    client.force_login(user_with(roles.COMITE, "membre-comite"))

    assert client.get(page_url(project)).status_code == 403
    assert client.get(download_url(document)).status_code == 403
    response = client.post(
        page_url(project), {"type_piece": "rib", "fichier": SimpleUploadedFile("r.pdf", samples.PDF)}
    )
    assert response.status_code == 403
    assert client.post(f"/projets/{project.pk}/documents/{document.pk}/retirer/").status_code == 403
    assert Document.objects.current().count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(client, project):
    response = client.get(page_url(project))

    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_the_direction_manages_pieces_too(project, scanner):
    client = Client()
    client.force_login(user_with(roles.DIRECTION, "directrice"))

    response = client.post(
        page_url(project), {"type_piece": "rib", "fichier": SimpleUploadedFile("r.pdf", samples.PDF)}
    )

    assert response.status_code == 302
    assert Document.objects.get().original_name == "r.pdf"


def test_an_agent_without_the_upload_permission_cannot_upload(project):
    reader = UserFactory(username="lecteur")
    reader.user_permissions.add(*roles._permissions(["projects.view_project", "documents.view_document"]))
    client = Client()
    client.force_login(reader)

    assert client.get(page_url(project)).status_code == 200
    assert "Déposer une pièce" not in client.get(page_url(project)).content.decode()
    response = client.post(
        page_url(project), {"type_piece": "rib", "fichier": SimpleUploadedFile("r.pdf", samples.PDF)}
    )
    assert response.status_code == 403
    assert Document.objects.count() == 0


def test_withdrawing_twice_changes_nothing_the_second_time(agent_client, project):
    document = DocumentFactory(project=project, deleted_at=timezone.now())
    before = document.deleted_at

    agent_client.post(f"/projets/{project.pk}/documents/{document.pk}/retirer/")

    document.refresh_from_db()
    assert document.deleted_at == before


def test_the_dossier_page_links_to_its_pieces(agent_client, project):
    page = agent_client.get(f"/projets/{project.pk}/").content.decode()

    assert f'<a href="/projets/{project.pk}/documents/">Pièces du dossier</a>' in page
