"""The comité's documents: the tableau de programmation as a landscape A4 PDF (read back with
pdftotext) and, once the decision is applied, the relevé de décisions."""

from decimal import Decimal

import pytest

from comites.models import ScenarioLine, SeanceState
from comites.services import (
    scenario_apply,
    scenario_cell_update,
    scenario_opinion_update,
    seance_change_state,
)
from funding.envelope_services import envelope_set
from tests.factories import funder
from tests.reports.bilan_support import pdf_info, pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_tableau_pdf_is_a_landscape_a4_with_every_dossier_and_total(
    scenario, programme, comite, client_of
):
    envelope_set(funder=funder("anct"), year=2021, amount=Decimal("15000"))
    line = ScenarioLine.objects.get(scenario=scenario, project=programme["c"])
    scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount="", version=1)

    response = client_of(comite).get(f"/comites/scenarios/{scenario.pk}/tableau.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    info = pdf_info(response.content)
    assert info["Page size"] == "841.89 x 595.276 pts (A4)"  # landscape
    assert info["Title"] == "Tableau de programmation — Comité de programmation du 4 mars 2021"
    text = pdf_text(response.content)
    assert "Tableau de programmation" in text
    for reference in ("A-1", "B-2", "C-3"):
        assert reference in text
    assert "en attente" in text  # C's region line, left empty
    assert "Sous-total Cohésion sociale (2 dossiers)" in text
    # ANCT: 5 000 engaged + 13 000 proposed for 15 000.
    assert "dépassement de 3 000,00 €" in text
    assert "Total (3 dossiers)" in text
    assert "page 1 / " in text


def test_the_releve_de_decisions_after_the_comite(scenario, programme, direction, comite, client_of):
    line = ScenarioLine.objects.get(scenario=scenario, project=programme["a"], funder__code="anct")
    scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount="8000", version=1)
    scenario_opinion_update(
        scenario=scenario, project=programme["b"], opinion="defavorable", comment="Hors cadre", version=1
    )
    client = client_of(comite)
    url = f"/comites/seances/{scenario.seance_id}/releve-de-decisions.pdf"
    assert client.get(url).status_code == 404  # nothing decided yet

    seance_change_state(seance=scenario.seance, state=SeanceState.TENU)
    scenario_apply(scenario=scenario, user=direction)
    response = client.get(url)

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Relevé de décisions" in text
    assert "A-1 Action A-1" in text and "Programmé" in text
    assert "Refusé" in text and "Hors cadre" in text and "État ANCT : refusé" in text
    assert "État ANCT : accordé 8 000,00 €" in text
    assert "CAF : refusé" in text
    # Granted: A's 8 000 + 2 000 (FCS) and C's 800.
    assert "Total 10 800,00 €" in text
