"""The director's dashboard (`/tableau-de-bord/`): the seed's 2021 figures, the filters, the
drill-down to the dossier list, the CSV of each chart, who may read it, and a constant number
of queries."""

import csv
import io
import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.management import call_command

from contratville import roles
from projects.filters import DossierScope
from projects.models import Project, Status
from reports.dashboard import areas, dashboard, default_year, quartier_reference, year_options
from reports.selectors import bilan_as_json, bilan_figures, figures_by_year
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    UserFactory,
    funder,
    pillar,
    quartier,
    theme,
)
from tests.html import element

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
PROGRAMMED = "statut=programme&statut=justifie&statut=solde"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))
    settings.DEBUG = False


@pytest.fixture
def direction(direction_client):
    """This module's tests read pages: `direction` is the direction's signed-in client."""
    return direction_client


def text_of(response) -> str:
    """The page's text with tags removed and spaces normalised (no-break spaces kept)."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def key_figure(response, label: str) -> str:
    """The value printed under a key figure's label."""
    for figure in response.context["key_figures"]:
        if figure.label == label:
            return figure.value
    raise AssertionError(f"no key figure {label!r}")


def table(response, name: str):
    for item in response.context["charts"]:
        if item["chart"].name == name:
            return item["chart"].table
    raise AssertionError(f"no chart {name!r}")


def row(table, header: str):
    for r in table.rows:
        if r.header == header:
            return [cell.display for cell in r.cells]
    raise AssertionError(f"no row {header!r}")


def piliers_of(response):
    return response.context["data"].figures.pillars


def euros(text: str) -> str:
    return text.replace(" ", NBSP) + f"{NBSP}€"


# The seed's 2021 figures --------------------------------------------------------------------


