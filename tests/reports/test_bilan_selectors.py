"""The bilan's figures on small, hand-made programmes: definitions of docs/contracts.md §4."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from projects.models import Status
from reports.selectors import bilan_as_json
from tests.factories import (
    FondsDeConcoursFactory,
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    funder,
    pillar,
    theme,
)

pytestmark = pytest.mark.django_db


def test_a_year_with_no_data_gives_zeros():
    data = bilan_as_json(1999)
    assert data["year"] == 1999
    assert (data["projects_filed"], data["projects_programmed"], data["projects_supported_anct"]) == (0, 0, 0)
    assert (data["total"], data["specific_total"], data["specific_percent"]) == ("0.00", "0.00", "0.0")
    assert [p["code"] for p in data["piliers"]] == ["cohesion_sociale", "cadre_de_vie", "emploi", "pilotage"]
    assert all(p["amount"] == "0.00" and p["percent"] == "0.0" for p in data["piliers"])
    assert data["priority_themes_percent"] is None
    assert data["priority_themes_percent_previous_year"] is None
    assert data["fcs"] == {"envelope": "0.00", "projects": 0, "granted": "0.00"}
    assert data["fonds_de_concours"] == {"total": "0.00", "items": []}


def _programme():
    """Three programmed dossiers, one refused, one draft, on two piliers."""
    year = ProgrammeYearFactory(year=2022, fcs_envelope=Decimal("10000.00"))
    year.priority_themes.set([theme("1.1"), theme("2.1")])
    association = OperatorFactory(kind="association")
    commune = OperatorFactory(kind="commune", name="Ville de Béthune")

    a = ProjectFactory(year=year, operator=association, status=Status.SOLDE, theme=theme("1.1"))
    FundingLineFactory(
        project=a, funder=funder("anct"), amount_requested=Decimal("1200"), amount_granted=Decimal("1000.10")
    )
    FundingLineFactory(project=a, funder=funder("caf"), amount_granted=Decimal("500.00"))
    FundingLineFactory(project=a, funder=funder("cabbalr_fcs"), amount_granted=Decimal("300.00"))

    b = ProjectFactory(
        year=year, operator=commune, status=Status.PROGRAMME, pillar=pillar("emploi"), theme=theme("2.2")
    )
    FundingLineFactory(project=b, funder=funder("region"), amount_granted=Decimal("2000.00"))
    # A droit-commun funder whose line is declared spécifique counts as spécifique.
    FundingLineFactory(
        project=b, funder=funder("commune"), nature="specifique", amount_granted=Decimal("199.90")
    )
    FundingLineFactory(
        project=b, funder=funder("anct"), amount_requested=Decimal("100"), amount_granted=Decimal("0")
    )

    c = ProjectFactory(
        year=year, operator=association, status=Status.JUSTIFIE, pillar=pillar("emploi"), theme=theme("2.1")
    )
    FundingLineFactory(project=c, funder=funder("anct"), amount_granted=Decimal("800.00"))
    FundingLineFactory(project=c, funder=funder("fse"), amount_requested=Decimal("50"), amount_granted=None)

    refused = ProjectFactory(year=year, operator=association, status=Status.REFUSE)
    FundingLineFactory(project=refused, funder=funder("anct"), amount_granted=Decimal("9999.00"))
    draft = ProjectFactory(year=year, operator=association, status=Status.BROUILLON)
    FundingLineFactory(project=draft, funder=funder("anct"), amount_granted=Decimal("7777.00"))
    FondsDeConcoursFactory(year=year, amount=Decimal("1234.50"), project_title="Salle", order=1)
    FondsDeConcoursFactory(year=year, amount=Decimal("100.00"), project_title="Aire de jeux", order=2)
    return year


def test_figures_count_only_granted_lines_of_programmed_dossiers():
    _programme()
    data = bilan_as_json(2022)
    assert data["projects_filed"] == 4
    assert data["projects_programmed"] == 3
    assert data["projects_refused"] == 1
    assert data["projects_supported_anct"] == 2  # b's anct line granted 0 does not count
    assert data["total"] == "4800.00"
    assert data["specific_total"] == "2300.00"  # anct 1800.10 + fcs 300 + commune overridden 199.90
    assert data["specific_percent"] == "47.9"
    assert data["associative_projects"] == 2
    cohesion, cadre, emploi, pilotage = data["piliers"]
    assert cohesion == {
        "code": "cohesion_sociale",
        "label": "Cohésion sociale",
        "amount": "1800.10",
        "percent": "37.5",
        "droit_commun": "500.00",
        "specifique": "1300.10",
        "associative_projects": 1,
        "associative_percent": "50.0",
    }
    assert (emploi["amount"], emploi["droit_commun"], emploi["specifique"]) == (
        "2999.90",
        "2000.00",
        "999.90",
    )
    assert (emploi["percent"], emploi["associative_projects"]) == ("62.5", 1)
    assert (cadre["amount"], cadre["percent"], pilotage["amount"]) == ("0.00", "0.0", "0.00")
    # Priority 1.1 and 2.1: a (1800.10) and c (800) out of 4800.
    assert data["priority_themes_percent"] == "54.2"
    assert data["fcs"] == {"envelope": "10000.00", "projects": 1, "granted": "300.00"}
    assert data["fonds_de_concours"]["total"] == "1334.50"
    assert [i["project"] for i in data["fonds_de_concours"]["items"]] == ["Salle", "Aire de jeux"]
    assert data["fonds_de_concours"]["items"][0]["commune"] == "Béthune"


def test_previous_year_priority_share_and_its_absence():
    _programme()
    assert bilan_as_json(2023)["priority_themes_percent_previous_year"] == "54.2"
    assert bilan_as_json(2023)["priority_themes_percent"] is None  # 2023 has no settings
    # A previous year with priority thématiques but no programmation gives null.
    ProgrammeYearFactory(year=2021).priority_themes.set([theme("1.1")])
    assert bilan_as_json(2022)["priority_themes_percent_previous_year"] is None


def test_the_bilan_json_runs_a_constant_number_of_queries(django_assert_max_num_queries):
    _programme()
    with django_assert_max_num_queries(25):
        bilan_as_json(2022)


def test_bilan_command_prints_json(capsys):
    _programme()
    call_command("bilan", "2022", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == "4800.00"


def test_bilan_command_writes_a_file(tmp_path):
    _programme()
    target = tmp_path / "bilan.json"
    call_command("bilan", "2022", "--format", "json", "--output", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["projects_programmed"] == 3
