"""One definition of the dossier filters (issue 12): for every filter parameter, the dossier
list and the dashboard count the same dossiers and the same money, and an unknown value is the
same French error on the list, the export and the dashboard.

Each case is checked three ways: the dashboard's figures for the scope (`/tableau-de-bord/`),
the dossier list behind them (the dashboard's own drill-down links, and the list of the same
address), and an oracle computed here in Python from the dataset's definition, so that the two
pages cannot agree on a wrong answer."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from contratville import roles, versioning
from documents.models import Document, ScanStatus
from projects.models import Nature, OperatorKind, Project, Status
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    UserFactory,
    complete_compte_rendu,
    funder,
    pillar,
    quartier,
    theme,
)

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")
DC, SP = Nature.DROIT_COMMUN, Nature.SPECIFIQUE
PROGRAMMED = set(Status.programmed())
# Quartiers of the reference data: Mont Liébaut (Béthune, 62119; 2024 code QN06208M), two
# quartiers of Bruay-La-Buissière (62178), Centre Ville (Auchel, 62048).
COMMUNE_OF = {"QP062008": "62119", "QP062011": "62178", "QP062012": "62178", "QP062004": "62048"}
OPERATORS = {
    "elan": ("Association Élan", OperatorKind.ASSOCIATION),
    "ville": ("Ville de Bruay-La-Buissière", OperatorKind.COMMUNE),
    "bailleur": ("Maisons & Cités", OperatorKind.BAILLEUR),
}


@dataclass(frozen=True)
class D:
    """A dossier of the dataset: lines are (funder, nature, requested, granted or None)."""

    reference: str
    year: int
    pillar: str
    theme: str
    status: str
    operator: str
    title: str
    quartiers: tuple[str, ...] = ()
    lines: tuple[tuple[str, str, str, str | None], ...] = ()


DATASET = [
    D("A", 2021, "cohesion_sociale", "1.1", Status.PROGRAMME, "elan", "Accompagnement à la scolarité",
      ("QP062008",), (("anct", SP, "10000", "8000"), ("caf", DC, "5000", "5000"))),
    D("B", 2021, "emploi", "2.1", Status.SOLDE, "ville", "Chantier d'insertion",
      ("QP062011", "QP062012"), (("region", DC, "30000", "25000.50"), ("anct", SP, "4000", "4000"))),
    D("C", 2021, "cadre_de_vie", "3.1", Status.JUSTIFIE, "bailleur", "Gestion urbaine de proximité",
      ("QP062004",), (("commune", SP, "2000", "2000"),)),
    D("E", 2021, "cohesion_sociale", "1.2", Status.PROGRAMME, "ville", "Prévention santé",
      ("QP062008", "QP062004"), (("anct", DC, "3000", "2500"), ("caf", SP, "1000", "1000"))),
    # A CAF droit commun line and a specific ANCT line: not a "specific CAF" dossier.
    D("F", 2021, "cohesion_sociale", "1.4", Status.PROGRAMME, "elan", "Atelier théâtre",
      (), (("caf", DC, "700", "700"), ("anct", SP, "900", "600"))),
    D("G", 2021, "emploi", "2.2", Status.DEPOSE, "elan", "Couveuse d'entreprises",
      ("QP062011",), (("anct", SP, "5000", None),)),
    D("H", 2021, "cohesion_sociale", "1.1", Status.REFUSE, "bailleur", "Soutien scolaire",
      ("QP062008",), (("cabbalr_fcs", SP, "1500", "0"),)),
    D("I", 2021, "pilotage", "4.1", Status.BROUILLON, "ville", "Évaluation du contrat", (), ()),
    D("J", 2021, "cohesion_sociale", "1.5", Status.EN_INSTRUCTION, "elan", "Fête de quartier",
      ("QP062012",), (("commune", DC, "800", None),)),
    D("K", 2022, "cohesion_sociale", "1.1", Status.PROGRAMME, "elan", "Accompagnement à la scolarité",
      ("QP062008",), (("anct", SP, "11000", "9000"),)),
    D("L", 2022, "emploi", "2.1", Status.DEPOSE, "ville", "Chantier d'insertion",
      ("QP062011",), (("region", DC, "20000", None),)),
]  # fmt: skip
# Dossiers with every piece the default checklist asks of their porteur's type (the others miss
# some: `pieces=manquantes`). F's association lacks one (its CERFA) of the seven.
COMPLETE_PIECES = {
    "B": ["budget_previsionnel"],
    "C": ["budget_previsionnel", "rib"],
    "K": ["statuts", "rib", "liste_dirigeants", "rapport_activite", "comptes_approuves",
          "budget_previsionnel", "cerfa_12156"],
}  # fmt: skip


@pytest.fixture
def programme():
    ProgrammeYearFactory(year=2021)
    ProgrammeYearFactory(year=2022)
    operators = {key: OperatorFactory(name=name, kind=kind) for key, (name, kind) in OPERATORS.items()}
    for d in DATASET:
        project = ProjectFactory(
            reference=d.reference,
            year_id=d.year,
            pillar=pillar(d.pillar),
            theme=theme(d.theme),
            status=d.status,
            operator=operators[d.operator],
            title=d.title,
        )
        project.quartiers.set([quartier(code) for code in d.quartiers])
        for position, (funder_code, nature, requested, granted) in enumerate(d.lines, start=1):
            FundingLineFactory(
                project=project,
                funder=funder(funder_code),
                nature=nature,
                amount_requested=Decimal(requested),
                amount_granted=None if granted is None else Decimal(granted),
                position=position,
            )
        if d.reference in COMPLETE_PIECES:
            for piece in COMPLETE_PIECES[d.reference]:
                Document.objects.create(
                    project=project,
                    piece_type=piece,
                    original_name=f"{piece}.pdf",
                    file=f"pieces/{d.reference}/{piece}.pdf",
                    size=1000,
                    sha256="0" * 64,
                    content_type="application/pdf",
                    scan_status=ScanStatus.CLEAN,
                )
    complete_compte_rendu(Project.objects.get(reference="E"))
    return operators


@pytest.fixture
def client_of_both(client):
    """A user who sees both the list and the dashboard (agent and direction)."""
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.AGENT), Group.objects.get(name=roles.DIRECTION))
    client.force_login(user)
    return client


# The cases: the address's parameters (porteur by its key in OPERATORS), and the oracle: which
# dossiers, and which of their lines when amounts are summed.


@dataclass(frozen=True)
class Case:
    query: dict
    dossier: object = lambda d: True
    line: object = lambda line: True
    year: int = 2021


def _kind(d: D) -> str:
    return OPERATORS[d.operator][1]


def _has_line(predicate):
    return lambda d: any(predicate(line) for line in d.lines)


CASES = {
    "annee": Case({"annee": ["2022"]}, year=2022),
    "pilier": Case({"pilier": ["emploi"]}, lambda d: d.pillar == "emploi"),
    "thematique": Case({"thematique": ["1.2", "1.4"]}, lambda d: d.theme in ("1.2", "1.4")),
    "type_porteur": Case({"type_porteur": ["association"]}, lambda d: _kind(d) == OperatorKind.ASSOCIATION),
    "porteur": Case({"porteur": ["ville"]}, lambda d: d.operator == "ville"),
    "quartier (2015 code)": Case({"quartier": ["QP062008"]}, lambda d: "QP062008" in d.quartiers),
    "quartier (2024 code)": Case({"quartier": ["QN06208M"]}, lambda d: "QP062008" in d.quartiers),
    "quartier (lower case)": Case({"quartier": ["qn06208m"]}, lambda d: "QP062008" in d.quartiers),
    "several quartiers": Case(
        {"quartier": ["QP062011", "QP062004", "QP062012"]},
        lambda d: bool({"QP062011", "QP062004", "QP062012"} & set(d.quartiers)),
    ),
    "commune": Case({"commune": ["62178"]}, lambda d: any(COMMUNE_OF[q] == "62178" for q in d.quartiers)),
    "financeur": Case(
        {"financeur": ["anct"]}, _has_line(lambda line: line[0] == "anct"), lambda line: line[0] == "anct"
    ),
    "nature": Case({"nature": [SP]}, _has_line(lambda line: line[1] == SP), lambda line: line[1] == SP),
    "financeur and nature on the same line": Case(
        {"financeur": ["caf"], "nature": [SP]},
        _has_line(lambda line: line[:2] == ("caf", SP)),
        lambda line: line[:2] == ("caf", SP),
    ),
    "statut": Case(
        {"statut": [Status.SOLDE, Status.DEPOSE]}, lambda d: d.status in (Status.SOLDE, Status.DEPOSE)
    ),
    "statut outside the programmed ones": Case(
        {"statut": [Status.REFUSE]}, lambda d: d.status == Status.REFUSE
    ),
    "q": Case({"q": ["scolarité"]}, lambda d: "scolarité" in d.title.lower()),
    "pieces": Case({"pieces": ["manquantes"]}, lambda d: d.reference not in COMPLETE_PIECES),
    # Every 2021 compte-rendu was due on 30 June 2022: the programmed dossiers without a complete
    # one (E has one).
    "compte_rendu": Case(
        {"compte_rendu": ["en_retard"]}, lambda d: d.status == Status.PROGRAMME and d.reference != "E"
    ),
    "pieces, another year": Case(
        {"pieces": ["manquantes"]}, lambda d: d.reference not in COMPLETE_PIECES, year=2022
    ),
    "q (porteur, no accent typed as such)": Case({"q": ["élan"]}, lambda d: d.operator == "elan"),
    "pilier, quartier and financeur": Case(
        {"pilier": ["cohesion_sociale"], "quartier": ["QN06208M"], "financeur": ["caf", "anct"]},
        lambda d: (
            d.pillar == "cohesion_sociale"
            and "QP062008" in d.quartiers
            and any(line[0] in ("caf", "anct") for line in d.lines)
        ),
        lambda line: line[0] in ("caf", "anct"),
    ),
}


def _address(case: Case, operators) -> list[tuple[str, str]]:
    params = []
    for name, values in case.query.items():
        for value in values:
            params.append((name, str(operators[value].pk) if name == "porteur" else value))
    return params


def _query(params) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


@dataclass
class Expected:
    dossiers: int
    programmed: int
    filed: int
    refused: int
    granted: Decimal
    requested: Decimal


def oracle(case: Case) -> Expected:
    chosen = [d for d in DATASET if d.year == case.year and case.dossier(d)]
    programmed = [d for d in chosen if d.status in PROGRAMMED]
    lines = [line for d in programmed for line in d.lines if case.line(line)]
    return Expected(
        dossiers=len(chosen),
        programmed=len(programmed),
        filed=sum(d.status != Status.BROUILLON for d in chosen),
        refused=sum(d.status == Status.REFUSE for d in chosen),
        granted=sum((Decimal(line[3] or 0) for line in lines), ZERO),
        requested=sum((Decimal(line[2]) for line in lines), ZERO),
    )


def _get(client, url):
    # Each page computed afresh (the figures' cache is tested elsewhere), so that its context
    # holds the figures.
    versioning.clear()
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _list_figures(client, url) -> tuple[int, Decimal, Decimal]:
    """The list's count and its granted and requested totals (of the chosen funders' lines
    when the address filters by funder or nature, as the dashboard sums)."""
    context = _get(client, url).context
    totals = context["line_totals"] or context["totals"]
    return context["paginator"].count, totals.granted, totals.requested


@pytest.mark.parametrize("name", list(CASES))
def test_the_list_and_the_dashboard_count_the_same_dossiers_and_money(client_of_both, programme, name):
    case = CASES[name]
    expected = oracle(case)
    params = _address(case, programme)
    scope_params = [(k, v) for k, v in params if k != "annee"]
    year = [("annee", str(case.year))]

    page = _get(client_of_both, f"/tableau-de-bord/?{_query(year + scope_params)}")
    assert page.context["form"].errors == {}
    figures = page.context["data"].figures
    assert figures.year == case.year
    assert (figures.projects_programmed, figures.total) == (expected.programmed, expected.granted)
    assert (figures.projects_filed, figures.projects_refused) == (expected.filed, expected.refused)
    assert sum(figures.status_counts.values()) == expected.dossiers

    # The list of the same address: every dossier of the scope, whatever its status.
    count, _granted, _requested = _list_figures(client_of_both, f"/projets/?{_query(year + scope_params)}")
    assert count == expected.dossiers == sum(figures.status_counts.values())

    # The dashboard's own links to the dossiers behind its key figures.
    links = {figure.label: figure.link for figure in page.context["key_figures"]}
    if expected.programmed or not case.query.get("statut"):
        assert _list_figures(client_of_both, links["Total programmé"]) == (
            expected.programmed,
            expected.granted,
            expected.requested,
        )
        assert links["Dossiers programmés"] == links["Total programmé"]
    else:
        # The scope's statuses have no programmed one: nothing behind the figure, no link.
        assert links["Total programmé"] == "" and figures.total == ZERO
    assert _list_figures(client_of_both, links["Dossiers déposés"])[0] == expected.filed
    if case.query.get("statut"):
        if expected.refused:
            assert _list_figures(client_of_both, links["Dossiers refusés"])[0] == expected.refused
        else:
            assert links["Dossiers refusés"] == ""


@pytest.mark.parametrize("name", ["pilier", "pilier, quartier and financeur"])
def test_each_bar_of_the_pilier_chart_lists_its_own_dossiers_and_money(client_of_both, programme, name):
    case = CASES[name]
    params = [("annee", str(case.year)), *_address(case, programme)]
    page = _get(client_of_both, f"/tableau-de-bord/?{_query(params)}")
    figures = page.context["data"].figures
    rows = next(
        item["chart"].table for item in page.context["charts"] if item["chart"].name == "piliers"
    ).rows
    linked = 0
    for row in rows:
        pilier = next(p for p in figures.pillars if p.label == row.header)
        if pilier.code not in case.query.get("pilier", [pilier.code]):
            # A pilier outside the scope: nothing behind its bar.
            assert row.link == "" and pilier.projects == 0 and pilier.amount == ZERO
            continue
        count, granted, _requested = _list_figures(client_of_both, row.link)
        assert (count, granted) == (pilier.projects, pilier.amount), row.header
        linked += 1
    assert linked >= 1


def test_the_cases_cover_every_filter_parameter():
    from projects.filters import PARAMETERS

    assert {name for case in CASES.values() for name in case.query} == set(PARAMETERS)


def test_a_quartiers_2015_and_2024_codes_are_one_scope(client_of_both, programme):
    by_2015 = _get(client_of_both, "/tableau-de-bord/?annee=2021&quartier=QP062008")
    by_2024 = _get(client_of_both, "/tableau-de-bord/?annee=2021&quartier=QN06208M")
    assert by_2015.context["scope"] == by_2024.context["scope"]
    assert by_2015.context["dossiers_url"] == by_2024.context["dossiers_url"]
    assert "quartier=QP062008" in by_2024.context["dossiers_url"]


# The same French error everywhere ----------------------------------------------------------

UNKNOWN = [
    ("annee", "1999", "« 1999 » n'est pas une année (exemple : 2022)."),
    ("annee", "2O21", "« 2O21 » n'est pas une année (exemple : 2022)."),
    (
        "pilier",
        "emplio",
        "Pilier inconnu : « emplio » (codes possibles : cohesion_sociale, cadre_de_vie, emploi, pilotage).",
    ),
    ("thematique", "9.9", "Thématique inconnue : « 9.9 » (code ANCT attendu, par exemple 1.1)."),
    ("statut", "valide", "Statut inconnu : « valide »."),
    ("type_porteur", "club", "Type de porteur inconnu : « club »."),
    ("porteur", "999999", "Porteur inconnu : aucun porteur n'a l'identifiant « 999999 »."),
    (
        "porteur",
        "99999999999999999999999",
        "« 99999999999999999999999 » n'est pas un identifiant de porteur.",
    ),
    ("porteur", "Élan", "« Élan » n'est pas un identifiant de porteur."),
    (
        "quartier",
        "QP999999",
        "Quartier inconnu : « QP999999 » (code QPV attendu, par exemple QP062004 ou QN06204M).",
    ),
    ("commune", "75056", "Commune inconnue : « 75056 » (code INSEE attendu, par exemple 62119)."),
    ("financeur", "banque", "Financeur inconnu : « banque » (un code comme anct, region, caf)."),
    ("nature", "mixte", "Nature inconnue : « mixte » (codes possibles : droit_commun, specifique)."),
    ("q", "x" * 201, "La recherche est trop longue (201 caractères, 200 au plus)."),
    ("pieces", "toutes", "Pièces du dossier : valeur inconnue « toutes » (valeur possible : manquantes)."),
    (
        "compte_rendu",
        "manquant",
        "Compte-rendu financier : valeur inconnue « manquant » (valeur possible : en_retard).",
    ),
    ("pilier", "emp\x00loi", "Pilier : « emploi » contient un caractère nul ; valeur refusée."),
]


@pytest.mark.parametrize(
    ("name", "value", "message"), UNKNOWN, ids=[f"{n}={v[:12]!r}" for n, v, _ in UNKNOWN]
)
def test_an_unknown_value_is_the_same_french_error_on_every_page(
    client_of_both, programme, name, value, message
):
    query = _query([("annee", "2021"), (name, value)] if name != "annee" else [(name, value)])
    listing = _get(client_of_both, f"/projets/?{query}")
    assert listing.context["filter_errors"] == [message]
    assert listing.context["paginator"].count == 0

    export = client_of_both.get(f"/projets/export/?format=csv&{query}")
    assert export.status_code == 400
    assert export.content.decode().splitlines()[1:] == [message]

    dashboard = _get(client_of_both, f"/tableau-de-bord/?{query}")
    assert dashboard.context["filter_errors"] == [message]
    assert "key_figures" not in dashboard.context
    html = dashboard.content.decode()
    assert 'role="alert"' in html and "Total programmé" not in html
