"""The dossier: its status, its indicators, its status history."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import MONEY, history_records
from .choices import FcsAxis, Status
from .managers import ProjectQuerySet
from .reference import Operator, Pillar, ProgrammeYear, Quartier, Theme


class Project(models.Model):
    """A dossier: one operator's application for one year."""

    year = models.ForeignKey(
        ProgrammeYear,
        on_delete=models.PROTECT,
        related_name="projects",
        db_column="year",
        verbose_name=_("année"),
    )
    reference = models.CharField(_("numéro de dossier"), max_length=50)
    title = models.CharField(_("intitulé"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="projects", verbose_name=_("porteur")
    )
    partner = models.CharField(
        _("intervenant"),
        max_length=255,
        blank=True,
        help_text=_("Prestataire ou partenaire qui réalise l'action pour le porteur."),
    )
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="projects", verbose_name=_("pilier")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="projects", verbose_name=_("thématique")
    )
    quartiers = models.ManyToManyField(
        Quartier, related_name="projects", blank=True, verbose_name=_("quartiers")
    )
    status = models.CharField(_("statut"), max_length=16, choices=Status.choices, default=Status.BROUILLON)
    budget = models.DecimalField(
        _("budget total de l'action"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    expected_results = models.TextField(_("résultats attendus"), blank=True)
    achieved_results = models.TextField(_("résultats obtenus"), blank=True)
    fcs_axis = models.CharField(
        _("axe du Fonds de cohésion sociale"), max_length=32, choices=FcsAxis.choices, blank=True
    )
    decision_date = models.DateField(_("date de décision du comité"), null=True, blank=True)
    # A focus action is told at length in the bilan.
    is_focus = models.BooleanField(_("action « focus » du bilan"), default=False)
    focus_order = models.PositiveSmallIntegerField(_("rang du focus"), null=True, blank=True)
    focus_description = models.TextField(_("focus : description de l'action"), blank=True)
    focus_results = models.TextField(_("focus : résultats"), blank=True)
    focus_objective = models.TextField(_("focus : objectif recherché"), blank=True)
    # Set by `generate_scale_data` only, so that synthetic data is never mistaken for real.
    is_synthetic = models.BooleanField(_("donnée synthétique"), default=False, editable=False)
    # Optimistic locking: every write of the dossier (form, workflow, import, bilan) adds one,
    # and the dossier form refuses a save based on an older version (no lost update).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ProjectQuerySet.as_manager()
    history = history_records(
        _("historique des dossiers"), excluded_fields=["updated_at"], m2m_fields=["quartiers"]
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-year", "reference"]
        permissions = [
            ("decide_project", _("Peut programmer ou refuser un dossier")),
            ("import_projects", _("Peut importer une programmation")),
            ("export_projects", _("Peut exporter les dossiers")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "reference"],
                name="project_unique_reference_per_year",
                violation_error_message=_("Ce numéro de dossier existe déjà pour cette année."),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0) | Q(budget__isnull=True),
                name="project_budget_gte_0",
                violation_error_message=_("Le budget doit être positif ou nul."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="project_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_dates_ordered",
                violation_error_message=_("La date de fin précède la date de début."),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status"], name="project_year_status_idx"),
            models.Index(fields=["year", "pillar"], name="project_year_pillar_idx"),
            # The dossier list's default order (latest year first, then reference): its first
            # page is read from the index, with no sort of every dossier (docs/performance.md).
            models.Index(fields=["-year", "reference"], name="project_list_order_idx"),
            # A year's programmed dossiers, all the bilan and the dashboard count: read from the
            # index alone (partial: programmed statuses only; covering on PostgreSQL).
            models.Index(
                fields=["year"],
                include=["id", "pillar", "theme", "operator"],
                condition=Q(status__in=["programme", "justifie", "solde"]),
                name="project_programmed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.year_id}-{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_programmed(self) -> bool:
        return self.status in Status.programmed()

    def clean(self):
        if self.theme_id and self.pillar_id and self.theme.pillar_id != self.pillar_id:
            raise ValidationError(
                {
                    "theme": _("La thématique %(theme)s n'appartient pas au pilier %(pillar)s.")
                    % {"theme": self.theme.code, "pillar": self.pillar.label}
                }
            )


class Indicator(models.Model):
    """An expected result of a dossier, and what was achieved (e.g. 42 aidants formés)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("dossier")
    )
    label = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=60, blank=True)
    expected = models.DecimalField(
        _("valeur attendue"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    achieved = models.DecimalField(
        _("valeur atteinte"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    history = history_records(_("historique des indicateurs"))

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["project", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected__gte=0) | Q(expected__isnull=True), name="indicator_expected_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(achieved__gte=0) | Q(achieved__isnull=True), name="indicator_achieved_gte_0"
            ),
        ]

    def __str__(self):
        return self.label


class StatusChange(models.Model):
    """Who moved a dossier to which status, and when."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("dossier")
    )
    from_status = models.CharField(_("ancien statut"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("nouveau statut"), max_length=16, choices=Status.choices)
    changed_at = models.DateTimeField(_("date"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("par")
    )
    comment = models.CharField(_("commentaire"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")
        ordering = ["project", "changed_at", "id"]

    def __str__(self):
        return f"{self.project_id}: {self.from_status} → {self.to_status}"
