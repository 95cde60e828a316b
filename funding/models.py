"""The agglomeration's money outside the dossiers' own lines: fonds de concours."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import MONEY, Commune, Funder, Pillar, ProgrammeYear, history_records


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
