"""Writes of the projects app: a dossier's workflow (docs/domain.md §2, statuses in workflow order).

Every status change goes through `project_change_status`, which checks that the move is
allowed, that the user may decide when the move is a decision of the comité, and records a
`StatusChange` in the same transaction, as well as a record of the dossier in its audit trail
(who, the move and its comment as the reason). The move gives the dossier a new version, so
that a dossier form opened before it can no longer be saved over it."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import ProgrammeYear, Project, Status, StatusChange

DECIDE_PERMISSION = "projects.decide_project"

# Where a dossier may go from each status. A refused dossier may be examined again; an
# abandoned or closed one goes nowhere.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.BROUILLON: (Status.DEPOSE, Status.ABANDONNE),
    Status.DEPOSE: (Status.EN_INSTRUCTION, Status.ABANDONNE),
    Status.EN_INSTRUCTION: (Status.PROGRAMME, Status.REFUSE, Status.ABANDONNE),
    Status.PROGRAMME: (Status.JUSTIFIE, Status.ABANDONNE),
    Status.JUSTIFIE: (Status.SOLDE,),
    Status.REFUSE: (Status.EN_INSTRUCTION,),
    Status.ABANDONNE: (),
    Status.SOLDE: (),
}

# The comité's decisions: only a user with `decide_project` makes them, and they carry a date.
DECISIONS: frozenset[str] = frozenset({Status.PROGRAMME, Status.REFUSE})
# The statuses a dossier reaches only by a decision: the decisions and what follows a
# programming. Creating a dossier in one of them (an import does) is deciding it.
DECIDED: frozenset[str] = frozenset({*DECISIONS, *Status.programmed()})

# Conditions that apps above this one set on a move, since projects may not import them
# (docs/architecture.md, "Layers"): the funding app requires a dossier's payments complete before
# `solde`. A guard gets the dossier and raises ValidationError with its French reason; they are
# registered at start-up (AppConfig.ready) and checked on every move of an existing dossier: its
# page, the bulk action, the import.
TRANSITION_GUARDS: dict[str, list[Callable[[Project], None]]] = {}


def register_transition_guard(to_status: str, guard: Callable[[Project], None]) -> None:
    guards = TRANSITION_GUARDS.setdefault(to_status, [])
    if guard not in guards:
        guards.append(guard)


def check_guards(*, project: Project, to_status: str) -> None:
    """ValidationError when a registered condition refuses the move of `project` to `to_status`."""
    for guard in TRANSITION_GUARDS.get(to_status, ()):
        guard(project)


# The verb of the button that moves a dossier to a status.
TRANSITION_LABELS: dict[str, str] = {
    Status.DEPOSE: "Déposer",
    Status.EN_INSTRUCTION: "Mettre en instruction",
    Status.PROGRAMME: "Programmer",
    Status.REFUSE: "Refuser",
    Status.ABANDONNE: "Abandonner",
    Status.JUSTIFIE: "Marquer justifié",
    Status.SOLDE: "Solder",
}
# Going back to instruction after a refusal is a réexamen, not a first instruction.
_SPECIAL_LABELS: dict[tuple[str, str], str] = {(Status.REFUSE, Status.EN_INSTRUCTION): "Réexaminer"}


@dataclass(frozen=True)
class Transition:
    from_status: str
    to_status: str
    label: str

    @property
    def is_decision(self) -> bool:
        return self.to_status in DECISIONS


def transition_label(from_status: str, to_status: str) -> str:
    """The French verb of the action that moves a dossier from one status to another."""
    return _SPECIAL_LABELS.get((from_status, to_status), TRANSITION_LABELS[to_status])


def transitions_from(status: str) -> list[Transition]:
    """Every move allowed from `status`, in workflow order."""
    return [
        Transition(status, target, transition_label(status, target)) for target in ALLOWED_TRANSITIONS[status]
    ]


def transitions_for_user(*, project: Project, user: AbstractBaseUser) -> list[Transition]:
    """The moves `user` may make on `project` now (none without `change_project`)."""
    if not user.has_perm("projects.change_project"):
        return []
    may_decide = user.has_perm(DECIDE_PERMISSION)
    return [t for t in transitions_from(project.status) if may_decide or not t.is_decision]


def status_label(code: str) -> str:
    """The French label of a status code ("programme" → "Programmé")."""
    return str(Status(code).label) if code in Status.values else code


def decision_date_after(
    *, from_status: str, to_status: str, current: date | None, year: ProgrammeYear, chosen: date | None = None
) -> date | None:
    """A dossier's decision date once moved from `from_status` ("" when created) to `to_status`.

    A decision (or a dossier created already decided) takes the comité's date: `chosen`, else the
    year's programming committee, else today. A refusal examined again no longer stands (the
    history keeps it). Any other move keeps the date. Shared by the workflow and the import."""
    if to_status in DECISIONS or (not from_status and to_status in DECIDED):
        return chosen or year.programming_committee_on or timezone.localdate()
    if from_status == Status.REFUSE:
        return None
    return current


def check_transition(*, from_status: str, to_status: str, user: AbstractBaseUser) -> None:
    """Refuse a move as `project_change_status` does: ValidationError when the workflow does not
    allow it, PermissionDenied when it is a decision and `user` may not decide."""
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, ()):
        raise ValidationError(
            "Un dossier au statut « %(from)s » ne peut pas passer au statut « %(to)s ».",
            code="transition_not_allowed",
            params={"from": status_label(from_status), "to": status_label(to_status)},
        )
    if to_status in DECISIONS and not user.has_perm(DECIDE_PERMISSION):
        raise PermissionDenied("Seule la direction peut programmer ou refuser un dossier.")


@transaction.atomic
def project_change_status(
    *,
    project: Project,
    to_status: str,
    user: AbstractBaseUser,
    decision_date: date | None = None,
    comment: str = "",
) -> Project:
    """Move `project` to `to_status` and record who did it.

    Raises ValidationError when the workflow does not allow the move, PermissionDenied when a
    decision (programme, refuse) is asked by a user without `projects.decide_project`.
    A decision takes the comité's date: `decision_date`, else the year's programming committee,
    else today."""
    # Locked, so that two agents clicking at once cannot both move the dossier from the same
    # status.
    locked = Project.objects.select_for_update().select_related("year").get(pk=project.pk)
    from_status = locked.status
    check_transition(from_status=from_status, to_status=to_status, user=user)
    check_guards(project=locked, to_status=to_status)

    locked.decision_date = decision_date_after(
        from_status=from_status,
        to_status=to_status,
        current=locked.decision_date,
        year=locked.year,
        chosen=decision_date,
    )
    locked.status = to_status
    locked.version += 1

    change = StatusChange(
        project=locked, from_status=from_status, to_status=to_status, changed_by=user, comment=comment.strip()
    )
    change.full_clean(exclude=["project"])
    locked._history_user = user
    locked._change_reason = transition_label(from_status, to_status) + (
        f" : {change.comment}" if change.comment else ""
    )
    locked.save(update_fields=["status", "decision_date", "updated_at", "version"])
    change.save()

    # The caller's instance reflects the change too.
    project.status = locked.status
    project.decision_date = locked.decision_date
    project.version = locked.version
    return locked


# Several dossiers at once (the dossier list's bulk action) ---------------------------------


@dataclass
class StatusChanges:
    """What a status change of several dossiers did, or would do: the dossiers moved, and those
    the workflow refuses, each with its reason in French."""

    moved: list[Project] = field(default_factory=list)
    refused: list[tuple[Project, str]] = field(default_factory=list)


def refusal_reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "Vous n'avez pas le droit de faire ce changement."


def preview_status_changes(
    *, projects: Iterable[Project], to_status: str, user: AbstractBaseUser
) -> StatusChanges:
    """Which of `projects` the workflow would move to `to_status` now, and why it would refuse
    the others (the same checks as `project_change_status`); nothing is written."""
    result = StatusChanges()
    for project in projects:
        try:
            check_transition(from_status=project.status, to_status=to_status, user=user)
            check_guards(project=project, to_status=to_status)
        except (ValidationError, PermissionDenied) as error:
            result.refused.append((project, refusal_reason(error)))
        else:
            result.moved.append(project)
    return result


def change_status_of_many(
    *, projects: Iterable[Project], to_status: str, user: AbstractBaseUser, comment: str = ""
) -> StatusChanges:
    """Move each of `projects` to `to_status` through `project_change_status` (its checks, its
    lock, its history), each in its own transaction: a move the workflow refuses is listed with
    its reason, and leaves the others done."""
    result = StatusChanges()
    for project in projects:
        try:
            project_change_status(project=project, to_status=to_status, user=user, comment=comment)
        except (ValidationError, PermissionDenied) as error:
            result.refused.append((project, refusal_reason(error)))
        else:
            result.moved.append(project)
    return result
