"""The agglomeration's money outside the dossiers' own lines (fonds de concours, the funders'
envelopes), and the payments (versements) of the lines it pays itself."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contratville.formatting import percent
from projects.models import (
    MONEY,
    Commune,
    Funder,
    FundingLine,
    Pillar,
    ProgrammeYear,
    Project,
    history_records,
)


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


class PaymentKind(models.TextChoices):
    AVANCE = "avance", _("Avance")
    ACOMPTE = "acompte", _("Acompte")
    SOLDE = "solde", _("Solde")


class PaymentState(models.TextChoices):
    PREVU = "prevu", _("Prévu")
    VERSE = "verse", _("Versé")
    ANNULE = "annule", _("Annulé")


class PaymentQuerySet(models.QuerySet):
    def counted(self):
        """The payments that take part of the granted amount: planned or paid, not cancelled."""
        return self.exclude(state=PaymentState.ANNULE)


class Payment(models.Model):
    """One instalment (versement) of a funding line that the agglomeration pays: planned (date and
    amount of its schedule), then paid (the actual date and amount), or cancelled.

    The payments of a line that count (not cancelled) never add up to more than its granted
    amount; a payment is never made before the dossier's decision (funding.payment_services)."""

    funding_line = models.ForeignKey(
        FundingLine, on_delete=models.PROTECT, related_name="payments", verbose_name=_("ligne de financement")
    )
    kind = models.CharField(_("nature du versement"), max_length=16, choices=PaymentKind.choices)
    planned_on = models.DateField(_("date prévue"))
    planned_amount = models.DecimalField(_("montant prévu"), **MONEY)
    paid_on = models.DateField(_("date du versement"), null=True, blank=True)
    paid_amount = models.DecimalField(_("montant versé"), **MONEY, null=True, blank=True)
    state = models.CharField(
        _("état"), max_length=16, choices=PaymentState.choices, default=PaymentState.PREVU
    )
    comment = models.CharField(_("commentaire"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    # Optimistic locking: a form opened before another user's change cannot be saved over it.
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = PaymentQuerySet.as_manager()
    history = history_records(_("historique des versements"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("versement")
        verbose_name_plural = _("versements")
        permissions = [("export_scdl", _("Exporter les subventions en données ouvertes (SCDL)"))]
        ordering = ["funding_line", "planned_on", "id"]
        indexes = [models.Index(fields=["state", "planned_on"], name="funding_payment_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_amount__gt=0),
                name="funding_payment_planned_gt_0",
                violation_error_message=_("Le montant prévu doit être supérieur à 0."),
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__isnull=True) | Q(paid_amount__gt=0),
                name="funding_payment_paid_gt_0",
                violation_error_message=_("Le montant versé doit être supérieur à 0."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(state=PaymentState.VERSE, paid_on__isnull=False, paid_amount__isnull=False)
                    | (~Q(state=PaymentState.VERSE) & Q(paid_on__isnull=True, paid_amount__isnull=True))
                ),
                name="funding_payment_paid_has_date_and_amount",
                violation_error_message=_("Un versement effectué a une date et un montant, et lui seul."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.planned_on:%d/%m/%Y} — {self.funding_line}"

    @property
    def amount(self) -> Decimal:
        """What the payment counts for: the amount paid once paid, else the planned one."""
        return self.paid_amount if self.state == PaymentState.VERSE else self.planned_amount


# The compte-rendu financier (CERFA 15059): after the action's year, the porteur reports what it
# spent and received, by account, against its budget, and what the action achieved.

CHARGE_ACCOUNTS = {
    "60": "60 – Achats",
    "61": "61 – Services extérieurs",
    "62": "62 – Autres services extérieurs",
    "63": "63 – Impôts et taxes",
    "64": "64 – Charges de personnel",
    "65": "65 – Autres charges de gestion courante",
    "66": "66 – Charges financières",
    "67": "67 – Charges exceptionnelles",
    "68": "68 – Dotations aux amortissements",
    "86": "86 – Emplois des contributions volontaires en nature",
}
PRODUCT_ACCOUNTS = {
    "70": "70 – Ventes de produits finis, prestations de services",
    "71": "71 – Production stockée",
    "72": "72 – Production immobilisée",
    "73": "73 – Dotations et produits de tarification",
    "74": "74 – Subventions d'exploitation",
    "75": "75 – Autres produits de gestion courante",
    "76": "76 – Produits financiers",
    "77": "77 – Produits exceptionnels",
    "78": "78 – Reprises sur amortissements et provisions",
    "87": "87 – Contributions volontaires en nature",
}
ACCOUNTS = {**CHARGE_ACCOUNTS, **PRODUCT_ACCOUNTS}


class CompteRendu(models.Model):
    """A dossier's compte-rendu financier: dates actually held, the qualitative assessment, the
    beneficiaries reached, and (in its lines) charges and produits by account, planned and actual."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="compte_rendu", verbose_name=_("dossier")
    )
    received_on = models.DateField(_("reçu le"), null=True, blank=True)
    held_from = models.DateField(_("action menée du"), null=True, blank=True)
    held_to = models.DateField(_("au"), null=True, blank=True)
    assessment = models.TextField(_("bilan qualitatif"), blank=True)
    beneficiaries = models.PositiveIntegerField(_("bénéficiaires"), null=True, blank=True)
    beneficiaries_qpv = models.PositiveIntegerField(_("dont habitants des QPV"), null=True, blank=True)
    women = models.PositiveIntegerField(_("femmes"), null=True, blank=True)
    men = models.PositiveIntegerField(_("hommes"), null=True, blank=True)
    age_under_16 = models.PositiveIntegerField(_("moins de 16 ans"), null=True, blank=True)
    age_16_25 = models.PositiveIntegerField(_("16 à 25 ans"), null=True, blank=True)
    age_26_64 = models.PositiveIntegerField(_("26 à 64 ans"), null=True, blank=True)
    age_65_plus = models.PositiveIntegerField(_("65 ans et plus"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = history_records(_("historique des comptes-rendus"), excluded_fields=["updated_at"])

    AGE_FIELDS = ("age_under_16", "age_16_25", "age_26_64", "age_65_plus")

    class Meta:
        verbose_name = _("compte-rendu financier")
        verbose_name_plural = _("comptes-rendus financiers")

    def __str__(self):
        return f"Compte-rendu du dossier {self.project}"

    def clean(self):
        errors = {}
        total = self.beneficiaries
        if total is not None:
            if self.beneficiaries_qpv is not None and self.beneficiaries_qpv > total:
                errors["beneficiaries_qpv"] = (
                    f"{self.beneficiaries_qpv} habitants des QPV pour {total} bénéficiaires en tout : "
                    "ils ne peuvent être plus nombreux."
                )
            if (self.women or 0) + (self.men or 0) > total:
                errors["men"] = (
                    f"Femmes ({self.women or 0}) et hommes ({self.men or 0}) font "
                    f"{(self.women or 0) + (self.men or 0)}, plus que les {total} bénéficiaires."
                )
            ages = sum(getattr(self, name) or 0 for name in self.AGE_FIELDS)
            if ages > total:
                errors["age_65_plus"] = f"Les tranches d'âge font {ages}, plus que les {total} bénéficiaires."
        if self.held_from and self.held_to and self.held_to < self.held_from:
            errors["held_to"] = "La fin de l'action ne peut précéder son début."
        if errors:
            raise ValidationError(errors)

    @property
    def is_complete(self) -> bool:
        """What the move to `justifie` needs: received, assessed, with actual charges."""
        return bool(self.received_on and self.assessment.strip()) and any(
            line.actual is not None and line.account in CHARGE_ACCOUNTS for line in self.lines.all()
        )


class CompteRenduLine(models.Model):
    """One account of a compte-rendu: what the budget planned and what was actually spent or
    received."""

    compte_rendu = models.ForeignKey(
        CompteRendu, on_delete=models.CASCADE, related_name="lines", verbose_name=_("compte-rendu")
    )
    account = models.CharField(_("compte"), max_length=2, choices=list(ACCOUNTS.items()))
    planned = models.DecimalField(_("prévu"), **MONEY, null=True, blank=True)
    actual = models.DecimalField(_("réalisé"), **MONEY, null=True, blank=True)

    history = history_records(_("historique des lignes de comptes-rendus"))

    class Meta:
        verbose_name = _("ligne de compte-rendu")
        verbose_name_plural = _("lignes de comptes-rendus")
        ordering = ["compte_rendu", "account"]
        constraints = [
            models.UniqueConstraint(
                fields=["compte_rendu", "account"], name="funding_cr_line_unique_account"
            ),
            models.CheckConstraint(
                condition=(Q(planned__gte=0) | Q(planned__isnull=True))
                & (Q(actual__gte=0) | Q(actual__isnull=True)),
                name="funding_cr_line_amounts_gte_0",
                violation_error_message=_("Les montants sont positifs ou nuls."),
            ),
        ]

    def __str__(self):
        return ACCOUNTS.get(self.account, self.account)

    @property
    def is_charge(self) -> bool:
        return self.account in CHARGE_ACCOUNTS

    @property
    def gap(self) -> Decimal | None:
        if self.planned is None or self.actual is None:
            return None
        return self.actual - self.planned

    @property
    def gap_percent(self) -> Decimal | None:
        if self.gap is None or not self.planned:
            return None
        return percent(self.gap, self.planned)
