"""The bilan page /bilan/YEAR/: every figure of the seed, in its sections and their order, its
charts as data for plotly.js, a short correct page for a year with no data, who may read it,
and a number of queries that does not grow with the dossiers."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contratville import roles
from projects.models import Status
from reports.bilan import bilan_context, sections
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    funder,
    pillar,
    quartier,
    theme,
)
from tests.html import element, elements
from tests.reports.bilan_support import (
    FCS_AXES,
    FIGURES_2021,
    FOCUS_2021,
    ROWS_2021,
    SECTION_TITLES_2021,
    SENTENCES_2021,
    demo_2021,
    html_text,
    signed_in_client,
)

# Every test is a database test, also those that only read the module's rendering: so that
# pytest-django runs them with the other database tests, before the transactional (browser)
# tests flush the database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def page_2021(django_db_setup, django_db_blocker):
    """The 2021 page as the comité reads it, rendered once for the module."""
    with demo_2021(django_db_blocker):
        response = signed_in_client(roles.COMITE).get("/bilan/2021/")
        return response.status_code, response.content.decode("utf-8")


def test_the_page_opens_for_the_comite(page_2021):
    status, _ = page_2021
    assert status == 200


@pytest.mark.parametrize("figure", FIGURES_2021)
def test_the_page_holds_every_2021_figure(page_2021, figure):
    assert figure in html_text(page_2021[1])


@pytest.mark.parametrize("row", ROWS_2021)
def test_the_page_tables_hold_the_seed_rows(page_2021, row):
    assert row in html_text(page_2021[1])


@pytest.mark.parametrize("sentence", SENTENCES_2021)
def test_the_page_says_what_the_seed_says(page_2021, sentence):
    assert sentence in html_text(page_2021[1])


def test_the_sections_come_in_the_seed_order(page_2021):
    text = html_text(page_2021[1])
    # After the table of contents, each title appears in order.
    body = text[text.index("Annexe : les dossiers programmés par pilier et leurs financeurs") + 10 :]
    positions = [body.index(title) for title in SECTION_TITLES_2021[1:]]
    assert positions == sorted(positions)


def test_the_table_of_contents_links_every_section(page_2021):
    content = page_2021[1]
    toc = content[
        content.index('class="bilan-toc"') : content.index("</nav>", content.index('class="bilan-toc"'))
    ]
    for section in sections(2021):
        assert f'href="#{section.anchor}"' in toc
        assert f'id="{section.anchor}"' in content


def test_the_focus_actions_name_their_operator_and_partner(page_2021):
    text = html_text(page_2021[1])
    for expected in FOCUS_2021:
        assert expected in text
    assert text.index("Focus 1") < text.index("Focus 2") < text.index("Focus 3") < text.index("Focus 4")


def test_the_fcs_part_lists_its_five_axes_and_its_dossiers(page_2021):
    text = html_text(page_2021[1])
    for axis in FCS_AXES:
        assert axis in text
    assert "Total (22 dossiers)" in text


def test_the_narrative_parts_and_the_empty_opinions(page_2021):
    text = html_text(page_2021[1])
    assert "En novembre 2021, la CABBALR a coordonné avec l'État la première revue de projets du PNRU" in text
    assert "Directeur Politique de la Ville : Franck LAINE" in text
    assert "2022 sera l'année de l'évaluation du Contrat de Ville" in text
    assert "Aucun avis enregistré pour cette année." in text


def test_the_cover_names_the_agglomeration_the_year_and_the_comite(page_2021):
    text = html_text(page_2021[1])
    assert "Communauté d'Agglomération de Béthune-Bruay, Artois Lys Romane" in text
    assert "La mise en œuvre du Contrat de Ville en 2021" in text
    assert "Comité de pilotage du 30 juin 2022" in text


def test_the_quartiers_are_counted_by_kind_and_placed_in_their_communes(page_2021):
    text = html_text(page_2021[1])
    assert "Quartiers prioritaires (QPV) 16" in text
    assert "Quartiers de veille active 5" in text  # the demonstration's unnamed placeholders
    assert "Total 21" in text
    assert re.search(r"Bruay-La-Buissière Le Centre, Terrasses Basly \d+ [\d ]+ €", text)


def test_the_annex_lists_programmed_dossiers_by_pilier_with_their_funders(page_2021):
    text = html_text(page_2021[1])
    annex = text[text.rindex("Annexe : les dossiers programmés par pilier et leurs financeurs") :]
    assert "127 dossiers programmés en 2021" in annex
    assert "Cohésion sociale 88 dossiers · 4 734 927 €" in annex
    assert "PV2021-001 Qualification des Aidants Numériques Dév And You" in annex
    assert "État ANCT : 17 600 € · Département : 13 200 € · FCS : 3 200 € 34 000 €" in annex
    assert "Total Pilotage, qualification des acteurs, évaluation 64 300 €" in annex


def test_the_charts_are_plotly_data_for_a_static_script(page_2021):
    content = page_2021[1]
    for slug in ("map", "pillars", "natures"):
        assert f'data-chart-source="graphique-{slug}-donnees"' in content
        assert element(content, "script", id=f"graphique-{slug}-donnees")["type"] == "application/json"
    assert "vendor/plotly.min.js" in content and "js/bilan-charts.js" in content
    # Every script is either a file or json_script data: nothing inline to run.
    scripts = elements(content, "script")
    assert scripts and all(
        script.has("src") or script.get("type") == "application/json" for script in scripts
    )


def test_the_page_offers_the_pdf_and_the_json(page_2021):
    content = page_2021[1]
    assert 'href="/bilan/2021.pdf"' in content
    assert 'href="/bilan/2021.json"' in content
    assert 'href="/bilan/2021/textes/"' not in content  # the comité does not write the texts


# A year with no data -----------------------------------------------------------------------


def test_a_year_with_no_data_gives_a_short_correct_page():
    response = signed_in_client(roles.COMITE).get("/bilan/2030/")
    assert response.status_code == 200
    text = html_text(response.content)
    for title in SECTION_TITLES_2021[1:]:
        assert title.replace("2021", "2030") in text
    assert "Aucun dossier n'a été déposé pour l'année 2030." in text
    assert "Aucun crédit n'a été programmé pour l'année 2030." in text
    assert "Aucune action « focus » n'a été retenue pour l'année 2030." in text
    assert "Aucun fonds de concours n'a été attribué pour l'année 2030." in text
    assert "Aucun avis enregistré pour cette année." in text
    assert "Aucun dossier n'a été programmé pour l'année 2030." in text
    # No chart of zeros.
    assert "graphique-" not in response.content.decode()
    assert "Aucun crédit n'a été programmé pour l'année 2030 : pas de carte des crédits." in text
    assert "2 030" not in text  # years are not printed as numbers ("2 030")


def test_a_year_out_of_the_programme_bounds_is_not_found():
    assert signed_in_client(roles.COMITE).get("/bilan/1850/").status_code == 404


# Who may read it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group, expected", [(roles.COMITE, 200), (roles.AGENT, 200), (roles.DIRECTION, 200), (None, 403)]
)
def test_the_page_needs_the_view_bilan_permission(group, expected, user_in):
    client = Client()
    client.force_login(user_in(group))
    assert client.get("/bilan/2021/").status_code == expected


def test_anonymous_visitors_are_sent_to_the_login_page():
    response = Client().get("/bilan/2021/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_the_direction_is_offered_the_texts_form():
    content = signed_in_client(roles.DIRECTION).get("/bilan/2021/").content.decode()
    assert 'href="/bilan/2021/textes/"' in content


# Queries -----------------------------------------------------------------------------------


def _programme(dossiers: int):
    year = ProgrammeYearFactory(year=2022, fcs_envelope=Decimal("5000.00"))
    year.priority_themes.set([theme("1.1")])
    for n in range(dossiers):
        project = ProjectFactory(
            year=year,
            operator=OperatorFactory(kind="association" if n % 2 else "commune"),
            status=Status.PROGRAMME,
            pillar=pillar("emploi") if n % 3 else pillar("cohesion_sociale"),
            theme=theme("2.1") if n % 3 else theme("1.1"),
            is_focus=n < 2,
            focus_order=n + 1 if n < 2 else None,
        )
        project.quartiers.set([quartier("QP062011"), quartier("QP062008")])
        FundingLineFactory(project=project, funder=funder("anct"), amount_granted=Decimal("1000.00"))
        FundingLineFactory(project=project, funder=funder("cabbalr_fcs"), amount_granted=Decimal("250.00"))
        FundingLineFactory(project=project, funder=funder("region"), amount_granted=Decimal("500.00"))


def _count_queries(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def test_the_bilan_context_runs_the_same_queries_for_3_or_30_dossiers():
    _programme(3)
    few = _count_queries(lambda: bilan_context(2022))
    _programme(30)
    many = _count_queries(lambda: bilan_context(2022))
    assert few == many
    assert many <= 35  # a query per family of figures or list, five for the envelopes, ten for the evaluation


def test_the_page_runs_the_same_queries_for_3_or_30_dossiers():
    client = signed_in_client(roles.COMITE)
    _programme(3)
    few = _count_queries(lambda: client.get("/bilan/2022/"))
    _programme(30)
    many = _count_queries(lambda: client.get("/bilan/2022/"))
    assert few == many


def test_the_context_lists_hold_the_values_of_the_small_programme():
    _programme(6)
    context = bilan_context(2022)
    assert [a.order for a in context["focus_actions"]] == [1, 2]
    assert len(context["fcs_projects"]) == 6
    assert context["fcs_projects_total"] == Decimal("1500.00")
    cohesion, _cadre, emploi, _pilotage = context["annex"]
    assert (len(cohesion.projects), len(emploi.projects)) == (2, 4)
    assert cohesion.total == Decimal("3500.00")
    assert [f.funder for f in cohesion.projects[0].fundings] == ["État ANCT", "Région", "FCS"]
    bruay = next(c for c in context["communes"] if c.name == "Bruay-La-Buissière")
    assert (bruay.projects, bruay.amount) == (6, Decimal("10500.00"))


def test_the_navigation_leads_to_the_bilan_of_the_latest_year():
    ProjectFactory(year=ProgrammeYearFactory(year=2023))
    content = signed_in_client(roles.COMITE).get("/bilan/2023/").content.decode()
    assert element(content, "a", aria_current="page", text="Bilan 2023")["href"] == "/bilan/2023/"
