"""Reading the dossier filters (`projects.filters.parse_filters`): clean values, the canonical
address, labels, and hostile values, which are French errors and never a server error on any
page that reads the filters."""

import pytest
from django.contrib.auth.models import Group
from django.http import QueryDict

from contratville import roles
from projects.filters import MAX_VALUES, DossierScope, FilterReference, parse_filters
from projects.models import Project, Status
from tests.factories import OperatorFactory, ProjectFactory, UserFactory, quartier

pytestmark = pytest.mark.django_db


def parse(query: str):
    return parse_filters(QueryDict(query))


def test_values_are_cleaned_deduplicated_and_aliases_resolved():
    parsed = parse(
        "annee=2022&annee=2021&annee=2022&pilier=emploi&pilier=emploi&quartier=qn06208m&quartier=QP062008"
        "&q=++jeunes+++en+action+&statut=programme&nature=specifique&financeur=anct&commune=62119"
    )
    assert parsed.is_valid, parsed.errors
    assert parsed.scope == DossierScope(
        annee=(2021, 2022),
        pilier=("emploi",),
        quartier=("QP062008",),
        q=("jeunes en action",),
        statut=("programme",),
        nature=("specifique",),
        financeur=("anct",),
        commune=("62119",),
    )
    # The canonical address: fixed order, one value each, the quartier by its option's code.
    assert parsed.scope.query_string() == (
        "annee=2021&annee=2022&pilier=emploi&quartier=QP062008&commune=62119&financeur=anct"
        "&nature=specifique&q=jeunes+en+action&statut=programme"
    )
    assert parse(parsed.scope.query_string()).scope == parsed.scope


def test_labels_say_the_filters_as_french_readers_do():
    operator = OperatorFactory(name="Association Élan")
    parsed = parse(f"pilier=emploi&porteur={operator.pk}&quartier=QN06208M&nature=specifique&q=santé")
    assert parsed.labels() == [
        ("Pilier", "Emploi et développement économique"),
        ("Porteur", "Association Élan"),
        ("Quartier", "Quartier Du Mont Liébaut (QP062008)"),
        ("Nature des crédits", "Crédits spécifiques"),
        ("Recherche", "« santé »"),
    ]


def test_a_commune_without_quartier_is_known_too():
    from projects.models import Commune

    Commune.objects.create(insee_code="62999", name="Commune sans quartier")
    parsed = parse("commune=62999")
    assert parsed.is_valid and parsed.scope.commune == ("62999",)


def test_only_the_reference_data_asked_for_is_read(django_assert_num_queries):
    reference = FilterReference()
    with django_assert_num_queries(0):
        parse_filters(
            QueryDict("annee=2021&statut=programme&nature=specifique&type_porteur=commune&q=a"), reference
        )
    with django_assert_num_queries(1):  # piliers and thématiques together
        parse_filters(QueryDict("pilier=emploi&thematique=2.1"), reference)
    with django_assert_num_queries(1):  # porteurs, by the ids asked
        parse_filters(QueryDict("porteur=1&porteur=2"), reference)


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        (
            "porteur=99999999999999999999999",
            "porteur",
            "« 99999999999999999999999 » n'est pas un identifiant de porteur.",
        ),
        (
            "porteur=9223372036854775808",
            "porteur",
            "« 9223372036854775808 » n'est pas un identifiant de porteur.",
        ),
        ("porteur=9223372036854775807", "porteur", "aucun porteur n'a l'identifiant « 9223372036854775807 »"),
        ("porteur=-3", "porteur", "« -3 » n'est pas un identifiant de porteur."),
        ("porteur=%D9%A3", "porteur", "« ٣ » n'est pas un identifiant de porteur."),
        ("annee=1999", "annee", "« 1999 » n'est pas une année"),
        ("annee=2101", "annee", "« 2101 » n'est pas une année"),
        ("annee=99999999999999999999", "annee", "« 99999999999999999999 » n'est pas une année"),
        ("pilier=emp%00loi", "pilier", "Pilier : « emploi » contient un caractère nul ; valeur refusée."),
        ("q=a%00b", "q", "Recherche : « ab » contient un caractère nul ; valeur refusée."),
        ("quartier=" + "Q" * 5000, "quartier", "Quartier inconnu : « " + "Q" * 39 + "… »"),
        ("q=" + "x" * 5000, "q", "La recherche est trop longue (5\u00a0000 caractères, 200 au plus)."),
    ],
)
def test_hostile_values_are_french_errors(query, name, message):
    parsed = parse(query)
    assert not parsed.is_valid
    assert any(message in error for error in parsed.errors[name]), parsed.errors


def test_too_many_values_or_unknown_ones_are_bounded():
    # More than an address may carry (DATA_UPLOAD_MAX_NUMBER_FIELDS): a mapping, as code passes.
    many = {"quartier": [f"QP{n:06d}" for n in range(MAX_VALUES + 1)]}
    assert parse_filters(many).errors == {"quartier": ["Quartier : 2\u00a0001 valeurs, 2\u00a0000 au plus."]}
    unknown = parse("&".join(f"pilier=p{n}" for n in range(12))).errors["pilier"]
    assert len(unknown) == 6 and unknown[-1] == "Pilier : 7 autres valeurs inconnues."


HOSTILE = [
    "porteur=99999999999999999999999",
    "porteur=9223372036854775807",
    "annee=2021&annee=2021&annee=2022",
    "annee=%00",
    "pilier=%00",
    "q=%00%00",
    "quartier=" + "%C3%A9" * 3000,
    "q=" + "a" * 10000,
    "commune=" + "6" * 300,
    "thematique=1.1&" * 300,
    "statut=programme&statut=PROGRAMME&statut=",
    "financeur=anct&nature=specifique&nature=bogus",
    "porteur=0&porteur=00&porteur=1e3",
]
PAGES = [
    "/projets/?{}",
    "/projets/export/?format=csv&{}",
    "/tableau-de-bord/?{}",
    "/tableau-de-bord/?format=csv&chart=piliers&{}",
]


@pytest.mark.parametrize("query", HOSTILE, ids=[q[:30] for q in HOSTILE])
def test_hostile_addresses_never_give_a_server_error(client, query):
    ProjectFactory(status=Status.PROGRAMME).quartiers.add(quartier("QP062008"))
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.AGENT), Group.objects.get(name=roles.DIRECTION))
    client.force_login(user)
    for page in PAGES:
        response = client.get(page.format(query))
        assert response.status_code in (200, 400), (page, response.status_code)
    assert Project.objects.count() == 1
