"""The dossiers' list `/projets/` (docs/contracts.md §5): filters by query parameters, sorting,
pagination, the totals of the filtered set, and a constant number of SQL queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from contratville import roles, versioning
from projects.models import FundingLine, Nature, OperatorKind, Project, Status
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProjectFactory,
    funder,
    pillar,
    quartier,
    theme,
)
from tests.html import element, elements

pytestmark = pytest.mark.django_db

URL = "/projets/"


def dossier(
    reference,
    *,
    year=2021,
    pillar_code="cohesion_sociale",
    theme_code="1.1",
    status=Status.PROGRAMME,
    operator=None,
    title=None,
    quartiers=(),
    lines=(),
):
    """A dossier with its quartiers (QPV codes) and lines (funder, requested, granted[, nature])."""
    project = ProjectFactory(
        reference=reference,
        year__year=year,
        pillar=pillar(pillar_code),
        theme=theme(theme_code),
        status=status,
        title=title or f"Action {reference}",
        **({"operator": operator} if operator else {}),
    )
    project.quartiers.set([quartier(code) for code in quartiers])
    for position, (funder_code, requested, granted, *nature) in enumerate(lines, start=1):
        line_funder = funder(funder_code)
        FundingLineFactory(
            project=project,
            funder=line_funder,
            nature=nature[0] if nature else line_funder.default_nature,
            amount_requested=Decimal(requested),
            amount_granted=None if granted is None else Decimal(granted),
            position=position,
        )
    return project


def references(response) -> list[str]:
    assert response.status_code == 200
    return [project.reference for project in response.context["page"].object_list]


def listed(client, query="") -> set[str]:
    return set(references(client.get(URL + query)))


@pytest.fixture
def programme():
    """Six dossiers that differ on every filtered column."""
    elan = OperatorFactory(name="Association Élan", kind=OperatorKind.ASSOCIATION)
    ville = OperatorFactory(name="Ville de Bruay-La-Buissière", kind=OperatorKind.COMMUNE)
    bailleur = OperatorFactory(name="Maisons & Cités", kind=OperatorKind.BAILLEUR)
    return {
        "A": dossier(
            "A",
            year=2021,
            operator=elan,
            title="Accompagnement à la scolarité",
            quartiers=["QP062008"],  # Mont Liébaut, Béthune (62119)
            lines=[("anct", "10000", "8000"), ("caf", "5000", "5000")],
        ),
        "B": dossier(
            "B",
            year=2021,
            pillar_code="emploi",
            theme_code="2.1",
            status=Status.DEPOSE,
            operator=ville,
            title="Chantier d'insertion",
            quartiers=["QP062011", "QP062012"],  # both at Bruay-La-Buissière (62178)
            lines=[("region", "30000", None)],
        ),
        "C": dossier(
            "C",
            year=2020,
            pillar_code="cadre_de_vie",
            theme_code="3.1",
            status=Status.SOLDE,
            operator=bailleur,
            title="Gestion urbaine de proximité",
            quartiers=["QP062004"],  # Centre Ville, Auchel (62048)
            lines=[("commune", "2000", "2000", Nature.SPECIFIQUE)],
        ),
        "D": dossier(
            "D",
            year=2022,
            status=Status.REFUSE,
            operator=elan,
            title="Atelier théâtre",
            theme_code="1.4",
            lines=[("cabbalr_fcs", "1500", "0")],
        ),
        "E": dossier(
            "E",
            year=2022,
            pillar_code="pilotage",
            theme_code="4.1",
            status=Status.BROUILLON,
            operator=ville,
            title="Évaluation du contrat",
        ),
        "F": dossier(
            "F",
            year=2021,
            status=Status.EN_INSTRUCTION,
            title="Prévention santé",
            theme_code="1.2",
            quartiers=["QP062008", "QP062004"],
            lines=[("anct", "4000", "3000"), ("commune", "1000", "1000")],
        ),
    }


# Access


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL + "?statut=programme")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=/projets/")


def test_the_comite_may_not_see_the_dossiers(comite_client):
    assert comite_client.get(URL).status_code == 403


@pytest.mark.parametrize("group", [roles.AGENT, roles.DIRECTION])
def test_agents_and_direction_see_the_list(client, user_in, group, programme):
    client.force_login(user_in(group))
    assert listed(client) == set("ABCDEF")


# The page


def test_each_row_shows_the_dossier_with_its_status_badge_link_and_totals(agent_client, programme):
    response = agent_client.get(URL + "?q=scolarité")
    html = response.content.decode()
    a = programme["A"]
    assert f'href="/projets/{a.pk}/"' in html
    assert "Accompagnement à la scolarité" in html and "Association Élan" in html
    assert '<span class="badge badge--programme">Programmé</span>' in html
    row = response.context["page"].object_list[0]
    assert (row.requested_total, row.granted_total) == (Decimal("15000.00"), Decimal("13000.00"))
    assert "15\u00a0000,00\u00a0€" in html and "13\u00a0000,00\u00a0€" in html
    assert "<td>2021</td>" in html  # a year, not a number with a thousands separator


def test_a_dossier_with_nothing_granted_shows_a_dash_and_none_requested_shows_zero(agent_client, programme):
    rows = {p.reference: p for p in agent_client.get(URL).context["page"].object_list}
    assert rows["B"].granted_total is None
    assert rows["E"].requested_total == Decimal("0.00") and rows["E"].granted_total is None


def test_the_form_preselects_nothing_and_offers_a_reset_link(agent_client, programme):
    response = agent_client.get(URL)
    html = response.content.decode()
    assert elements(html, "input", checked=True) == []
    assert [(option["value"], option.text) for option in elements(html, "option", selected=True)] == [
        ("50", "50")
    ]
    assert element(html, "a", text="Réinitialiser", class_="button--secondary")["href"] == "/projets/"
    assert 'method="get"' in html


def test_the_form_shows_the_current_filters_so_that_they_stay_in_the_address(agent_client, programme):
    html = agent_client.get(URL + "?statut=depose&quartier=QN06208M&annee=2021").content.decode()
    assert [(box["name"], box["value"]) for box in elements(html, "input", checked=True)] == [
        ("annee", "2021"),
        ("statut", "depose"),
    ]
    # Given by its 2024 code, the quartier is shown selected under its 2015 code.
    assert [option["value"] for option in elements(html, "option", selected=True)] == ["QP062008", "50"]


# Each filter alone


def test_no_year_filter_lists_every_year(agent_client, programme):
    assert {p.year_id for p in agent_client.get(URL).context["page"].object_list} == {2020, 2021, 2022}


def test_filter_by_year_and_repeated_years(agent_client, programme):
    assert listed(agent_client, "?annee=2021") == {"A", "B", "F"}
    assert listed(agent_client, "?annee=2020&annee=2022") == {"C", "D", "E"}


def test_a_year_without_programmation_lists_nothing_and_is_shown_ticked(agent_client, programme):
    response = agent_client.get(URL + "?annee=2030")
    assert references(response) == []
    assert element(response.content, "input", name="annee", value="2030").checked
    assert "Aucun dossier ne correspond à ces filtres." in response.content.decode()


def test_filter_by_pilier(agent_client, programme):
    assert listed(agent_client, "?pilier=emploi") == {"B"}
    assert listed(agent_client, "?pilier=cadre_de_vie&pilier=pilotage") == {"C", "E"}


def test_filter_by_thematique(agent_client, programme):
    assert listed(agent_client, "?thematique=1.1") == {"A"}
    assert listed(agent_client, "?thematique=1.2&thematique=1.4") == {"D", "F"}


def test_filter_by_status_and_repeated_statuses(agent_client, programme):
    assert listed(agent_client, "?statut=depose") == {"B"}
    assert listed(agent_client, "?statut=depose&statut=programme") == {"A", "B"}


def test_filter_by_operator_kind(agent_client, programme):
    assert listed(agent_client, "?type_porteur=commune") == {"B", "E"}
    assert listed(agent_client, "?type_porteur=bailleur&type_porteur=commune") == {"B", "C", "E"}


def test_filter_by_operator_id(agent_client, programme):
    elan = programme["A"].operator
    response = agent_client.get(URL + f"?porteur={elan.pk}")
    assert set(references(response)) == {"A", "D"}
    # The chosen porteur is listed, ticked, so that it can be removed.
    assert element(response.content, "input", name="porteur", value=str(elan.pk)).checked
    ville = programme["B"].operator
    assert listed(agent_client, f"?porteur={elan.pk}&porteur={ville.pk}") == {"A", "B", "D", "E"}


def test_filter_by_quartier_with_its_2015_or_its_2024_code(agent_client, programme):
    assert listed(agent_client, "?quartier=QP062008") == {"A", "F"}
    assert listed(agent_client, "?quartier=QN06208M") == {"A", "F"}
    assert listed(agent_client, "?quartier=qn06212m") == {"B"}
    assert listed(agent_client, "?quartier=QP062011&quartier=QN06204M") == {"B", "C", "F"}


def test_a_dossier_in_two_matching_quartiers_is_listed_once(agent_client, programme):
    response = agent_client.get(URL + "?quartier=QP062011&quartier=QP062012")
    assert references(response) == ["B"]
    assert response.context["paginator"].count == 1


def test_filter_by_commune_through_the_quartiers(agent_client, programme):
    assert listed(agent_client, "?commune=62119") == {"A", "F"}  # Béthune: Mont Liébaut
    assert listed(agent_client, "?commune=62178") == {"B"}  # Bruay: two quartiers, listed once
    assert references(agent_client.get(URL + "?commune=62178")) == ["B"]
    assert listed(agent_client, "?commune=62048&commune=62178") == {"B", "C", "F"}
    assert listed(agent_client, "?commune=62023") == set()  # a commune with no quartier


def test_filter_by_funder(agent_client, programme):
    assert listed(agent_client, "?financeur=anct") == {"A", "F"}
    assert listed(agent_client, "?financeur=region&financeur=cabbalr_fcs") == {"B", "D"}


def test_filter_by_nature(agent_client, programme):
    # C's commune line is specific by exception; D's FCS line is specific by default.
    assert listed(agent_client, "?nature=specifique") == {"A", "C", "D", "F"}
    assert listed(agent_client, "?nature=droit_commun") == {"A", "B", "F"}
    assert listed(agent_client, "?nature=droit_commun&nature=specifique") == {"A", "B", "C", "D", "F"}


def test_funder_and_nature_hold_on_the_same_line(agent_client, programme):
    assert listed(agent_client, "?financeur=commune&nature=specifique") == {"C"}
    assert listed(agent_client, "?financeur=commune&nature=droit_commun") == {"F"}


def test_text_search_on_operator_name_with_accents(agent_client, programme):
    assert listed(agent_client, "?q=Élan") == {"A", "D"}
    assert listed(agent_client, "?q=élan") == {"A", "D"}
    assert listed(agent_client, "?q=Bruay-La-Buissière") == {"B", "E"}


def test_text_search_on_reference_and_title(agent_client, programme):
    assert listed(agent_client, "?q=insertion") == {"B"}
    assert listed(agent_client, "?q=Évaluation") == {"E"}
    assert listed(agent_client, "?q=ÉVALUATION") == {"E"}
    # Every word of a phrase must match, in any of the columns.
    assert listed(agent_client, "?q=scolarité+Élan") == {"A"}
    assert listed(agent_client, "?q=théâtre+Bruay") == set()


def test_repeated_searches_are_alternatives(agent_client, programme):
    response = agent_client.get(URL + "?q=insertion&q=théâtre")
    assert set(references(response)) == {"B", "D"}
    html = response.content.decode()
    assert [field["value"] for field in elements(html, "input", name="q")] == ["insertion", "théâtre"]


def test_filters_combine(agent_client, programme):
    assert listed(agent_client, "?annee=2021&pilier=cohesion_sociale&financeur=anct&q=santé") == {"F"}
    assert listed(agent_client, "?statut=programme&statut=en_instruction&commune=62119") == {"A", "F"}


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("annee=1999", "annee", "« 1999 » n'est pas une année (exemple : 2022)."),
        ("annee=deux-mille", "annee", "« deux-mille » n'est pas une année"),
        ("pilier=culture", "pilier", "Pilier inconnu : « culture »"),
        ("thematique=9.9", "thematique", "Thématique inconnue : « 9.9 »"),
        ("statut=valide", "statut", "Statut inconnu : « valide »."),
        ("type_porteur=club", "type_porteur", "Type de porteur inconnu : « club »."),
        ("porteur=999999", "porteur", "aucun porteur n'a l'identifiant « 999999 »"),
        ("porteur=Élan", "porteur", "« Élan » n'est pas un identifiant de porteur."),
        ("quartier=QP999999", "quartier", "Quartier inconnu : « QP999999 »"),
        ("commune=75056", "commune", "Commune inconnue : « 75056 »"),
        ("financeur=banque", "financeur", "Financeur inconnu : « banque »"),
        ("nature=mixte", "nature", "Nature inconnue : « mixte »"),
    ],
)
def test_an_unknown_code_is_a_french_error_next_to_its_filter(agent_client, programme, query, field, message):
    response = agent_client.get(URL + "?statut=programme&" + query)
    assert response.status_code == 200
    assert message in response.context["filter"].form.errors[field][0]
    html = response.content.decode()
    # Shown in the field's block, after the field, and summarised at the top of the page.
    block = html[html.index('<div class="field field--error">') :]
    block = block[: block.index('<div class="field', 1)]
    assert f'id="id_{field}' in block and escape(message) in block
    assert 'role="alert"' in html
    # Nothing is listed rather than a larger set that would look filtered.
    assert references(response) == []
    assert response.context["paginator"].count == 0


# Sorting


@pytest.mark.parametrize(
    "tri, expected",
    [
        ("", ["D", "E", "A", "B", "F", "C"]),  # latest year first, then reference
        ("reference", ["A", "B", "C", "D", "E", "F"]),
        ("-reference", ["F", "E", "D", "C", "B", "A"]),
        ("annee", ["C", "A", "B", "F", "D", "E"]),
        # French order: "Évaluation" between "Chantier" and "Gestion".
        ("intitule", ["A", "D", "B", "E", "C", "F"]),
        ("-intitule", ["F", "C", "E", "B", "D", "A"]),
        # Ties (A and D share their porteur) are broken by year, latest first, then reference.
        ("porteur", ["F", "D", "A", "C", "E", "B"]),
        ("pilier", ["D", "A", "F", "C", "B", "E"]),
        ("statut", ["E", "B", "F", "A", "D", "C"]),  # workflow order
        ("demande", ["E", "D", "C", "F", "A", "B"]),
        ("-demande", ["B", "A", "F", "C", "D", "E"]),
        ("accorde", ["D", "C", "F", "A", "E", "B"]),  # nothing granted: last
        ("-accorde", ["A", "F", "C", "D", "E", "B"]),
        ("n-importe-quoi", ["D", "E", "A", "B", "F", "C"]),
    ],
)
def test_sort_by_each_column(agent_client, programme, tri, expected):
    # F's porteur is a factory's "Association des habitants n° …", before "Association Élan".
    assert references(agent_client.get(URL + f"?tri={tri}")) == expected


def test_sort_links_keep_the_filters_and_mark_the_sorted_column(agent_client, programme):
    html = agent_client.get(URL + "?statut=programme&statut=depose&tri=-accorde&page=1").content.decode()
    assert 'href="?statut=programme&amp;statut=depose&amp;tri=accorde"' in html
    assert 'href="?statut=programme&amp;statut=depose&amp;tri=reference"' in html
    assert 'aria-sort="descending"' in html
    # The filter form keeps the order too.
    # The filter form and the bulk actions' form both keep the sort.
    sorts = elements(html, "input", type="hidden", name="tri")
    assert sorts and {field["value"] for field in sorts} == {"-accorde"}


# Pagination


@pytest.fixture
def sixty():
    operator = OperatorFactory(name="Centre social")
    return [dossier(f"P{n:03d}", operator=operator, lines=[("anct", "100", "100")]) for n in range(60)]


def test_fifty_dossiers_per_page_by_default(agent_client, sixty):
    first = agent_client.get(URL)
    assert references(first) == [f"P{n:03d}" for n in range(50)]
    assert references(agent_client.get(URL + "?page=2")) == [f"P{n:03d}" for n in range(50, 60)]
    assert first.context["paginator"].num_pages == 2


@pytest.mark.parametrize("par_page, size", [("25", 25), ("100", 60), ("200", 60), ("7", 50), ("tout", 50)])
def test_page_size_is_one_of_25_50_100_200(agent_client, sixty, par_page, size):
    assert len(references(agent_client.get(URL + f"?par_page={par_page}"))) == size


def test_an_out_of_range_page_shows_the_last_one(agent_client, sixty):
    assert references(agent_client.get(URL + "?page=99")) == [f"P{n:03d}" for n in range(50, 60)]
    assert len(references(agent_client.get(URL + "?page=abc"))) == 50


def test_pagination_links_keep_the_filters_and_the_order(agent_client, sixty):
    html = agent_client.get(URL + "?financeur=anct&tri=-reference&par_page=25").content.decode()
    assert 'href="?financeur=anct&amp;tri=-reference&amp;par_page=25&amp;page=2"' in html
    assert "Page 1 sur 3" in html
    assert references(agent_client.get(URL + "?financeur=anct&tri=-reference&par_page=25&page=3")) == [
        f"P{n:03d}" for n in range(9, -1, -1)
    ]


# Totals of the filtered set


def test_totals_are_those_of_the_whole_filtered_set_not_of_the_page(agent_client, sixty):
    response = agent_client.get(URL + "?par_page=25")
    assert response.context["paginator"].count == 60
    totals = response.context["totals"]
    assert (totals.requested, totals.granted) == (Decimal("6000.00"), Decimal("6000.00"))
    html = response.content.decode()
    assert "<strong>60</strong> dossiers" in html and "6\u00a0000,00\u00a0€" in html


def test_totals_count_each_line_once_when_filtering_by_quartiers(agent_client):
    for n in range(3):
        dossier(
            f"Q{n}",
            quartiers=["QP062011", "QP062012"],
            lines=[("anct", "1000", "900"), ("caf", "500", "500"), ("region", "250.50", None)],
        )
    dossier("other", quartiers=["QP062004"], lines=[("anct", "99999", "99999")])
    for query in ("?quartier=QP062011&quartier=QP062012", "?commune=62178", "?commune=62178&financeur=anct"):
        response = agent_client.get(URL + query)
        assert response.context["paginator"].count == 3, query
        totals = response.context["totals"]
        assert (totals.requested, totals.granted) == (Decimal("5251.50"), Decimal("4200.00")), query
        rows = response.context["page"].object_list
        assert [(row.requested_total, row.granted_total) for row in rows] == [
            (Decimal("1750.50"), Decimal("1400.00"))
        ] * 3


def test_with_a_funder_filter_the_totals_also_show_that_funders_share(agent_client, programme):
    response = agent_client.get(URL + "?financeur=anct")
    # The dossiers' totals, all their lines (A: 15 000 / 13 000, F: 5 000 / 4 000)...
    totals = response.context["totals"]
    assert (totals.requested, totals.granted) == (Decimal("20000.00"), Decimal("17000.00"))
    # ... and the ANCT lines among them.
    share = response.context["line_totals"]
    assert (share.requested, share.granted) == (Decimal("14000.00"), Decimal("11000.00"))
    html = response.content.decode()
    assert "dont lignes « État – ANCT crédits politique de la ville »" in html
    assert agent_client.get(URL + "?statut=programme").context["line_totals"] is None
    share = agent_client.get(URL + "?financeur=commune&nature=specifique").context["line_totals"]
    assert (share.requested, share.granted) == (Decimal("2000.00"), Decimal("2000.00"))


def test_totals_of_an_empty_selection_are_zero(agent_client, programme):
    response = agent_client.get(URL + "?q=introuvable")
    assert response.context["paginator"].count == 0
    assert (response.context["totals"].requested, response.context["totals"].granted) == (
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert "Aucun dossier ne correspond à ces filtres." in response.content.decode()


# Export buttons


def test_export_buttons_carry_the_current_filters(agent_client, programme):
    html = agent_client.get(URL + "?annee=2021&statut=programme&page=1&par_page=25").content.decode()
    for export_format in ("csv", "xlsx", "xlsx-lisible"):
        assert f'href="/projets/export/?annee=2021&amp;statut=programme&amp;format={export_format}"' in html


# A constant number of queries


def _build(count):
    operator = OperatorFactory(name="Centre social")
    for n in range(count):
        dossier(
            f"N{n:03d}",
            operator=operator if n % 2 else None,
            quartiers=["QP062008", "QP062011"],
            lines=[("anct", "1000", "800"), ("caf", "500", "500"), ("commune", "300", None)],
        )


# session, user, the user's and the groups' permissions; the data's versions; the filters'
# reference data (piliers with their thématiques, funders, quartiers with their communes: one
# query each, whether or not a filter is chosen) and the years; the list's count, the totals and
# the page's rows; the layout's programme year (once).
LIST_QUERIES = 13
# Filtered: the chosen codes are checked against the reference data already read; the chosen
# funders' share of the totals is one more query.
FILTERED_LIST_QUERIES = LIST_QUERIES + 1
LIST_QUERIES_FROM_CACHE = LIST_QUERIES - 2
FILTERED_LIST_QUERIES_FROM_CACHE = FILTERED_LIST_QUERIES - 3


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, queries


@pytest.mark.parametrize("count", [5, pytest.param(60, marks=pytest.mark.slow)])
def test_the_list_takes_the_same_number_of_queries_whatever_the_page_size(agent_client, count):
    _build(count)
    agent_client.get(URL + "?statut=refuse")  # warm the session and the content types
    versioning.clear()
    response, queries = _count_queries(agent_client, URL + "?par_page=200")
    assert len(references(response)) == count
    assert len(queries) == LIST_QUERIES, "\n".join(q["sql"] for q in queries.captured_queries)
    # Another page size or order of the same list: its count and totals from the cache.
    response, queries = _count_queries(agent_client, URL + "?par_page=100&tri=titre")
    assert len(queries) == LIST_QUERIES_FROM_CACHE, "\n".join(q["sql"] for q in queries.captured_queries)
    assert response.context["paginator"].count == count


@pytest.mark.parametrize("count", [5, pytest.param(60, marks=pytest.mark.slow)])
def test_a_filtered_list_takes_the_same_number_of_queries_whatever_the_page_size(agent_client, count):
    _build(count)
    agent_client.get(URL + "?statut=refuse")
    versioning.clear()
    query = "?quartier=QN06208M&commune=62178&financeur=anct&financeur=caf&statut=programme&annee=2021"
    response, queries = _count_queries(agent_client, URL + query + "&tri=-accorde&par_page=200")
    assert len(references(response)) == count
    assert len(queries) == FILTERED_LIST_QUERIES, "\n".join(q["sql"] for q in queries.captured_queries)
    response, queries = _count_queries(agent_client, URL + query + "&par_page=25&page=2")
    assert len(queries) == FILTERED_LIST_QUERIES_FROM_CACHE, "\n".join(
        q["sql"] for q in queries.captured_queries
    )


def test_the_count_and_totals_follow_a_change_at_once(agent_client):
    _build(5)
    first = agent_client.get(URL).context
    assert first["paginator"].count == 5
    granted = first["totals"].granted
    line = FundingLine.objects.order_by("pk").first()
    FundingLine.objects.filter(pk=line.pk).update(
        amount_granted=(line.amount_granted or 0) + Decimal("1000.00")
    )
    again = agent_client.get(URL).context
    assert again["totals"].granted == granted + Decimal("1000.00")
    Project.objects.filter(pk=line.project_id).delete()
    assert agent_client.get(URL).context["paginator"].count == 4
