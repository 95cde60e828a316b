"""Every 2021 figure of docs/domain.md §8, computed from the demonstration programme loaded the way a
user loads it (`load_demo`, through the import service)."""

import pytest
from django.core.management import call_command

from reports.selectors import bilan_as_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))


PILIERS_2021 = [
    {
        "code": "cohesion_sociale",
        "label": "Cohésion sociale",
        "amount": "4734927.00",
        "percent": "68.3",
        "droit_commun": "2030892.00",
        "specifique": "2704035.00",
        "associative_projects": 54,
        "associative_percent": "72.0",
    },
    {
        "code": "cadre_de_vie",
        "label": "Cadre de vie, renouvellement urbain",
        "amount": "724721.00",
        "percent": "10.5",
        "droit_commun": "52050.00",
        "specifique": "672671.00",
        "associative_projects": 2,
        "associative_percent": "2.7",
    },
    {
        "code": "emploi",
        "label": "Emploi et développement économique",
        "amount": "1407515.00",
        "percent": "20.3",
        "droit_commun": "704966.00",
        "specifique": "702549.00",
        "associative_projects": 18,
        "associative_percent": "24.0",
    },
    {
        "code": "pilotage",
        "label": "Pilotage, qualification des acteurs, évaluation",
        "amount": "64300.00",
        "percent": "0.9",
        "droit_commun": "11025.00",
        "specifique": "53275.00",
        "associative_projects": 1,
        "associative_percent": "1.3",
    },
]


def test_every_2021_figure_of_the_seed(demo):
    data = bilan_as_json(2021)
    assert data["year"] == 2021
    assert data["projects_filed"] == 141
    assert data["projects_supported_anct"] == 122
    assert data["total"] == "6931463.00"
    assert data["specific_total"] == "4132530.00"
    assert data["specific_percent"] == "59.6"
    assert data["associative_projects"] == 75
    assert data["piliers"] == PILIERS_2021
    assert data["priority_themes_percent"] == "72.0"
    assert data["priority_themes_percent_previous_year"] == "69.0"
    assert data["fcs"]["envelope"] == "92921.00"
    assert data["fcs"]["projects"] == 22
    assert data["fonds_de_concours"] == {
        "total": "169541.00",
        "items": [
            {"commune": "Divion", "project": "Rénovation de la salle Mancey", "amount": "68049.00"},
            {
                "commune": "Bruay-La-Buissière",
                "project": "Création d'une aire de jeux – terrasses Basly",
                "amount": "32111.00",
            },
            {
                "commune": "Hersin-Coupigny",
                "project": "Création d'une maison de la solidarité",
                "amount": "69381.00",
            },
        ],
    }


def test_the_json_address_and_the_command_agree(demo, client, capsys):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="comite"))
    from_web = client.get("/bilan/2021.json").json()
    call_command("bilan", "2021", "--format", "json")
    import json

    assert json.loads(capsys.readouterr().out) == from_web == bilan_as_json(2021)
    assert from_web["total"] == "6931463.00"


def test_2020_is_loaded_with_its_priority_share(demo):
    data = bilan_as_json(2020)
    assert data["priority_themes_percent"] == "69.0"
    assert data["projects_programmed"] > 0
    assert data["priority_themes_percent_previous_year"] is None
