"""An agent adds dossiers to a comité's agenda from the dossier list, with the keyboard: ticks
the rows, presses the bulk action, reads the confirmation (how many dossiers the séance takes),
confirms and reads the result; axe finds no WCAG 2.1 A/AA violation on any of these pages."""

import datetime

import pytest
from playwright.sync_api import expect

from comites.models import AgendaItem, SeanceKind
from comites.services import seance_create
from projects.models import Status
from tests.browser.conftest import assert_accessible
from tests.comites.conftest import dossier
from tests.factories import ProgrammeYearFactory


@pytest.fixture
def prepared():
    ProgrammeYearFactory(year=2021)
    projects = {
        "A-1": dossier("A-1", status=Status.DEPOSE),
        "B-2": dossier("B-2", status=Status.EN_INSTRUCTION, pillar_code="emploi", theme_code="2.1"),
        "C-3": dossier("C-3", status=Status.PROGRAMME),
    }
    seance = seance_create(year=2021, date=datetime.date(2021, 3, 4), kind=SeanceKind.COMITE_PROGRAMMATION)
    return {"projects": projects, "seance": seance}


def tab_to(page, locator, limit: int = 200) -> None:
    """Press Tab until `locator` has the focus (as a keyboard user moves through the page)."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} never reached with Tab")


def test_an_agent_adds_dossiers_to_a_seances_agenda_with_the_keyboard(signed_in, live_server, prepared):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/?annee=2021")
    assert_accessible(page, "liste des dossiers et actions groupées")

    # Into the table from the page's top, then tick two rows with the space bar.
    first = page.get_by_label("Choisir le dossier A-1")
    tab_to(page, first)
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    second = page.get_by_label("Choisir le dossier B-2")
    tab_to(page, second)
    page.keyboard.press("Space")
    expect(page.locator("#action-groupee-compte")).to_have_text("2\u00a0dossiers cochés")
    expect(page.get_by_label("Choisir le dossier C-3")).not_to_be_checked()

    button = page.get_by_role("button", name="Inscrire à l'ordre du jour…")
    tab_to(page, button)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Inscrire les 2 dossiers cochés à l'ordre du jour d'une séance"
    )
    # Nothing changed yet; the only séance in preparation is chosen, with what it takes.
    assert not AgendaItem.objects.exists()
    choice = page.get_by_label("Comité de programmation du 4 mars 2021", exact=False)
    expect(choice).to_be_checked()
    expect(page.locator("label", has=choice)).to_contain_text("2 dossiers sur 2 y seront inscrits")
    assert_accessible(page, "confirmation de l'inscription")

    confirm = page.get_by_role("button", name="Inscrire les dossiers à l'ordre du jour")
    tab_to(page, confirm)
    page.keyboard.press("Enter")

    expect(page.locator(".message--success")).to_have_text(
        "2 dossiers inscrits à l'ordre du jour de la séance « Comité de programmation du 4 mars 2021 »."
    )
    assert_accessible(page, "résultat de l'inscription")
    assert sorted(
        AgendaItem.objects.filter(seance=prepared["seance"]).values_list("project__reference", flat=True)
    ) == ["A-1", "B-2"]

    # The séance's page shows them on its agenda.
    page.get_by_role("link", name="Voir la séance et son ordre du jour").click()
    expect(page.get_by_text("A-1", exact=False).first).to_be_visible()


def test_the_status_move_confirmation_is_accessible_and_ticking_the_page_works(
    signed_in, live_server, prepared
):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/?annee=2021")
    every_row = page.get_by_label("Cocher tous les dossiers de la page")
    tab_to(page, every_row)
    page.keyboard.press("Space")
    expect(page.locator("#action-groupee-compte")).to_have_text("3\u00a0dossiers cochés")
    button = page.get_by_role("button", name="Passer en instruction…")
    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Passer les 3 dossiers cochés au statut « En instruction »"
    )
    expect(page.locator("#resume-titre + p")).to_contain_text(
        "1 dossier passera au statut « En instruction »"
    )
    assert_accessible(page, "confirmation du passage en instruction")
