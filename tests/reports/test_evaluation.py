"""The evaluation of a year, from the comptes-rendus financiers: dossiers justified out of those
programmed, the realisation rate of their charges, beneficiaries in total and in QPV, by pilier
and by quartier, with the year before; in the bilan's JSON (`evaluation`), its page, its PDF,
and on the dashboard; the focus actions' results from their indicators."""

import datetime
from decimal import Decimal

import pytest

from funding.models import CompteRendu
from projects.models import Status
from reports.selectors import bilan_as_json, evaluation
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory, pillar, quartier
from tests.html import element
from tests.reports.bilan_support import html_text

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def programmed(reference, year, status, pillar_code, quartiers=(), report=None):
    project = ProjectFactory(
        reference=reference,
        year=ProgrammeYearFactory(year=year),
        status=status,
        pillar=pillar(pillar_code),
        operator=OperatorFactory(name=f"Porteur {reference}"),
        decision_date=datetime.date(year, 3, 4),
    )
    project.quartiers.set([quartier(code) for code in quartiers])
    if report:
        beneficiaries, qpv, women, men, planned, actual = report
        compte_rendu = CompteRendu.objects.create(
            project=project,
            received_on=datetime.date(year + 1, 5, 2),
            assessment="Menée.",
            beneficiaries=beneficiaries,
            beneficiaries_qpv=qpv,
            women=women,
            men=men,
        )
        compte_rendu.lines.create(account="64", planned=Decimal(planned), actual=Decimal(actual))
        compte_rendu.lines.create(account="74", planned=Decimal("999"), actual=Decimal("999"))  # a produit
    return project


@pytest.fixture
def programme():
    programmed(
        "A",
        2022,
        Status.SOLDE,
        "cohesion_sociale",
        ["QP062008", "QP062011"],
        (100, 80, 60, 40, "1000", "900"),
    )
    programmed("B", 2022, Status.JUSTIFIE, "emploi", ["QP062011"], (50, 20, 10, 40, "2000", "2100.50"))
    programmed("C", 2022, Status.PROGRAMME, "emploi")
    programmed("D", 2022, Status.REFUSE, "emploi")  # not programmed: not expected
    programmed("Z", 2021, Status.SOLDE, "emploi", [], (30, 30, 15, 15, "500", "500"))


def test_the_years_figures_by_pilier_and_quartier_with_the_year_before(programme):
    data = evaluation(2022)
    total = data.total
    assert (total.expected, total.justified, total.justified_percent) == (3, 2, Decimal("66.7"))
    assert (total.planned_charges, total.actual_charges) == (Decimal("3000.00"), Decimal("3000.50"))
    assert total.realisation_percent == Decimal("100.0")
    assert (total.beneficiaries, total.beneficiaries_qpv, total.qpv_percent) == (150, 100, Decimal("66.7"))
    assert (total.women, total.men) == (70, 80)
    emploi = next(p for p in data.pillars if p.code == "emploi")
    assert (emploi.expected, emploi.justified, emploi.actual_charges, emploi.realisation_percent) == (
        2, 1, Decimal("2100.50"), Decimal("105.0")
    )  # fmt: skip
    assert [p.code for p in data.pillars] == ["cohesion_sociale", "cadre_de_vie", "emploi", "pilotage"]
    by_quartier = {q.code: (q.expected, q.beneficiaries, q.beneficiaries_qpv) for q in data.quartiers}
    # A counts in full in both of its quartiers.
    assert by_quartier == {"QP062011": (2, 150, 100), "QP062008": (1, 100, 80)}
    assert (data.previous.total.expected, data.previous.total.beneficiaries) == (1, 30)


def test_the_bilan_json_has_the_evaluation(programme):
    data = bilan_as_json(2022)["evaluation"]
    assert {
        key: data[key] for key in ("expected", "justified", "justified_percent", "realisation_percent")
    } == {
        "expected": 3,
        "justified": 2,
        "justified_percent": "66.7",
        "realisation_percent": "100.0",
    }
    assert (data["planned_charges"], data["actual_charges"]) == ("3000.00", "3000.50")
    assert data["piliers"][2]["code"] == "emploi" and data["piliers"][2]["actual_charges"] == "2100.50"
    assert data["quartiers"][0] == {
        "code": "QP062011", "name": quartier("QP062011").name, "dossiers": 2, "beneficiaries": 150,
        "beneficiaries_qpv": 100,
    }  # fmt: skip
    assert data["previous_year"]["beneficiaries"] == 30


def test_a_year_without_dossiers_has_a_zero_evaluation():
    data = bilan_as_json(2030)["evaluation"]
    assert (data["expected"], data["justified_percent"], data["realisation_percent"], data["quartiers"]) == (
        0, "0.0", None, []
    )  # fmt: skip


def test_the_bilan_page_and_the_dashboard_show_it(programme, client_of, comite, direction):
    page = client_of(comite).get("/bilan/2022/")
    text = html_text(page.content)
    assert "Évaluation : ce que les actions 2022 ont atteint" in text
    assert (
        "2 des 3 dossiers programmés en 2022 sont justifiés par leur compte-rendu financier (66,7 %)" in text
    )
    table = element(page.content, "table", class_="bilan-table--evaluation")
    total = [cell.text for cell in table.elements("tfoot")[0].elements("td")]
    assert total == ["3", "2", f"3{NBSP}000{NBSP}€", f"3{NBSP}001{NBSP}€", f"100{NBSP}%", "150", "100"]

    dashboard = client_of(direction).get("/tableau-de-bord/?annee=2022")
    table = element(dashboard.content, "table", class_="chart-table--evaluation")
    emploi = next(row for row in table.elements("tr") if row.text.startswith("Emploi"))
    assert [cell.text for cell in emploi.elements("td")][3:5] == [f"2{NBSP}100,50{NBSP}€", f"105,0{NBSP}%"]


def test_a_focus_action_shows_its_indicators(client_of, comite):
    project = programmed("F", 2022, Status.JUSTIFIE, "cohesion_sociale")
    project.is_focus, project.focus_order = True, 1
    project.save()
    project.indicators.create(
        label="Aidants formés", unit="personnes", expected=Decimal("40"), achieved=Decimal("42")
    )
    project.indicators.create(label="Pas encore mesuré", expected=Decimal("3"))
    text = html_text(client_of(comite).get("/bilan/2022/").content)
    assert "Aidants formés : 42 personnes (objectif : 40)" in text
    assert "Pas encore mesuré" not in text


def test_the_json_keeps_the_evaluation_in_the_cache_and_a_compte_rendu_renews_it(
    programme, client_of, comite
):
    client = client_of(comite)
    assert client.get("/bilan/2022.json").json()["evaluation"]["beneficiaries"] == 150
    # Served from the cache: no query reads the comptes-rendus the second time.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/bilan/2022.json")
    assert not [q for q in queries.captured_queries if "funding_compterendu" in q["sql"]]
    CompteRendu.objects.filter(project__reference="A").update(beneficiaries=120)
    assert client.get("/bilan/2022.json").json()["evaluation"]["beneficiaries"] == 170
