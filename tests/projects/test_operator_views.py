"""The porteurs' pages: list with filters and counts, one porteur's dossiers and totals, search."""

import html as htmllib
import re
from decimal import Decimal

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contratville import roles
from projects.models import OperatorKind, Status
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    funder,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def listed_names(response) -> list[str]:
    return [operator.name for operator in response.context["operators"]]


# Permissions.


@pytest.mark.parametrize("url", ["/porteurs/", "/porteurs/recherche/?q=a", "/porteurs/{pk}/"])
def test_the_comite_may_not_see_operators(comite_client, url):
    operator = OperatorFactory()
    assert comite_client.get(url.format(pk=operator.pk)).status_code == 403


@pytest.mark.parametrize("url", ["/porteurs/", "/porteurs/recherche/?q=a", "/porteurs/{pk}/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    operator = OperatorFactory()
    response = client.get(url.format(pk=operator.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize("group", [roles.AGENT, roles.DIRECTION])
def test_agents_and_direction_see_operators(client, user_in, group):
    operator = OperatorFactory()
    client.force_login(user_in(group))
    assert client.get("/porteurs/").status_code == 200
    assert client.get(f"/porteurs/{operator.pk}/").status_code == 200


def test_an_unknown_operator_is_not_found(agent_client):
    assert agent_client.get("/porteurs/999999/").status_code == 404


# The list.


def test_the_list_shows_name_kind_siret_and_counts(agent_client):
    operator = OperatorFactory(name="Ville de Divion", kind=OperatorKind.COMMUNE, siret="73282932000074")
    ProjectFactory(operator=operator, status=Status.PROGRAMME)
    ProjectFactory(operator=operator, status=Status.SOLDE, year=ProgrammeYearFactory(year=2020))
    ProjectFactory(operator=operator, status=Status.REFUSE)
    ProjectFactory(operator=operator, status=Status.DEPOSE)
    OperatorFactory(name="Association sans dossier")

    response = agent_client.get("/porteurs/")
    assert response.status_code == 200
    rows = {operator.name: operator for operator in response.context["operators"]}
    assert (rows["Ville de Divion"].project_count, rows["Ville de Divion"].programmed_count) == (4, 2)
    assert (
        rows["Association sans dossier"].project_count,
        rows["Association sans dossier"].programmed_count,
    ) == (
        0,
        0,
    )
    html = text(response)
    row = re.search(r"Ville de Divion</a></th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["Commune", "73282932000074", "4", "2"]
    assert f'href="/porteurs/{operator.pk}/"' in html


def test_the_list_filters_by_kind_which_may_repeat(agent_client):
    OperatorFactory(name="Association Élan", kind=OperatorKind.ASSOCIATION)
    OperatorFactory(name="Ville de Bruay", kind=OperatorKind.COMMUNE)
    OperatorFactory(name="Pas-de-Calais Habitat", kind=OperatorKind.BAILLEUR)
    response = agent_client.get("/porteurs/?type_porteur=association")
    assert listed_names(response) == ["Association Élan"]
    response = agent_client.get("/porteurs/?type_porteur=association&type_porteur=bailleur")
    assert listed_names(response) == ["Association Élan", "Pas-de-Calais Habitat"]
    assert re.search(
        r'<input type="checkbox" name="type_porteur" value="bailleur"[^>]*checked', text(response)
    )


def test_the_list_searches_the_name_or_the_siret(agent_client):
    OperatorFactory(name="Association Élan", siret="")
    OperatorFactory(name="Ville de Bruay-La-Buissière", siret="73282932000074")
    OperatorFactory(name="Centre social Jacques Prévert")
    assert listed_names(agent_client.get("/porteurs/?q=élan")) == ["Association Élan"]
    assert listed_names(agent_client.get("/porteurs/?q=BRUAY")) == ["Ville de Bruay-La-Buissière"]
    assert listed_names(agent_client.get("/porteurs/?q=732 829")) == ["Ville de Bruay-La-Buissière"]
    assert listed_names(agent_client.get("/porteurs/?q=introuvable")) == []
    assert "Aucun porteur ne correspond" in text(agent_client.get("/porteurs/?q=introuvable"))


def test_the_list_sorts_by_name_or_by_number_of_dossiers(agent_client):
    many = OperatorFactory(name="Bailleur")
    few = OperatorFactory(name="Élan")
    OperatorFactory(name="association")
    OperatorFactory(name="Zèbre")
    for _ in range(3):
        ProjectFactory(operator=many)
    ProjectFactory(operator=few)
    # Names sort the French way: accents and case do not send "Élan" after "Zèbre".
    assert listed_names(agent_client.get("/porteurs/")) == ["association", "Bailleur", "Élan", "Zèbre"]
    assert listed_names(agent_client.get("/porteurs/?tri=-nom")) == [
        "Zèbre",
        "Élan",
        "Bailleur",
        "association",
    ]
    assert listed_names(agent_client.get("/porteurs/?tri=-dossiers")) == [
        "Bailleur",
        "Élan",
        "association",
        "Zèbre",
    ]
    assert listed_names(agent_client.get("/porteurs/?tri=dossiers")) == [
        "association",
        "Zèbre",
        "Élan",
        "Bailleur",
    ]


def test_the_list_is_paginated_by_fifty(agent_client):
    OperatorFactory.create_batch(55)
    first = agent_client.get("/porteurs/")
    assert len(first.context["operators"]) == 50
    assert "Page 1 sur 2" in text(first)
    second = agent_client.get("/porteurs/?page=2")
    assert len(second.context["operators"]) == 5
    assert not set(listed_names(first)) & set(listed_names(second))


def test_pagination_links_keep_the_filters(agent_client):
    OperatorFactory.create_batch(55, kind=OperatorKind.ASSOCIATION)
    response = agent_client.get("/porteurs/?type_porteur=association&tri=-nom")
    assert 'href="?type_porteur=association&amp;tri=-nom&amp;page=2"' in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _operators_with_dossiers(number: int, start: int):
    for index in range(number):
        operator = OperatorFactory(name=f"Porteur {start + index:03d}")
        project = ProjectFactory(operator=operator, status=Status.PROGRAMME)
        FundingLineFactory(project=project)
        ProjectFactory(operator=operator, status=Status.DEPOSE)


def test_the_list_runs_the_same_number_of_queries_for_3_or_30_operators(agent_client):
    _operators_with_dossiers(3, 0)
    few = _queries(agent_client, "/porteurs/?tri=-dossiers")
    _operators_with_dossiers(27, 3)
    many = _queries(agent_client, "/porteurs/?tri=-dossiers")
    assert few == many


# One operator.


@pytest.fixture
def operator_on_two_years():
    operator = OperatorFactory(name="Association Élan", siret="73282932000074")
    older = ProjectFactory(
        operator=operator, year=ProgrammeYearFactory(year=2020), reference="A-1", status=Status.SOLDE
    )
    FundingLineFactory(project=older, amount_requested=Decimal("1000.00"), amount_granted=Decimal("800.50"))
    FundingLineFactory(
        project=older,
        funder=funder("caf"),
        amount_requested=Decimal("500.25"),
        amount_granted=Decimal("500.25"),
    )
    newer = ProjectFactory(
        operator=operator, year=ProgrammeYearFactory(year=2021), reference="B-1", status=Status.PROGRAMME
    )
    FundingLineFactory(project=newer, amount_requested=Decimal("3000.00"), amount_granted=Decimal("2500.00"))
    pending = ProjectFactory(
        operator=operator, year=ProgrammeYearFactory(year=2021), reference="B-2", status=Status.DEPOSE
    )
    FundingLineFactory(project=pending, amount_requested=Decimal("1200.00"), amount_granted=None)
    ProjectFactory(
        operator=operator, year=ProgrammeYearFactory(year=2021), reference="B-3", status=Status.BROUILLON
    )
    # Another operator's dossier counts nowhere here.
    FundingLineFactory(project__year=ProgrammeYearFactory(year=2021), amount_requested=Decimal("99999.00"))
    return operator


def test_the_detail_totals_per_year_and_overall_are_exact(agent_client, operator_on_two_years):
    response = agent_client.get(f"/porteurs/{operator_on_two_years.pk}/")
    years = {year["year"]: year for year in response.context["years"]}
    assert list(years) == [2021, 2020]
    assert (years[2021]["dossiers"], years[2021]["programmed"]) == (3, 1)
    assert (years[2021]["requested"], years[2021]["granted"]) == (Decimal("4200.00"), Decimal("2500.00"))
    assert (years[2020]["dossiers"], years[2020]["programmed"]) == (1, 1)
    assert (years[2020]["requested"], years[2020]["granted"]) == (Decimal("1500.25"), Decimal("1300.75"))
    totals = response.context["totals"]
    assert (totals["dossiers"], totals["programmed"]) == (4, 2)
    assert (totals["requested"], totals["granted"]) == (Decimal("5700.25"), Decimal("3800.75"))

    html = text(response)
    assert '<tr data-year="2020"><th scope="row">2020</th>' in html
    total_row = re.search(r'<tr data-year="total">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', total_row) == [
        "4",
        "2",
        "5\u00a0700,25\u00a0€",
        "3\u00a0800,75\u00a0€",
    ]


def test_the_detail_lists_each_dossier_with_its_amounts_and_links(agent_client, operator_on_two_years):
    response = agent_client.get(f"/porteurs/{operator_on_two_years.pk}/")
    projects = {p.reference: p for year in response.context["years"] for p in year["projects"]}
    assert list(projects) == ["B-1", "B-2", "B-3", "A-1"]
    assert (projects["A-1"].requested, projects["A-1"].granted) == (Decimal("1500.25"), Decimal("1300.75"))
    assert (projects["B-2"].requested, projects["B-2"].granted) == (Decimal("1200.00"), Decimal("0.00"))
    assert (projects["B-3"].requested, projects["B-3"].granted) == (Decimal("0.00"), Decimal("0.00"))
    html = text(response)
    assert f'href="/projets/{projects["A-1"].pk}/"' in html
    assert '<span class="badge badge--solde">Soldé</span>' in html
    assert '<span class="badge badge--depose">Déposé</span>' in html
    assert f'href="/projets/?porteur={operator_on_two_years.pk}">Voir ses dossiers</a>' in html
    assert "73282932000074" in html


def test_the_detail_runs_a_constant_number_of_queries(agent_client):
    operator = OperatorFactory()
    ProjectFactory(operator=operator, year=ProgrammeYearFactory(year=2020))
    few = _queries(agent_client, f"/porteurs/{operator.pk}/")
    for year in (2019, 2020, 2021, 2022):
        for _ in range(5):
            FundingLineFactory.create_batch(
                2, project=ProjectFactory(operator=operator, year=ProgrammeYearFactory(year=year))
            )
    many = _queries(agent_client, f"/porteurs/{operator.pk}/")
    assert few == many


def test_an_operator_without_dossier_has_a_page(agent_client):
    operator = OperatorFactory()
    response = agent_client.get(f"/porteurs/{operator.pk}/")
    assert "n'a encore aucun dossier" in text(response)


# The search for autocompletion.


def test_the_search_returns_matching_operators_as_json(agent_client):
    elan = OperatorFactory(name="Association Élan", kind=OperatorKind.ASSOCIATION)
    bruay = OperatorFactory(name="Ville de Bruay", kind=OperatorKind.COMMUNE, siret="73282932000074")
    OperatorFactory(name="Centre social")
    response = agent_client.get("/porteurs/recherche/?q=ÉLAN")
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [
            {
                "id": elan.pk,
                "name": "Association Élan",
                "kind": "association",
                "kind_label": "Association",
                "siret": "",
            }
        ]
    }
    by_siret = agent_client.get("/porteurs/recherche/?q=73282932").json()["results"]
    assert [result["id"] for result in by_siret] == [bruay.pk]


def test_the_search_returns_at_most_twenty_operators(agent_client):
    OperatorFactory.create_batch(25, name=factory.Sequence(lambda n: f"Maison de quartier {n}"))
    results = agent_client.get("/porteurs/recherche/?q=quartier").json()["results"]
    assert len(results) == 20


def test_an_empty_search_returns_nothing(agent_client):
    OperatorFactory()
    assert agent_client.get("/porteurs/recherche/?q=").json() == {"results": []}
    assert agent_client.get("/porteurs/recherche/").json() == {"results": []}
