"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against
the live test server; axe-core (npm package, in node_modules/) checks accessibility.

Use the `signed_in` fixture to get a page signed in with a role, and `assert_accessible(page)`
to run axe with the WCAG 2.1 A and AA rules."""

import os
import shutil
from pathlib import Path

import pytest

from contratville import roles
from tests.factories import UserFactory

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM
# calls from it in these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_TESTS = Path(__file__).resolve().parent
ROOT = BROWSER_TESTS.parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "mot-de-passe-navigateur"
ROLE_GROUPS = {"agent": roles.AGENT, "direction": roles.DIRECTION, "comite": roles.COMITE}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Browser tests share the live server's database: they need real transactions, and the
    # reference data of the migrations restored before each test (tests/conftest.py puts it
    # back after the last one). Marked before pytest-django sorts the tests (transactional ones
    # last), so that no ordinary test runs after a flush. `-m "not browser"` leaves them out.
    for item in items:
        if BROWSER_TESTS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


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
    return UserFactory(username=username or role, password=PASSWORD, role=ROLE_GROUPS[role])


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
