"""Reads of the letters: the dossiers a letter is written for, with everything its merge fields
need in a fixed number of queries (a batch of 150 letters reads as much as one), the merge
values of one dossier, and the séance's dossiers with the letter each gets."""

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from comites.models import FundingDecision, ScenarioOpinion, Seance
from contratville.formatting import euros as format_euros
from projects.models import FundingLine, Project, Quartier, Status

from .models import Applicability, Letter, LetterSending, LetterTemplate, LetterTemplateVersion
from .words import amount_in_words

ZERO = Decimal("0.00")
LOGO = "img/logo-agglomeration.svg"


def letter_projects() -> QuerySet[Project]:
    """Dossiers with what their letters print: porteur, pilier, year, quartiers, and the lines
    with a granted amount, in the funders' order."""
    return Project.objects.select_related("operator", "pillar", "year").prefetch_related(
        Prefetch("quartiers", queryset=Quartier.objects.order_by("name")),
        Prefetch(
            "funding_lines",
            queryset=FundingLine.objects.select_related("funder").order_by(
                "funder__order", "funder__code", "position"
            ),
            to_attr="letter_lines",
        ),
    )


def project_for_letter(*, year: int, reference: str) -> Project | None:
    return letter_projects().filter(year_id=year, reference=reference).first()


@cache
def logo_data_uri() -> str:
    """The agglomeration's logo, inline: the PDF fetches nothing."""
    path = finders.find(getattr(settings, "AGGLOMERATION_LOGO", LOGO))
    with open(path, "rb") as handle:
        return "data:image/svg+xml;base64," + base64.b64encode(handle.read()).decode("ascii")


def _long_date(value: date | None) -> str:
    return date_format(value, "j F Y") if value else ""


@dataclass
class GrantedLine:
    funder: str
    amount: Decimal


@dataclass
class LetterData:
    """What one dossier's letter prints."""

    project: Project
    lines: list[GrantedLine] = field(default_factory=list)
    total: Decimal = ZERO
    requested: Decimal = ZERO
    comite_date: date | None = None

    def values(self, version: LetterTemplateVersion, *, today: date | None = None) -> dict[str, object]:
        """The merge fields' values (merge.MERGE_FIELDS), for this dossier and this version."""
        project, operator = self.project, self.project.operator
        address = [escape(operator.name)] + [escape(line) for line in operator.postal_address_lines]
        return {
            "porteur.nom": operator.name,
            "porteur.adresse": mark_safe("<br>".join(address)),  # noqa: S308 - each line escaped
            "porteur.representant": operator.representative_name,
            "porteur.qualite_representant": operator.representative_title,
            "porteur.courriel": operator.email,
            "dossier.numero": project.reference,
            "dossier.intitule": project.title,
            "dossier.annee": str(project.year_id),
            "dossier.pilier": project.pillar.label,
            "dossier.quartiers": ", ".join(q.name for q in project.quartiers.all())
            or "tous quartiers du Contrat de Ville",
            "dossier.montant_demande": format_euros(self.requested),
            "financements.tableau": self.table(),
            "montant.total": format_euros(self.total),
            "montant.total_en_lettres": amount_in_words(self.total),
            "comite.date": _long_date(self.comite_date),
            "decision.date": _long_date(project.decision_date),
            "signataire.nom": version.signatory_name,
            "signataire.qualite": version.signatory_title,
            "agglomeration.nom": settings.AGGLOMERATION_NAME,
            "agglomeration.logo": mark_safe(  # noqa: S308 - our own static file, as a data URI
                f'<img class="letter-logo" src="{logo_data_uri()}" alt="Logo : {escape(settings.AGGLOMERATION_NAME)}">'
            ),
            "courrier.date": _long_date(today or timezone.localdate()),
        }

    def table(self) -> SafeString:
        return mark_safe(  # noqa: S308 - a template of ours, autoescaped
            render_to_string(
                "courriers/_funding_table.html", {"lines": self.lines, "total": self.total}
            ).strip()
        )