def test_the_2021_key_figures_are_the_seeds(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2021")
    assert page.status_code == 200
    assert key_figure(page, "Total programmé") == euros("6 931 463,00")
    assert key_figure(page, "Dossiers déposés") == "141"
    assert key_figure(page, "Dossiers soutenus par des crédits ANCT") == "122"
    assert key_figure(page, "Part des crédits spécifiques") == f"59,6{NBSP}%"
    assert key_figure(page, "Dossiers associatifs programmés") == "75"
    assert key_figure(page, "Part des thématiques prioritaires") == f"72,0{NBSP}%"
    assert key_figure(page, "Fonds de cohésion sociale") == "22 projets"
    figures = {f.label: f for f in page.context["key_figures"]}
    assert figures["Part des thématiques prioritaires"].previous == f"69,0{NBSP}%"
    assert figures["Part des thématiques prioritaires"].change == "+3,0 points"
    assert f"sur une enveloppe de {euros('92 921,00')}" in figures["Fonds de cohésion sociale"].detail
    text = text_of(page)
    assert "Tableau de bord — programmation 2021" in text
    assert f"72,0{NBSP}%" in text and f"par rapport à 2020 (69,0{NBSP}%)" in text


def test_the_2021_pilier_tables_read_as_the_seeds(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2021")
    piliers = table(page, "piliers")
    assert row(piliers, "Cohésion sociale")[:2] == [euros("4 734 927,00"), f"68,3{NBSP}%"]
    assert row(piliers, "Cadre de vie, renouvellement urbain")[:2] == [euros("724 721,00"), f"10,5{NBSP}%"]
    assert row(piliers, "Emploi et développement économique")[:2] == [euros("1 407 515,00"), f"20,3{NBSP}%"]
    assert row(piliers, "Pilotage, qualification des acteurs, évaluation")[:2] == [
        euros("64 300,00"),
        f"0,9{NBSP}%",
    ]
    assert [c.display for c in piliers.footer.cells][:2] == [euros("6 931 463,00"), f"100,0{NBSP}%"]
    # The seed's associative dossiers by pilier: 54, 2, 18, 1 of 75.
    assert [row(piliers, p.label)[3:] for p in piliers_of(page)] == [
        ["54", f"72,0{NBSP}%"],
        ["2", f"2,7{NBSP}%"],
        ["18", f"24,0{NBSP}%"],
        ["1", f"1,3{NBSP}%"],
    ]
    assert [c.display for c in piliers.footer.cells][3] == "75"
    nature = table(page, "nature")
    assert row(nature, "Cohésion sociale")[:2] == [euros("2 030 892,00"), euros("2 704 035,00")]
    assert row(nature, "Cadre de vie, renouvellement urbain")[:2] == [euros("52 050,00"), euros("672 671,00")]
    assert row(nature, "Emploi et développement économique")[:2] == [euros("704 966,00"), euros("702 549,00")]
    assert row(nature, "Pilotage, qualification des acteurs, évaluation")[:2] == [
        euros("11 025,00"),
        euros("53 275,00"),
    ]
    assert [c.display for c in nature.footer.cells] == [
        euros("2 798 933,00"),
        euros("4 132 530,00"),
        euros("6 931 463,00"),
        f"59,6{NBSP}%",
    ]


def test_the_dashboard_and_the_bilan_never_disagree(demo):
    """Both read `figures_by_year`: the dashboard's 2021 is the bilan's 2021, whatever other
    years are computed beside it."""
    data = dashboard(2021, DossierScope(), year_options(), quartier_reference())
    bilan = bilan_figures(2021)
    assert data.figures.total == bilan.total == Decimal("6931463.00")
    assert [(p.code, p.droit_commun, p.specifique) for p in data.figures.pillars] == [
        (p.code, p.droit_commun, p.specifique) for p in bilan.pillars
    ]
    for name in ("projects_filed", "projects_supported_anct", "associative_projects", "fcs_projects"):
        assert getattr(data.figures, name) == getattr(bilan, name)
    assert data.figures.priority_themes_percent_previous_year == Decimal("69.0")
    assert [f.year for f in data.history] == [2020, 2021]
    assert data.previous.year == 2020 and data.previous.total == bilan_figures(2020).total
    assert bilan_as_json(2021)["total"] == "6931463.00"


def test_the_default_year_is_the_latest_with_a_programmation(demo, direction):
    # A new year whose call for projects is open, with filed dossiers only.
    ProjectFactory(year=ProgrammeYearFactory(year=2022), status=Status.DEPOSE)
    assert default_year(year_options()) == 2021
    page = direction.get("/tableau-de-bord/")
    assert page.context["year"] == "2021"
    assert [label for label, _value in page.context["form"].fields["annee"].choices] == [
        "2022",
        "2021",
        "2020",
    ]


def test_2020_has_no_year_before_to_compare_with(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2020")
    assert page.context["data"].previous is None
    assert all(f.previous == "" and f.change == "" for f in page.context["key_figures"])
    assert "Aucun dossier en 2019 : pas de comparaison." in text_of(page)
    assert key_figure(page, "Part des thématiques prioritaires") == f"69,0{NBSP}%"


def test_a_year_without_dossiers_shows_zeros(direction):
    page = direction.get("/tableau-de-bord/?annee=2030")
    assert page.status_code == 200
    assert key_figure(page, "Total programmé") == euros("0,00")
    assert key_figure(page, "Dossiers déposés") == "0"


# Filters ------------------------------------------------------------------------------------


def test_the_pilier_filter_keeps_that_piliers_figures(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2021&pilier=emploi")
    assert key_figure(page, "Total programmé") == euros("1 407 515,00")
    piliers = table(page, "piliers")
    assert row(piliers, "Emploi et développement économique")[:2] == [euros("1 407 515,00"), f"100,0{NBSP}%"]
    assert row(piliers, "Cohésion sociale")[0] == euros("0,00")
    assert key_figure(page, "Dossiers associatifs programmés") == "18"  # the seed: 18 in Emploi
    assert "Pilier : Emploi et développement économique" in text_of(page)
    # The form shows the filter as chosen, and keeps it with the year.
    assert element(page.content, "input", name="pilier", value="emploi").checked


@pytest.mark.slow
def test_line_filters_keep_only_those_lines(demo, direction):
    specific = direction.get("/tableau-de-bord/?annee=2021&nature=specifique")
    assert key_figure(specific, "Total programmé") == euros("4 132 530,00")
    assert key_figure(specific, "Part des crédits spécifiques") == f"100,0{NBSP}%"
    droit_commun = direction.get("/tableau-de-bord/?annee=2021&nature=droit_commun&pilier=cadre_de_vie")
    assert key_figure(droit_commun, "Total programmé") == euros("52 050,00")
    anct = direction.get("/tableau-de-bord/?annee=2021&financeur=anct")
    assert key_figure(anct, "Dossiers soutenus par des crédits ANCT") == "122"
    assert [r.header for r in table(anct, "financeurs").rows] == ["État – ANCT crédits politique de la ville"]


def test_a_porteur_filter_keeps_its_identifier_unformatted(direction):
    # French number formats group digits ("4 321"): an identifier must never be written so, or
    # the form would send back a value no filter knows.
    operator = OperatorFactory(pk=4321, name="Centre social Les Tilleuls")
    ProjectFactory(operator=operator, year=ProgrammeYearFactory(year=2030))
    page = direction.get("/tableau-de-bord/?annee=2030&porteur=4321")
    assert page.status_code == 200
    box = element(page.content, "input", name="porteur", value="4321")
    assert box.checked and box.attrs["id"] == "porteur-4321"


def test_filters_repeat(demo, direction):
    both = direction.get("/tableau-de-bord/?annee=2021&pilier=emploi&pilier=pilotage&pilier=emploi")
    assert key_figure(both, "Total programmé") == euros("1 471 815,00")  # 1 407 515 + 64 300
    assert both.context["scope"].pilier == ("emploi", "pilotage")


def test_an_unknown_value_is_an_error_and_no_figure_is_shown(demo, direction):
    """Never the whole programme's figures as if they were filtered (issue 12): the dossier
    list's own error, in the form and summarised in an alert, and no figure."""
    page = direction.get("/tableau-de-bord/?annee=2021&pilier=emploi&pilier=emplio")
    assert page.status_code == 200
    message = (
        "Pilier inconnu : « emplio » (codes possibles : cohesion_sociale, cadre_de_vie, emploi, pilotage)."
    )
    assert page.context["form"].errors["pilier"] == [message]
    assert "key_figures" not in page.context and "charts" not in page.context
    html = page.content.decode()
    alert = html[html.index('role="alert"') :]
    assert message.replace("'", "&#x27;") in alert[: alert.index("</div>")]
    text = text_of(page)
    assert "Total programmé" not in text and "Chiffres clés" not in text
    assert "Un filtre n'est pas valide : aucun chiffre n'est affiché tant qu'il n'est pas corrigé." in text
    # The form keeps what was asked, to be corrected.
    assert 'value="emploi" id="id_pilier_2" aria-invalid="true" checked' in html

    bad_year = direction.get("/tableau-de-bord/?annee=deux-mille")
    assert bad_year.context["form"].errors["annee"] == [
        "« deux-mille » n'est pas une année (exemple : 2022)."
    ]
    assert bad_year.context["year"] == "2021"  # the form offers the default year
    assert "key_figures" not in bad_year.context
    two_years = direction.get("/tableau-de-bord/?annee=2020&annee=2021")
    assert two_years.context["form"].errors["annee"] == [
        "Le tableau de bord montre une année à la fois : choisissez-en une parmi 2020, 2021."
    ]
    csv_data = direction.get("/tableau-de-bord/?annee=2021&pilier=emplio&format=csv&chart=piliers")
    assert csv_data.status_code == 400
    assert "Pilier inconnu : « emplio »" in csv_data.content.decode()


def test_quartier_and_commune_filters_match_their_rows(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2021")
    mont_lieban = row(table(page, "quartiers"), "Quartier Du Mont Liébaut")
    bethune = row(table(page, "communes"), "Béthune")
    by_quartier = direction.get("/tableau-de-bord/?annee=2021&quartier=QP062008")
    assert key_figure(by_quartier, "Total programmé") == mont_lieban[0]
    assert key_figure(by_quartier, "Dossiers programmés") == mont_lieban[1]
    # The 2024 code names the same quartier: the same scope, hence the same page (the second
    # one from the cache, without a context to read).
    by_new_code = direction.get("/tableau-de-bord/?annee=2021&quartier=QN06208M")
    assert text_of(by_new_code) == text_of(by_quartier)
    assert mont_lieban[0] in text_of(by_new_code)
    by_commune = direction.get("/tableau-de-bord/?annee=2021&commune=62119")
    assert key_figure(by_commune, "Total programmé") == bethune[0]


def test_a_dossier_counts_once_per_commune_and_in_full_per_quartier():
    year = ProgrammeYearFactory(year=2022)
    both = ProjectFactory(year=year)
    both.quartiers.set([quartier("QP062011"), quartier("QP062012")])  # both in Bruay-La-Buissière
    FundingLineFactory(project=both, amount_granted=Decimal("1000.00"))
    alone = ProjectFactory(year=year)
    FundingLineFactory(project=alone, amount_granted=Decimal("250.00"))
    result = areas(2022, projects_programmed=2)
    by_code = {a.code: a for a in result.quartiers}
    assert by_code["QP062011"].amount == by_code["QP062012"].amount == Decimal("1000.00")
    bruay = next(c for c in result.communes if c.code == "62178")
    assert (bruay.amount, bruay.projects) == (Decimal("1000.00"), 1)
    assert (result.without_quartier.amount, result.without_quartier.projects) == (Decimal("250.00"), 1)


def test_a_scope_filters_dossiers_and_lines_consistently():
    year = ProgrammeYearFactory(year=2022)
    association = OperatorFactory(kind="association")
    a = ProjectFactory(year=year, operator=association, theme=theme("1.1"))
    FundingLineFactory(project=a, funder=funder("anct"), amount_granted=Decimal("100.00"))
    FundingLineFactory(project=a, funder=funder("caf"), amount_granted=Decimal("40.00"))
    b = ProjectFactory(
        year=year, operator=OperatorFactory(kind="commune"), pillar=pillar("emploi"), theme=theme("2.1")
    )
    FundingLineFactory(project=b, funder=funder("region"), amount_granted=Decimal("10.00"))
    figures = figures_by_year([2022], DossierScope(financeur=("caf",)))[2022]
    assert figures.total == Decimal("40.00")  # the CAF line only
    assert figures.projects_programmed == 1  # the dossier with a CAF line
    assert figures.projects_supported_anct == 1  # that dossier also has ANCT money
    assert figures_by_year([2022], DossierScope(type_porteur=("commune",)))[2022].total == Decimal("10.00")
    assert figures_by_year([2022], DossierScope(thematique=("1.1",)))[2022].total == Decimal("140.00")
    assert figures_by_year([2022], DossierScope(porteur=(association.pk,)))[2022].associative_projects == 1


# Drill-down, tables and CSV -----------------------------------------------------------------


def test_each_table_row_links_to_the_dossiers_behind_it(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2021&type_porteur=association")
    piliers = table(page, "piliers")
    emploi = next(r for r in piliers.rows if r.code == "emploi")
    assert emploi.link == f"/projets/?annee=2021&pilier=emploi&type_porteur=association&{PROGRAMMED}"
    funnel = table(page, "statuts")
    assert funnel.rows[0].link.endswith(
        "&statut=depose&statut=en_instruction&statut=programme"
        "&statut=refuse&statut=abandonne&statut=justifie&statut=solde"
    )
    assert f'href="{emploi.link.replace("&", "&amp;")}"' in page.content.decode()


def test_the_dossier_list_behind_a_bar_holds_the_same_figures(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2021")
    emploi = next(r for r in table(page, "piliers").rows if r.code == "emploi")
    listing = direction.get(emploi.link)
    assert listing.status_code == 200
    text = text_of(listing)
    assert f"{emploi.cells[2].display} dossiers" in text  # 24 programmed dossiers
    assert f"Total accordé : {emploi.cells[0].display}" in text


def test_the_charts_carry_their_drill_down_addresses(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2021")
    html = page.content.decode()
    figure = json.loads(element(html, "script", id="figure-nature-1", type="application/json").content)
    droit_commun = figure["data"][0]
    assert (
        droit_commun["customdata"][2]
        == f"/projets/?annee=2021&pilier=emploi&nature=droit_commun&{PROGRAMMED}"
    )
    assert figure["layout"]["separators"] == ", "


def test_every_chart_has_a_table_and_a_csv(demo, direction):
    page = direction.get("/tableau-de-bord/?annee=2021")
    names = [item["chart"].name for item in page.context["charts"]]
    assert names == [
        "piliers",
        "nature",
        "financeurs",
        "thematiques",
        "quartiers",
        "communes",
        "evolution",
        "statuts",
    ]
    html = page.content.decode()
    assert html.count('<table class="chart-table">') == len(names)
    for name in names:
        assert f"format=csv&amp;chart={name}" in html


def test_a_charts_data_downloads_as_csv(demo, direction):
    response = direction.get("/tableau-de-bord/?annee=2021&format=csv&chart=piliers")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tableau-de-bord-2021-piliers.csv"' in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Pilier",
        "Code",
        "Montant accordé",
        "Part",
        "Dossiers programmés",
        "Dossiers associatifs",
        "Part des dossiers associatifs",
    ]
    assert rows[1] == ["Cohésion sociale", "cohesion_sociale", "4734927,00", "68,3", "88", "54", "72,0"]
    assert rows[-1][:4] == ["Total", "", "6931463,00", "100,0"]
    filtered = direction.get("/tableau-de-bord/?annee=2021&pilier=emploi&format=csv&chart=evolution")
    rows = list(csv.reader(io.StringIO(filtered.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[2][:2] == ["2021", "1407515,00"]
    assert direction.get("/tableau-de-bord/?format=csv&chart=inconnu").status_code == 404


def test_a_csv_cell_never_starts_a_formula():
    from reports.charts import text

    assert text("=HYPERLINK(1)").csv() == "'=HYPERLINK(1)"


def test_the_page_uses_our_plotly_and_no_inline_script(demo, direction):
    html = direction.get("/tableau-de-bord/?annee=2021").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    sources = [attrs for attrs, body in scripts if "src=" in attrs]
    assert any("/static/vendor/plotly.min.js" in s for s in sources)
    assert any("/static/js/dashboard.js" in s for s in sources)
    inline = [
        attrs for attrs, body in scripts if "src=" not in attrs and 'type="application/json"' not in attrs
    ]
    assert inline == []
    assert "cdn" not in html.lower()


# Who may read it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group, expected", [(roles.COMITE, 200), (roles.DIRECTION, 200), (roles.AGENT, 200), (None, 403)]
)
def test_the_dashboard_needs_the_view_bilan_permission(client, group, expected, user_in):
    client.force_login(user_in(group) if group else UserFactory())
    assert client.get("/tableau-de-bord/").status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/tableau-de-bord/?annee=2021")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=/tableau-de-bord/")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_dashboard_is_read_only(client, method, user_in):
    client.force_login(user_in(roles.COMITE))
    assert getattr(client, method)("/tableau-de-bord/").status_code == 405


def test_the_comite_can_read_but_not_change_anything(demo, client, user_in):
    client.force_login(user_in(roles.COMITE))
    project = Project.objects.filter(year_id=2021).first()
    assert client.get("/tableau-de-bord/").status_code == 200
    assert client.get("/bilan/2021.json").status_code == 200
    writes = [
        ("get", "/projets/nouveau/"),
        ("post", "/projets/nouveau/"),
        ("post", f"/projets/{project.pk}/modifier/"),
        ("post", f"/projets/{project.pk}/statut/"),
        ("post", "/projets/import/"),
        ("get", "/projets/"),
    ]
    for method, address in writes:
        assert getattr(client, method)(address).status_code in (403, 405), address
    assert client.post("/", {}).status_code == 405
    assert client.get("/admin/").status_code == 403  # the admin is for administrators only


@pytest.mark.parametrize(
    "group, lands_on",
    [(roles.DIRECTION, "dashboard"), (roles.COMITE, "dashboard"), (roles.AGENT, "/projets/")],
)
def test_each_role_lands_on_its_home(client, group, lands_on, user_in):
    client.force_login(user_in(group))
    response = client.get("/")
    if lands_on == "dashboard":
        assert response.status_code == 200
        assert "reports/dashboard.html" in [t.name for t in response.templates]
    else:
        assert response.status_code == 302 and response["Location"] == lands_on


# A constant number of queries ---------------------------------------------------------------


def _programme(dossiers: int):
    year = ProgrammeYearFactory(year=2022, fcs_envelope=Decimal("5000"))
    year.priority_themes.set([theme("1.1")])
    previous = ProgrammeYearFactory(year=2021)
    for index in range(dossiers):
        project = ProjectFactory(
            year=year if index % 4 else previous,
            operator=OperatorFactory(kind="association" if index % 2 else "commune"),
            status=[Status.PROGRAMME, Status.SOLDE, Status.REFUSE, Status.DEPOSE][index % 4],
        )
        project.quartiers.set([quartier("QP062008"), quartier("QP062011")][: 1 + index % 2])
        FundingLineFactory(project=project, funder=funder("anct"), amount_granted=Decimal("100"))
        FundingLineFactory(project=project, funder=funder("cabbalr_fcs"), amount_granted=Decimal("10"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "query", ["annee=2022", "annee=2022&pilier=cohesion_sociale&commune=62119&financeur=anct"]
)
def test_the_page_runs_the_same_few_queries_whatever_the_data(
    direction, django_assert_max_num_queries, query
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _programme(2)
    with CaptureQueriesContext(connection) as small:
        assert direction.get(f"/tableau-de-bord/?{query}").status_code == 200
    _programme(40)
    with django_assert_max_num_queries(30):
        with CaptureQueriesContext(connection) as large:
            assert direction.get(f"/tableau-de-bord/?{query}").status_code == 200
    assert len(large) == len(small)


def test_the_maps_contours_come_from_our_reference_data(client, user_in):
    client.force_login(user_in(roles.COMITE))
    response = client.get("/tableau-de-bord/communes.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert len(json.loads(response.content)["features"]) == 100
    client.logout()
    assert client.get("/tableau-de-bord/communes.geojson").status_code == 302


def test_the_fonds_de_concours_are_listed_beside_the_programmation(demo, direction):
    text = text_of(direction.get("/tableau-de-bord/?annee=2021"))
    assert f"Divion Rénovation de la salle Mancey {euros('68 049,00')}" in text
    assert f"Total {euros('169 541,00')}" in text
