"""The séances' pages: their list, creation and editing, a séance with its agenda, its state,
dossiers added to or taken off its agenda."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from contratville.converters import parse_id
from contratville.permissions import permission_required
from projects.filters import parse_filters
from projects.models import Project

from .. import selectors, services
from ..forms import AgendaAddForm, SeanceForm
from ..models import Opinion, SeanceState, dossier_label
from .base import error_text, seance_or_404

# Séances ---------------------------------------------------------------------------------------


@permission_required("comites.view_seance")
def seance_list(request):
    # `?annee=` read as the dossier filters read it (projects.filters): an invalid year is an
    # error, never every séance as if they were filtered.
    parsed = parse_filters({"annee": request.GET.getlist("annee")})
    seances = selectors.seance_list(parsed.scope.annee) if parsed.is_valid else []
    return render(
        request,
        "comites/seance_list.html",
        {"seances": seances, "years": parsed.scope.annee, "filter_errors": parsed.messages},
    )


@permission_required("comites.add_seance")
def seance_create(request):
    form = SeanceForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            seance = services.seance_create(**form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"La séance « {seance.label} » est créée : composez son ordre du jour.")
            return redirect(seance)
    return render(request, "comites/seance_form.html", {"form": form, "seance": None})


@permission_required("comites.change_seance")
def seance_update(request, seance: int):
    seance = seance_or_404(seance)
    initial = {"year": seance.year_id, "date": seance.date, "kind": seance.kind, "title": seance.title}
    form = SeanceForm(request.POST or None, initial=initial)
    form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.seance_update(seance=seance, date=data["date"], kind=data["kind"], title=data["title"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "La séance est modifiée.")
            return redirect(seance)
    return render(request, "comites/seance_form.html", {"form": form, "seance": seance})


@permission_required("comites.view_seance")
def seance_detail(request, seance: int):
    seance = seance_or_404(seance)
    user = request.user
    context = {
        "seance": seance,
        "agenda": selectors.agenda_rows(seance),
        "scenarios": list(
            seance.scenarios.select_related("created_by", "applied_by").order_by("created_at", "id")
        ),
        "state_moves": [SeanceState(s) for s in services.STATE_MOVES[seance.state]],
        "can_change": user.has_perm("comites.change_seance") and seance.state != SeanceState.CLOS,
        "can_add_scenario": user.has_perm("comites.add_scenario") and seance.state != SeanceState.CLOS,
        "has_decisions": seance.decisions.exists(),
        "opinions": Opinion.choices,
    }
    if user.has_perm("comites.add_agendaitem") and seance.state == SeanceState.EN_PREPARATION:
        count, eligible = selectors.eligible_projects(seance)
        context["eligible_count"] = count
        context["agenda_form"] = AgendaAddForm(choices=_choices(eligible))
    return render(request, "comites/seance_detail.html", context)


def _choices(projects) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.reference} — {p.title} ({p.operator.name})") for p in projects]


@require_POST
@permission_required("comites.change_seance")
def seance_state(request, seance: int):
    seance = seance_or_404(seance)
    try:
        services.seance_change_state(seance=seance, state=request.POST.get("state", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"La séance est désormais « {seance.get_state_display().lower()} ».")
    return redirect(seance)


@require_POST
@permission_required("comites.add_agendaitem")
def agenda_add(request, seance: int):
    seance = seance_or_404(seance)
    # Any dossier id is accepted here: the service refuses, with its reason, each one that may
    # not join the agenda (no need to read every eligible dossier of a national year).
    posted = [(pk, "") for pk in map(parse_id, request.POST.getlist("dossiers")) if pk is not None]
    form = AgendaAddForm(request.POST, choices=posted)
    if not form.is_valid():
        messages.error(
            request,
            "Rien n'a été inscrit : " + " ".join(e for errors in form.errors.values() for e in errors),
        )
        return redirect(seance)
    ids = list(form.cleaned_data["dossiers"])
    references = form.references()
    if references:
        found = dict(
            Project.objects.filter(year_id=seance.year_id, reference__in=references).values_list(
                "reference", "pk"
            )
        )
        ids += list(found.values())
        for reference in references:
            if reference not in found:
                messages.error(
                    request, f"Dossier {reference} : aucun dossier {seance.year_id} ne porte ce numéro."
                )
    try:
        result = services.agenda_add_projects(seance=seance, project_ids=ids, user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(seance)
    if result.added:
        n = len(result.added)
        messages.success(
            request, f"{n} dossier{'s' if n > 1 else ''} inscrit{'s' if n > 1 else ''} à l'ordre du jour."
        )
    for label, reason in result.refused:
        messages.error(request, f"Dossier {label} non inscrit : {reason}")
    return redirect(seance)


@require_POST
@permission_required("comites.delete_agendaitem")
def agenda_remove(request, seance: int):
    seance = seance_or_404(seance)
    project = get_object_or_404(Project, pk=request.POST.get("dossier") or 0)
    try:
        services.agenda_remove_project(seance=seance, project=project)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Le dossier {dossier_label(project)} est retiré de l'ordre du jour.")
    return redirect(seance)
