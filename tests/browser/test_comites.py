"""The comité in the browser: the direction types amounts in the scenario's table with the
keyboard and sees the envelopes' gauges move, compares two scenarios, applies one; axe finds
no WCAG 2.1 A/AA violation on the comités' pages."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comites.models import ScenarioLine, SeanceKind, SeanceState
from comites.services import agenda_add_projects, scenario_create, seance_change_state, seance_create
from funding.envelope_services import envelope_set
from projects.models import FundingLine, Project
from tests.browser.conftest import assert_accessible
from tests.comites.conftest import dossier
from tests.factories import ProgrammeYearFactory, funder


@pytest.fixture
def prepared():
    ProgrammeYearFactory(year=2021)
    done = dossier("P-0", status="programme", lines=(("anct", "5000.00"),))
    done.funding_lines.update(amount_granted=Decimal("5000.00"))
    projects = [
        dossier("A-1", lines=(("anct", "10000.00"), ("cabbalr_fcs", "2000.00")), quartiers=("QP062004",)),
        dossier(
            "B-2", pillar_code="emploi", theme_code="2.1", lines=(("anct", "3000.00"), ("caf", "1500.00"))
        ),
        dossier("C-3", lines=(("anct", "800.00"),)),
    ]
    envelope_set(funder=funder("anct"), year=2021, amount=Decimal("20000"))
    seance = seance_create(year=2021, date=datetime.date(2021, 3, 4), kind=SeanceKind.COMITE_PROGRAMMATION)
    agenda_add_projects(seance=seance, project_ids=[p.pk for p in projects])
    first = scenario_create(seance=seance, name="Hypothèse haute")
    second = scenario_create(seance=seance, name="Hypothèse basse")
    return {"seance": seance, "first": first, "second": second, "projects": projects}


def test_the_direction_types_amounts_and_sees_the_gauges_move(signed_in, live_server, prepared):
    page = signed_in("direction")
    scenario, (a, _b, c) = prepared["first"], prepared["projects"]
    page.goto(f"{live_server.url}/comites/scenarios/{scenario.pk}/")
    assert_accessible(page, "tableau du scénario")
    anct = page.locator('[data-gauge="anct"]')
    # 5 000 engaged + 13 800 proposed, for 20 000.
    expect(anct.locator("[data-gauge-status]")).to_have_text(
        "Reste 1\u00a0200,00\u00a0€ sur 20\u00a0000,00\u00a0€."
    )

    a_anct = ScenarioLine.objects.get(scenario=scenario, project=a, funder__code="anct")
    cell = page.get_by_label("Montant proposé au dossier A-1 par État – ANCT crédits politique de la ville")
    cell.fill("16 500")
    cell.press("Enter")
    # Entrée saves and moves to the next dossier's ANCT cell.
    expect(
        page.get_by_label("Montant proposé au dossier C-3 par État – ANCT crédits politique de la ville")
    ).to_be_focused()
    expect(anct.locator("[data-gauge-status]")).to_contain_text(
        "Dépassement de l'enveloppe de 5\u00a0300,00\u00a0€"
    )
    expect(anct).to_have_class(re.compile("gauge--over"))
    expect(cell).to_have_value("16\u00a0500,00")
    expect(page.locator(f"#montant-{a_anct.pk}-aide")).to_contain_text("au-dessus du montant demandé")
    a_anct.refresh_from_db()
    assert a_anct.proposed == Decimal("16500.00")

    # The opinion: B unfavourable, its amounts leave the gauge.
    page.get_by_label("Avis sur le dossier B-2").select_option("defavorable")
    expect(anct.locator("[data-gauge-status]")).to_contain_text(
        "Dépassement de l'enveloppe de 2\u00a0300,00\u00a0€"
    )

    # A garbled amount is refused next to its cell, nothing saved.
    bad = page.get_by_label("Montant proposé au dossier C-3 par État – ANCT crédits politique de la ville")
    bad.fill("huit cents")
    bad.press("Tab")
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".cell__error").first).to_contain_text("« huit cents » n'est pas un montant")
    assert ScenarioLine.objects.get(scenario=scenario, project=c).proposed == Decimal("800.00")
    assert_accessible(page, "tableau du scénario après saisie")


def test_compare_then_apply(signed_in, live_server, prepared):
    page = signed_in("direction")
    seance, first, second = prepared["seance"], prepared["first"], prepared["second"]
    page.goto(f"{live_server.url}/comites/seances/{seance.pk}/")
    assert_accessible(page, "séance")
    page.get_by_role("button", name="Comparer").click()
    expect(page.get_by_role("heading", name="Comparer des scénarios")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Scénario « Hypothèse basse »").first).to_be_visible()
    assert_accessible(page, "comparaison")

    seance_change_state(seance=seance, state=SeanceState.TENU)
    page.goto(f"{live_server.url}/comites/scenarios/{first.pk}/")
    page.get_by_role("link", name="Appliquer la décision…").click()
    assert_accessible(page, "confirmation")
    page.get_by_role("button", name="Appliquer la décision de ce scénario").click()
    expect(page.locator(".message--success")).to_contain_text(
        "Décision appliquée : 3 dossier(s) programmé(s)"
    )
    assert set(Project.objects.filter(status="programme").values_list("reference", flat=True)) == {
        "P-0",
        "A-1",
        "B-2",
        "C-3",
    }
    assert FundingLine.objects.get(project__reference="A-1", funder__code="anct").amount_granted == Decimal(
        "10000.00"
    )
    second.refresh_from_db()
    assert second.frozen


def test_the_other_comites_pages_are_accessible(signed_in, live_server, prepared):
    page = signed_in("agent")
    for path in ("/comites/", "/comites/seances/nouvelle/", "/comites/enveloppes/2021/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, path)
