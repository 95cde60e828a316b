"""A scenario's pages: its table as a paged form (and, from static/js/scenario-table.js, each
cell and opinion saved as typed, answered in JSON), duplicating, renaming, bringing it up to date."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from contratville.converters import parse_id
from contratville.permissions import permission_required
from projects.models import Project

from .. import selectors, services
from ..forms import RenameForm, ScenarioNameForm
from ..models import Opinion, Scenario, SeanceState
from ..templatetags.comites_tags import amount_input
from .base import error_text, scenario_or_404, seance_or_404

# Scenarios ----------------------------------------------------------------------------------------


@require_POST
@permission_required("comites.add_scenario")
def scenario_create(request, seance: int):
    seance = seance_or_404(seance)
    form = ScenarioNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Donnez un nom au scénario (120 caractères au plus).")
        return redirect(seance)
    try:
        scenario = services.scenario_create(seance=seance, name=form.cleaned_data["name"], user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(seance)
    messages.success(
        request, f"Le scénario « {scenario.name} » propose pour chaque ligne le montant demandé."
    )
    return redirect(scenario)


def _per_page(request) -> int:
    value = parse_id(request.GET.get("par_page", ""))
    return value if value in selectors.PER_PAGE_CHOICES else selectors.PER_PAGE


def _editable(request, scenario: Scenario) -> bool:
    return (
        request.user.has_perm("comites.change_scenario")
        and not scenario.frozen
        and scenario.applied_at is None
        and scenario.seance.state != SeanceState.CLOS
    )


def _rows_from_post(post) -> list[services.RowInput]:
    rows = []
    for raw_pk in post.getlist("dossier"):
        # Ids and versions the database can hold, in ASCII digits ("²" is a digit for isdigit()).
        project_id = parse_id(raw_pk)
        if project_id is None:
            continue
        prefix = f"montant-{raw_pk}-"
        amounts = {}
        for key, value in post.items():
            funder_id = parse_id(key[len(prefix) :]) if key.startswith(prefix) else None
            if funder_id is not None:
                amounts[funder_id] = value
        rows.append(
            services.RowInput(
                project_id=project_id,
                version=parse_id(post.get(f"version-{raw_pk}", "")) or 0,
                amounts=amounts,
                opinion=post.get(f"avis-{raw_pk}", ""),
                comment=post.get(f"commentaire-{raw_pk}", ""),
            )
        )
    return rows


def _mark_errors(table: selectors.ScenarioTable, error: services.RowsError, post) -> list[str]:
    """Put each error next to its row or cell, with what was typed; the summary's lines."""
    summary = []
    for item in table.items:
        if not hasattr(item, "cells"):
            continue
        pk = item.project.pk
        item.opinion = post.get(f"avis-{pk}", item.opinion)
        item.comment = post.get(f"commentaire-{pk}", item.comment)
        for messages_ in error.errors.get(pk, []):
            item.errors.append(messages_)
            summary.append(messages_)
        for cells in item.cells:
            for cell in cells:
                cell.typed = post.get(f"montant-{pk}-{cell.line_id}")
                for message in error.errors.get(("line", cell.line_id), []):
                    cell.error = message
                    summary.append(message)
    return summary


@permission_required("comites.view_scenario")
def scenario_detail(request, scenario: int):
    scenario = scenario_or_404(scenario)
    editable = _editable(request, scenario)
    per_page = _per_page(request)
    page_number = request.GET.get("page", 1)
    errors: list[str] = []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        try:
            result = services.scenario_rows_update(scenario=scenario, rows=_rows_from_post(request.POST))
        except services.RowsError as error:
            table = selectors.scenario_table(scenario, page_number, per_page)
            errors = _mark_errors(table, error, request.POST)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect(request.get_full_path())
        else:
            n = result.saved
            messages.success(
                request,
                f"{n} dossier{'s' if n > 1 else ''} enregistré{'s' if n > 1 else ''}."
                if n
                else "Aucune modification à enregistrer.",
            )
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect(request.get_full_path())
    else:
        table = selectors.scenario_table(scenario, page_number, per_page)
    context = {
        "scenario": scenario,
        "seance": scenario.seance,
        "table": table,
        "gauges": selectors.scenario_gauges(scenario),
        "editable": editable,
        "errors": errors,
        "opinions": Opinion.choices,
        "per_page": per_page,
        "per_page_choices": selectors.PER_PAGE_CHOICES,
        "rename_form": RenameForm(initial={"name": scenario.name, "version": scenario.version}),
        "differences": selectors.scenario_differences(scenario) if editable else [],
        "can_apply": request.user.has_perm(services.APPLY_PERMISSION)
        and request.user.has_perm("projects.decide_project")
        and not scenario.frozen
        and scenario.seance.state == SeanceState.TENU,
        "column_count": len(table.funders) + 5,
    }
    return render(request, "comites/scenario.html", context, status=400 if errors else 200)


