"""The bilan in a real browser, on the demonstration programme: plotly.js (from our static files)
draws its three charts, the PDF link gives the PDF, no request leaves the server, axe finds no
WCAG 2.1 A/AA violation; the direction writes a text, previews, saves; the comité cannot."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import ProgrammeYear
from tests.browser.conftest import assert_accessible, make_user, sign_in


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))
    settings.DEBUG = False


def _watch_outside(page, live_server) -> list[str]:
    outside: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url),
    )
    return outside


def test_the_comite_reads_the_bilan_with_its_charts_and_downloads_the_pdf(page, live_server, demo):
    make_user("comite", username="membre-comite")
    outside = _watch_outside(page, live_server)
    sign_in(page, live_server, "membre-comite")
    page.goto(f"{live_server.url}/bilan/2021/")
    page.wait_for_load_state("networkidle")

    expect(page.get_by_role("heading", level=1)).to_have_text("La mise en œuvre du Contrat de Ville en 2021")
    for slug in ("map", "pillars", "natures"):
        expect(page.locator(f"#graphique-{slug} svg.main-svg").first).to_be_visible()
    expect(page.locator("#graphique-map .choroplethlocation")).to_have_count(100)
    expect(page.get_by_role("link", name="Rédiger les textes")).to_have_count(0)

    # The table of contents leads to its section.
    page.get_by_role("navigation", name="Sommaire").get_by_role("link", name="Perspectives").click()
    assert page.url.endswith("#perspectives")
    assert_accessible(page, "bilan 2021")

    href = page.get_by_role("link", name="Télécharger le PDF").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    assert outside == []

    forbidden = page.goto(f"{live_server.url}/bilan/2021/textes/")
    assert forbidden.status == 403


def test_the_direction_writes_a_text_previews_it_and_saves_it(page, live_server, demo):
    make_user("direction", username="directrice")
    outside = _watch_outside(page, live_server)
    sign_in(page, live_server, "directrice")
    page.goto(f"{live_server.url}/bilan/2021/")
    page.get_by_role("link", name="Rédiger les textes").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Textes du bilan 2021")
    assert_accessible(page, "textes du bilan")

    opinions = "Le conseil citoyen du Mont-Liébaut souligne la qualité des ateliers numériques."
    page.get_by_label("Avis des communes et des conseils citoyens").fill(opinions)
    page.get_by_role("button", name="Aperçu").click()
    page.wait_for_load_state("networkidle")
    preview = page.get_by_role("region", name="Aperçu du bilan avec ces textes (non enregistré)")
    expect(preview.get_by_text(opinions)).to_be_visible()
    expect(preview.locator("#graphique-pillars svg.main-svg").first).to_be_visible()
    assert ProgrammeYear.objects.get(year=2021).opinions_text == ""
    assert_accessible(page, "aperçu du bilan")

    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/bilan/2021/"
    expect(page.get_by_text("Les textes du bilan 2021 sont enregistrés.")).to_be_visible()
    expect(page.locator("#avis").get_by_text(opinions)).to_be_visible()
    assert ProgrammeYear.objects.get(year=2021).opinions_text == opinions
    assert outside == []
