"""Writing one dossier with its funding lines and indicators, as the dossier form does.

It lives in `funding` because it writes a dossier (projects) and its funding lines together."""

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from projects.models import Indicator, Operator, ProgrammeYear, Project, Quartier, Status, StatusChange
from projects.services import project_change_status

from .models import FundingLine


@transaction.atomic
def project_save_with_lines(
    *,
    project: Project,
    year: int,
    user: AbstractBaseUser,
    quartiers: Iterable[Quartier] = (),
    funding_lines: Sequence[FundingLine] = (),
    removed_funding_lines: Sequence[FundingLine] = (),
    indicators: Sequence[Indicator] = (),
    removed_indicators: Sequence[Indicator] = (),
    new_operator: Operator | None = None,
    submit: bool = False,
) -> Project:
    """Create or update `project` (an unsaved or changed instance) with its lines.

    The programme year is created when missing; `new_operator`, when given, is created and
    becomes the dossier's operator. Lines are saved in the given order (their `position`); a
    line without a nature takes its funder's default. A new dossier starts as a brouillon,
    which is recorded in its history; with `submit` it is then filed (brouillon → déposé)
    through the workflow, in the same transaction."""
    creating = project.pk is None
    project.year, _ = ProgrammeYear.objects.get_or_create(year=year)
    if new_operator is not None:
        new_operator.full_clean()
        new_operator.save()
        project.operator = new_operator
    if creating:
        project.status = Status.BROUILLON
    project.full_clean()
    project.save()
    project.quartiers.set(list(quartiers))

    for line in removed_funding_lines:
        line.delete()
    for position, line in enumerate(funding_lines):
        line.project = project
        line.position = position
        if not line.nature:
            line.nature = line.funder.default_nature
        line.full_clean()
        line.save()

    for indicator in removed_indicators:
        indicator.delete()
    for indicator in indicators:
        indicator.project = project
        indicator.full_clean()
        indicator.save()

    if creating:
        StatusChange.objects.create(
            project=project,
            from_status="",
            to_status=Status.BROUILLON,
            changed_by=user,
            comment="Création du dossier",
        )
    if submit:
        project_change_status(project=project, to_status=Status.DEPOSE, user=user)
    return project
