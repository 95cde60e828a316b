"""An agent enters a dossier in a real browser: lines added with the button (no reload),
French amounts, an error that keeps what was typed, then the dossier moves on in its workflow."""

import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from projects.models import FundingLine, Pillar, Project, Status
from tests.browser.conftest import assert_accessible, make_user, sign_in
from tests.factories import OperatorFactory


@pytest.fixture(autouse=True)
def reference_data():
    """The migrations' reference data, loaded again when a previous transactional test flushed
    it and the serialized rollback could not restore it (see tests/browser/test_list_export.py;
    this belongs in tests/browser/conftest.py)."""
    if not Pillar.objects.exists():
        import_module("projects.migrations.0002_load_reference_data").load(apps, None)
        import_module("funding.migrations.0002_load_funders").load(apps, None)


def test_an_agent_creates_a_dossier_with_two_lines_then_puts_it_under_instruction(page, live_server):
    OperatorFactory(name="Centre social Georges Brassens")
    OperatorFactory(name="Maison de quartier du Mont-Liébaut")
    make_user("agent")
    sign_in(page, live_server, "agent")

    page.goto(f"{live_server.url}/projets/nouveau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau dossier")
    assert_accessible(page, "formulaire de dossier")

    page.get_by_label("Année de programmation").fill("2024")
    page.get_by_label("Numéro de dossier").fill("2024-101")
    page.get_by_label("Intitulé de l'action").fill("Ateliers numériques au Mont-Liébaut")
    # The filter narrows the long list of operators.
    page.get_by_label("Filtrer la liste des porteurs").fill("mont lie")
    expect(page.locator("#id_operator option")).to_have_count(2)  # the empty choice and the match
    page.get_by_label("Porteur existant").select_option(label="Maison de quartier du Mont-Liébaut")
    # The thématiques are narrowed to the chosen pilier.
    page.get_by_label("Pilier").select_option(label="Cohésion sociale")
    theme_texts = page.locator("#id_theme option").all_inner_texts()
    assert "1.1 Education" in theme_texts and not any(text.startswith("2.1") for text in theme_texts)
    page.get_by_label("Thématique").select_option(label="1.1 Education")
    page.get_by_role("checkbox", name=re.compile("QP062004")).check()
    page.get_by_label("Budget total de l'action").fill("2 234,56")

    # Two more lines, added without reloading the page.
    total_forms = page.locator('input[name="lignes-TOTAL_FORMS"]')
    expect(total_forms).to_have_value("3")
    url_before = page.url
    page.get_by_role("button", name="Ajouter une ligne").click()
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(total_forms).to_have_value("5")
    assert page.url == url_before
    expect(page.get_by_label("Financeur, ligne 5")).to_be_focused()
    page.get_by_label("Financeur, ligne 4").select_option(label="État – ANCT crédits politique de la ville")
    page.get_by_label("Montant demandé, ligne 4").fill("1 234,56")
    page.get_by_label("Montant accordé, ligne 4").fill("1 234,56")
    page.get_by_label("Financeur, ligne 5").select_option(label="CAF")
    page.get_by_label("Montant demandé, ligne 5").fill("12,345,6")

    page.get_by_role("button", name="Enregistrer le brouillon").click()

    # The error is next to its field and in the summary; everything typed is still there.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(
        "Ligne de financement 5, Montant demandé (€) : « 12,345,6 » n'est pas un montant."
    )
    expect(page.locator("#id_lignes-4-amount_requested_error")).to_have_text(
        "« 12,345,6 » n'est pas un montant."
    )
    expect(page.get_by_label("Montant demandé, ligne 5")).to_have_value("12,345,6")
    expect(page.get_by_label("Montant demandé, ligne 4")).to_have_value("1 234,56")
    expect(page.get_by_label("Intitulé de l'action")).to_have_value("Ateliers numériques au Mont-Liébaut")
    expect(page.get_by_role("checkbox", name=re.compile("QP062004"))).to_be_checked()
    assert not Project.objects.exists()
    assert_accessible(page, "formulaire avec une erreur")

    page.get_by_label("Montant demandé, ligne 5").fill("1 000")
    page.get_by_role("button", name="Enregistrer et déposer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ateliers numériques au Mont-Liébaut")
    expect(page.locator("#total-requested")).to_have_text("2\u00a0234,56\u00a0€")
    expect(page.locator(".badge").first).to_have_text("Déposé")
    project = Project.objects.get(year_id=2024, reference="2024-101")
    assert list(
        FundingLine.objects.filter(project=project)
        .order_by("position")
        .values_list("funder__code", "amount_requested", "amount_granted")
    ) == [("anct", Decimal("1234.56"), Decimal("1234.56")), ("caf", Decimal("1000.00"), None)]
    assert_accessible(page, "page du dossier")

    page.get_by_role("button", name="Mettre en instruction").click()

    expect(page.get_by_text("Le dossier 2024-101 est désormais « En instruction ».")).to_be_visible()
    expect(page.locator(".badge").first).to_have_text("En instruction")
    project.refresh_from_db()
    assert project.status == Status.EN_INSTRUCTION
    assert_accessible(page, "page du dossier en instruction")
