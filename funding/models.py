"""Funders, the funding lines of each dossier, and the agglomeration's fonds de concours."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import MONEY, Commune, Pillar, ProgrammeYear, Project, history_records


class Nature(models.TextChoices):
    DROIT_COMMUN = "droit_commun", _("Droit commun")
    SPECIFIQUE = "specifique", _("Crédits spécifiques")


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

    objects = FunderManager()

    class Meta:
        verbose_name = _("financeur")
        verbose_name_plural = _("financeurs")
        ordering = ["order", "code"]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.code,)


class FundingLineQuerySet(models.QuerySet):
    def of_programmed_projects(self, year: int):
        from projects.models import Status

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
    history = history_records(_("historique des lignes de financement"))

    class Meta:
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


class FondsDeConcours(models.Model):
    """An investment grant of the agglomeration to a commune (outside the programmation)."""

    year = models.ForeignKey(
        ProgrammeYear,
        on_delete=models.PROTECT,
        related_name="fonds_de_concours",
        db_column="year",
        verbose_name=_("année"),
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="fonds_de_concours", verbose_name=_("commune")
    )
    project_title = models.CharField(_("projet"), max_length=255)
    amount = models.DecimalField(_("montant"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    history = history_records(_("historique des fonds de concours"))

    class Meta:
        verbose_name = _("fonds de concours")
        verbose_name_plural = _("fonds de concours")
        ordering = ["year", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="fonds_de_concours_amount_gte_0",
                violation_error_message=_("Le montant doit être positif ou nul."),
            ),
        ]

    def __str__(self):
        return f"{self.commune} — {self.project_title}"


class EnvelopeQuerySet(models.QuerySet):
    def totals(self):
        """Each funder's whole envelope of a year (not its split by pilier)."""
        return self.filter(pillar__isnull=True)


class Envelope(models.Model):
    """The money a funder puts on the contract for a year (ANCT credits, the FCS, a
    Département's line...), optionally split by pilier.

    A funder's envelope of a year is its row without pilier; rows with a pilier split it (their
    sum never exceeds it: funding.envelope_services). *Engagé* is what the funder granted to
    the year's programmed dossiers (funding.selectors.envelope_usage)."""

    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="envelopes", verbose_name=_("financeur")
    )
    year = models.ForeignKey(
        ProgrammeYear,
        on_delete=models.PROTECT,
        related_name="envelopes",
        db_column="year",
        verbose_name=_("année"),
    )
    pillar = models.ForeignKey(
        Pillar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="envelopes",
        verbose_name=_("pilier"),
        help_text=_("Vide : l'enveloppe entière du financeur pour l'année."),
    )
    amount = models.DecimalField(_("montant"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    comment = models.CharField(_("commentaire"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = EnvelopeQuerySet.as_manager()
    history = history_records(_("historique des enveloppes"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("enveloppe")
        verbose_name_plural = _("enveloppes")
        ordering = ["-year", "funder__order", "funder__code", "pillar__order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="envelope_amount_gte_0",
                violation_error_message=_("Le montant de l'enveloppe doit être positif ou nul."),
            ),
            models.UniqueConstraint(
                fields=["funder", "year"],
                condition=Q(pillar__isnull=True),
                name="envelope_unique_funder_year",
                violation_error_message=_("Ce financeur a déjà une enveloppe pour cette année."),
            ),
            models.UniqueConstraint(
                fields=["funder", "year", "pillar"],
                condition=Q(pillar__isnull=False),
                name="envelope_unique_funder_year_pillar",
                violation_error_message=_("Ce financeur a déjà une enveloppe pour ce pilier et cette année."),
            ),
        ]

    def __str__(self):
        where = f" — {self.pillar}" if self.pillar_id else ""
        return f"{self.funder} {self.year_id}{where}"
