"""Moving a dossier through its workflow: one POST per button of the dossier page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from contratville.permissions import permission_required

from ..models import Project, Status
from ..services import project_change_status


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="Nouveau statut", choices=Status.choices)
    decision_date = forms.DateField(label="Date du comité", required=False)
    comment = forms.CharField(label="Commentaire", max_length=255, required=False)


@require_POST
@permission_required("projects.change_project")
def project_transition(request, pk: int):
    project = get_object_or_404(Project, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        details = " ".join(
            f"{form.fields[name].label} : {' '.join(errors)}" for name, errors in form.errors.items()
        )
        messages.error(request, f"Le statut n'a pas été modifié. {details}")
        return redirect("projects:detail", pk=project.pk)
    try:
        # PermissionDenied goes up to the 403 page: the button is not shown to such a user.
        project_change_status(
            project=project,
            to_status=form.cleaned_data["to_status"],
            user=request.user,
            decision_date=form.cleaned_data["decision_date"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Le dossier {project.reference} est désormais « {project.get_status_display()} ».",
        )
    return redirect("projects:detail", pk=project.pk)
