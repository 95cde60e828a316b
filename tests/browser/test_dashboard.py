"""The director's dashboard in a real browser, on the demonstration programme: plotly.js (from
our static files) draws every chart, the year and a filter change through the form, a click on
a bar opens the dossiers behind it, no request leaves the server, and axe finds no WCAG 2.1
A/AA violation."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from contratville.formatting import euros
from projects.filters import DossierScope
from reports.selectors import bilan_figures
from tests.browser.conftest import assert_accessible, make_user, sign_in

# Eight sections; the communes' section has a map and a bar chart.
FIGURES = 9


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))
    settings.DEBUG = False


@pytest.fixture
def director(page, live_server, demo):
    """A director signed in, and the list of requests that left the test server."""
    make_user("direction", username="directrice")
    outside = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url),
    )
    sign_in(page, live_server, "directrice")
    return page, outside


def expect_charts_drawn(page):
    expect(page.locator(".chart[data-rendered='true']")).to_have_count(FIGURES)
    expect(page.locator(".js-plotly-plot")).to_have_count(FIGURES)
    # Each chart is an SVG drawn by plotly.js.
    assert page.locator(".js-plotly-plot svg.main-svg").count() >= FIGURES


def total_programmed(page):
    return page.locator(".key-figure").filter(has_text="Total programmé").locator(".key-figure__value")


def test_the_director_changes_year_and_filter_and_sees_the_charts(director, live_server):
    page, outside = director
    assert page.url == f"{live_server.url}/"
    page.get_by_role("link", name="Tableau de bord").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord — programmation 2021")
    expect(total_programmed(page)).to_have_text(euros(bilan_figures(2021).total))
    expect_charts_drawn(page)
    # The map is drawn from our GeoJSON: the agglomeration's hundred communes.
    expect(page.locator("#chart-communes-1 .choroplethlocation")).to_have_count(100)
    assert_accessible(page, "tableau de bord 2021")

    page.get_by_label("Année", exact=True).select_option("2020")
    page.locator("fieldset", has_text="Pilier").get_by_label("Emploi et développement économique").check()
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state("networkidle")

    assert "annee=2020" in page.url and "pilier=emploi" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord — programmation 2020")
    expected = bilan_figures(2020, DossierScope(pilier=("emploi",))).total
    expect(total_programmed(page)).to_have_text(euros(expected))
    expect(page.get_by_text("Filtres appliqués")).to_be_visible()
    expect_charts_drawn(page)
    assert_accessible(page, "tableau de bord 2020, pilier Emploi")
    assert outside == []


def test_a_click_on_a_bar_opens_the_dossiers_behind_it(director, live_server):
    page, outside = director
    page.goto(f"{live_server.url}/tableau-de-bord/?annee=2021")
    expect_charts_drawn(page)
    # The droit commun part of the Emploi pilier, in the stacked chart.
    bar = page.locator("#chart-nature-1 .trace.bars").first.locator(".point").nth(2)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/projets/?*")
    assert "annee=2021" in page.url
    assert "pilier=emploi" in page.url and "nature=droit_commun" in page.url
    expect(page.locator(".summary")).to_contain_text(euros(bilan_figures(2021).pillars[2].droit_commun))
    assert outside == []


def test_the_comite_reads_the_dashboard_without_any_control_to_change_it(page, live_server, demo):
    make_user("comite", username="membre-du-comite")
    sign_in(page, live_server, "membre-du-comite")
    expect_charts_drawn(page)
    expect(page.get_by_role("link", name="Dossiers", exact=True)).to_have_count(0)
    # The only buttons: show the filters, download a chart's image (in French), sign out.
    names = page.get_by_role("button").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('aria-label') || b.innerText.trim())"
    )
    assert set(names) == {"Afficher", "Télécharger le graphique (PNG)", "Se déconnecter"}
    assert_accessible(page, "tableau de bord du comité")