def _json_error(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message, **extra}, status=status)


@require_POST
@permission_required("comites.change_scenario")
def scenario_cell(request, scenario: int):
    """One cell saved by the table's script: `ligne`, `montant`, `version` → JSON."""
    scenario = scenario_or_404(scenario)
    line_id, version = request.POST.get("ligne", ""), request.POST.get("version", "")
    if not (line_id.isdigit() and version.isdigit()):
        return _json_error("Requête incomplète : rechargez la page.", 400)
    try:
        result = services.scenario_cell_update(
            scenario=scenario,
            line_id=int(line_id),
            raw_amount=request.POST.get("montant", ""),
            version=int(version),
        )
    except services.StaleRowError as error:
        return _json_error(
            error.messages[0], 409, stale=True, row=selectors.scenario_feedback(scenario, error.project.pk)
        )
    except ValidationError as error:
        return _json_error(error_text(error), 400)
    line = scenario.lines.get(pk=int(line_id))
    return JsonResponse(
        {
            "ok": True,
            "line": line.pk,
            "amount": None if result.amount is None else str(result.amount),
            "amount_text": amount_input(result.amount),
            "warning": result.warning,
            "row": selectors.scenario_feedback(scenario, line.project_id),
        }
    )


@require_POST
@permission_required("comites.change_scenario")
def scenario_opinion(request, scenario: int):
    """A row's opinion and comment saved by the table's script: `dossier`, `avis`,
    `commentaire`, `version` → JSON."""
    scenario = scenario_or_404(scenario)
    project_id, version = request.POST.get("dossier", ""), request.POST.get("version", "")
    if not (project_id.isdigit() and version.isdigit()):
        return _json_error("Requête incomplète : rechargez la page.", 400)
    project = get_object_or_404(Project, pk=int(project_id))
    try:
        services.scenario_opinion_update(
            scenario=scenario,
            project=project,
            opinion=request.POST.get("avis", ""),
            comment=request.POST.get("commentaire", ""),
            version=int(version),
        )
    except services.StaleRowError as error:
        return _json_error(
            error.messages[0], 409, stale=True, row=selectors.scenario_feedback(scenario, project.pk)
        )
    except ValidationError as error:
        return _json_error(error_text(error), 400)
    return JsonResponse({"ok": True, "row": selectors.scenario_feedback(scenario, project.pk)})


@require_POST
@permission_required("comites.add_scenario")
def scenario_duplicate(request, scenario: int):
    scenario = scenario_or_404(scenario)
    form = ScenarioNameForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    try:
        copy = services.scenario_duplicate(scenario=scenario, name=name, user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(scenario)
    messages.success(
        request, f"Le scénario « {copy.name} » reprend les montants et avis de « {scenario.name} »."
    )
    return redirect(copy)


@require_POST
@permission_required("comites.change_scenario")
def scenario_rename(request, scenario: int):
    scenario = scenario_or_404(scenario)
    form = RenameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Donnez un nom au scénario (120 caractères au plus).")
        return redirect(scenario)
    try:
        services.scenario_rename(
            scenario=scenario, name=form.cleaned_data["name"], version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Le scénario s'appelle désormais « {form.cleaned_data['name'].strip()} ».")
    return redirect(scenario)


@require_POST
@permission_required("comites.change_scenario")
def scenario_refresh(request, scenario: int):
    scenario = scenario_or_404(scenario)
    try:
        changed = services.scenario_refresh(scenario=scenario)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(scenario)
    if changed:
        messages.success(request, "Le scénario est à jour : " + " ".join(changed))
    else:
        messages.info(request, "Le scénario était déjà à jour.")
    return redirect(scenario)
