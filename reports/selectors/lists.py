"""The bilan's lists: what the report names beside its figures (the priority thématiques, the
focus actions, the dossiers of the Fonds de cohésion sociale, the annex of programmed dossiers
by pilier). One query per family."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch, Sum

from projects.models import FcsAxis, Funder, FundingLine, Indicator, Pillar, Project, Theme

from .figures import ZERO


def priority_themes(year: int) -> list[Theme]:
    """The year's priority thématiques, in the nomenclature's order."""
    return list(Theme.objects.filter(priority_in_years__year=year).order_by("order", "code"))


@dataclass
class FocusAction:
    order: int
    reference: str
    title: str
    operator: str
    partner: str
    description: str
    results: str
    objective: str
    # The dossier's indicators with an achieved value: (label, achieved, expected, unit).
    indicators: tuple = ()

    @property
    def operator_label(self) -> str:
        """ "CABBALR – Extracité": the porteur, then who carried the action out for it."""
        return f"{self.operator} – {self.partner}" if self.partner else self.operator

    @classmethod
    def from_project(cls, project: Project, order: int) -> "FocusAction":
        return cls(
            order=order,
            reference=project.reference,
            title=project.title,
            operator=project.operator.name,
            partner=project.partner,
            description=project.focus_description,
            results=project.focus_results,
            objective=project.focus_objective,
            indicators=tuple(
                (i.label, i.achieved, i.expected, i.unit)
                for i in project.indicators.all()
                if i.achieved is not None
            ),
        )


def focus_actions(year: int) -> list[FocusAction]:
    """The year's focus actions, in their rank's order, with their indicators (two queries)."""
    projects = (
        Project.objects.for_year(year)
        .filter(is_focus=True)
        .select_related("operator")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("pk")))
        .order_by(F("focus_order").asc(nulls_last=True), "reference")
    )
    return [FocusAction.from_project(p, rank) for rank, p in enumerate(projects, start=1)]


@dataclass
class FcsProject:
    reference: str
    title: str
    operator: str
    axis: str
    granted: Decimal

    @property
    def axis_label(self) -> str:
        return FcsAxis(self.axis).label if self.axis in FcsAxis.values else ""


@dataclass
class FcsAxisCount:
    code: str
    label: str
    projects: int


def fcs_projects(year: int) -> list[FcsProject]:
    """Programmed dossiers granted Fonds de cohésion sociale money, with that amount (one query)."""
    rows = (
        FundingLine.objects.of_programmed_projects(year)
        .filter(funder__code=Funder.CABBALR_FCS, amount_granted__gt=0)
        .values("project__reference", "project__title", "project__operator__name", "project__fcs_axis")
        .annotate(granted=Sum("amount_granted"))
        .order_by("project__operator__name", "project__title", "project__reference")
    )
    return [
        FcsProject(
            reference=row["project__reference"],
            title=row["project__title"],
            operator=row["project__operator__name"],
            axis=row["project__fcs_axis"],
            granted=row["granted"] or ZERO,
        )
        for row in rows
    ]


def fcs_axes(projects: list[FcsProject]) -> list[FcsAxisCount]:
    """The five axes of the FCS, in their order, with how many of `projects` each one has."""
    counts: dict[str, int] = {}
    for project in projects:
        counts[project.axis] = counts.get(project.axis, 0) + 1
    return [
        FcsAxisCount(code=code, label=label, projects=counts.get(code, 0)) for code, label in FcsAxis.choices
    ]


@dataclass
class AnnexFunding:
    funder: str
    nature: str
    amount: Decimal


@dataclass
class AnnexProject:
    reference: str
    title: str
    operator: str
    fundings: list[AnnexFunding] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((f.amount for f in self.fundings), ZERO)


@dataclass
class AnnexPillar:
    code: str
    label: str
    projects: list[AnnexProject] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((p.total for p in self.projects), ZERO)


def programmed_projects_by_pillar(year: int) -> list[AnnexPillar]:
    """The annex of the bilan: every programmed dossier under its pilier, with the amount each
    funder granted it (three queries: piliers, dossiers, funding lines). All four piliers, always."""
    pillars = {
        p.code: AnnexPillar(code=p.code, label=p.label) for p in Pillar.objects.order_by("order", "code")
    }
    projects: dict[int, AnnexProject] = {}
    for row in (
        Project.objects.for_year(year)
        .programmed()
        .order_by("reference")
        .values_list("id", "reference", "title", "operator__name", "pillar__code")
    ):
        pk, reference, title, operator, pillar_code = row
        projects[pk] = AnnexProject(reference=reference, title=title, operator=operator)
        pillars[pillar_code].projects.append(projects[pk])
    lines = (
        FundingLine.objects.of_programmed_projects(year)
        .filter(amount_granted__gt=0)
        .order_by("project_id", "funder__order", "funder__code", "position", "id")
        .values_list("project_id", "funder__short_label", "funder__label", "nature", "amount_granted")
    )
    for project_id, short_label, label, nature, amount in lines:
        projects[project_id].fundings.append(
            AnnexFunding(funder=short_label or label, nature=nature, amount=amount)
        )
    return list(pillars.values())
