"""Payments in a real browser: an agent sets a two-instalment schedule on a dossier's FCS line,
records the advance as paid, finds the balance in the payments due this month; the dossier is
then soldé once the balance is paid. axe checks each page."""

import datetime
from decimal import Decimal

import pytest

from funding.models import Payment, PaymentState
from funding.payment_selectors import month_bounds
from projects.models import Status
from tests.browser.conftest import assert_accessible
from tests.factories import FundingLineFactory, OperatorFactory, ProgrammeYearFactory, ProjectFactory, funder

NBSP = "\u00a0"


@pytest.fixture
def project(db):
    project = ProjectFactory(
        reference="2021-042",
        title="Accompagnement à la scolarité",
        year=ProgrammeYearFactory(year=2021),
        operator=OperatorFactory(name="Association Élan", kind="association"),
        status=Status.JUSTIFIE,
        decision_date=datetime.date(2021, 3, 4),
    )
    FundingLineFactory(project=project, funder=funder("cabbalr_fcs"), amount_requested=Decimal("3000"),
                       amount_granted=Decimal("3000.00"))  # fmt: skip
    return project


def test_an_agent_schedules_two_instalments_records_them_and_the_dossier_is_solde(
    signed_in, live_server, project
):
    page = signed_in("agent")
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.locator(".dossier-links").get_by_role("link", name="Versements").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Versements du dossier"
    assert_accessible(page, "payments page, no payment")

    end_of_month = month_bounds(datetime.date.today())[1]
    form = page.locator("form", has=page.get_by_role("heading", name="Établir l'échéancier"))
    form.get_by_label("Avance (% du montant accordé)").fill("40")
    form.get_by_label("Date prévue de l'avance (ou du versement unique)").fill("2021-04-01")
    form.get_by_label("Date prévue du solde").fill(end_of_month.isoformat())
    form.get_by_role("button", name="Prévoir les versements").click()
    page.wait_for_load_state("networkidle")
    assert "Échéancier de « Agglomération, Fonds de cohésion sociale » : 2 versement(s) prévu(s)." in (
        page.get_by_role("status").inner_text()
    )
    rows = page.locator(".payments-table tbody tr")
    assert rows.count() == 2
    assert (
        f"1{NBSP}200,00{NBSP}€" in rows.nth(0).inner_text()
        and f"1{NBSP}800,00{NBSP}€" in rows.nth(1).inner_text()
    )
    assert_accessible(page, "payments page, schedule")

    advance = rows.nth(0)
    advance.get_by_label("Versé le").fill("2021-04-02")
    advance.get_by_role("button", name="Enregistrer le versement").click()
    page.wait_for_load_state("networkidle")
    assert "Versement enregistré comme effectué." in page.get_by_role("status").inner_text()
    summary = page.locator(".payment-summary").inner_text()
    assert f"versé 1{NBSP}200,00{NBSP}€" in summary and f"reste à verser 1{NBSP}800,00{NBSP}€" in summary

    # The balance is among the payments due this month.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Versements"
    ).click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Échéance").select_option(label="À verser ce mois-ci")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state("networkidle")
    listed = page.locator(".payments-list tbody tr")
    assert listed.count() == 1 and "2021-042" in listed.inner_text() and "Solde" in listed.inner_text()
    assert_accessible(page, "payments list, due this month")

    # Not soldé before the balance is paid; soldé after.
    balance = Payment.objects.get(state=PaymentState.PREVU)
    page.goto(f"{live_server.url}/projets/{project.pk}/versements/")
    page.locator(f'tr[data-payment="{balance.pk}"]').get_by_label("Versé le").fill(
        datetime.date.today().isoformat()
    )
    page.locator(f'tr[data-payment="{balance.pk}"]').get_by_role(
        "button", name="Enregistrer le versement"
    ).click()
    page.wait_for_load_state("networkidle")
    assert "versé en totalité" in page.locator(".payment-summary").inner_text()
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.get_by_role("button", name="Solder").click()
    page.wait_for_load_state("networkidle")
    project.refresh_from_db()
    assert project.status == Status.SOLDE
