"""Creating and editing a dossier with its funding lines and indicators (one form).

A save based on a version of the dossier older than the stored one (someone saved it, moved it
in the workflow or imported it meanwhile) is refused: the form comes back with what the user
typed, what is now stored where it differs, and what was changed since the form was opened.
The form then carries the current version, so that saving it again, having compared, is a
deliberate choice."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format

from contratville.permissions import permission_required
from projects.models import Project
from projects.services import DECIDE_PERMISSION

from ..forms import (
    FUNDING_LINES_PREFIX,
    INDICATORS_PREFIX,
    FundingLineFormSet,
    IndicatorFormSet,
    ProjectForm,
    error_summary,
    kept_and_removed,
    stale_differences,
)
from ..history import last_change, project_journal
from ..selectors import budget_mismatch_message, funding_plan, project_detail_queryset
from ..services import StaleProjectError, granted_amounts_frozen, project_save_with_lines

SUBMIT_ACTION = "deposer"


@permission_required("projects.add_project")
def project_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Project())


@permission_required("projects.change_project")
def project_update(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("year", "operator"), pk=pk)
    return _edit(request, project)


def _edit(request: HttpRequest, project: Project) -> HttpResponse:
    creating = project.pk is None
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, instance=project)
    frozen = not creating and granted_amounts_frozen(
        status=project.status, may_decide=request.user.has_perm(DECIDE_PERMISSION)
    )
    lines = FundingLineFormSet(data, instance=project, prefix=FUNDING_LINES_PREFIX, granted_frozen=frozen)
    indicators = IndicatorFormSet(data, instance=project, prefix=INDICATORS_PREFIX)

    conflict = None
    if data is not None:
        # Every part is validated, so that every error shows at once.
        valid = all([form.is_valid(), lines.is_valid(), indicators.is_valid()])
        if valid:
            try:
                saved = _save(request, form, lines, indicators, creating=creating)
            except StaleProjectError as stale:
                conflict = _conflict(form, lines, stale)
            else:
                if saved is not None:
                    return redirect("projects:detail", pk=saved.pk)
        elif not creating:
            # Invalid, perhaps because the dossier changed meanwhile (its lines replaced by an
            # import...): then the errors come with what changed.
            stale = _stale(form, project)
            if stale is not None:
                conflict = _conflict(form, lines, stale)

    summary = error_summary(form, {"Ligne de financement": lines, "Indicateur": indicators})
    return render(
        request,
        "projects/project_form.html",
        {
            "form": form,
            "lines": lines,
            "line_forms": [*lines.forms, lines.empty_form],
            "indicators": indicators,
            "indicator_forms": [*indicators.forms, indicators.empty_form],
            "project": project,
            "creating": creating,
            "error_summary": summary,
            "submit_action": SUBMIT_ACTION,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


def _save(request, form: ProjectForm, lines, indicators, *, creating: bool) -> Project | None:
    kept_lines, removed_lines = kept_and_removed(lines)
    kept_indicators, removed_indicators = kept_and_removed(indicators)
    submit = creating and request.POST.get("action") == SUBMIT_ACTION
    try:
        project = project_save_with_lines(
            project=form.save(commit=False),
            year=form.cleaned_data["year"],
            user=request.user,
            quartiers=form.cleaned_data["quartiers"],
            funding_lines=kept_lines,
            removed_funding_lines=removed_lines,
            indicators=kept_indicators,
            removed_indicators=removed_indicators,
            new_operator=form.new_operator,
            submit=submit,
            expected_version=None if creating else form.cleaned_data["version"],
        )
    except ValidationError as error:
        # What the form could not foresee (a dossier saved meanwhile with the same number...).
        if hasattr(error, "error_dict"):
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            form.add_error(None, error.messages)
        return None

    if creating:
        done = "créé et déposé" if submit else "enregistré comme brouillon"
        messages.success(request, f"Le dossier {project.reference} a été {done}.")
    else:
        messages.success(request, f"Le dossier {project.reference} a été enregistré.")
    warning = budget_mismatch_message(funding_plan(project_detail_queryset().get(pk=project.pk)))
    if warning:
        messages.warning(request, warning)
    return project


def _stale(form: ProjectForm, project: Project) -> StaleProjectError | None:
    """The refusal a save of this invalid form would also meet, if its version is outdated."""
    opened = form.cleaned_data.get("version")
    if opened is None:
        return None
    current = Project.objects.values_list("version", flat=True).get(pk=project.pk)
    return StaleProjectError(project.pk, opened, current) if current != opened else None


def _conflict(form: ProjectForm, lines, stale: StaleProjectError) -> dict:
    """What the refused form shows: who saved the dossier last and when, the stored values that
    differ from the user's, and the journal since the form was opened. The form is given the
    stored version, so that saving it again replaces the stored values knowingly."""
    current = project_detail_queryset().get(pk=stale.project_id)
    last = last_change(current.pk)
    who = "une autre personne"
    when = ""
    if last is not None:
        if last.history_user is not None:
            who = last.history_user.get_full_name() or last.history_user.get_username()
        when = date_format(timezone.localtime(last.history_date), "j F Y à H:i")
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = str(current.version)
    comparison = stale_differences(form, lines, current)
    return {
        "message": (
            f"Ce dossier a été modifié par {who}{f' le {when}' if when else ''} pendant que vous le modifiiez : "
            "vos changements n'ont pas été enregistrés. Vos valeurs sont conservées dans le formulaire "
            "ci-dessous ; comparez-les aux valeurs actuellement enregistrées. Pour garder les vôtres, "
            "enregistrez à nouveau ; pour repartir de la version actuelle, rechargez le dossier."
        ),
        "who": who,
        "when": when,
        "reason": (last.history_change_reason or "") if last is not None else "",
        "current": current,
        "differences": comparison.differences,
        "current_lines": comparison.current_lines,
        "journal": project_journal(current.pk, after_version=stale.expected_version),
    }
