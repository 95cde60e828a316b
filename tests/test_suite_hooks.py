"""The test suite's own machinery (tests/conftest.py): after transactional tests the reference
data comes back while the test database exists, and never goes to the development database
once the session's test databases are destroyed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

ROOT = Path(settings.BASE_DIR)

# A test database in a file, as on PostgreSQL: once destroyed, a connection opened again goes
# to the development database (SQLite in memory would keep its connection open and hide it).
INNER_SETTINGS = """
from contratville.settings.test import *  # noqa: F403

DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE}  # noqa: F405
"""

INNER_CONFTEST = """
import pytest

pytest_plugins = ["tests.conftest"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # In the order an xdist worker may be given them (pytest-django would run the ordinary
    # test first): an ordinary test after a transactional one, and a transactional one last.
    items.sort(key=lambda item: item.name)
"""

# The roles' groups stand for the reference data that `migrate` makes.
INNER_TESTS = """
import pytest
from django.contrib.auth.models import Group

serialized = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@serialized
def test_1_a_transactional_test_starts_with_the_reference_data():
    assert Group.objects.count() == GROUPS


@pytest.mark.django_db
def test_2_an_ordinary_test_after_it_finds_the_reference_data_again():
    assert Group.objects.count() == GROUPS


@serialized
def test_3_the_last_test_of_the_session_is_transactional():
    assert Group.objects.count() == GROUPS
"""


@pytest.mark.slow
@pytest.mark.django_db
def test_reference_data_comes_back_after_transactional_tests_and_never_reaches_the_development_database(
    tmp_path,
):
    (tmp_path / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = inner_settings\n")
    (tmp_path / "inner_settings.py").write_text(
        INNER_SETTINGS.replace("TEST_DATABASE", repr(str(tmp_path / "test.sqlite3")))
    )
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    groups = Group.objects.count()
    assert groups >= 4
    (tmp_path / "test_inner.py").write_text(INNER_TESTS.replace("GROUPS", str(groups)))
    development_database = tmp_path / "development.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{development_database}",
        "DJANGO_SETTINGS_MODULE": "inner_settings",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # pytest-django only, below
    }

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pytest_django.plugin", "-p", "no:cacheprovider"]
        + ["-v", "test_inner.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "3 passed" in result.stdout and "error" not in result.stdout.lower(), output
    # The session ended on a transactional test: nothing was written after the test database went.
    assert not development_database.exists()
