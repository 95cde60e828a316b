"""The agents' follow-up page (`/suivi/`) and its CSV of the dossiers long in instruction."""

import csv
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from contratville.converters import parse_id
from contratville.permissions import permission_required
from contratville.tabular import formula_safe

from .follow_up import follow_up, instruction_days_default, long_instruction_projects

MAX_DAYS = 3650


@require_safe
@permission_required("projects.view_project", "funding.view_payment", "funding.view_compterendu")
def follow_up_view(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("jours", "")
    days = parse_id(raw) if raw else instruction_days_default()
    error = ""
    if days is None or days > MAX_DAYS:
        error = f"« {raw[:20]} » n'est pas un nombre de jours (entre 0 et {MAX_DAYS})."
        days = instruction_days_default()
    if request.GET.get("format") == "csv":
        return _long_instruction_csv(days)
    return render(
        request,
        "reports/follow_up.html",
        {"data": follow_up(days), "days_error": error},
        status=400 if error else 200,
    )


def _long_instruction_csv(days: int) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["annee", "numero_dossier", "intitule", "porteur", "en_instruction_depuis"])
    for project in long_instruction_projects(days).iterator(chunk_size=2000):
        since = project.since or project.created_at
        writer.writerow(
            [
                project.year_id,
                formula_safe(project.reference),
                formula_safe(project.title),
                formula_safe(project.operator.name),
                timezone.localtime(since).date().isoformat(),
            ]
        )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="instruction-plus-de-{days}-jours.csv"'
    return response
