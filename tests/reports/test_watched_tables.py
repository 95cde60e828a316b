"""The data versions' triggers watch every table that the cached figures read.

The tables are not listed here: they are derived from the SQL that the figures actually run
(every `FROM` and `JOIN`), from two sources:
- the figure functions themselves, on a year with data and with every filter of the scope
  (the bilan's figures and its JSON, the dashboard's areas, key figures and filter choices,
  the dossier list's count and totals, the envelopes' use);
- the pages that keep figures in the cache (the dashboard, the dossier list, the bilan JSON),
  counting only the queries run while a value that goes into the cache is computed.

Each table read must have its triggers in the database (`sqlite_master` on SQLite, `pg_trigger`
on PostgreSQL), and the triggers in the database must be exactly those that the reports app's
migrations declare, so that those declarations stay the one place that says what is watched
(docs/architecture.md, "Cross-app links")."""

import importlib
import pkgutil
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

import reports.migrations
from contratville import roles
from funding.models import Envelope
from funding.selectors import envelope_usage
from projects.filters import PARAMETERS, DossierScope, FilterReference, ProjectFilter, parse_filters
from projects.models import FundingLine, Operator, Project, Status
from projects.selectors import funding_totals
from reports import dashboard
from reports.selectors import bilan_as_json, figures_by_year, figures_of_years
from reports.triggers import restore_sqlite_triggers
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

# A table named after FROM or JOIN, quoted (as Django writes it) or not (raw SQL).
TABLE_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)
# The triggers' names: reports_v_<operation>_<table> (migrations reports 0001, 0002).
TRIGGER = re.compile(r"^reports_v_(ins|upd|del|trunc)_")
SHORT = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del"}


def tables_read(queries) -> set[str]:
    """The database tables that these captured queries read (subquery aliases left out)."""
    existing = set(connection.introspection.table_names())
    read = set()
    for query in queries:
        read.update(TABLE_READ.findall(query["sql"]))
    return read & existing


def installed_triggers() -> dict[str, set[str]]:
    """{table: the operations its data-version triggers watch}, as the database holds them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname LIKE 'reports_v_%%'"
            )
        else:
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        rows = cursor.fetchall()
    triggers: dict[str, set[str]] = {}
    for name, table in rows:
        match = TRIGGER.match(name)
        if match:
            triggers.setdefault(table, set()).add(match.group(1))
    return triggers


def declared_triggers() -> dict[str, set[str]]:
    """{table: operations} that the reports migrations declare: a `WATCHED` dict (table →
    (PostgreSQL keys, SQLite keys, operations)), or one `TABLE` with its `OPERATIONS`."""
    declared: dict[str, set[str]] = {}
    for module_info in pkgutil.iter_modules(reports.migrations.__path__):
        module = importlib.import_module(f"reports.migrations.{module_info.name}")
        watched = dict(getattr(module, "WATCHED", {}))
        if hasattr(module, "TABLE"):
            watched[module.TABLE] = (None, None, module.OPERATIONS)
        for table, (_pg, _sqlite, operations) in watched.items():
            declared.setdefault(table, set()).update(SHORT[operation] for operation in operations)
    if connection.vendor == "postgresql":
        # Each watched table also renews the "global" token when truncated.
        for operations in declared.values():
            operations.add("trunc")
    return declared


class ComputingCache:
    """Stands for the figures' cache (contratville.versioning): finds nothing, so every value is
    computed, and notes the queries run between a miss and the `set` that keeps the value
    (values computed inside another one's computation belong to the outer one)."""

    def __init__(self, queries: CaptureQueriesContext):
        self.queries = queries
        self.depth = 0
        self.start = 0
        self.computed: list[dict] = []
        self.values_kept = 0

    def _miss(self):
        if self.depth == 0:
            self.start = len(self.queries.captured_queries)
        self.depth += 1

    def _kept(self, count: int):
        self.depth -= 1
        self.values_kept += count
        if self.depth == 0:
            self.computed.extend(self.queries.captured_queries[self.start :])

    def get(self, key, default=None, version=None):
        self._miss()
        return default

    def get_many(self, keys, version=None):
        self._miss()
        return {}

    def set(self, key, value, timeout=None, version=None):
        self._kept(1)

    def set_many(self, data, timeout=None, version=None):
        self._kept(len(data))
        return []

    def clear(self):
        pass


@pytest.fixture
def programme():
    """Two years with something in every table a figure could read: dossiers with lines of two
    natures and a quartier placed in a commune, a priority thématique, envelopes (one split by
    pilier), a fonds de concours."""
    y2020, y2021 = ProgrammeYearFactory(year=2020), ProgrammeYearFactory(year=2021)
    y2021.priority_themes.add(theme("1.1"))
    operator = OperatorFactory(kind="association")
    project = ProjectFactory(year=y2021, operator=operator, status=Status.PROGRAMME)
    project.quartiers.add(quartier("QP062004"))
    FundingLineFactory(project=project, funder=funder("anct"), amount_requested=Decimal("3000.00"))
    FundingLineFactory(project=project, funder=funder("cabbalr_fcs"), amount_requested=Decimal("500.00"))
    FundingLineFactory(project=project, funder=funder("caf"), amount_requested=Decimal("700.00"))
    FundingLineFactory(project=ProjectFactory(year=y2020, status=Status.SOLDE), funder=funder("region"))
    Envelope.objects.create(funder=funder("anct"), year=y2021, amount=Decimal("5000.00"))
    Envelope.objects.create(
        funder=funder("anct"), year=y2021, pillar=project.pillar, amount=Decimal("4000.00")
    )
    FondsDeConcoursFactory(year=y2021)
    return {"operator": operator, "project": project}


def every_filter(operator: Operator) -> dict[str, list[str]]:
    """A value for every parameter of the dossier list, each one matching the programme."""
    return {
        "annee": ["2021"],
        "pilier": ["cohesion_sociale"],
        "thematique": ["1.1"],
        "statut": [Status.PROGRAMME],
        "type_porteur": ["association"],
        "porteur": [str(operator.pk)],
        "quartier": ["QP062004"],
        "commune": ["62048"],
        "financeur": ["anct"],
        "nature": ["specifique"],
        "q": ["a"],
        "pieces": ["manquantes"],
        "compte_rendu": ["en_retard"],
    }


def as_query(parameters: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in parameters.items():
        query.setlist(name, values)
    return query


def full_scope(operator: Operator) -> DossierScope:
    parsed = parse_filters(every_filter(operator))
    assert parsed.is_valid, parsed.errors
    assert all(getattr(parsed.scope, name) for name in PARAMETERS)
    return parsed.scope


def read_by_the_figure_functions(operator: Operator) -> set[str]:
    read: set[str] = set()
    for scope in (DossierScope(), full_scope(operator)):
        with CaptureQueriesContext(connection) as queries:
            figures = figures_by_year([2020, 2021], scope, with_fonds_de_concours=True)
            assert figures[2021].projects_programmed == 1
            figures_of_years([2021], scope)
            reference = FilterReference()
            quartiers = reference.quartiers
            assert reference.pillars and reference.themes and reference.funders and reference.communes
            years = dashboard.year_options()
            data = dashboard.dashboard(2021, scope, years, quartiers)
            dashboard.key_figures(data, lambda **parameters: "/projets/")
            assert dashboard.areas(2021, scope).communes
        read |= tables_read(queries)

    with CaptureQueriesContext(connection) as queries:
        bilan = bilan_as_json(2021)
        assert bilan["fonds_de_concours"]["items"]
        assert [usage.funder_code for usage in envelope_usage(2021)] == ["anct", "caf", "cabbalr_fcs"]
    read |= tables_read(queries)

    for parameters in ({}, every_filter(operator)):
        with CaptureQueriesContext(connection) as queries:
            filterset = ProjectFilter(as_query(parameters), queryset=Project.objects.all())
            assert filterset.is_valid(), filterset.errors
            assert filterset.qs.count() >= 1
            funding_totals(filterset.scope)
            funding_totals(filterset.scope, lines_in_scope=True)
        read |= tables_read(queries)
    return read


def read_by_the_cached_pages(client, operator: Operator) -> set[str]:
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.DIRECTION))
    client.force_login(user)
    scope_query = as_query(
        {name: every_filter(operator)[name] for name in PARAMETERS if name != "annee"}
    ).urlencode()
    addresses = [
        "/tableau-de-bord/?annee=2021",
        f"/tableau-de-bord/?annee=2021&{scope_query}",
        "/projets/",
        f"/projets/?{as_query(every_filter(operator)).urlencode()}",
        "/bilan/2021.json",
    ]
    read: set[str] = set()
    for address in addresses:
        with CaptureQueriesContext(connection) as queries:
            cache = ComputingCache(queries)
            with mock.patch("contratville.versioning._cache", return_value=cache):
                response = client.get(address)
        assert response.status_code == 200, address
        # The page did keep figures in the cache, and every computation was closed.
        assert cache.values_kept and cache.computed, address
        assert cache.depth == 0
        read |= tables_read(cache.computed)
    return read


