"""Writing one dossier with its funding lines and indicators, as the dossier form does.

Two people may open the same dossier's form: the save checks, with the dossier's row locked,
that the dossier is still at the version the form was opened with, and refuses it otherwise
(`StaleProjectError`), so that nobody overwrites changes they have not seen. Every row written
is recorded in the audit trail (django-simple-history) with the user and one date for the whole
save, which is how the dossier's journal groups a save's changes into one entry."""

from collections import Counter
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from projects.models import (
    FundingLine,
    Indicator,
    Operator,
    ProgrammeYear,
    Project,
    Quartier,
    Status,
    StatusChange,
)

from .workflow import DECIDE_PERMISSION, project_change_status

CREATE_REASON = "Création du dossier"
UPDATE_REASON = "Modification du dossier"

# The granted amounts of a programmed dossier are what the comité decided: changing them (an
# amount, a granted line's funder or nature, a granted line added or removed) is deciding
# again. One rule for the dossier form and the import.
GRANTED_AMOUNTS_FROZEN = (
    "les montants accordés d'un dossier programmé sont la décision du comité : "
    "seule la direction peut les modifier"
)


def granted_amounts_frozen(*, status: str, may_decide: bool) -> bool:
    """Whether the granted amounts of a dossier at `status` are closed to this user: those of a
    programmed dossier (programmé, justifié, soldé) are, unless the user may decide."""
    return status in Status.programmed() and not may_decide


def granted_amounts(lines: Iterable) -> Counter:
    """What the comité granted on `lines` (funding lines or the import's lines, with their
    nature set): each (funder, nature, amount) granted, a line granted nothing left out."""
    return Counter(
        (line.funder_id, line.nature, line.amount_granted) for line in lines if line.amount_granted
    )


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
    its funder's default. The granted amounts of a programmed dossier change only for a user who
    may decide (`granted_amounts_frozen`), else ValidationError. A new dossier starts as a brouillon,
    which is recorded in its history; with `submit` it is then filed (brouillon → déposé)
    through the workflow, in the same transaction."""
    creating = project.pk is None
    for line in funding_lines:
        if not line.nature:
            line.nature = line.funder.default_nature
    if not creating:
        # Locked until commit: a concurrent save waits here, then finds the version taken.
        current_version, current_status = (
            Project.objects.select_for_update().values_list("version", "status").get(pk=project.pk)
        )
        if expected_version is not None and current_version != expected_version:
            raise StaleProjectError(project.pk, expected_version, current_version)
        if granted_amounts_frozen(
            status=current_status, may_decide=user.has_perm(DECIDE_PERMISSION)
        ) and granted_amounts(FundingLine.objects.filter(project=project)) != granted_amounts(funding_lines):
            raise ValidationError(GRANTED_AMOUNTS_FROZEN[0].upper() + GRANTED_AMOUNTS_FROZEN[1:] + ".")
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
        try:
            # A savepoint: the refusal below leaves the transaction usable for the caller.
            with transaction.atomic():
                stamp(line).delete()
        except ProtectedError as error:
            # A line that another record needs (a payment made or planned on it) stays.
            raise ValidationError(
                f"La ligne « {line.funder} » a des versements enregistrés (prévus, effectués ou annulés) : "
                "elle ne peut être supprimée ; son montant accordé peut être modifié."
            ) from error
    for position, line in enumerate(funding_lines):
        if getattr(line, "unchanged", False) and line.position == position:
            continue
        line.project = project
        line.position = position
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
