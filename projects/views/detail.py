"""The dossier page: every field, the funding plan with its totals, the history of its status,
the journal of its changes, and the buttons of the workflow the user may use."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from contratville.permissions import permission_required
from projects.services import transitions_for_user

from ..history import project_journal
from ..selectors import budget_mismatch_message, funding_plan, project_detail_queryset


@permission_required("projects.view_project")
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(project_detail_queryset(), pk=pk)
    plan = funding_plan(project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "plan": plan,
            "budget_warning": budget_mismatch_message(plan),
            "transitions": transitions_for_user(project=project, user=request.user),
            "default_decision_date": project.year.programming_committee_on or timezone.localdate(),
            "history": list(project.status_changes.all()),
            "quartiers": list(project.quartiers.all()),
            "indicators": list(project.indicators.all()),
            "journal": project_journal(project.pk),
        },
    )
