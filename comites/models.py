"""The comités of the programme: séances with their agenda of dossiers, the scenarios prepared
for them (a proposed amount per funding line, an opinion per dossier) and, once a scenario is
applied, each funder's decision on each funding line.

A scenario's row is a dossier: its `ScenarioOpinion` carries the row's version, which every
change of the row (an amount, the opinion, the comment) increments, so that two people on one
scenario never overwrite each other silently (comites.services)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from projects.models import MONEY, Funder, FundingLine, ProgrammeYear, Project, Status

# The statuses of a dossier a comité examines: filed, not yet decided.
AGENDA_STATUSES = (Status.DEPOSE, Status.EN_INSTRUCTION)


class SeanceKind(models.TextChoices):
    COMITE_TECHNIQUE = "comite_technique", _("Comité technique")
    COMITE_PROGRAMMATION = "comite_programmation", _("Comité de programmation")
    COMITE_FINANCEURS = "comite_financeurs", _("Comité des financeurs")


class SeanceState(models.TextChoices):
    EN_PREPARATION = "en_preparation", _("En préparation")
    TENU = "tenu", _("Tenu")
    CLOS = "clos", _("Clos")

    @classmethod
    def open(cls) -> list[str]:
        """A séance is open until it is closed: its agenda still holds its dossiers."""
        return [cls.EN_PREPARATION, cls.TENU]


class Seance(models.Model):
    """One meeting of a comité, for one programme year."""

    year = models.ForeignKey(
        ProgrammeYear,
        on_delete=models.PROTECT,
        related_name="seances",
        db_column="year",
        verbose_name=_("année"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("type de comité"), max_length=24, choices=SeanceKind.choices)
    state = models.CharField(
        _("état"), max_length=16, choices=SeanceState.choices, default=SeanceState.EN_PREPARATION
    )
    title = models.CharField(_("intitulé"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("séance de comité")
        verbose_name_plural = _("séances de comité")
        ordering = ["-date", "-id"]
        permissions = [("apply_scenario", _("Peut appliquer la décision d'un comité"))]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SeanceKind.values), name="seance_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=SeanceState.values), name="seance_state_valid"),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("comites:seance-detail", args=[self.pk])

    @property
    def label(self) -> str:
        """ "Comité de programmation du 4 mars 2021" (or its own title)."""
        if self.title:
            return self.title
        return f"{self.get_kind_display()} du {date_format(self.date, 'j F Y')}"

    @property
    def is_open(self) -> bool:
        return self.state in SeanceState.open()


class AgendaItem(models.Model):
    """A dossier on a séance's agenda."""

    seance = models.ForeignKey(
        Seance, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("séance")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("dossier")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inscrit par"),
    )
    added_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)

    class Meta:
        verbose_name = _("dossier à l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["seance", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "project"],
                name="agenda_item_unique_project",
                violation_error_message=_("Ce dossier est déjà à l'ordre du jour de cette séance."),
            ),
        ]

    def __str__(self):
        return f"{self.seance} : {self.project}"


