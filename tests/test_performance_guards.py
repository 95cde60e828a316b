"""Guards of what the national-scale benchmark found (docs/performance.md, bench/run.py).

- The pages that read the most data run the same queries whatever the data's size: the
  dashboard (with and without filters), the dossier list, the bilan's JSON and figures.
- The indexes they rely on are declared on the models and created by a migration.
- `generate_scale_data` leaves fresh planner statistics behind on PostgreSQL.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from contratville import roles
from projects.filters import DossierScope
from projects.models import FundingLine, Project, Status
from projects.scale import generate_scale_data
from reports.selectors import bilan_as_json, figures_by_year
from tests.factories import (
    FondsDeConcoursFactory,
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    funder,
    quartier,
    theme,
)

pytestmark = pytest.mark.django_db

# The indexes of issue 7, by model: what the bilan, the dashboard and the list read.
PERFORMANCE_INDEXES = {
    Project: ["project_list_order_idx", "project_programmed_idx"],
    FundingLine: ["fundingline_project_cover_idx", "fundingline_granted_idx"],
}
# `figures_by_year`: piliers and thématiques, funders, counts, FCS, amounts, envelopes, priority
# thématiques; and the fonds de concours.
FIGURES_QUERIES = 7
# The figures, the year before's, and the envelopes' use (funding.selectors.envelope_usage: funders,
# piliers, envelopes, the year's FCS setting, granted sums).
ENVELOPE_USAGE_QUERIES = 5
# The evaluation: five queries for the year and five for the year before (reports/selectors/evaluation.py).
EVALUATION_QUERIES = 10
BILAN_JSON_QUERIES = FIGURES_QUERIES + 1 + ENVELOPE_USAGE_QUERIES + EVALUATION_QUERIES


def _programme(dossiers: int) -> None:
    """`dossiers` dossiers over two years, of every status, with quartiers and funding lines."""
    for year in (2021, 2022):
        programme_year, _ = Project.year.field.related_model.objects.get_or_create(year=year)
        programme_year.fcs_envelope = Decimal("5000")
        programme_year.save()
        programme_year.priority_themes.set([theme("1.1")])
    FondsDeConcoursFactory(year_id=2022)
    statuses = [Status.PROGRAMME, Status.SOLDE, Status.REFUSE, Status.DEPOSE, Status.JUSTIFIE]
    start = Project.objects.count()
    for index in range(start, start + dossiers):
        project = ProjectFactory(
            year_id=2021 + index % 2,
            operator=OperatorFactory(kind="association" if index % 3 else "commune"),
            status=statuses[index % len(statuses)],
        )
        project.quartiers.set([quartier("QP062008"), quartier("QP062011")][: 1 + index % 2])
        FundingLineFactory(project=project, funder=funder("anct"), amount_granted=Decimal("100"))
        FundingLineFactory(project=project, funder=funder("cabbalr_fcs"), amount_granted=Decimal("10"))
        FundingLineFactory(project=project, funder=funder("caf"), nature="specifique", amount_granted=None)


def _queries(function) -> list[str]:
    """The queries of one call: the fewer of two, so that the session's save (once a minute,
    SESSION_REFRESH_INTERVAL) never counts as the page's."""
    runs = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            function()
        runs.append([query["sql"] for query in queries.captured_queries])
    return min(runs, key=len)


def _at_two_sizes(function) -> tuple[list[str], list[str]]:
    # Enough dossiers for every filter to match some at the small size too.
    _programme(10)
    small = _queries(function)
    _programme(40)
    large = _queries(function)
    return small, large


@pytest.fixture
def direction(client, user_in):
    client.force_login(user_in([roles.DIRECTION, roles.AGENT]))
    return client


