"""Funders and the funding lines of each dossier: the dossier's financial plan.

The dossier and its lines are one aggregate, owned by this app (docs/architecture.md); their
tables keep the `funding_` names they had before the lines moved here."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import MONEY, history_records
from .choices import Nature, Status
from .dossier import Project


class FunderManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Funder(models.Model):
    """A financeur; its code is what import files carry."""

    ANCT = "anct"
    CABBALR_FCS = "cabbalr_fcs"

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    short_label = models.CharField(_("libellé court"), max_length=60, blank=True)
    default_nature = models.CharField(
        _("nature par défaut"), max_length=16, choices=Nature.choices, default=Nature.DROIT_COMMUN
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)
    # The agglomeration's own money (its droit commun line, its Fonds de cohésion sociale): the
    # lines it pays itself, whose payments (versements) it schedules and records.
    paid_by_agglomeration = models.BooleanField(
        _("versé par l'agglomération"),
        default=False,
        help_text=_("Les lignes de ce financeur sont versées par l'agglomération (échéancier, versements)."),
    )

    objects = FunderManager()

    class Meta:
        # The table keeps the name it had when funders lived in the funding app.
        db_table = "funding_funder"
        verbose_name = _("financeur")
        verbose_name_plural = _("financeurs")
        ordering = ["order", "code"]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.code,)


class FundingLineQuerySet(models.QuerySet):
    def of_programmed_projects(self, year: int):
        return self.filter(project__year_id=year, project__status__in=Status.programmed())


class FundingLine(models.Model):
    """One funder's share of a dossier: requested, then granted."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="funding_lines", verbose_name=_("dossier")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="funding_lines", verbose_name=_("financeur")
    )
    nature = models.CharField(_("nature"), max_length=16, choices=Nature.choices)
    amount_requested = models.DecimalField(
        _("montant demandé"), **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    amount_granted = models.DecimalField(
        _("montant accordé"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    position = models.PositiveSmallIntegerField(_("rang"), default=0)

    objects = FundingLineQuerySet.as_manager()
    history = history_records(
        _("historique des lignes de financement"), table_name="funding_historicalfundingline"
    )

    class Meta:
        # The table keeps the name it had when funding lines lived in the funding app.
        db_table = "funding_fundingline"
        verbose_name = _("ligne de financement")
        verbose_name_plural = _("lignes de financement")
        ordering = ["project", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gte=0),
                name="funding_line_requested_gte_0",
                violation_error_message=_("Le montant demandé doit être positif ou nul."),
            ),
            models.CheckConstraint(
                condition=Q(amount_granted__gte=0) | Q(amount_granted__isnull=True),
                name="funding_line_granted_gte_0",
                violation_error_message=_("Le montant accordé doit être positif ou nul."),
            ),
            models.CheckConstraint(condition=Q(nature__in=Nature.values), name="funding_line_nature_valid"),
        ]
        indexes = [
            # Every sum over a dossier's lines (bilan, dashboard, list) reads this index alone on
            # PostgreSQL: the dossier, then what the sums need (docs/performance.md).
            models.Index(
                fields=["project"],
                include=["funder", "nature", "amount_requested", "amount_granted"],
                name="fundingline_project_cover_idx",
            ),
            # The lines with money granted, by funder: the dossiers the ANCT or the FCS supports.
            models.Index(
                fields=["funder", "project"],
                include=["amount_granted"],
                condition=Q(amount_granted__gt=0),
                name="fundingline_granted_idx",
            ),
        ]

    def __str__(self):
        return f"{self.funder} : {self.amount_granted if self.amount_granted is not None else self.amount_requested}"

    def save(self, *args, **kwargs):
        if not self.nature and self.funder_id:
            self.nature = self.funder.default_nature
        super().save(*args, **kwargs)
