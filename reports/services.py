"""Writes of the reports app: the bilan's narrative parts, written by the direction.

Each save is recorded in the audit trail of the programme year and of the focus dossiers, with
the user who wrote it."""

import logging

from django.db import transaction
from django.db.models import Max

from projects.models import ProgrammeYear, Project

logger = logging.getLogger(__name__)

FOCUS_FIELDS = ["focus_order", "partner", "focus_description", "focus_results", "focus_objective"]
HISTORY_REASON = "Textes du bilan"


def _stamp(instance, user):
    """Who wrote the bilan, for the audit trail (the request's user is not known outside a view)."""
    if user is not None:
        instance._history_user = user
    instance._change_reason = HISTORY_REASON
    return instance


def _next_version(project: Project, fields: list[str]) -> bool:
    """Gives `project` its next version if any of `fields` differs from what is stored, read
    with the row locked: a dossier form opened before this save can then no longer overwrite
    the focus fields (the intervenant is in both). False when nothing changes."""
    stored = Project.objects.select_for_update().values(*fields, "version").get(pk=project.pk)
    if all(getattr(project, name) == stored[name] for name in fields):
        return False
    project.version = stored["version"] + 1
    return True


@transaction.atomic
def bilan_texts_update(
    *,
    year: int,
    texts: dict[str, str],
    focus: list[tuple[Project, bool]] = (),
    add_focus: Project | None = None,
    user=None,
) -> ProgrammeYear:
    """Save the year's texts, its focus actions (each already carrying its edited fields, with
    whether to remove it from the bilan), and a new focus action. Creates the year if needed."""
    programme_year, _ = ProgrammeYear.objects.select_for_update().get_or_create(year=year)
    for name, value in texts.items():
        setattr(programme_year, name, value)
    programme_year.full_clean()
    _stamp(programme_year, user).save()

    for project, remove in focus:
        if project.year_id != year or not project.is_focus:
            raise ValueError(f"Le dossier {project.pk} n'est pas une action « focus » de {year}.")
        if remove:
            project.is_focus = False
            project.focus_order = None
        project.full_clean()
        if _next_version(project, [*FOCUS_FIELDS, "is_focus"]):
            _stamp(project, user).save(update_fields=[*FOCUS_FIELDS, "is_focus", "updated_at", "version"])

    if add_focus is not None:
        if add_focus.year_id != year or not add_focus.is_programmed:
            raise ValueError(f"Le dossier {add_focus.pk} n'est pas un dossier programmé de {year}.")
        last = Project.objects.for_year(year).filter(is_focus=True).aggregate(n=Max("focus_order"))["n"]
        add_focus.is_focus = True
        add_focus.focus_order = (last or 0) + 1
        _next_version(add_focus, ["is_focus", "focus_order"])
        _stamp(add_focus, user).save(update_fields=["is_focus", "focus_order", "updated_at", "version"])

    logger.info("Textes du bilan %s enregistrés par %s", year, getattr(user, "username", "?"))
    return programme_year
