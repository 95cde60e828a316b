"""The letters that carry a comité's decisions to the porteurs.

A `LetterTemplate` is one kind of letter (notification d'attribution, lettre de refus,
convention, or a kind the direction adds); its text lives in `LetterTemplateVersion`s, never
edited in place: saving the editor adds a version, and the current one is the latest. A
`Letter` is one dossier's letter as generated, from one version, with its PDF stored as it was
made: what was sent stays what it was, whatever the template becomes. Each e-mail of a letter
is a `LetterSending`, with its attempts, its status and its error. A `LetterBatch` is the
letters of one séance's decisions, generated together."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from comites.models import Seance
from projects.models import Project, Status


class Applicability(models.TextChoices):
    """The dossiers a kind of letter is written for."""

    PROGRAMMED = "programme", _("Dossiers programmés")
    REFUSED = "refuse", _("Dossiers refusés")

    def statuses(self) -> list[str]:
        return Status.programmed() if self == Applicability.PROGRAMMED else [Status.REFUSE]


class LetterTemplate(models.Model):
    """One kind of letter. The three shipped kinds are `notification`, `refus` and `convention`."""

    NOTIFICATION = "notification"
    REFUS = "refus"
    CONVENTION = "convention"
    SHIPPED = (NOTIFICATION, REFUS, CONVENTION)

    kind = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                _("Le code s'écrit en minuscules sans accents, chiffres et tirets (ex. arrete-attributif)."),
            )
        ],
        help_text=_("Nom court du modèle, utilisé par la commande « courrier --modele »."),
    )
    name = models.CharField(_("nom"), max_length=120)
    applies_to = models.CharField(
        _("dossiers concernés"),
        max_length=16,
        choices=Applicability.choices,
        default=Applicability.PROGRAMMED,
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("modèle de courrier")
        verbose_name_plural = _("modèles de courrier")
        ordering = ["applies_to", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applies_to__in=Applicability.values), name="letter_template_applies_to_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("courriers:template-edit", args=[self.kind])

    @property
    def applicability(self) -> Applicability:
        return Applicability(self.applies_to)

    def current_version(self) -> "LetterTemplateVersion | None":
        return self.versions.order_by("-number").first()

    def fits(self, project: Project) -> bool:
        return project.status in self.applicability.statuses()


class LetterTemplateVersion(models.Model):
    """One saved state of a template's text. Never changed once saved."""

    template = models.ForeignKey(
        LetterTemplate, on_delete=models.CASCADE, related_name="versions", verbose_name=_("modèle")
    )
    number = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte"))
    signatory_name = models.CharField(_("signataire"), max_length=200, blank=True)
    signatory_title = models.CharField(_("qualité du signataire"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rédigée par"),
    )
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("version d'un modèle de courrier")
        verbose_name_plural = _("versions des modèles de courrier")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="letter_template_version_unique"),
        ]

    def __str__(self):
        return f"{self.template} — version {self.number}"


class LetterBatch(models.Model):
    """The letters of one séance's decisions, generated together."""

    seance = models.ForeignKey(
        Seance, on_delete=models.PROTECT, related_name="letter_batches", verbose_name=_("séance")
    )
    programmed_template = models.ForeignKey(
        LetterTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modèle pour les dossiers programmés"),
    )
    refused_template = models.ForeignKey(
        LetterTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modèle pour les dossiers refusés"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("généré par"),
    )
    created_at = models.DateTimeField(_("généré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot de courriers")
        verbose_name_plural = _("lots de courriers")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Courriers — {self.seance}"

    def get_absolute_url(self):
        return reverse("courriers:batch", args=[self.pk])


class Letter(models.Model):
    """One dossier's letter, as generated: its version, its rendered subject, its PDF."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="letters", verbose_name=_("dossier")
    )
    template_version = models.ForeignKey(
        LetterTemplateVersion,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("version du modèle"),
    )
    batch = models.ForeignKey(
        LetterBatch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("lot"),
    )
    seance = models.ForeignKey(
        Seance, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("séance")
    )
    subject = models.CharField(_("objet"), max_length=500)
    # The PDF as it was made: a letter sent or downloaded again is the same file.
    pdf = models.BinaryField(_("PDF"))
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("généré par"),
    )
    created_at = models.DateTimeField(_("généré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("courrier")
        verbose_name_plural = _("courriers")
        ordering = ["-created_at", "-id"]
        permissions = [("send_letter", _("Peut envoyer les courriers par courriel"))]
        indexes = [models.Index(fields=["project", "-created_at"], name="letter_project_idx")]

    def __str__(self):
        return f"{self.template_version.template} — {self.project.reference}"

    @property
    def filename(self) -> str:
        kind = self.template_version.template.kind
        return f"{kind}-{self.project.year_id}-{slugify(self.project.reference) or self.project_id}.pdf"


class SendingStatus(models.TextChoices):
    PENDING = "en_cours", _("En cours")
    SENT = "envoye", _("Envoyé")
    FAILED = "echec", _("Échec")


class LetterSending(models.Model):
    """One e-mail of a letter to its porteur: who sent it, when, to whom, and how it went."""

    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="sendings", verbose_name=_("courrier")
    )
    recipient = models.EmailField(_("destinataire"))
    status = models.CharField(
        _("état"), max_length=16, choices=SendingStatus.choices, default=SendingStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyé par"),
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi de courrier")
        verbose_name_plural = _("envois de courriers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SendingStatus.values), name="letter_sending_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.letter} → {self.recipient} ({self.get_status_display()})"
