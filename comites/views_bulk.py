"""The dossier list's bulk action « Inscrire à l'ordre du jour… » (`/comites/ajout-a-l-ordre-du-jour/`,
POST). The list (projects) posts its selection here, since projects may not know the comités:
the rows ticked, or every dossier of the list's filter, read again by the one definition of the
filters (`projects.selection`, `projects.filters`).

First a confirmation: the séances in preparation, each with how many of the dossiers chosen it
would take; nothing changes before the agent confirms. Then `services.agenda_add_projects`
adds them, and the page lists the dossiers refused with their reasons."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from contratville.permissions import permission_required
from projects.selection import read_selection

from . import selectors, services


@require_POST
@permission_required("projects.view_project", "comites.add_agendaitem")
def agenda_bulk_add(request):
    selection = read_selection(request.POST)
    if not selection.is_valid:
        for error in selection.errors:
            messages.error(request, error)
        return redirect(selection.list_url)
    seances = selectors.seances_for_agenda(selection.projects())
    chosen = request.POST.get("seance", "")
    if len(seances) == 1 and not chosen:
        chosen = str(seances[0][0].pk)
    context = {"selection": selection, "seances": seances, "chosen": chosen, "error": ""}
    if request.POST.get("confirmer") == "oui":
        seance = next((s for s, _count in seances if str(s.pk) == chosen), None)
        if seance is None:
            context["error"] = "Choisissez la séance à l'ordre du jour de laquelle inscrire les dossiers."
        else:
            # The rows ticked as they are (the service says which no longer exist), or the
            # filter's dossiers now.
            ids = (
                selection.ids
                if not selection.whole_filter
                else selection.projects().values_list("pk", flat=True)
            )
            try:
                result = services.agenda_add_projects(seance=seance, project_ids=list(ids), user=request.user)
            except ValidationError as error:
                context["error"] = " ".join(error.messages)
            else:
                return render(
                    request,
                    "comites/agenda_bulk_result.html",
                    {**context, "seance": seance, "result": result},
                )
    return render(request, "comites/agenda_bulk.html", context)