def test_the_tables_read_are_found_in_the_sql():
    """The derivation itself: Django's quoted tables, joins and subqueries."""
    lines = FundingLine.objects.filter(project__operator__kind="association", funder__code="anct").order_by()
    dossiers = Project.objects.filter(pk__in=lines.values("project")).order_by()
    queries = [{"sql": str(lines.query)}, {"sql": str(dossiers.query)}]
    assert tables_read(queries) == {
        "funding_fundingline",
        "projects_project",
        "projects_operator",
        "funding_funder",
    }


def test_every_table_the_figures_read_is_watched(client, programme):
    read = read_by_the_figure_functions(programme["operator"]) | read_by_the_cached_pages(
        client, programme["operator"]
    )
    # The derivation found the figures' own tables (a sanity check, not the list).
    assert {"projects_project", "funding_fundingline"} <= read
    triggers = installed_triggers()
    unwatched = sorted(read - set(triggers))
    assert not unwatched, f"tables read by the figures without data-version triggers: {unwatched}"
    for table in read:
        # A row changed or removed changes what was read. A new row too, except a new porteur:
        # it has no dossier yet, and the figures reach porteurs only through their dossiers.
        required = {"upd", "del"} if table == Operator._meta.db_table else {"ins", "upd", "del"}
        if connection.vendor == "postgresql":
            required.add("trunc")
        assert required <= triggers[table], table


def test_the_triggers_in_the_database_are_those_the_migrations_declare():
    declared = declared_triggers()
    assert declared
    assert installed_triggers() == declared


def test_migrate_puts_back_the_triggers_a_sqlite_table_rebuild_lost():
    """SQLite rebuilds a table to alter it (projects 0008 added columns to the porteurs) and the
    copy has no trigger: every `migrate` creates the missing ones (reports/triggers.py).
    PostgreSQL alters tables in place: nothing to restore there."""
    if connection.vendor != "sqlite":
        assert restore_sqlite_triggers() == 0
        return
    with connection.cursor() as cursor:
        for operation in ("upd", "del"):
            cursor.execute(f"DROP TRIGGER reports_v_{operation}_projects_operator")
    assert "projects_operator" not in installed_triggers()
    call_command("migrate", verbosity=0)
    assert installed_triggers() == declared_triggers()
