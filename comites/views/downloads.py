"""The documents of a scenario and a séance: the table as XLSX and PDF, the relevé de décisions."""

from django.http import Http404, HttpResponse

from contratville.permissions import permission_required

from .. import documents
from .base import scenario_or_404, seance_or_404

# Documents -------------------------------------------------------------------------------------------


def _download(content: bytes, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


@permission_required("comites.view_scenario")
def scenario_xlsx(request, scenario: int):
    scenario = scenario_or_404(scenario)
    return _download(
        documents.tableau_xlsx(scenario), documents.XLSX_CONTENT_TYPE, documents.filename(scenario, "xlsx")
    )


@permission_required("comites.view_scenario")
def scenario_pdf(request, scenario: int):
    scenario = scenario_or_404(scenario)
    return _download(
        documents.tableau_pdf(scenario), "application/pdf", documents.filename(scenario, "pdf"), inline=True
    )


@permission_required("comites.view_seance")
def seance_decisions_pdf(request, seance: int):
    seance = seance_or_404(seance)
    if not seance.decisions.exists():
        raise Http404("La décision de cette séance n'a pas encore été appliquée.")
    return _download(
        documents.releve_pdf(seance), "application/pdf", documents.releve_filename(seance), inline=True
    )
