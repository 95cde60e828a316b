"""Creating and editing a dossier with its funding lines and indicators (one form)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from contratville.permissions import permission_required
from projects.models import Project

from ..forms import (
    FUNDING_LINES_PREFIX,
    INDICATORS_PREFIX,
    FundingLineFormSet,
    IndicatorFormSet,
    ProjectForm,
    error_summary,
    kept_and_removed,
)
from ..project_selectors import budget_mismatch_message, funding_plan, project_detail_queryset
from ..project_services import project_save_with_lines

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
    lines = FundingLineFormSet(data, instance=project, prefix=FUNDING_LINES_PREFIX)
    indicators = IndicatorFormSet(data, instance=project, prefix=INDICATORS_PREFIX)

    if data is not None:
        # Every part is validated, so that every error shows at once.
        valid = all([form.is_valid(), lines.is_valid(), indicators.is_valid()])
        if valid:
            saved = _save(request, form, lines, indicators, creating=creating)
            if saved is not None:
                return redirect("dossiers:detail", pk=saved.pk)

    summary = error_summary(form, {"Ligne de financement": lines, "Indicateur": indicators})
    return render(
        request,
        "funding/project_form.html",
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
        },
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
