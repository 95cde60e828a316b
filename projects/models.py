"""The programme's reference data (piliers, thématiques, communes, quartiers), the programme
years with their settings and the bilan's narrative, operators and their dossiers."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .managers import OperatorQuerySet, ProjectQuerySet
from .validators import validate_siret

MONEY = {"max_digits": 12, "decimal_places": 2}


def history_records(verbose_name: str, **kwargs) -> HistoricalRecords:
    """The audit trail of a model (django-simple-history): who changed what, when, and why.

    Models leave their `updated_at` out: it changes with every save and says nothing the
    history's own date does not. The reason is a text, as an import's file name or a decision's comment may
    exceed simple-history's default 100 characters."""
    kwargs.setdefault("excluded_fields", [])
    return HistoricalRecords(
        verbose_name=verbose_name,
        verbose_name_plural=verbose_name,
        history_change_reason_field=models.TextField(_("motif"), null=True, blank=True),
        **kwargs,
    )


class CodeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


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


class QuartierKind(models.TextChoices):
    QPV = "qpv", _("Quartier prioritaire (QPV)")
    VEILLE = "veille", _("Quartier de veille active")


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


class OperatorKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("EPCI")
    BAILLEUR = "bailleur", _("Bailleur social")
    ETABLISSEMENT_PUBLIC = "etablissement_public", _("Établissement public")
    ENTREPRISE = "entreprise", _("Entreprise")
    AUTRE = "autre", _("Autre")


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
    commune = models.ForeignKey(
        Commune,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operators",
        verbose_name=_("commune du siège"),
    )
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
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


class Status(models.TextChoices):
    """A dossier's status, in workflow order (DOMAIN.md)."""

    BROUILLON = "brouillon", _("Brouillon")
    DEPOSE = "depose", _("Déposé")
    EN_INSTRUCTION = "en_instruction", _("En instruction")
    PROGRAMME = "programme", _("Programmé")
    REFUSE = "refuse", _("Refusé")
    ABANDONNE = "abandonne", _("Abandonné")
    JUSTIFIE = "justifie", _("Justifié")
    SOLDE = "solde", _("Soldé")

    @classmethod
    def programmed(cls) -> list[str]:
        return [cls.PROGRAMME, cls.JUSTIFIE, cls.SOLDE]

    @classmethod
    def filed(cls) -> list[str]:
        return [value for value in cls.values if value != cls.BROUILLON]


class FcsAxis(models.TextChoices):
    """The five axes of the Fonds de cohésion sociale."""

    CONSEILS_CITOYENS = "conseils_citoyens", _("Soutien aux actions des conseils citoyens")
    ACTION_INTERCOMMUNALE = (
        "action_intercommunale",
        _("Déploiement d'une action locale à l'échelle intercommunale"),
    )
    PETITES_ASSOCIATIONS = "petites_associations", _("Appui aux petites associations de quartier")
    QUALIFICATION = "qualification", _("Qualification des acteurs des quartiers")
    INCLUSION_NUMERIQUE = "inclusion_numerique", _("Inclusion numérique")


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
        return reverse("dossiers:detail", args=[self.pk])

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