def letter_data(projects: Iterable[Project], *, seance: Seance | None = None) -> list[LetterData]:
    """The letters' data of dossiers read by `letter_projects()`. The comité's date is the
    séance's when the letters are a séance's, else that of the last séance that decided on the
    dossier, else the year's programming committee: one query for all of them."""
    projects = list(projects)
    last_seance: dict[int, date] = {}
    if seance is None and projects:
        for project_id, seance_date in (
            FundingDecision.objects.filter(project__in=projects)
            .order_by("project_id", "seance__date")
            .values_list("project_id", "seance__date")
        ):
            last_seance[project_id] = seance_date
    result = []
    for project in projects:
        lines = getattr(project, "letter_lines", None)
        if lines is None:
            lines = list(project.funding_lines.select_related("funder").order_by("funder__order", "position"))
        granted = [
            GrantedLine(line.funder.label, line.amount_granted)
            for line in lines
            if line.amount_granted is not None and line.amount_granted > 0
        ]
        result.append(
            LetterData(
                project=project,
                lines=granted,
                total=sum((line.amount for line in granted), ZERO),
                requested=sum((line.amount_requested for line in lines), ZERO),
                comite_date=(
                    seance.date
                    if seance is not None
                    else last_seance.get(project.pk) or project.year.programming_committee_on
                ),
            )
        )
    return result


def templates_for(project: Project) -> list[LetterTemplate]:
    """The kinds of letter that fit the dossier's status, each with a version."""
    fitting = [a for a in Applicability if project.status in a.statuses()]
    return list(
        LetterTemplate.objects.filter(applies_to__in=fitting, versions__isnull=False)
        .distinct()
        .order_by("name")
    )


def templates_with_current_version() -> list[LetterTemplate]:
    """Every template, each with its current version as `current` (two queries)."""
    templates = list(LetterTemplate.objects.order_by("applies_to", "name"))
    latest: dict[int, LetterTemplateVersion] = {}
    for version in LetterTemplateVersion.objects.select_related("created_by").order_by(
        "template_id", "number"
    ):
        latest[version.template_id] = version
    for template in templates:
        template.current = latest.get(template.pk)
    return templates


@dataclass
class SeanceDossier:
    project: Project
    opinion: str  # "favorable", "defavorable", "ajourne" or "" (no opinion recorded)

    @property
    def letter_applicability(self) -> Applicability | None:
        if self.project.status in Status.programmed():
            return Applicability.PROGRAMMED
        if self.project.status == Status.REFUSE:
            return Applicability.REFUSED
        return None


def seance_dossiers(seance: Seance) -> list[SeanceDossier]:
    """The dossiers a séance decided on (its applied scenario's rows), by pilier and number,
    with the kind of letter each gets by its status now: programmed, refused, or none (ajourné)."""
    opinions = {
        row.project_id: row.opinion
        for row in ScenarioOpinion.objects.filter(scenario__seance=seance, scenario__applied_at__isnull=False)
    }
    decided = set(FundingDecision.objects.filter(seance=seance).values_list("project_id", flat=True))
    projects = (
        letter_projects().filter(pk__in=set(opinions) | decided).order_by("pillar__order", "reference", "pk")
    )
    return [SeanceDossier(project, opinions.get(project.pk, "")) for project in projects]


def project_letters(project: Project) -> list[Letter]:
    """A dossier's letters, newest first, each with its sendings (newest first): three queries."""
    return list(
        Letter.objects.filter(project=project)
        .select_related("template_version__template", "created_by")
        .prefetch_related(
            Prefetch(
                "sendings",
                queryset=LetterSending.objects.select_related("sent_by").order_by("-created_at", "-id"),
            )
        )
        .defer("pdf")
        .order_by("-created_at", "-id")
    )


def batch_letters(batch) -> list[Letter]:
    return list(
        batch.letters.select_related("project__operator", "template_version__template")
        .prefetch_related(Prefetch("sendings", queryset=LetterSending.objects.order_by("-created_at", "-id")))
        .defer("pdf")
        .order_by("project__pillar__order", "project__reference", "pk")
    )
