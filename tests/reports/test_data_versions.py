"""The dashboard's cache (contratville.versioning) is keyed on data versions that database triggers
renew: every kind of write renews the token of the data it changes, and the dashboard never
shows a figure computed before a change. Runs on SQLite (row triggers) and on PostgreSQL
(statement triggers with transition tables) alike."""

import csv
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from contratville.models import DataVersion
from projects.imports.service import COLUMNS, programmation_import
from projects.models import (
    Commune,
    Funder,
    FundingLine,
    Operator,
    Pillar,
    ProgrammeYear,
    Project,
    Status,
)
from projects.services import project_change_status
from reports.selectors import figures as figures_module
from tests.factories import (
    FondsDeConcoursFactory,
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    UserFactory,
    funder,
    quartier,
    theme,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def tokens() -> dict[str, str]:
    return dict(DataVersion.objects.values_list("key", "token"))


def changed(before: dict, after: dict) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


# The triggers ------------------------------------------------------------------------------


# Which tables the triggers watch, derived from the figures' own SQL: test_watched_tables.py.


@pytest.fixture
def two_years():
    y2020, y2021 = ProgrammeYearFactory(year=2020), ProgrammeYearFactory(year=2021)
    operator = OperatorFactory(kind="association")
    old = ProjectFactory(year=y2020, operator=operator)
    new = ProjectFactory(year=y2021, operator=operator)
    other = ProjectFactory(year=ProgrammeYearFactory(year=2019))
    return {"old": old, "new": new, "other": other, "operator": operator}


WRITES = {
    "a dossier saved": (lambda d: d["new"].save(), {"2021"}),
    "a dossier updated in bulk": (
        lambda d: Project.objects.filter(pk=d["new"].pk).update(title="Autre"),
        {"2021"},
    ),
    "a dossier moved to another year": (
        lambda d: Project.objects.filter(pk=d["new"].pk).update(year_id=2020),
        {"2020", "2021"},
    ),
    "a dossier deleted": (lambda d: d["new"].delete(), {"2021"}),
    "a funding line added": (lambda d: FundingLineFactory(project=d["new"]), {"2021"}),
    "funding lines created in bulk": (
        lambda d: FundingLine.objects.bulk_create(
            [FundingLine(project=d["old"], funder=funder("caf"), nature="droit_commun", amount_requested=1)]
        ),
        {"2020"},
    ),
    "a quartier targeted": (lambda d: d["new"].quartiers.add(quartier("QP062008")), {"2021"}),
    "a porteur's type changed": (
        lambda d: Operator.objects.filter(pk=d["operator"].pk).update(kind="commune"),
        {"2020", "2021"},
    ),
    "a year's FCS envelope": (
        lambda d: ProgrammeYear.objects.filter(year=2020).update(fcs_envelope=Decimal("1000.00")),
        {"2020"},
    ),
    "a priority thématique": (
        lambda d: ProgrammeYear.objects.get(year=2021).priority_themes.add(theme("2.1")),
        {"2021"},
    ),
    "a fonds de concours": (
        lambda d: FondsDeConcoursFactory(year=ProgrammeYear.objects.get(year=2020)),
        {"2020"},
    ),
    "a funder's label": (
        lambda d: Funder.objects.filter(code="caf").update(label="CAF du Pas-de-Calais"),
        {"global"},
    ),
    "a pilier's label": (
        lambda d: Pillar.objects.filter(code="emploi").update(label="Emploi et insertion"),
        {"global"},
    ),
    "a quartier's communes": (
        lambda d: quartier("QP062004").communes.add(Commune.objects.get(insee_code="62119")),
        {"global"},
    ),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_renews_the_tokens_of_the_data_it_changes(two_years, name):
    write, keys = WRITES[name]
    before = tokens()
    write(two_years)
    after = tokens()
    assert changed(before, after) == keys
    for key in keys:
        assert len(after[key]) == 32


def test_raw_sql_renews_the_year_of_the_line():
    line = FundingLineFactory(project=ProjectFactory(year=ProgrammeYearFactory(year=2022)))
    before = tokens()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE funding_fundingline SET amount_granted = 5 WHERE id = %s", [line.pk])
    assert changed(before, tokens()) == {"2022"}


def test_a_rolled_back_change_leaves_the_tokens_as_they_were(two_years):
    before = tokens()
    with transaction.atomic():
        Project.objects.filter(pk=two_years["new"].pk).update(title="Annulé")
        assert changed(before, tokens()) == {"2021"}
        transaction.set_rollback(True)
    assert tokens() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_renews_the_global_token(two_years):
    before = tokens()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE funding_fondsdeconcours")
    assert changed(before, tokens()) == {"global"}


# The dashboard never stale ---------------------------------------------------------------


@pytest.fixture
def direction(direction_client):
    """This module's tests read pages: `direction` is the direction's signed-in client."""
    return direction_client


@pytest.fixture
def year_2021():
    year = ProgrammeYearFactory(year=2021)
    project = ProjectFactory(year=year, reference="D-1", operator=OperatorFactory(kind="association"))
    line = FundingLineFactory(project=project, funder=funder("anct"), amount_requested=Decimal("1000.00"))
    ProjectFactory(year=ProgrammeYearFactory(year=2020))
    return {"project": project, "line": line}


def page(client) -> str:
    response = client.get("/tableau-de-bord/?annee=2021")
    assert response.status_code == 200
    return response.content.decode().replace(NBSP, " ")


def queries_of(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get("/tableau-de-bord/?annee=2021")
    return len(queries)


def test_the_second_view_comes_from_the_cache(direction, year_2021):
    cold = queries_of(direction)
    warm = queries_of(direction)
    # Warm: the session, the user, the permissions, the versions, the quartiers and the filters'
    # reference data; none of the figures' queries.
    assert warm < cold
    assert warm <= 9
    assert queries_of(direction) == warm


def key_figures(client) -> dict[str, str]:
    """The key figures of the page just computed (a page from the cache has no context)."""
    response = client.get("/tableau-de-bord/?annee=2021")
    assert "key_figures" in response.context, "page served from the cache"
    return {f.label: f.value for f in response.context["key_figures"]}


def test_an_amount_changed_without_signals_shows_at_once(direction, year_2021):
    assert key_figures(direction)["Total programmé"] == f"1{NBSP}000,00{NBSP}€"
    FundingLine.objects.filter(pk=year_2021["line"].pk).update(amount_granted=Decimal("2345.00"))
    assert key_figures(direction)["Total programmé"] == f"2{NBSP}345,00{NBSP}€"


def test_a_workflow_transition_shows_at_once(direction, year_2021):
    assert key_figures(direction)["Dossiers programmés"] == "1"
    project_change_status(
        project=year_2021["project"], to_status=Status.ABANDONNE, user=UserFactory(is_superuser=True)
    )
    figures = key_figures(direction)
    assert figures["Dossiers programmés"] == "0"
    assert figures["Total programmé"] == f"0,00{NBSP}€"


def test_an_import_shows_at_once(direction, year_2021):
    assert key_figures(direction)["Dossiers programmés"] == "1"
    row = ["2021", "D-IMPORT", "Atelier vélo", "Association Roue libre", "", "association"]
    row += ["cadre_de_vie", "3.1", "QP062008", "programme", "anct", "specifique", "5 000", "4 000"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerow(row)
    result = programmation_import(content=out.getvalue().encode(), filename="import.csv")
    assert result.ok, result.errors
    figures = key_figures(direction)
    assert figures["Dossiers programmés"] == "2"
    assert figures["Total programmé"] == f"5{NBSP}000,00{NBSP}€"


def test_a_porteur_type_changed_shows_at_once(direction, year_2021):
    assert key_figures(direction)["Dossiers associatifs programmés"] == "1"
    Operator.objects.filter(pk=year_2021["project"].operator_id).update(kind="commune")
    assert key_figures(direction)["Dossiers associatifs programmés"] == "0"


def test_a_funder_renamed_shows_at_once(direction, year_2021):
    assert "Renommée pour le test" not in page(direction)
    Funder.objects.filter(code="anct").update(
        label="Renommée pour le test", short_label="Renommée pour le test"
    )
    assert "Renommée pour le test" in page(direction)


def test_only_the_changed_year_and_the_next_are_computed_again(direction, year_2021):
    ProjectFactory(year=ProgrammeYearFactory(year=2019))
    ProjectFactory(year=ProgrammeYearFactory(year=2022))
    page(direction)
    computed = []
    real = figures_module.figures_by_year

    def spy(years, *args, **kwargs):
        computed.append(sorted(years))
        return real(years, *args, **kwargs)

    with mock.patch.object(figures_module, "figures_by_year", spy):
        page(direction)
        assert computed == []  # everything from the cache
        FundingLine.objects.filter(pk=year_2021["line"].pk).update(amount_granted=Decimal("10.00"))
        page(direction)
    # 2021 changed: its figures alone are computed again (2022's priority share compares with
    # 2021's, set from both years' figures at each view).
    assert computed == [[2021]]


def test_a_change_to_the_year_before_shows_in_the_comparison(direction):
    for year in (2020, 2021):
        programme = ProgrammeYearFactory(year=year)
        programme.priority_themes.set([theme("1.1")])
        FundingLineFactory(
            project=ProjectFactory(year=programme, theme=theme("1.1")), amount_requested=Decimal("300.00")
        )

    def priority_share():
        response = direction.get("/tableau-de-bord/?annee=2021")
        figure = next(
            f for f in response.context["key_figures"] if f.label == "Part des thématiques prioritaires"
        )
        return figure.value, figure.previous

    assert priority_share() == (f"100,0{NBSP}%", f"100,0{NBSP}%")
    # A 2020 dossier outside the priority thématiques: 2020's share halves, 2021's stays.
    FundingLineFactory(
        project=ProjectFactory(
            year=ProgrammeYear.objects.get(year=2020),
            pillar=Pillar.objects.get(code="emploi"),
            theme=theme("2.1"),
        ),
        amount_requested=Decimal("300.00"),
    )
    assert priority_share() == (f"100,0{NBSP}%", f"50,0{NBSP}%")


def test_the_bilan_json_is_never_stale(direction, year_2021):
    def total():
        return direction.get("/bilan/2021.json").json()["total"]

    assert total() == "1000.00"
    assert total() == "1000.00"  # from the cache
    FundingLine.objects.filter(pk=year_2021["line"].pk).update(amount_granted=Decimal("2345.00"))
    assert total() == "2345.00"
    # The year before's priority share is part of the bilan: a 2020 change shows too.
    ProgrammeYear.objects.get(year=2021).priority_themes.set([theme("1.1")])
    ProgrammeYear.objects.get(year=2020).priority_themes.set([theme("1.1")])
    assert direction.get("/bilan/2021.json").json()["priority_themes_percent_previous_year"] is None
    FundingLineFactory(project=ProjectFactory(year=ProgrammeYear.objects.get(year=2020), theme=theme("1.1")))
    assert direction.get("/bilan/2021.json").json()["priority_themes_percent_previous_year"] == "100.0"


def test_the_bilan_json_from_the_cache_runs_fewer_queries(direction, year_2021):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert direction.get("/bilan/2021.json").status_code == 200
        return len(captured)

    cold, warm = queries(), queries()
    assert warm < cold
    assert queries() == warm
