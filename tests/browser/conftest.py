"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against
the live test server; axe-core (npm package, in node_modules/) checks accessibility.

Use the `signed_in` fixture to get a page signed in with a role, and `assert_accessible(page)`
to run axe with the WCAG 2.1 A and AA rules."""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from contratville import roles
from tests.factories import UserFactory

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM
# calls from it in these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "mot-de-passe-navigateur"
ROLE_GROUPS = {"agent": roles.AGENT, "direction": roles.DIRECTION, "comite": roles.COMITE}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Browser tests share the live server's database: they need real transactions, and the
    # reference data of the migrations restored after each test. Marked before pytest-django
    # sorts the tests (transactional ones last), so that no ordinary test runs after a flush.
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Once Playwright's event loop runs in the test thread, Django hands out new connection
    objects, which lack the migrated data that `serialized_rollback` restores before each test:
    every browser test after the first would start without piliers, thématiques, funders...
    Keep that data on the connection class, where every connection object finds it."""
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last browser test the database is flushed: put the migrated data back, for
    the tests that follow and read it outside a test transaction (module-scoped fixtures)."""
    yield
    if nextitem is not None and "tests/browser/" in str(nextitem.fspath):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is not None:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "accept_downloads": True,
    }


def make_user(role: str, username: str | None = None):
    user = UserFactory(username=username or role, password=PASSWORD)
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return user


def sign_in(page, live_server, username: str):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def signed_in(page, live_server):
    """`signed_in("agent")` → the page, signed in as a new user of that role."""

    def _signed_in(role: str):
        user = make_user(role)
        sign_in(page, live_server, user.username)
        return page

    return _signed_in


def assert_accessible(page, context: str = ""):
    """No WCAG 2.1 A/AA violation found by axe-core on the page as it is now."""
    # Evaluated by the browser's debugging protocol, not as a <script> tag, which the pages'
    # Content-Security-Policy (no inline script) would refuse.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in results["violations"]
    ]
    assert violations == [], f"axe {context or page.url}:\n" + "\n".join(violations)
    return results