def _get(client, url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, url

    return get


@pytest.mark.slow
@pytest.mark.parametrize(
    "url",
    [
        "/tableau-de-bord/?annee=2022",
        "/tableau-de-bord/?annee=2022&pilier=cohesion_sociale&financeur=anct",
        "/tableau-de-bord/?annee=2022&quartier=QP062008&nature=specifique&type_porteur=association",
        "/projets/",
        "/projets/?annee=2022",
        "/projets/?annee=2022&statut=programme&pilier=cohesion_sociale&financeur=anct",
        "/bilan/2022.json",
    ],
)
def test_the_pages_run_the_same_queries_at_any_size(direction, url):
    get = _get(direction, url)
    get()  # the session and the content types
    small, large = _at_two_sizes(get)
    assert len(small) == len(large), "\n".join(large)


@pytest.mark.slow
def test_the_figures_of_every_year_take_a_fixed_number_of_queries():
    small, large = _at_two_sizes(lambda: figures_by_year([2021, 2022], DossierScope(financeur=("anct",))))
    assert len(small) == len(large) == FIGURES_QUERIES
    small, large = _at_two_sizes(lambda: bilan_as_json(2022))
    assert len(small) == len(large) == BILAN_JSON_QUERIES


def test_no_query_groups_by_labels_nor_counts_distinct_dossiers_over_every_line():
    """At 1.4 million funding lines, grouping by text columns and `COUNT(DISTINCT)` over the
    year's lines made the bilan's JSON take seconds (docs/performance.md)."""
    _programme(5)
    for sql in _queries(lambda: figures_by_year([2021, 2022], DossierScope())):
        grouped = sql.partition("GROUP BY")[2]
        assert "label" not in grouped.lower(), sql
        if "COUNT(DISTINCT" in sql:
            # Only over the FCS lines, a few.
            assert '"funder_id" =' in sql and "amount_granted" in sql, sql


def test_the_list_reads_no_identifier_list_for_the_totals_of_every_dossier(direction):
    _programme(3)
    # The first view computes the totals (the next one reads them from the cache).
    with CaptureQueriesContext(connection) as queries:
        _get(direction, "/projets/")()
    sql = [query["sql"] for query in queries.captured_queries]
    totals = [q for q in sql if 'SUM("funding_fundingline"."amount_requested")' in q]
    assert totals and all("IN (SELECT" not in q for q in totals), totals


def _migration_state():
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return loader.project_state()


@pytest.mark.parametrize("model", list(PERFORMANCE_INDEXES), ids=lambda m: m._meta.label)
def test_the_performance_indexes_are_declared_and_migrated(model):
    declared = {index.name: index for index in model._meta.indexes}
    for name in PERFORMANCE_INDEXES[model]:
        assert name in declared, f"{model._meta.label}: index {name} removed from Meta.indexes"
    state = _migration_state().models[model._meta.app_label, model._meta.model_name]
    migrated = {index.name: index for index in state.options.get("indexes", [])}
    for name, index in declared.items():
        assert name in migrated, f"{model._meta.label}: no migration creates the index {name}"
        assert migrated[name].deconstruct() == index.deconstruct(), name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's covering and partial indexes")
def test_the_indexes_exist_in_the_database_as_declared():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [[name for names in PERFORMANCE_INDEXES.values() for name in names]],
        )
        definitions = dict(cursor.fetchall())
    assert (
        "INCLUDE (funder_id, nature, amount_requested, amount_granted)"
        in definitions["fundingline_project_cover_idx"]
    )
    assert "WHERE (amount_granted > (0)::numeric)" in definitions["fundingline_granted_idx"]
    assert "'programme'" in definitions["project_programmed_idx"]
    assert "(year DESC, reference)" in definitions["project_list_order_idx"]


def test_generate_scale_data_refreshes_the_planner_statistics():
    ProgrammeYearFactory(year=2000)  # any reference data is there already; nothing else needed
    with CaptureQueriesContext(connection) as queries:
        generate_scale_data(dossiers_per_year=5, years=1, seed=3)
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("ANALYZE", "VACUUM"))]
    if connection.vendor == "postgresql":
        # In the test's transaction: ANALYZE alone (VACUUM cannot run in a transaction).
        assert len(analyzed) == 1 and analyzed[0].startswith("ANALYZE"), analyzed
        assert '"funding_fundingline"' in analyzed[0]
    else:
        assert analyzed == []


