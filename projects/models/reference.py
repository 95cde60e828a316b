"""Reference data: piliers, thématiques, communes, quartiers, porteurs, programme years."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..validators import validate_rna, validate_siret
from .base import MONEY, CodeManager, history_records
from .choices import OperatorKind, QuartierKind
from .managers import OperatorQuerySet


class Pillar(models.Model):
    """One of the four axes of the Contrat de Ville."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    short_label = models.CharField(_("libellé court"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    objects = CodeManager()

    class Meta:
        verbose_name = _("pilier")
        verbose_name_plural = _("piliers")
        ordering = ["order", "code"]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.code,)


class Theme(models.Model):
    """A thématique of the ANCT nomenclature, under one pilier."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="themes", verbose_name=_("pilier")
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    objects = CodeManager()

    class Meta:
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} {self.label}"

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["projects.pillar"]


class CommuneManager(models.Manager):
    def get_by_natural_key(self, insee_code):
        return self.get(insee_code=insee_code)


class Commune(models.Model):
    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=120)

    objects = CommuneManager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.insee_code,)


class QuartierManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(Q(code_2015=code) | Q(code_2024=code) | Q(local_code=code))


class Quartier(models.Model):
    """A neighbourhood of the programme: a QPV (2015 and 2024 codes) or a quartier de veille."""

    kind = models.CharField(_("type"), max_length=8, choices=QuartierKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    code_2015 = models.CharField(
        _("code QPV 2015"), max_length=8, unique=True, null=True, blank=True, help_text=_("Ex. QP062004")
    )
    code_2024 = models.CharField(
        _("code QPV 2024"), max_length=8, unique=True, null=True, blank=True, help_text=_("Ex. QN06204M")
    )
    # Quartiers de veille have no official code: the agglomeration gives them its own.
    local_code = models.CharField(
        _("code local"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Pour un quartier de veille sans code officiel."),
    )
    communes = models.ManyToManyField(
        Commune, related_name="quartiers", blank=True, verbose_name=_("communes")
    )

    objects = QuartierManager()

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["kind", "code_2015", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code_2015__isnull=False)
                | Q(code_2024__isnull=False)
                | Q(local_code__isnull=False),
                name="quartier_has_a_code",
                violation_error_message=_("Un quartier doit avoir au moins un code."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        # Empty codes are stored as NULL so that uniqueness ignores them.
        for field in ("code_2015", "code_2024", "local_code"):
            value = (getattr(self, field) or "").strip().upper()
            setattr(self, field, value or None)
        super().save(*args, **kwargs)

    @property
    def code(self) -> str:
        return self.code_2015 or self.code_2024 or self.local_code or ""

    def natural_key(self):
        return (self.code,)


class Operator(models.Model):
    """A porteur de projet."""

    name = models.CharField(_("nom"), max_length=255)
    kind = models.CharField(_("type de porteur"), max_length=24, choices=OperatorKind.choices)
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 chiffres, facultatif."),
    )
    # The open data of subsidies (SCDL) names an association by its SIRET or its RNA number.
    rna = models.CharField(
        _("numéro RNA"),
        max_length=10,
        blank=True,
        validators=[validate_rna],
        help_text=_("Répertoire national des associations : W suivi de 9 chiffres, facultatif."),
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operators",
        verbose_name=_("commune du siège"),
    )
    # Where the letters of its dossiers are sent (courriers).
    email = models.EmailField(
        _("courriel de contact"),
        blank=True,
        help_text=_("Adresse à laquelle les courriers (notifications, refus, conventions) sont envoyés."),
    )
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
    # The postal address and the representative that the letters name.
    address_line = models.CharField(
        _("adresse"), max_length=255, blank=True, help_text=_("Ex. 12 rue des Écoles")
    )
    address_complement = models.CharField(
        _("complément d'adresse"), max_length=255, blank=True, help_text=_("Bâtiment, boîte postale…")
    )
    postal_code = models.CharField(
        _("code postal"),
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{5}$", _("Le code postal doit comporter 5 chiffres."), code="invalid_postal_code"
            )
        ],
    )
    city = models.CharField(_("ville"), max_length=120, blank=True)
    representative_name = models.CharField(
        _("représentant"), max_length=200, blank=True, help_text=_("Ex. Mme Claire Martin")
    )
    representative_title = models.CharField(
        _("qualité du représentant"),
        max_length=120,
        blank=True,
        help_text=_("Ex. Présidente, Maire, Directeur"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = OperatorQuerySet.as_manager()
    history = history_records(_("historique des porteurs"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("porteur")
        verbose_name_plural = _("porteurs")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~Q(siret=""),
                name="operator_unique_siret",
                violation_error_message=_("Un porteur avec ce SIRET existe déjà."),
            ),
        ]
        indexes = [models.Index(fields=["name"], name="operator_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:operator-detail", args=[self.pk])

    @property
    def postal_address_lines(self) -> list[str]:
        """The address as it is printed on an envelope, line by line (empty lines left out)."""
        town = " ".join(part for part in (self.postal_code, self.city.upper()) if part)
        return [line for line in (self.address_line, self.address_complement, town) if line]


class ProgrammeYear(models.Model):
    """One year of the programme: its call for projects, its settings and its bilan's texts."""

    # The bilan's narrative parts, in the order of the report.
    NARRATIVE_FIELDS = (
        "context_text",
        "pillars_text",
        "associations_text",
        "pnru_text",
        "organisation_text",
        "perspectives_text",
        "opinions_text",
    )

    year = models.PositiveSmallIntegerField(
        _("année"), primary_key=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    call_opens_on = models.DateField(_("ouverture de l'appel à projets"), null=True, blank=True)
    call_closes_on = models.DateField(_("clôture de l'appel à projets"), null=True, blank=True)
    programming_committee_on = models.DateField(_("date du comité de programmation"), null=True, blank=True)
    steering_committee_on = models.DateField(_("date du comité de pilotage"), null=True, blank=True)
    priority_themes = models.ManyToManyField(
        Theme, blank=True, related_name="priority_in_years", verbose_name=_("thématiques prioritaires")
    )
    fcs_envelope = models.DecimalField(
        _("enveloppe du Fonds de cohésion sociale"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Narrative parts of the bilan, written by the direction.
    context_text = models.TextField(_("contexte de l'année"), blank=True)
    pillars_text = models.TextField(_("commentaire de la répartition par pilier"), blank=True)
    associations_text = models.TextField(_("commentaire sur les opérateurs associatifs"), blank=True)
    pnru_text = models.TextField(_("renouvellement urbain (PNRU / NPNRU)"), blank=True)
    organisation_text = models.TextField(_("organisation du service"), blank=True)
    perspectives_text = models.TextField(_("perspectives"), blank=True)
    opinions_text = models.TextField(_("avis des communes et des conseils citoyens"), blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    history = history_records(_("historique des années de programmation"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("année de programmation")
        verbose_name_plural = _("années de programmation")
        ordering = ["-year"]
        permissions = [
            ("view_bilan", _("Peut consulter le bilan et le tableau de bord")),
            ("change_bilan_texts", _("Peut rédiger les textes du bilan")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fcs_envelope__gte=0) | Q(fcs_envelope__isnull=True),
                name="programme_year_fcs_envelope_gte_0",
            ),
        ]

    def __str__(self):
        return str(self.year)

    def natural_key(self):
        return (self.year,)

    def clean(self):
        if self.call_opens_on and self.call_closes_on and self.call_closes_on < self.call_opens_on:
            raise ValidationError(
                {"call_closes_on": _("La clôture de l'appel à projets précède son ouverture.")}
            )
