"""Writes of the pieces: upload, withdrawal, rescan, and the checklists of required pieces.

An upload is checked in this order, and nothing is stored unless every check passes: size,
file name, antivirus (clamd, before anything is written), content against extension. The file is
then written through Django's default storage under a generated name and its row saved in the
same transaction; if the row cannot be saved, the stored file is removed."""

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from projects.models import OperatorKind, Project

from . import antivirus
from .errors import DocumentRefused
from .filenames import sanitize_filename
from .models import Checklist, Document, PieceType, RequiredPiece, ScanStatus
from .sniffing import check_content

logger = logging.getLogger("contratville.security")

DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024


class ScannerDown(DocumentRefused):
    """The antivirus could not be reached: refused, to be tried again later."""


def max_upload_size() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE))


def format_megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes == int(megabytes):
        return f"{int(megabytes)} Mo"
    return f"{megabytes:.1f} Mo".replace(".", ",")


def too_large_message(size_limit: int | None = None) -> str:
    return (
        f"Le fichier dépasse la taille maximale de {format_megabytes(size_limit or max_upload_size())} : "
        "il n'a pas été enregistré. Réduisez-le (par exemple en l'enregistrant en PDF compressé)."
    )


def _scan(content: bytes, *, name: str, project: Project, user) -> antivirus.ScanResult | None:
    """The antivirus' verdict, None when scanning is off. Raises DocumentRefused."""
    if not antivirus.antivirus_enabled():
        return None
    try:
        result = antivirus.scan_bytes(content)
    except antivirus.ScannerUnavailable as exc:
        logger.error(
            "Antivirus injoignable, dépôt refusé : dossier %s, fichier %r : %s", project.pk, name, exc
        )
        raise ScannerDown(
            f"L'antivirus ne répond pas : le fichier « {name} » n'a pas été enregistré. Réessayez dans "
            "quelques minutes ; si cela dure, prévenez l'administrateur."
        ) from exc
    if result.infected:
        logger.warning(
            "Virus refusé au dépôt : %s, dossier %s, fichier %r, utilisateur %s",
            result.signature,
            project.pk,
            name,
            getattr(user, "username", None),
        )
        raise DocumentRefused(
            f"Le fichier « {name} » contient un virus ({result.signature}) : il a été refusé et n'a pas "
            "été enregistré. Demandez au porteur un fichier sain."
        )
    return result


def document_upload(
    *,
    project: Project,
    piece_type: str,
    name: str,
    content: bytes,
    user,
    replaces: Document | None = None,
) -> Document:
    """Check and store one piece of `project`. Raises DocumentRefused (nothing stored)."""
    if piece_type not in PieceType.values:
        raise DocumentRefused("Choisissez le type de la pièce dans la liste.")
    if len(content) > max_upload_size():
        raise DocumentRefused(too_large_message())
    name = sanitize_filename(name)
    if replaces is not None and (replaces.project_id != project.pk or not replaces.is_current):
        raise DocumentRefused("La pièce à remplacer n'est plus dans ce dossier : rechargez la page.")
    result = _scan(content, name=name, project=project, user=user)
    kind = check_content(content, name)

    now = timezone.now()
    document = Document(
        project=project,
        piece_type=piece_type,
        original_name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=kind.content_type,
        uploaded_by=user,
        uploaded_at=now,
        scan_status=ScanStatus.CLEAN if result else ScanStatus.NOT_SCANNED,
        scanned_at=now if result else None,
        scan_engine=result.engine if result else "",
    )
    document.file.save(name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
            if replaces is not None:
                retired = Document.objects.filter(pk=replaces.pk, deleted_at__isnull=True).update(
                    deleted_at=now, deleted_by=user, replaced_by=document
                )
                if not retired:
                    raise DocumentRefused("La pièce à remplacer vient d'être retirée : rechargez la page.")
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise
    return document


def document_withdraw(*, document: Document, user) -> Document:
    """Withdraw a piece from the dossier: it stays in its history, with its file."""
    if document.is_current:
        document.deleted_at = timezone.now()
        document.deleted_by = user
        document.save(update_fields=["deleted_at", "deleted_by"])
    return document


def document_rescan(*, document: Document) -> antivirus.ScanResult:
    """Scan the stored file again and record the verdict: an infected file is put in quarantine
    (never downloaded again), a clean one leaves it. Raises ScannerUnavailable, OSError."""
    with document.file.open("rb") as stored:
        result = antivirus.scan_file(stored)
    document.scan_status = ScanStatus.INFECTED if result.infected else ScanStatus.CLEAN
    document.scan_signature = result.signature
    document.scan_engine = result.engine
    document.scanned_at = timezone.now()
    document.save(update_fields=["scan_status", "scan_signature", "scan_engine", "scanned_at"])
    if result.infected:
        logger.warning(
            "Virus trouvé par le nouvel examen, pièce mise en quarantaine : %s, dossier %s, pièce %s (%r)",
            result.signature,
            document.project_id,
            document.pk,
            document.original_name,
        )
    return result


@transaction.atomic
def checklist_save(*, year: int | None, pieces: Iterable[tuple[str, str]], user) -> Checklist:
    """Set the pieces required for `year` (None: the default list) as (porteur type, piece) pairs."""
    wanted = set(pieces)
    unknown = {
        pair for pair in wanted if pair[0] not in OperatorKind.values or pair[1] not in PieceType.values
    }
    if unknown:
        raise DocumentRefused("Pièce ou type de porteur inconnu : rechargez la page.")
    checklist, _ = Checklist.objects.select_for_update().get_or_create(year=year)
    checklist.updated_at = timezone.now()
    checklist.updated_by = user
    checklist.save()
    checklist.pieces.all().delete()
    RequiredPiece.objects.bulk_create(
        RequiredPiece(checklist=checklist, operator_kind=kind, piece_type=piece)
        for kind, piece in sorted(wanted)
    )
    return checklist


def checklist_reset(*, year: int) -> None:
    """`year` goes back to the default list."""
    Checklist.objects.filter(year=year).delete()
