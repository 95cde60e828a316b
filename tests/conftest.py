"""Fixtures for every test: the people of the four roles and their signed-in clients.

`user_in(roles.AGENT, username="camille")` makes a new user in a role's group (other keywords
go to UserFactory; None: no group); `agent`, `direction`, `comite` and `administrator` are one
user of each role, `agent_client`... the test's `client` signed in as that user, and
`client_of(user)` a new client signed in as any user, for a test that needs two people at once.
Outside a test (a module-scoped fixture), `UserFactory(role=...)` does what `user_in` does."""

import pytest
from django.db import connections
from django.test import Client

from contratville import roles
from tests.clamav import clamd_socket  # noqa: F401  (fixture: the tests' own ClamAV daemon)
from tests.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Keep the migrations' reference data restorable after transactional (browser) tests.

    Django keeps the serialized test database on the connection object; once Playwright's
    event loop runs, `connections["default"]` is a new object in that context, which would
    lack it, and `serialized_rollback` would restore nothing. The class attribute is shared."""
    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    yield


def _restores_the_reference_data(item) -> bool:
    """A transactional test with `serialized_rollback` gets the migrations' reference data
    (piliers, funders, groups...) back before it starts, and ends with an empty database
    (pytest-django flushes it, as Django's TransactionTestCase does)."""
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(
        marker.kwargs.get("transaction") and marker.kwargs.get("serialized_rollback")
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a `serialized_rollback` test (browser tests, backups), put the reference data
    back for the test that follows, unless that one restores it itself: pytest-django runs
    transactional tests last, but under xdist a worker may be given an ordinary test after one,
    and a module-scoped fixture reads the database outside any test's transaction.

    Never after the last test (`nextitem` None): the session's fixtures are torn down inside
    this hook's `yield`, so the test databases are destroyed by then and the connections name
    the development database again (db.sqlite3, or DATABASE_URL's): writing there failed with
    "no such table: auth_permission" and would have filled a developer's database."""
    yield
    if nextitem is None or not _restores_the_reference_data(item) or _restores_the_reference_data(nextitem):
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is not None:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def user_in(db):
    """`user_in(role, **fields)` → a new user in the group `role` (a name of contratville.roles)."""

    def _user_in(role: str | None, **fields):
        return UserFactory(role=role, **fields)

    return _user_in


@pytest.fixture
def agent(user_in):
    return user_in(roles.AGENT)


@pytest.fixture
def direction(user_in):
    return user_in(roles.DIRECTION)


@pytest.fixture
def comite(user_in):
    return user_in(roles.COMITE)


@pytest.fixture
def administrator(user_in):
    """A member of the Administrateurs group, neither staff nor superuser (see `admin_user`)."""
    return user_in(roles.ADMINISTRATEUR)


@pytest.fixture
def client_of(db):
    """`client_of(user)` → a new test client signed in as `user`."""

    def _client_of(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client_of


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def direction_client(client, direction):
    client.force_login(direction)
    return client


@pytest.fixture
def comite_client(client, comite):
    client.force_login(comite)
    return client


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin-test", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


# Module-scoped fixtures that take seconds to build: their tests are `slow`, and run in one
# process under xdist (`--dist loadgroup`), so that the fixture is built once, not once per worker.
EXPENSIVE_MODULE_FIXTURES = {
    "pdf_2021": "bilan-pdf-2021",  # tests/reports/test_bilan_pdf.py: the 2021 bilan as a PDF
    "collected_static": "collectstatic",  # tests/test_production_settings.py
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # First: xdist names the groups (a suffix to the test ids) in its own hook.
    for item in items:
        for fixture, group in EXPENSIVE_MODULE_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.slow)
                item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config):
    config.pluginmanager.register(SlowTestsFirst(), "contratville-slow-tests-first")


class SlowTestsFirst:
    """The slow tests and those without a database first, so that the processes of `make test`
    do not end on one of them: pytest-django runs the tests in a transaction, then the
    transactional ones (browser tests, backups), then those without a database; the slow tests
    of the first kind and the tests of the last kind move to the front. Transactional tests stay
    after every test that runs in a transaction (they empty the database)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        first = [
            item
            for item in items
            if not _transactional(item) and (item.get_closest_marker("slow") or not _uses_the_database(item))
        ]
        moved = set(first)
        items[:] = first + [item for item in items if item not in moved]


def _uses_the_database(item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(fixtures & {"db", "transactional_db"})


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(transactional or fixtures & {"transactional_db", "live_server"})


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}"


@pytest.fixture(autouse=True)
def _empty_figures_cache():
    """Each test starts with the dashboard's cache empty, as a new process would: tests read
    the context of the page they asked for, which a page served from the cache does not have.
    That the cache is never stale within a test is what tests/reports/test_data_versions.py
    checks."""
    from contratville import versioning

    versioning.clear()
