"""Deciding: two scenarios compared with the programme as it is, and applying the chosen one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from contratville.permissions import permission_required

from .. import selectors, services
from ..models import Opinion
from .base import error_text, scenario_or_404, seance_or_404


@permission_required("comites.view_scenario")
def scenario_compare(request, seance: int):
    seance = seance_or_404(seance)
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
    scenario = scenario_or_404(scenario)
    seance = scenario.seance
    if request.method == "POST":
        try:
            result = services.scenario_apply(scenario=scenario, user=request.user)
        except ValidationError as error:
            messages.error(
                request,
                error_text(error)
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
