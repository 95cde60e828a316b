"""The pieces of a dossier and the checklist of the pieces each kind of porteur must provide.

A piece is never overwritten: deleting it or replacing it by a newer file marks it (who, when,
by which file) and keeps the stored file, so that the dossier's history shows what was received.
Its stored path is generated; the name the porteur gave the file is kept for display and
download only."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import OperatorKind, Project


class PieceType(models.TextChoices):
    """The kinds of pieces (codes of the upload's `type_piece`)."""

    STATUTS = "statuts", _("Statuts")
    RIB = "rib", _("Relevé d'identité bancaire (RIB)")
    LISTE_DIRIGEANTS = "liste_dirigeants", _("Liste des dirigeants")
    RAPPORT_ACTIVITE = "rapport_activite", _("Dernier rapport d'activité")
    COMPTES_APPROUVES = "comptes_approuves", _("Derniers comptes approuvés")
    BUDGET_PREVISIONNEL = "budget_previsionnel", _("Budget prévisionnel de l'action")
    CERFA_12156 = "cerfa_12156", _("Demande de subvention (CERFA n° 12156)")
    COMPTE_RENDU_FINANCIER = "compte_rendu_financier", _("Compte rendu financier de l'action")
    AUTRE = "autre", _("Autre pièce")


class ScanStatus(models.TextChoices):
    CLEAN = "sain", _("Analysé : aucun virus")
    INFECTED = "infecte", _("Virus détecté : en quarantaine")
    NOT_SCANNED = "non_analyse", _("Non analysé (antivirus désactivé)")


class Checklist(models.Model):
    """The pieces required for one programme year, or by default (`year` empty) for every year
    without its own list."""

    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifiée par"),
    )

    class Meta:
        verbose_name = _("liste des pièces requises")
        verbose_name_plural = _("listes des pièces requises")
        ordering = [models.F("year").asc(nulls_first=True)]
        constraints = [
            # One list per year and a single default list (year empty).
            models.UniqueConstraint(
                Coalesce("year", models.Value(0)), name="documents_checklist_one_per_year"
            ),
        ]

    def __str__(self):
        return f"Pièces requises {self.year}" if self.year else "Pièces requises (liste par défaut)"


class RequiredPiece(models.Model):
    """One piece that a porteur of one kind must provide, in one checklist."""

    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="pieces", verbose_name=_("liste")
    )
    operator_kind = models.CharField(_("type de porteur"), max_length=24, choices=OperatorKind.choices)
    piece_type = models.CharField(_("pièce"), max_length=32, choices=PieceType.choices)

    class Meta:
        verbose_name = _("pièce requise")
        verbose_name_plural = _("pièces requises")
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "operator_kind", "piece_type"], name="documents_required_piece_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_piece_type_display()} ({self.get_operator_kind_display()})"


def document_path(instance: "Document", filename: str) -> str:
    """A generated path: the porteur's file name never reaches the storage."""
    extension = PurePosixPath(filename).suffix.lower()
    return f"documents/{instance.project_id}/{uuid.uuid4().hex}{extension}"


class DocumentQuerySet(models.QuerySet):
    def current(self):
        """Neither deleted nor replaced."""
        return self.filter(deleted_at__isnull=True)

    def received(self):
        """The pieces that count as received: current and not in quarantine."""
        return self.current().exclude(scan_status=ScanStatus.INFECTED)


class Document(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents", verbose_name=_("dossier")
    )
    piece_type = models.CharField(_("type de pièce"), max_length=32, choices=PieceType.choices)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    file = models.FileField(_("fichier"), upload_to=document_path, max_length=255)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    content_type = models.CharField(_("type de contenu"), max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    scan_status = models.CharField(_("antivirus"), max_length=16, choices=ScanStatus.choices)
    scanned_at = models.DateTimeField(_("analysé le"), null=True, blank=True)
    scan_engine = models.CharField(_("moteur antivirus"), max_length=120, blank=True)
    scan_signature = models.CharField(_("virus détecté"), max_length=255, blank=True)
    deleted_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retiré par"),
    )
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("remplacé par"),
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("pièce du dossier")
        verbose_name_plural = _("pièces des dossiers")
        ordering = ["project", "piece_type", "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["project", "piece_type"], name="documents_project_piece")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(replaced_by__isnull=True) | models.Q(deleted_at__isnull=False),
                name="documents_replaced_is_retired",
            ),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.get_piece_type_display()})"

    @property
    def is_current(self) -> bool:
        return self.deleted_at is None

    @property
    def in_quarantine(self) -> bool:
        return self.scan_status == ScanStatus.INFECTED
