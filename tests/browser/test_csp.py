"""The Content-Security-Policy in a real browser: the pages that run JavaScript (the dashboard,
the bilan and its texts' preview with plotly.js, the dossier form, the Django admin) work under
it, and Chromium reports no violation in the console."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, make_user, sign_in
from tests.factories import OperatorFactory, ProjectFactory, UserFactory

# Eight sections; the communes' section has a map and a bar chart (tests/browser/test_dashboard.py).
DASHBOARD_FIGURES = 9


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))
    settings.DEBUG = False


@pytest.fixture
def violations(page):
    """Every console message of Chromium about the Content-Security-Policy, and every script
    error, with the page it came from."""
    seen: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "strict CSP" in message.text:
            seen.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"{page.url}: {error}"))
    return seen


def goto(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.ok, f"{url}: {response.status}"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    return response


def assert_plotly_styled(page):
    """plotly.js's own style sheet comes from our static files, not from an injected <style>."""
    assert page.locator("style").count() == 0
    assert page.evaluate("getComputedStyle(document.querySelector('.modebar')).position") == "absolute"


def test_the_dashboard_and_the_bilan_draw_their_charts_without_violation(page, live_server, demo, violations):
    make_user("direction", username="directrice")
    sign_in(page, live_server, "directrice")

    goto(page, f"{live_server.url}/tableau-de-bord/?annee=2021")
    expect(page.locator(".chart[data-rendered='true']")).to_have_count(DASHBOARD_FIGURES)
    assert_plotly_styled(page)
    # Hover labels are drawn on demand: the droit commun part of the Emploi pilier.
    bar = page.locator("#chart-nature-1 .trace.bars").first.locator(".point").nth(2)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#chart-nature-1 .hoverlayer .hovertext").first).to_be_visible()

    goto(page, f"{live_server.url}/bilan/2021/")
    for slug in ("map", "pillars", "natures"):
        expect(page.locator(f"#graphique-{slug} svg.main-svg").first).to_be_visible()
    assert_plotly_styled(page)

    goto(page, f"{live_server.url}/bilan/2021/textes/")
    page.get_by_role("button", name="Aperçu").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#graphique-pillars svg.main-svg").first).to_be_visible()

    assert violations == []


def test_the_dossier_form_works_without_violation(page, live_server, violations):
    OperatorFactory(name="Centre social Georges Brassens")
    OperatorFactory(name="Maison de quartier du Mont-Liébaut")
    make_user("agent")
    sign_in(page, live_server, "agent")

    goto(page, f"{live_server.url}/projets/nouveau/")
    page.get_by_label("Filtrer la liste des porteurs").fill("mont lie")
    expect(page.locator("#id_operator option")).to_have_count(2)
    page.get_by_label("Pilier").select_option(label="Cohésion sociale")
    total_forms = page.locator('input[name="lignes-TOTAL_FORMS"]')
    expect(total_forms).to_have_value("3")
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(total_forms).to_have_value("4")
    # A refused form comes back with its error summary, still under the policy.
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator("#error-summary")).to_be_visible()

    assert violations == []


def test_the_django_admin_works_without_violation(page, live_server, violations):
    project = ProjectFactory()
    UserFactory(username="administratrice", password=PASSWORD, is_staff=True, is_superuser=True)
    sign_in(page, live_server, "administratrice")

    for path in (
        "/admin/",
        "/admin/projects/project/?status__exact=programme",
        f"/admin/projects/project/{project.pk}/change/",
        # django-simple-history's list of versions.
        f"/admin/projects/project/{project.pk}/history/",
        f"/admin/projects/project/{project.pk}/history/{project.history.first().history_id}/",
        # A dossier is not added in the admin: a year, with its inline and autocomplete, is.
        "/admin/projects/programmeyear/add/",
        "/admin/auth/user/add/",
        "/admin/projects/funder/import/",
    ):
        goto(page, f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()

    # django-import-export's "select all" checkbox: an inline handler, allowed by its hash.
    goto(page, f"{live_server.url}/admin/projects/funder/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    expect(fields.first).to_be_checked()
    page.locator("input.select-toggle").uncheck()
    expect(fields.first).not_to_be_checked()

    assert violations == []
