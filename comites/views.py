"""The comités' pages (/comites/): séances and their agenda, scenarios and their table, the
comparison of two scenarios, applying the decision, the envelopes of a year and the
documents. Views parse input and call the services and selectors; each checks its
permission on the server.

The scenario's table works as a paged form without JavaScript; static/js/scenario-table.js
saves each cell as it is typed (`scenario_cell`, `scenario_opinion`: JSON answers)."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from contratville.permissions import permission_required
from contratville.tabular import parse_amount
from funding.envelope_services import envelope_remove, envelope_set
from funding.models import Envelope
from funding.selectors import envelope_usage
from projects.filters import parse_filters
from projects.models import Funder, Pillar, Project

from . import documents, selectors, services
from .forms import AgendaAddForm, RenameForm, ScenarioNameForm, SeanceForm
from .models import Opinion, Scenario, Seance, SeanceState
from .templatetags.comites_tags import amount_input

YEARS = range(2000, 2101)


def _seance(pk: int) -> Seance:
    return get_object_or_404(Seance.objects.select_related("year"), pk=pk)


def _scenario(pk: int) -> Scenario:
    return get_object_or_404(Scenario.objects.select_related("seance__year", "applied_by"), pk=pk)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


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
    seance = _seance(seance)
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
    seance = _seance(seance)
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
    seance = _seance(seance)
    try:
        services.seance_change_state(seance=seance, state=request.POST.get("state", ""))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"La séance est désormais « {seance.get_state_display().lower()} ».")
    return redirect(seance)


@require_POST
@permission_required("comites.add_agendaitem")
def agenda_add(request, seance: int):
    seance = _seance(seance)
    # Any dossier id is accepted here: the service refuses, with its reason, each one that may
    # not join the agenda (no need to read every eligible dossier of a national year).
    posted = [(int(pk), "") for pk in request.POST.getlist("dossiers") if pk.isdigit()]
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
        messages.error(request, _error_text(error))
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
    seance = _seance(seance)
    project = get_object_or_404(Project, pk=request.POST.get("dossier") or 0)
    try:
        services.agenda_remove_project(seance=seance, project=project)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, f"Le dossier {services.dossier_label(project)} est retiré de l'ordre du jour."
        )
    return redirect(seance)


# Scenarios ----------------------------------------------------------------------------------------


@require_POST
@permission_required("comites.add_scenario")
def scenario_create(request, seance: int):
    seance = _seance(seance)
    form = ScenarioNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Donnez un nom au scénario (120 caractères au plus).")
        return redirect(seance)
    try:
        scenario = services.scenario_create(seance=seance, name=form.cleaned_data["name"], user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(seance)
    messages.success(
        request, f"Le scénario « {scenario.name} » propose pour chaque ligne le montant demandé."
    )
    return redirect(scenario)


def _per_page(request) -> int:
    raw = request.GET.get("par_page", "")
    return int(raw) if raw.isdigit() and int(raw) in selectors.PER_PAGE_CHOICES else selectors.PER_PAGE


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
        if not raw_pk.isdigit():
            continue
        prefix = f"montant-{raw_pk}-"
        amounts = {
            int(key[len(prefix) :]): value
            for key, value in post.items()
            if key.startswith(prefix) and key[len(prefix) :].isdigit()
        }
        version = post.get(f"version-{raw_pk}", "")
        rows.append(
            services.RowInput(
                project_id=int(raw_pk),
                version=int(version) if version.isdigit() else 0,
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
    scenario = _scenario(scenario)
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
            messages.error(request, _error_text(error))
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
    scenario = _scenario(scenario)
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
        return _json_error(_error_text(error), 400)
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
    scenario = _scenario(scenario)
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
        return _json_error(_error_text(error), 400)
    return JsonResponse({"ok": True, "row": selectors.scenario_feedback(scenario, project.pk)})


@require_POST
@permission_required("comites.add_scenario")
def scenario_duplicate(request, scenario: int):
    scenario = _scenario(scenario)
    form = ScenarioNameForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    try:
        copy = services.scenario_duplicate(scenario=scenario, name=name, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(scenario)
    messages.success(
        request, f"Le scénario « {copy.name} » reprend les montants et avis de « {scenario.name} »."
    )
    return redirect(copy)


@require_POST
@permission_required("comites.change_scenario")
def scenario_rename(request, scenario: int):
    scenario = _scenario(scenario)
    form = RenameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Donnez un nom au scénario (120 caractères au plus).")
        return redirect(scenario)
    try:
        services.scenario_rename(
            scenario=scenario, name=form.cleaned_data["name"], version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Le scénario s'appelle désormais « {form.cleaned_data['name'].strip()} ».")
    return redirect(scenario)


@require_POST
@permission_required("comites.change_scenario")
def scenario_refresh(request, scenario: int):
    scenario = _scenario(scenario)
    try:
        changed = services.scenario_refresh(scenario=scenario)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(scenario)
    if changed:
        messages.success(request, "Le scénario est à jour : " + " ".join(changed))
    else:
        messages.info(request, "Le scénario était déjà à jour.")
    return redirect(scenario)


@permission_required("comites.view_scenario")
def scenario_compare(request, seance: int):
    seance = _seance(seance)
    scenarios = list(seance.scenarios.order_by("created_at", "id"))
    chosen = []
    for key in ("a", "b"):
        raw = request.GET.get(key, "")
        match = next((s for s in scenarios if str(s.pk) == raw), None)
        if match is not None and match not in chosen:
            chosen.append(match)
    columns = selectors.compared_figures(seance.year_id, chosen) if chosen else []
    quartiers = []
    if columns:
        for index, area in enumerate(columns[0].areas.quartiers):
            values = [c.areas.quartiers[index] for c in columns]
            if any(v.projects for v in values):
                quartiers.append((area, values))
    funders = []
    if columns:
        codes = list(dict.fromkeys(e.funder_code for c in columns for e in c.envelopes))
        for code in codes:
            lines = [next((e for e in c.envelopes if e.funder_code == code), None) for c in columns]
            known = next(line for line in lines if line is not None)
            funders.append((known.funder_label, known.envelope, lines))
    pillars = []
    if columns:
        for index, pillar in enumerate(columns[0].figures.pillars):
            pillars.append((pillar, [c.figures.pillars[index] for c in columns]))
    return render(
        request,
        "comites/compare.html",
        {
            "seance": seance,
            "scenarios": scenarios,
            "chosen": chosen,
            "columns": columns,
            "funders": funders,
            "pillars": pillars,
            "quartiers": quartiers,
            "selected": [request.GET.get("a", ""), request.GET.get("b", "")],
        },
    )


@permission_required(services.APPLY_PERMISSION, "projects.decide_project")
def scenario_apply(request, scenario: int):
    scenario = _scenario(scenario)
    seance = scenario.seance
    if request.method == "POST":
        try:
            result = services.scenario_apply(scenario=scenario, user=request.user)
        except ValidationError as error:
            messages.error(
                request,
                _error_text(error)
                if not isinstance(error, services.ScenarioChangedError)
                else error.messages[0],
            )
            for difference in getattr(error, "differences", []):
                messages.error(request, difference)
            return redirect("comites:scenario-apply", scenario=scenario.pk)
        messages.success(
            request,
            f"Décision appliquée : {len(result.programmed)} dossier(s) programmé(s), {len(result.refused)} refusé(s), "
            f"{len(result.postponed)} ajourné(s) ; {result.decisions} décision(s) de financeurs enregistrée(s).",
        )
        return redirect(seance)
    table = selectors.scenario_table(scenario, 1, max(1, scenario.opinions.count()))
    counts = {value: 0 for value in Opinion.values}
    for item in table.items:
        if hasattr(item, "cells"):
            counts[item.opinion] += 1
    return render(
        request,
        "comites/apply.html",
        {
            "scenario": scenario,
            "seance": seance,
            "table": table,
            "counts": [(Opinion(value).label, n) for value, n in counts.items()],
            "gauges": selectors.scenario_gauges(scenario),
            "differences": selectors.scenario_differences(scenario),
            "already": seance.scenarios.filter(applied_at__isnull=False).first(),
        },
    )


# Documents -------------------------------------------------------------------------------------------


def _download(content: bytes, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


@permission_required("comites.view_scenario")
def scenario_xlsx(request, scenario: int):
    scenario = _scenario(scenario)
    return _download(
        documents.tableau_xlsx(scenario), documents.XLSX_CONTENT_TYPE, documents.filename(scenario, "xlsx")
    )


@permission_required("comites.view_scenario")
def scenario_pdf(request, scenario: int):
    scenario = _scenario(scenario)
    return _download(
        documents.tableau_pdf(scenario), "application/pdf", documents.filename(scenario, "pdf"), inline=True
    )


@permission_required("comites.view_seance")
def seance_decisions_pdf(request, seance: int):
    seance = _seance(seance)
    if not seance.decisions.exists():
        raise Http404("La décision de cette séance n'a pas encore été appliquée.")
    return _download(
        documents.releve_pdf(seance), "application/pdf", documents.releve_filename(seance), inline=True
    )


# Envelopes ------------------------------------------------------------------------------------------


@permission_required("funding.view_envelope")
def envelopes(request, year: int):
    if year not in YEARS:
        raise Http404("Année hors des limites du programme.")
    funders = list(Funder.objects.filter(is_active=True).order_by("order", "code"))
    pillars = list(Pillar.objects.order_by("order", "code"))
    stored = {(e.funder_id, e.pillar_id): e for e in Envelope.objects.filter(year_id=year)}
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    can_change = request.user.has_perm("funding.change_envelope") and request.user.has_perm(
        "funding.add_envelope"
    )
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        typed = {key: value for key, value in request.POST.items() if key.startswith("enveloppe-")}
        try:
            with transaction.atomic():
                _save_envelopes(request, year, funders, pillars, stored, typed, errors)
                if errors:
                    raise ValidationError("")
        except ValidationError:
            pass
        else:
            messages.success(request, f"Les enveloppes {year} sont enregistrées.")
            return redirect(reverse("comites:envelopes", args=[year]))
    usages = {u.funder_id: u for u in envelope_usage(year, funder_ids={f.pk for f in funders})}
    rows = []
    for f in funders:
        cells = []
        for pillar in [None, *pillars]:
            key = f"enveloppe-{f.pk}-{pillar.pk if pillar else 'total'}"
            envelope = stored.get((f.pk, pillar.pk if pillar else None))
            cells.append(
                {
                    "name": key,
                    "pillar": pillar,
                    "value": typed.get(key) if key in typed else envelope.amount if envelope else None,
                    "typed": key in typed,
                    "error": errors.get(key, ""),
                }
            )
        rows.append({"funder": f, "cells": cells, "usage": usages.get(f.pk)})
    return render(
        request,
        "comites/envelopes.html",
        {"year": year, "rows": rows, "pillars": pillars, "can_change": can_change, "errors": errors},
        status=400 if errors else 200,
    )


def _save_envelopes(request, year, funders, pillars, stored, typed, errors) -> None:
    """Every envelope typed on the page, the whole ones first (a split needs them)."""
    for pillar in [None, *pillars]:
        for f in funders:
            key = f"enveloppe-{f.pk}-{pillar.pk if pillar else 'total'}"
            raw = (typed.get(key) or "").strip()
            envelope = stored.get((f.pk, pillar.pk if pillar else None))
            where = f"{f.label}" + (f", {pillar.label}" if pillar else "")
            if not raw:
                if envelope is not None and pillar is not None:
                    envelope_remove(envelope=envelope, user=request.user)
                continue
            try:
                amount: Decimal = parse_amount(raw)
                envelope_set(funder=f, year=year, amount=amount, pillar=pillar, user=request.user)
            except ValueError as error:
                errors[key] = f"{where} : {error}."
            except ValidationError as error:
                errors[key] = f"{where} : {_error_text(error)}"
    # Whole envelopes emptied last: their split went first.
    for f in funders:
        key = f"enveloppe-{f.pk}-total"
        envelope = stored.get((f.pk, None))
        if envelope is not None and not (typed.get(key) or "").strip() and key not in errors:
            if Envelope.objects.filter(funder=f, year_id=year, pillar__isnull=False).exists():
                errors[key] = f"{f.label} : videz d'abord sa répartition par pilier."
            else:
                envelope_remove(envelope=envelope, user=request.user)
