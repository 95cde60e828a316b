"""The dossier list's bulk actions served by this app (`/projets/selection/`, POST): move the
dossiers chosen to « en instruction », or export them. The list's bulk form posts here; its
agenda action posts to `/comites/ajout-a-l-ordre-du-jour/` (comites), which reads the selection
the same way (`projects.selection`).

A status move is shown first: how many dossiers will change and which ones the workflow
refuses, with its reason; nothing changes before the confirmation, and then each dossier goes
through `project_change_status`. Permissions are checked here, per action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from contratville.permissions import permission_required

from ..exports import FORMATS, export_projects, file_name
from ..models import Project, Status
from ..selection import Selection, read_selection
from ..selectors import dossiers_for_export, parse_sort
from ..services import change_status_of_many, preview_status_changes, status_label

# The moves a bulk action offers: the status, and the permission it needs.
BULK_MOVES = {"instruction": Status.EN_INSTRUCTION}
BULK_COMMENT = "Changement groupé depuis la liste des dossiers"


def _back_to_the_list(request, selection: Selection):
    for error in selection.errors:
        messages.error(request, error)
    return redirect(selection.list_url)


def _dossiers(selection: Selection) -> tuple[list[Project], list[int]]:
    """The dossiers chosen, in reference order, and the ids ticked that no longer exist."""
    projects = list(selection.projects().select_related("operator").order_by("reference", "year_id"))
    found = {project.pk for project in projects}
    return projects, [pk for pk in selection.ids if pk not in found]


@require_POST
@permission_required("projects.view_project")
def selection_action(request):
    action = request.POST.get("action", "")
    if action == "exporter":
        return _export(request)
    if action in BULK_MOVES:
        return _move(request, BULK_MOVES[action])
    return HttpResponseBadRequest(
        "Action groupée inconnue : rien n'a été fait.", content_type="text/plain; charset=utf-8"
    )


def _export(request):
    if not request.user.has_perm("projects.export_projects"):
        raise PermissionDenied
    export_format = FORMATS.get(request.POST.get("format", "xlsx"))
    if export_format is None:
        return HttpResponseBadRequest(
            f"Format d'export inconnu : les formats possibles sont {', '.join(FORMATS)}.",
            content_type="text/plain; charset=utf-8",
        )
    selection = read_selection(request.POST)
    if not selection.is_valid:
        return _back_to_the_list(request, selection)
    sort, descending = parse_sort(selection.sort)
    content = export_projects(dossiers_for_export(selection.projects(), sort, descending), export_format.key)
    response = HttpResponse(content, content_type=export_format.content_type)
    years = "-".join(str(year) for year in selection.scope.annee) or "toutes-annees"
    label = years if selection.whole_filter else f"selection-{years}"
    response["Content-Disposition"] = (
        f'attachment; filename="{file_name(export_format, label, timezone.localdate())}"'
    )
    return response


def _move(request, to_status: str):
    if not request.user.has_perm("projects.change_project"):
        raise PermissionDenied
    selection = read_selection(request.POST)
    if not selection.is_valid:
        return _back_to_the_list(request, selection)
    projects, missing = _dossiers(selection)
    context = {
        "selection": selection,
        "to_status": to_status,
        "to_label": status_label(to_status),
        "action": request.POST["action"],
        "missing": missing,
    }
    if request.POST.get("confirmer") == "oui":
        result = change_status_of_many(
            projects=projects, to_status=to_status, user=request.user, comment=BULK_COMMENT
        )
        return render(request, "projects/bulk_status_result.html", {**context, "result": result})
    preview = preview_status_changes(projects=projects, to_status=to_status, user=request.user)
    return render(request, "projects/bulk_status_confirm.html", {**context, "preview": preview})
