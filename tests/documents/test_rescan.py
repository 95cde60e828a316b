"""`manage.py rescan_documents`: the stored pieces scanned again; infected ones in quarantine."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from documents.models import ScanStatus
from tests.clamav import EICAR
from tests.documents import samples
from tests.documents.factories import DocumentFactory
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def rescan(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rescan_documents", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_clean_pieces_are_marked_scanned_again(scanner):
    document = DocumentFactory(scan_status=ScanStatus.NOT_SCANNED, scanned_at=None, scan_engine="")

    out, _ = rescan()

    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN
    assert document.scanned_at is not None
    assert document.scan_engine.startswith("ClamAV ")
    assert out.startswith("1 pièce(s) analysée(s) par ClamAV ")
    assert "Aucun virus trouvé." in out


def test_an_infected_stored_file_is_put_in_quarantine_and_refused_on_download(scanner):
    # A file that yesterday's signatures missed: stored as clean.
    project = ProjectFactory(reference="2024-017")
    infected = DocumentFactory(project=project, content=EICAR, original_name="rib.pdf")
    clean = DocumentFactory(project=project, content=samples.PDF)

    with pytest.raises(CommandError, match=r"1 pièce\(s\) infectée\(s\) mise\(s\) en quarantaine"):
        rescan()

    infected.refresh_from_db()
    clean.refresh_from_db()
    assert infected.scan_status == ScanStatus.INFECTED
    assert infected.scan_signature == "Contratville-Test-EICAR.UNOFFICIAL"
    assert clean.scan_status == ScanStatus.CLEAN
    user = UserFactory(username="agent-rescan", is_superuser=True)
    client = Client()
    client.force_login(user)
    assert client.get(f"/projets/{project.pk}/documents/{infected.pk}/telecharger/").status_code == 403
    assert client.get(f"/projets/{project.pk}/documents/{clean.pk}/telecharger/").status_code == 200


def test_the_infected_pieces_are_listed_on_stderr(scanner):
    project = ProjectFactory(reference="2024-017")
    DocumentFactory(project=project, content=EICAR, original_name="rib.pdf")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("rescan_documents", stdout=io.StringIO(), stderr=err)

    assert "VIRUS Contratville-Test-EICAR.UNOFFICIAL : dossier 2024-017 (2021, id" in err.getvalue()
    assert "« rib.pdf » (Statuts) — mise en quarantaine." in err.getvalue()


def test_a_piece_found_clean_again_leaves_quarantine(scanner):
    document = DocumentFactory(scan_status=ScanStatus.INFECTED, scan_signature="Faux.Positif")

    out, _ = rescan()

    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN
    assert document.scan_signature == ""
    assert "Sortie de quarantaine" in out


def test_withdrawn_pieces_only_with_tout(scanner):
    from django.utils import timezone

    document = DocumentFactory(content=EICAR, deleted_at=timezone.now())

    out, _ = rescan()
    assert out.startswith("0 pièce(s) analysée(s)")
    with pytest.raises(CommandError):
        rescan("--tout")

    document.refresh_from_db()
    assert document.scan_status == ScanStatus.INFECTED


def test_filter_by_dossier_and_year(scanner):
    first = DocumentFactory(content=EICAR)
    DocumentFactory(content=EICAR)

    with pytest.raises(CommandError, match=r"^1 pièce"):
        rescan("--dossier", str(first.project_id))
    out, _ = rescan("--annee", "2019")
    assert out.startswith("0 pièce(s)")


def test_a_missing_stored_file_is_reported(scanner):
    document = DocumentFactory()
    document.file.storage.delete(document.file.name)

    with pytest.raises(CommandError, match=r"1 fichier\(s\) introuvable\(s\)"):
        rescan()


def test_scanner_unreachable(settings, tmp_path):
    settings.ANTIVIRUS = "on"
    settings.CLAMD_SOCKET = str(tmp_path / "absent.sock")
    document = DocumentFactory()

    with pytest.raises(CommandError, match="L'antivirus ne répond pas"):
        rescan()

    document.refresh_from_db()
    assert document.scan_engine == "ClamAV (fabrique de test)"


def test_antivirus_off(settings):
    settings.ANTIVIRUS = "off"

    with pytest.raises(CommandError, match=r"L'antivirus est désactivé \(ANTIVIRUS=off\)"):
        rescan()