class Scenario(models.Model):
    """One hypothesis of the amounts for a séance's agenda."""

    seance = models.ForeignKey(
        Seance, on_delete=models.CASCADE, related_name="scenarios", verbose_name=_("séance")
    )
    name = models.CharField(_("nom"), max_length=120)
    frozen = models.BooleanField(_("figé"), default=False)
    # Optimistic locking of the scenario itself (its name); its rows have their own versions.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    applied_at = models.DateTimeField(_("appliqué le"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appliqué par"),
    )

    class Meta:
        verbose_name = _("scénario")
        verbose_name_plural = _("scénarios")
        ordering = ["seance", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "name"],
                name="scenario_unique_name",
                violation_error_message=_("Un scénario de cette séance porte déjà ce nom."),
            ),
            # Applied once: at most one applied scenario per séance.
            models.UniqueConstraint(
                fields=["seance"],
                condition=Q(applied_at__isnull=False),
                name="scenario_applied_once",
                violation_error_message=_("Un scénario de cette séance a déjà été appliqué."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("comites:scenario", args=[self.pk])

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None


class Opinion(models.TextChoices):
    FAVORABLE = "favorable", _("Favorable")
    DEFAVORABLE = "defavorable", _("Défavorable")
    AJOURNE = "ajourne", _("Ajourné")


class ScenarioOpinion(models.Model):
    """A scenario's row: its opinion on one dossier of the agenda, and the row's version."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("scénario")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="scenario_opinions", verbose_name=_("dossier")
    )
    opinion = models.CharField(_("avis"), max_length=16, choices=Opinion.choices, default=Opinion.FAVORABLE)
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("avis du scénario")
        verbose_name_plural = _("avis du scénario")
        ordering = ["scenario", "project"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "project"], name="scenario_opinion_unique_project"),
            models.CheckConstraint(condition=Q(opinion__in=Opinion.values), name="scenario_opinion_valid"),
        ]

    def __str__(self):
        return f"{self.scenario} — {self.project} : {self.get_opinion_display()}"


class ScenarioLine(models.Model):
    """The amount a scenario proposes for one funding line of the agenda.

    `requested` is the line's requested amount when the scenario was built or last brought up to
    date: the application compares it with the line as it is then. `proposed` None means the
    funder's decision is pending (en attente)."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="lines", verbose_name=_("scénario")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("dossier")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="+", verbose_name=_("financeur")
    )
    # Kept when the line goes (a re-import replaces a dossier's lines): the scenario then
    # knows what it proposed for a line that no longer exists.
    funding_line = models.ForeignKey(
        FundingLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenario_lines",
        verbose_name=_("ligne de financement"),
    )
    requested = models.DecimalField(_("montant demandé"), **MONEY, default=Decimal("0.00"))
    proposed = models.DecimalField(
        _("montant proposé"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("ligne du scénario")
        verbose_name_plural = _("lignes du scénario")
        ordering = ["scenario", "project", "funder__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "funding_line"],
                condition=Q(funding_line__isnull=False),
                name="scenario_line_unique_funding_line",
            ),
            models.CheckConstraint(
                condition=Q(proposed__gte=0) | Q(proposed__isnull=True),
                name="scenario_line_proposed_gte_0",
                violation_error_message=_("Le montant proposé doit être positif ou nul."),
            ),
        ]

    def __str__(self):
        return f"{self.scenario} — {self.project_id} {self.funder} : {self.proposed}"


class Decision(models.TextChoices):
    ACCORDE = "accorde", _("Accordé")
    REFUSE = "refuse", _("Refusé")
    EN_ATTENTE = "en_attente", _("En attente")


class FundingDecision(models.Model):
    """A funder's decision on one funding line, taken by a séance (the scenario it applied)."""

    seance = models.ForeignKey(
        Seance, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("séance")
    )
    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("scénario")
    )
    funding_line = models.ForeignKey(
        FundingLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("ligne de financement"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("dossier")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="+", verbose_name=_("financeur")
    )
    decision = models.CharField(_("décision"), max_length=16, choices=Decision.choices)
    amount = models.DecimalField(_("montant accordé"), **MONEY, null=True, blank=True)
    decided_on = models.DateField(_("date de la décision"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appliquée par"),
    )
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("décision de financement")
        verbose_name_plural = _("décisions de financement")
        ordering = ["seance", "project", "funder__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "funding_line"],
                condition=Q(funding_line__isnull=False),
                name="funding_decision_once_per_seance",
            ),
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="funding_decision_valid"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True), name="funding_decision_amount_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.seance} — {self.project_id} {self.funder} : {self.get_decision_display()}"


def dossier_label(project: Project) -> str:
    """ "PV2021-001 « Job & Go ! »": how every message names a dossier."""
    return f"{project.reference} « {project.title} »"
