"""Writing one dossier with its funding lines and indicators, as the dossier form does.

It lives in `funding` because it writes a dossier (projects) and its funding lines together.

Two people may open the same dossier's form: the save checks, with the dossier's row locked,
that the dossier is still at the version the form was opened with, and refuses it otherwise
(`StaleProjectError`), so that nobody overwrites changes they have not seen. Every row written
is recorded in the audit trail (django-simple-history) with the user and one date for the whole
save, which is how the dossier's journal groups a save's changes into one entry."""

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from projects.models import Indicator, Operator, ProgrammeYear, Project, Quartier, Status, StatusChange
from projects.services import project_change_status

from .models import FundingLine

CREATE_REASON = "Création du dossier"
UPDATE_REASON = "Modification du dossier"


class StaleProjectError(Exception):
    """The dossier was saved by someone else (form, workflow, import) after the form being
    saved was opened: nothing was written."""

    def __init__(self, project_id: int, expected_version: int, current_version: int):
        self.project_id = project_id
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            f"Dossier {project_id} : version {current_version} enregistrée, formulaire ouvert sur la version "
            f"{expected_version}."
        )


def _stamp(instance, *, user, date, reason: str):
    """The audit trail's who, when and why for the next save or delete of `instance`."""
    instance._history_user = user
    instance._history_date = date
    instance._change_reason = reason
    return instance


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
    expected_version: int | None = None,
) -> Project:
    """Create or update `project` (an unsaved or changed instance) with its lines.

    An existing dossier is saved only if it is still at `expected_version` (the version the
    form was opened with; None skips the check), else StaleProjectError is raised before
    anything is written; it then takes the next version.

    The programme year is created when missing; `new_operator`, when given, is created and
    becomes the dossier's operator. Lines are saved in the given order (their `position`),
    except those marked `unchanged` that keep their position; a line without a nature takes
    its funder's default. A new dossier starts as a brouillon,
    which is recorded in its history; with `submit` it is then filed (brouillon → déposé)
    through the workflow, in the same transaction."""
    creating = project.pk is None
    if not creating:
        # Locked until commit: a concurrent save waits here, then finds the version taken.
        current_version = (
            Project.objects.select_for_update().values_list("version", flat=True).get(pk=project.pk)
        )
        if expected_version is not None and current_version != expected_version:
            raise StaleProjectError(project.pk, expected_version, current_version)
        project.version = current_version + 1

    now = timezone.now()
    reason = CREATE_REASON if creating else UPDATE_REASON

    def stamp(instance):
        return _stamp(instance, user=user, date=now, reason=reason)

    project.year, _ = ProgrammeYear.objects.get_or_create(year=year)
    if new_operator is not None:
        new_operator.full_clean()
        stamp(new_operator).save()
        project.operator = new_operator
    if creating:
        project.status = Status.BROUILLON
    project.full_clean()
    stamp(project).save()
    project.quartiers.set(list(quartiers))

    for line in removed_funding_lines:
        stamp(line).delete()
    for position, line in enumerate(funding_lines):
        if getattr(line, "unchanged", False) and line.position == position:
            continue
        line.project = project
        line.position = position
        if not line.nature:
            line.nature = line.funder.default_nature
        line.full_clean()
        stamp(line).save()

    for indicator in removed_indicators:
        stamp(indicator).delete()
    for indicator in indicators:
        if getattr(indicator, "unchanged", False):
            continue
        indicator.project = project
        indicator.full_clean()
        stamp(indicator).save()

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