def test_the_quartier_filter_writes_the_same_select_as_django():
    """The list's quartier filter writes its 1,500 options without a template each: the HTML
    must stay Django's own, selected options, escaping and attributes included."""
    from django import forms

    from projects.filters import ManyOptionsSelectMultiple

    choices = [("QP062004", "Centre <Ville> & co"), ("QN06204M", 'Le "Mont"'), (3, "trois")]
    attrs = {"id": "id_quartier", "aria-describedby": "aide", "disabled": False, "required": True}
    for value in ([], ["QN06204M", "3"], None):
        fast = ManyOptionsSelectMultiple(choices=choices, attrs=attrs).render("quartier", value)
        django = forms.SelectMultiple(choices=choices, attrs=attrs).render("quartier", value)
        assert fast == django
    grouped = [("Groupe", [("a", "A")])]
    assert ManyOptionsSelectMultiple(choices=grouped).render("q", ["a"]) == forms.SelectMultiple(
        choices=grouped
    ).render("q", ["a"])


def test_the_lists_quartier_filter_uses_the_fast_select():
    from projects.filters import ManyOptionsSelectMultiple, ProjectFilter

    assert isinstance(ProjectFilter().form.fields["quartier"].widget, ManyOptionsSelectMultiple)


def test_the_dashboards_lists_use_the_fast_select():
    from projects.filters import ManyOptionsSelectMultiple
    from reports.filters import DashboardFilterForm

    for name in ("quartier", "commune", "thematique", "financeur"):
        assert isinstance(DashboardFilterForm.base_fields[name].widget, ManyOptionsSelectMultiple)


def test_the_dashboards_links_are_urlencodes_own():
    """The dashboard writes ~3,500 links to the dossier list from pieces encoded once: each must
    be what `urlencode` writes from the year, the scope with the chart's parameter, and the
    statuses. A chart's parameter narrows the scope's own values; outside them, no link."""
    from urllib.parse import urlencode

    from reports.views_dashboard import dossier_link

    scope = DossierScope(
        pilier=("emploi", "cadre_de_vie"),
        porteur=(12, 7),
        quartier=("QP062004", "Q&A é/1"),
        commune=("62119",),
        financeur=("anct",),
        nature=("specifique",),
        q=("jeunes & co",),
    )
    programmed = [("statut", s) for s in Status.programmed()]
    for link_scope in (scope, DossierScope()):
        link = dossier_link(2024, link_scope)
        cases = [
            ({}, [("annee", "2024"), *link_scope.params(), *programmed]),
            (
                {"pilier": ["cadre_de_vie"]},
                [("annee", "2024"), *link_scope.params(pilier=["cadre_de_vie"]), *programmed],
            ),
            (
                {"quartier": ["Q&A é/1"]},
                [("annee", "2024"), *link_scope.params(quartier=["Q&A é/1"]), *programmed],
            ),
            (
                {"thematique": ["1.1"], "porteur": [7]},
                [("annee", "2024"), *link_scope.params(thematique=["1.1"], porteur=[7]), *programmed],
            ),
            ({"annee": [2023]}, [("annee", "2023"), *link_scope.params(), *programmed]),
            ({"statut": ["refuse"]}, [("annee", "2024"), *link_scope.params(), ("statut", "refuse")]),
            ({"statut": []}, [("annee", "2024"), *link_scope.params()]),
            ({"tri": ["-montant"]}, [("annee", "2024"), *link_scope.params(tri=["-montant"]), *programmed]),
        ]
        for overrides, expected in cases:
            assert link(**overrides) == f"/projets/?{urlencode(expected)}", overrides
    # Outside the scope's values: nothing behind the figure.
    link = dossier_link(2024, scope)
    assert link(pilier=["pilotage"]) == link(porteur=[99]) == link(quartier=["QP062008"]) == ""
    link = dossier_link(2024, DossierScope(statut=("depose", "programme")))
    assert link() == f"/projets/?{urlencode([('annee', '2024'), ('statut', 'programme')])}"
    assert (
        link(statut=[])
        == f"/projets/?{urlencode([('annee', '2024'), ('statut', 'depose'), ('statut', 'programme')])}"
    )
    assert link(statut=["refuse"]) == ""
