import pytest
from django.db import connections

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


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin-test", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


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
