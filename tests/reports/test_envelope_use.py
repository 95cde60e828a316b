"""Each funder's envelope and its use, as the dashboard and the bilan (HTML, PDF, JSON) show
them: the envelope, what the programmed dossiers engage, what is left, the rate; an
over-committed envelope is flagged. Funders without an envelope are not listed there (the
command `manage.py enveloppes` lists them, docs/contracts.md §6)."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from funding.envelope_services import envelope_set
from projects.imports.service import programmation_import
from reports.selectors import bilan_as_json
from tests.factories import funder
from tests.html import element, elements
from tests.reports.bilan_support import html_text

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"

IMPORTED = (
    "annee;numero_dossier;intitule;porteur;type_porteur;pilier;thematique;statut;financeur;"
    "montant_demande;montant_accorde\n"
    "2024;E-1;Atelier numérique;Association A;association;cohesion_sociale;1.1;programme;anct;"
    "10 000,00;8 000,50\n"
    "2024;E-1;Atelier numérique;Association A;association;cohesion_sociale;1.1;programme;caf;"
    "2000;1500\n"
    "2024;E-2;Chantier d'insertion;Association B;association;emploi;2.1;programme;anct;5000;4000\n"
    "2024;E-3;Projet refusé;Association C;association;emploi;2.1;refuse;region;9000;\n"
)


@pytest.fixture
def year_2024():
    """2024 imported from a file; ANCT's envelope over-committed (12 000,50 € engaged for
    10 000 €), the Région's untouched, the CAF without envelope."""
    result = programmation_import(content=IMPORTED.encode(), filename="2024.csv")
    assert result.ok, [str(e) for e in result.errors]
    envelope_set(funder=funder("anct"), year=2024, amount=Decimal("10000"))
    envelope_set(funder=funder("region"), year=2024, amount=Decimal("50000"))


def rows_of(content: bytes, css_class: str) -> list[list[str]]:
    table = element(content, "table", class_=css_class)
    return [[cell.text for cell in row.inner if cell.tag in ("th", "td")] for row in table.elements("tr")[1:]]


def test_the_bilan_json_lists_each_envelope_and_its_use(year_2024):
    assert bilan_as_json(2024)["envelopes"] == [
        {
            "funder": "anct",
            "label": funder("anct").label,
            "envelope": "10000.00",
            "engaged": "12000.50",
            "remaining": "-2000.50",
            "engaged_percent": "120.0",
        },
        {
            "funder": "region",
            "label": funder("region").label,
            "envelope": "50000.00",
            "engaged": "0.00",
            "remaining": "50000.00",
            "engaged_percent": "0.0",
        },
    ]


def test_the_bilan_json_of_a_year_without_envelopes_has_an_empty_list():
    assert bilan_as_json(2030)["envelopes"] == []


def test_the_bilan_page_shows_the_envelopes_and_flags_the_overrun(year_2024, client_of, comite):
    page = client_of(comite).get("/bilan/2024/")
    assert page.status_code == 200
    assert rows_of(page.content, "bilan-table--envelopes") == [
        [
            funder("anct").label,
            f"10{NBSP}000{NBSP}€",
            f"12{NBSP}001{NBSP}€",
            f"-2{NBSP}001{NBSP}€ (dépassement)",
            f"120{NBSP}%",
        ],
        [funder("region").label, f"50{NBSP}000{NBSP}€", f"0{NBSP}€", f"50{NBSP}000{NBSP}€", f"0{NBSP}%"],
    ]
    overrun = elements(page.content, "tr", class_="bilan-table__over")
    assert [row.elements("th")[0].text for row in overrun] == [funder("anct").label]


def test_the_dashboard_shows_the_envelopes_whatever_the_filters(year_2024, client_of, direction):
    browser = client_of(direction)
    page = browser.get("/tableau-de-bord/?annee=2024")
    expected = [
        [
            funder("anct").label,
            f"10{NBSP}000,00{NBSP}€",
            f"12{NBSP}000,50{NBSP}€",
            f"-2{NBSP}000,50{NBSP}€ (dépassement)",
            f"120,0{NBSP}%",
        ],
        [
            funder("region").label,
            f"50{NBSP}000,00{NBSP}€",
            f"0,00{NBSP}€",
            f"50{NBSP}000,00{NBSP}€",
            f"0,0{NBSP}%",
        ],
    ]
    assert rows_of(page.content, "chart-table--envelopes") == expected
    assert "sans les filtres" not in html_text(page.content)

    filtered = browser.get("/tableau-de-bord/?annee=2024&pilier=emploi")
    assert rows_of(filtered.content, "chart-table--envelopes") == expected
    assert "Les enveloppes portent sur toute la programmation 2024, sans les filtres." in html_text(
        filtered.content
    )


def test_a_new_envelope_shows_on_the_dashboard_at_once(year_2024, client_of, direction):
    browser = client_of(direction)
    browser.get("/tableau-de-bord/?annee=2024")  # the page is kept in the cache
    envelope_set(funder=funder("caf"), year=2024, amount=Decimal("1000"))
    page = browser.get("/tableau-de-bord/?annee=2024")
    assert [row[0] for row in rows_of(page.content, "chart-table--envelopes")] == [
        funder(code).label for code in ("anct", "region", "caf")
    ]
    caf = next(
        row for row in rows_of(page.content, "chart-table--envelopes") if row[0] == funder("caf").label
    )
    assert caf[1:] == [
        f"1{NBSP}000,00{NBSP}€",
        f"1{NBSP}500,00{NBSP}€",
        f"-500,00{NBSP}€ (dépassement)",
        f"150,0{NBSP}%",
    ]


def test_a_year_without_envelopes_says_so_on_the_dashboard(client_of, direction):
    page = client_of(direction).get("/tableau-de-bord/?annee=2030")
    assert "Aucune enveloppe de financeur saisie pour 2030." in html_text(page.content)
    assert not elements(page.content, "table", class_="chart-table--envelopes")


def test_the_demonstrations_fcs_envelope_is_in_the_bilans_json(settings):
    settings.DEBUG = True
    with open("/dev/null", "w") as devnull:
        call_command("load_demo", verbosity=0, stdout=devnull)
    bilan = bilan_as_json(2021)
    fcs = next(item for item in bilan["envelopes"] if item["funder"] == "cabbalr_fcs")
    assert fcs["envelope"] == bilan["fcs"]["envelope"] == "92921.00"
    assert fcs["engaged"] == bilan["fcs"]["granted"]
    assert Decimal(fcs["remaining"]) == Decimal(fcs["envelope"]) - Decimal(fcs["engaged"])
