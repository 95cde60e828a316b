#!/usr/bin/env python3
"""Generate the demonstration programmes 2020 and 2021 in the import format (docs/import-format.md).

Writes fixtures/demo/programmation_2021.csv and fixtures/demo/programmation_2020.csv.

Deterministic (fixed seeds, standard library only). The reference codes (QPV, thématiques) are read
from fixtures/reference/. Only the four "focus" dossiers of 2021 (PV2021-001 to PV2021-004) are real
actions named by the 2021 bilan; every other dossier, operator name and SIRET is illustrative. The
2021 aggregates are fitted exactly to the figures of the bilan: dossiers filed and programmed, ANCT
and FCS counts, granted amounts by pilier and nature, associative dossiers, priority thématiques.
The pairing of a commune with a QPV is illustrative where no public source gives the QPV's commune.

Method: decide every dossier first (pilier, thématique, operator, funders, relative size), then, for
each (pilier, nature, priority-or-not) bucket, spread the bucket's exact target over its funding
lines in proportion to their weights, in round figures, the remainder going to the largest line.

Usage: python3 tools/make_demo_programme.py
"""

import csv
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The import format's columns (a standard-library module of the project).
sys.path.insert(0, str(ROOT))
from projects.imports.format import COLUMNS, QUARTIER_SEPARATOR  # noqa: E402

REFERENCE = ROOT / "fixtures" / "reference"
OUTPUT = ROOT / "fixtures" / "demo"

FUNDERS = [
    "anct",
    "etat_droit_commun",
    "region",
    "departement",
    "caf",
    "cabbalr",
    "cabbalr_fcs",
    "commune",
    "bailleur",
    "france_travail",
    "fse",
    "autre",
]
SPECIFIC_FUNDERS = {"anct", "cabbalr_fcs"}
PILIERS = ["cohesion_sociale", "cadre_de_vie", "emploi", "pilotage"]
PROGRAMMED = {"programme", "justifie", "solde"}
PRIORITY_THEMES = {"1.1", "1.5", "2.1"}
FORBIDDEN_THEMES = {"1.5a", "1.5b"}


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------


def read_reference():
    with open(REFERENCE / "qpv_cabbalr.csv", encoding="utf-8") as handle:
        qpv = {row["code_2015"]: row["code_2024"] for row in csv.DictReader(handle)}
    with open(REFERENCE / "thematiques_anct.csv", encoding="utf-8") as handle:
        themes = {row["code"]: row["pilier"] for row in csv.DictReader(handle)}
    with open(REFERENCE / "communes_cabbalr.csv", encoding="utf-8") as handle:
        communes = {row["code_insee"]: row["nom"] for row in csv.DictReader(handle)}
    return qpv, themes, communes


QPV, THEMES, COMMUNES = read_reference()

# Short names of the QPV, used to make titles unique (keyed by the 2015 code).
QPV_LABELS = {
    "QP062004": "Centre-Ville d'Auchel",
    "QP062005": "Cités 5, de Marles et du Rond-Point",
    "QP062006": "Quartier Rimbert",
    "QP062007": "Quartier du Regain",
    "QP062008": "Mont-Liébaut",
    "QP062009": "Rue de Lille",
    "QP062010": "Renaissance",
    "QP062011": "Le Centre de Bruay",
    "QP062012": "Terrasses Basly",
    "QP062013": "Coteau du Stade – Parc-Cité 34",
    "QP062014": "Cités 6 et 30",
    "QP062015": "Provinces – Longues Trinques",
    "QP062016": "Saint-Élie – Fosse 13",
    "QP062017": "Haut d'Houdain",
    "QP062018": "Terre-Noeve",
    "QP062057": "Centre-Ville de Lillers",
}
assert set(QPV_LABELS) == set(QPV), "QPV labels out of step with fixtures/reference/qpv_cabbalr.csv"

# Communes operating actions, with the QPV their dossiers target (illustrative where the reference
# gives no commune for the QPV).
COMMUNE_QPV = {
    "62048": ["QP062004", "QP062006"],  # Auchel
    "62083": ["QP062010"],  # Barlin
    "62126": ["QP062009"],  # Beuvry
    "62119": ["QP062008", "QP062009"],  # Béthune
    "62178": ["QP062011", "QP062012"],  # Bruay-La-Buissière
    "62194": ["QP062014"],  # Calonne-Ricouart
    "62270": ["QP062007"],  # Divion
    "62457": ["QP062017"],  # Houdain
    "62516": ["QP062057"],  # Lillers
    "62555": ["QP062005"],  # Marles-les-Mines
    "62617": ["QP062018", "QP062015"],  # Noeux-les-Mines
}
COMMUNE_NAME_OVERRIDES = {"62178": "Bruay-La-Buissière"}  # as the bilan writes it


def commune_name(insee):
    assert insee in COMMUNES, insee
    return COMMUNE_NAME_OVERRIDES.get(insee, COMMUNES[insee])


def of(name, prefix):
    """'Ville de Béthune', 'Ville d'Auchel'."""
    if name[0] in "AEIOUHÉ":
        return f"{prefix} d'{name}"
    return f"{prefix} de {name}"


# --------------------------------------------------------------------------------------------
# Operators (porteurs). Invented names, except CABBALR, the communes and the two real associations
# of the focus actions (which carry only their focus dossier).
# --------------------------------------------------------------------------------------------


def P(
    name, kind, acts, home=(), siret=False, years=(2020, 2021), limit=4, commune=None, group=None, big=False
):
    """An operator. `acts` maps each thématique it works on to its actions (None: the group's list)."""
    if not isinstance(acts, dict):
        acts = {theme: None for theme in acts}
    return {
        "name": name,
        "kind": kind,
        "acts": acts,
        "themes": list(acts),
        "home": list(home),
        "want_siret": siret,
        "years": set(years),
        "limit": limit,
        "commune": commune,
        "group": group or kind,
        "siret": "",
        "big": big,
    }


A = "association"
ASSOCIATIONS = [
    P(
        "Association Les Jardins du Regain",
        A,
        {
            "1.5": ["Jardin partagé et lien social", "Ateliers cuisine et alimentation durable"],
            "3.1": ["Jardins partagés en pied d'immeuble"],
        },
        ["QP062007"],
        siret=True,
    ),
    P(
        "Centre social Espace Eugène Lefebvre",
        A,
        {
            "1.1": ["Accompagnement à la scolarité", "Ateliers scientifiques périscolaires"],
            "1.3": ["Ateliers parentalité", "Café des parents"],
            "1.5": [
                "Espace de vie sociale",
                "Sorties familles et loisirs partagés",
                "Ateliers sociolinguistiques",
            ],
        },
        ["QP062008"],
        siret=True,
    ),
    P(
        "Centre social Le Trait d'Union",
        A,
        {
            "1.3": ["Lieu d'accueil enfants-parents", "Ateliers parentalité"],
            "1.5": [
                "Animation de proximité en pied d'immeuble",
                "Sorties familles et loisirs partagés",
                "Accueil jeunes en soirée",
            ],
            "1.1": ["Accompagnement à la scolarité"],
        },
        ["QP062011", "QP062012"],
        siret=True,
    ),
    P(
        "Association Lire et Grandir en Artois",
        A,
        {
            "1.1": ["Ateliers lecture et écriture", "Club Coup de pouce Clé"],
            "1.4": ["Lectures publiques et contes en famille"],
        },
        ["QP062004", "QP062010"],
    ),
    P(
        "Association Le Cartable Solidaire",
        A,
        {
            "1.1": [
                "Aide aux devoirs et ouverture culturelle",
                "Prévention du décrochage scolaire",
                "Ateliers scientifiques périscolaires",
            ]
        },
        ["QP062014", "QP062005"],
        siret=True,
    ),
    P(
        "Association Parole de Femmes en Artois",
        A,
        {
            "1.3": ["Groupe de parole et accès aux droits des femmes"],
            "1.6": ["Sensibilisation à l'égalité femmes-hommes"],
            "2.1": ["Accompagnement des femmes vers l'emploi"],
        },
        ["QP062018"],
    ),
    P(
        "Association La Clé des Mots",
        A,
        {
            "1.5": ["Ateliers sociolinguistiques", "Ateliers de conversation en français"],
            "2.1": ["Français à visée professionnelle"],
        },
        ["QP062008", "QP062057"],
        siret=True,
    ),
    P(
        "Association Familles en Fête",
        A,
        {"1.5": ["Fête de quartier", "Sorties familles et loisirs partagés"], "1.3": ["Café des parents"]},
        ["QP062006"],
    ),
    P(
        "Compagnie Théâtre de la Fosse 13",
        A,
        {"1.4": ["Ateliers théâtre", "Résidence artistique", "Théâtre forum avec les habitants"]},
        ["QP062016", "QP062013"],
        siret=True,
    ),
    P(
        "Association Musiques en Cités",
        A,
        {
            "1.4": ["Ateliers musique et chant", "Festival de quartier"],
            "1.5": ["Studio de musique pour les jeunes"],
        },
        ["QP062005", "QP062014"],
    ),
    P(
        "Association Sport Santé Artois",
        A,
        {
            "1.2": ["Sport santé", "Ateliers nutrition et bien-être"],
            "1.5": ["Animations sportives de proximité"],
        },
        ["QP062011", "QP062017"],
        siret=True,
    ),
    P(
        "Club de Boxe Éducative du Mont-Liébaut",
        A,
        {
            "1.5": ["Boxe éducative et citoyenneté", "Stages sportifs pendant les vacances"],
            "1.2": ["Sport santé pour les adolescents"],
        },
        ["QP062008"],
    ),
    P(
        "Association Artois Accès aux Droits",
        A,
        {
            "1.3": ["Permanence d'accès aux droits", "Accompagnement aux démarches administratives en ligne"],
            "1.6": ["Accompagnement des victimes de discriminations"],
        },
        ["QP062012", "QP062018"],
        siret=True,
    ),
    P(
        "Association Santé Partagée des Quartiers",
        A,
        {
            "1.2": [
                "Prévention santé et accès aux soins",
                "Point écoute santé",
                "Prévention des conduites addictives chez les jeunes",
            ]
        },
        ["QP062015", "QP062004"],
    ),
    P(
        "Association Horizon Parentalité",
        A,
        {"1.3": ["Ateliers parentalité", "Médiation familiale"], "1.1": ["Éveil et langage des tout-petits"]},
        ["QP062010", "QP062007"],
    ),
    P(
        "Association Numérique Pour Tous en Artois",
        A,
        {
            "1.5": ["Ateliers d'inclusion numérique", "Espace numérique de proximité"],
            "2.1": ["Compétences numériques pour l'emploi"],
        },
        ["QP062057", "QP062009"],
        siret=True,
    ),
    P(
        "Association Élan Jeunesse",
        A,
        {
            "1.5": ["Accueil jeunes en soirée", "Chantiers éducatifs jeunes", "Projets citoyens des jeunes"],
            "1.1": ["Accompagnement à la scolarité des collégiens"],
        },
        ["QP062017", "QP062014"],
    ),
    P(
        "Association Lien Intergénérationnel Auchellois",
        A,
        {"1.5": ["Rencontres intergénérationnelles", "Lutte contre l'isolement des aînés"]},
        ["QP062004", "QP062006"],
    ),
    P(
        "Association Cinéma des Quartiers",
        A,
        {"1.4": ["Cinéma en plein air", "Atelier vidéo des jeunes"], "1.5": ["Ciné-débats citoyens"]},
        ["QP062013", "QP062016"],
    ),
    P(
        "Radio Cités FM",
        A,
        {"1.4": ["Atelier radio des jeunes", "Webradio des collégiens"], "1.5": ["La parole aux habitants"]},
        ["QP062011"],
        siret=True,
    ),
    P(
        "Association Prévention Jeunes Artois",
        A,
        {
            "1.5": ["Chantiers éducatifs jeunes", "Prévention spécialisée et accueil jeunes"],
            "3.2": ["Prévention spécialisée de rue", "Médiation de nuit"],
        },
        ["QP062009", "QP062008"],
        siret=True,
    ),
    P(
        "Association Femmes Relais de l'Artois",
        A,
        {
            "1.3": ["Femmes relais et accès aux droits", "Interprétariat et médiation sociale"],
            "1.5": ["Ateliers sociolinguistiques"],
            "3.2": ["Médiation sociale"],
        },
        ["QP062012", "QP062005"],
    ),
    P(
        "Conseil citoyen du Haut d'Houdain",
        A,
        {"1.5": ["Soutien au conseil citoyen", "Journal de quartier"]},
        ["QP062017"],
    ),
    P(
        "Association Les Ateliers de la Renaissance",
        A,
        {
            "1.5": ["Repair café et lien social", "Ateliers créatifs partagés"],
            "1.4": ["Atelier photo et mémoire du quartier"],
        },
        ["QP062010"],
    ),
    P(
        "Association Bien Vieillir en Cités",
        A,
        {
            "1.2": ["Prévention santé des seniors", "Ateliers équilibre et mémoire"],
            "1.5": ["Lutte contre l'isolement des aînés"],
        },
        ["QP062015", "QP062013"],
    ),
    P(
        "Association Égalité Artois",
        A,
        {
            "1.6": [
                "Ateliers de prévention des discriminations",
                "Sensibilisation à l'égalité femmes-hommes",
            ],
            "1.5": ["Formation citoyenne des jeunes"],
        },
        ["QP062008", "QP062011"],
        years=(2021,),
    ),
    P(
        "Association Passerelles Emploi Artois",
        A,
        {
            "2.1": [
                "Accompagnement renforcé des jeunes vers l'emploi",
                "Parcours emploi des demandeurs d'emploi de longue durée",
            ]
        },
        ["QP062008", "QP062011"],
        siret=True,
        big=True,
    ),
    P(
        "Artois Insertion Chantiers",
        A,
        {
            "2.1": ["Chantier d'insertion", "Chantier d'insertion espaces verts"],
            "3.1": ["Chantiers d'embellissement du cadre de vie"],
        },
        ["QP062014", "QP062007"],
        siret=True,
        big=True,
    ),
    P(
        "Association Mob'Artois",
        A,
        {"2.1": ["Plateforme mobilité", "Permis de conduire solidaire"]},
        ["QP062057", "QP062018"],
        siret=True,
    ),
    P(
        "Association Entreprendre en Quartiers",
        A,
        {
            "2.2": ["Accompagnement à la création d'entreprise", "Couveuse d'activités"],
            "2.1": ["Ateliers découverte de l'entrepreneuriat"],
        },
        ["QP062012", "QP062009"],
    ),
    P(
        "Association Parrainage Emploi Béthune-Bruay",
        A,
        {"2.1": ["Parrainage vers l'emploi", "Forum emploi et alternance", "Job dating de quartier"]},
        ["QP062008", "QP062012"],
    ),
    P(
        "Association Tremplin Jeunes Artois",
        A,
        {
            "2.1": ["Remobilisation des jeunes décrocheurs", "Accompagnement vers l'apprentissage"],
            "1.5": ["Service civique et engagement des jeunes"],
        },
        ["QP062006", "QP062016"],
        siret=True,
    ),
    P(
        "Association Savoirs de Base Artois",
        A,
        {
            "2.1": ["Remobilisation et savoirs de base", "Ateliers de savoirs de base"],
            "1.5": ["Ateliers sociolinguistiques"],
        },
        ["QP062015", "QP062010"],
    ),
    P(
        "Association Ressources Associatives des Quartiers",
        A,
        {
            "4.2": [
                "Appui mutualisé aux petites associations de quartier",
                "Formation des bénévoles associatifs",
            ],
            "1.5": ["Accompagnement des associations de quartier"],
        },
        ["QP062011"],
    ),
    # Known only in 2020 (associations that did not file in 2021).
    P(
        "Association Les Petits Pas du Coteau",
        A,
        {"1.1": ["Éveil et langage des tout-petits"], "1.5": ["Fête de quartier"]},
        ["QP062013"],
        years=(2020,),
    ),
    P(
        "Association Ludothèque des Cités",
        A,
        {"1.5": ["Ludothèque itinérante"], "1.3": ["Jeux en famille et parentalité"]},
        ["QP062014"],
        years=(2020,),
    ),
]
REAL_ASSOCIATIONS = {
    "dev": P("Dév And You", A, ["1.5"], limit=1, years=(2021,), group="focus"),
    "leo": P("Association Léo-Lagrange", A, ["2.1"], limit=1, years=(2021,), group="focus"),
}
CABBALR = P("CABBALR", "epci", ["1.2", "1.6", "2.1", "2.2", "3.1", "4.1", "4.2"], limit=99)

COMMUNE_OPERATORS = [
    P(
        of(commune_name(code), "Ville"),
        "commune",
        ["1.1", "1.2", "1.4", "1.5", "1.3", "2.1", "3.1", "3.2", "4.1"],
        COMMUNE_QPV[code],
        limit=6,
        commune=code,
    )
    for code in ["62119", "62178", "62048", "62516", "62617", "62457", "62270", "62083", "62194", "62555"]
]
CCAS = [
    P(
        of(commune_name(code), "CCAS"),
        "etablissement_public",
        ["1.3", "1.2", "1.5", "2.1"],
        COMMUNE_QPV[code],
        commune=code,
        group="ccas",
    )
    for code in ["62178", "62270", "62194", "62617"]
]
CAISSES = [
    P(
        of(commune_name(code), "Caisse des écoles"),
        "etablissement_public",
        ["1.1"],
        COMMUNE_QPV[code],
        commune=code,
        group="caisse",
    )
    for code in ["62048", "62126"]
]
BAILLEURS = [  # only the landlord of the two NPNRU quartiers rehouses households
    P(
        "Habitat Artois Logement",
        "bailleur",
        {
            "3.1": ["Accompagnement au relogement", "Gestion urbaine de proximité", "Diagnostic en marchant"],
            "3.2": ["Tranquillité résidentielle"],
            "1.5": ["Animation de proximité en pied d'immeuble"],
        },
        ["QP062008", "QP062011"],
        siret=True,
    ),
    P("Artois Résidences", "bailleur", ["3.1", "3.2"], ["QP062018", "QP062004", "QP062017"], siret=True),
    P(
        "Logis du Bassin Minier",
        "bailleur",
        ["3.1", "3.2", "1.5"],
        ["QP062014", "QP062005", "QP062007"],
        siret=True,
    ),
]
OTHERS = [
    P(
        "SARL Mobilité Plus Artois",
        "entreprise",
        {"2.1": ["Location solidaire de véhicules", "Garage solidaire et mobilité vers l'emploi"]},
        ["QP062057", "QP062006"],
        siret=True,
        limit=2,
    ),
    P(
        "SCOP Les Ateliers Numériques du Bassin",
        "entreprise",
        {"1.5": ["Médiation numérique itinérante", "Ateliers d'inclusion numérique"]},
        ["QP062010", "QP062016"],
        siret=True,
        limit=2,
    ),
    P(
        "Fondation Solidarités Artois-Lys",
        "autre",
        {
            "1.3": ["Aide aux départs en vacances des familles", "Permanence d'accès aux droits"],
            "1.2": ["Prévention santé et accès aux soins"],
        },
        ["QP062015", "QP062009"],
        siret=True,
        limit=2,
    ),
]

# PRE: the nine towns of the bilan; who carries each one is illustrative.
PRE_CARRIERS = {
    "62048": "Caisse des écoles d'Auchel",
    "62083": "Ville de Barlin",
    "62126": "Caisse des écoles de Beuvry",
    "62119": "Ville de Béthune",
    "62178": "CCAS de Bruay-La-Buissière",
    "62194": "CCAS de Calonne-Ricouart",
    "62270": "CCAS de Divion",
    "62555": "Ville de Marles-les-Mines",
    "62516": "Ville de Lillers",
}

ALL_OPERATORS = (
    ASSOCIATIONS
    + list(REAL_ASSOCIATIONS.values())
    + [CABBALR]
    + COMMUNE_OPERATORS
    + CCAS
    + CAISSES
    + BAILLEURS
    + OTHERS
)
BY_NAME = {operator["name"]: operator for operator in ALL_OPERATORS}
assert len(BY_NAME) == len(ALL_OPERATORS), "duplicate operator name"
for _name in PRE_CARRIERS.values():
    assert _name in BY_NAME, _name


def luhn_is_valid(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def with_check_digit(prefix):
    for digit in "0123456789":
        if luhn_is_valid(prefix + digit):
            return prefix + digit
    raise AssertionError(prefix)


def assign_sirets():
    """A Luhn-valid SIREN and SIRET for each operator flagged so; one in three written with spaces."""
    rng = random.Random(20151)
    used = set()
    spaced = 0
    for operator in ALL_OPERATORS:
        if not operator["want_siret"]:
            continue
        while True:
            siren = with_check_digit(
                rng.choice("34578") + "".join(rng.choice("0123456789") for _ in range(7))
            )
            if siren.startswith("356") or siren in used:
                continue
            break
        used.add(siren)
        siret = with_check_digit(siren + "000" + str(rng.randint(1, 9)))
        assert luhn_is_valid(siret) and len(siret) == 14
        if spaced % 3 == 0:
            siret = f"{siret[0:3]} {siret[3:6]} {siret[6:9]} {siret[9:14]}"
        spaced += 1
        operator["siret"] = siret


assign_sirets()


# --------------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------------

ACTIVITIES = {
    "1.1": [
        "Accompagnement à la scolarité",
        "Club Coup de pouce Clé",
        "Ateliers lecture et écriture",
        "Prévention du décrochage scolaire",
        "Ateliers scientifiques périscolaires",
        "Aide aux devoirs et ouverture culturelle",
        "Orientation et découverte des métiers des collégiens",
    ],
    "1.2": [
        "Sport santé",
        "Prévention santé et accès aux soins",
        "Ateliers nutrition et bien-être",
        "Prévention des conduites addictives chez les jeunes",
        "Point écoute santé",
    ],
    "1.3": [
        "Ateliers parentalité",
        "Permanence d'accès aux droits",
        "Lieu d'accueil enfants-parents",
        "Café des parents",
        "Accompagnement aux démarches administratives en ligne",
    ],
    "1.4": [
        "Résidence artistique",
        "Ateliers théâtre",
        "Festival de quartier",
        "Ateliers musique et chant",
        "Cinéma en plein air",
        "Atelier photo et mémoire du quartier",
    ],
    "1.5": [
        "Ateliers sociolinguistiques",
        "Animation de proximité en pied d'immeuble",
        "Fête de quartier",
        "Soutien au conseil citoyen",
        "Ateliers d'inclusion numérique",
        "Sorties familles et loisirs partagés",
        "Espace de vie sociale",
        "Accueil jeunes en soirée",
        "Chantiers éducatifs jeunes",
        "Animations sportives de proximité",
        "Repair café et lien social",
    ],
    "1.6": [
        "Sensibilisation à l'égalité femmes-hommes",
        "Ateliers de prévention des discriminations",
        "Accompagnement des victimes de discriminations",
    ],
    "2.1": [
        "Chantier d'insertion",
        "Plateforme mobilité",
        "Accompagnement renforcé des jeunes vers l'emploi",
        "Job dating de quartier",
        "Permis de conduire solidaire",
        "Parrainage vers l'emploi",
        "Accompagnement des femmes vers l'emploi",
        "Remobilisation et savoirs de base",
        "Forum emploi et alternance",
    ],
    "2.2": [
        "Accompagnement à la création d'entreprise",
        "Couveuse d'activités",
        "Soutien au commerce de proximité",
    ],
    "3.1": [
        "Gestion urbaine de proximité",
        "Jardins partagés",
        "Chantiers d'embellissement du cadre de vie",
        "Accompagnement au relogement",
        "Diagnostic en marchant",
    ],
    "3.2": [
        "Médiation sociale",
        "Prévention spécialisée de rue",
        "Tranquillité résidentielle",
        "Médiation de nuit",
    ],
    "4.1": ["Ingénierie et animation locale de la politique de la ville"],
    "4.2": ["Appui mutualisé aux petites associations de quartier", "Formation des bénévoles associatifs"],
}
# Activities by group of operator, when the operator has no list of its own.
COMMUNE_ACTIVITIES = {
    "1.1": [
        "Club Coup de pouce Clé",
        "Accompagnement à la scolarité",
        "Prévention du décrochage scolaire",
        "Ateliers lecture et écriture",
    ],
    "1.2": ["Sport santé", "Prévention santé et accès aux soins"],
    "1.3": ["Lieu d'accueil enfants-parents", "Ateliers parentalité"],
    "1.4": ["Festival de quartier", "Résidence artistique", "Cinéma en plein air"],
    "1.5": [
        "Animations sportives de proximité",
        "Fête de quartier",
        "Accueil jeunes en soirée",
        "Chantiers éducatifs jeunes",
    ],
    "2.1": ["Forum emploi et alternance", "Chantier d'insertion", "Job dating de quartier"],
    "3.1": [
        "Gestion urbaine de proximité",
        "Diagnostic en marchant",
        "Chantiers d'embellissement du cadre de vie",
    ],
    "3.2": ["Médiation sociale", "Médiation de nuit"],
    "4.1": ["Ingénierie et animation locale de la politique de la ville"],
}
CCAS_ACTIVITIES = {
    "1.2": ["Prévention santé et accès aux soins", "Point écoute santé"],
    "1.3": [
        "Permanence d'accès aux droits",
        "Accompagnement aux démarches administratives en ligne",
        "Café des parents",
    ],
    "1.5": ["Ateliers d'inclusion numérique", "Sorties familles et loisirs partagés"],
    "2.1": ["Accompagnement des bénéficiaires du RSA vers l'emploi"],
}
BAILLEUR_ACTIVITIES = {
    "1.5": ["Animation de proximité en pied d'immeuble", "Fête des voisins et vie de résidence"],
    "3.1": [
        "Gestion urbaine de proximité",
        "Chantiers d'embellissement des résidences",
        "Diagnostic en marchant",
    ],
    "3.2": ["Tranquillité résidentielle", "Médiation de nuit"],
}
EPCI_TITLES = {
    2020: {
        "1.2": ["Coordination du Contrat local de santé intercommunal"],
        "1.6": ["Diagnostic territorial des discriminations"],
        "2.1": ["Facilitation des clauses sociales d'insertion"],
        "2.2": ["Soutien au commerce de proximité dans les quartiers prioritaires"],
        "3.1": ["Maison du projet de renouvellement urbain"],
        "4.1": ["Évaluation à mi-parcours du Contrat de Ville", "Observatoire des quartiers prioritaires"],
        "4.2": ["Centre de ressources des acteurs de la politique de la ville"],
    },
    2021: {
        "1.2": ["Coordination du Contrat local de santé intercommunal"],
        "2.1": ["Facilitation des clauses sociales d'insertion"],
        "2.2": ["Soutien au commerce de proximité dans les quartiers prioritaires"],
        "3.1": ["Maison du projet de renouvellement urbain"],
        "4.1": [
            "Observatoire des quartiers prioritaires",
            "Formation des acteurs de la politique de la ville",
        ],
        "4.2": ["Centre de ressources des acteurs de la politique de la ville"],
    },
}

FOCUS_2021 = [
    {
        "title": "Qualification des Aidants Numériques",
        "operator": "Dév And You",
        "pilier": "cohesion_sociale",
        "theme": "1.5",
        "anct": True,
        "fcs": True,
        "dc": ["departement"],
        "quartiers": [],
        "size": 26000,
        "statut": "solde",
    },
    {
        "title": "Lutte contre les discriminations",
        "operator": "CABBALR",
        "pilier": "cohesion_sociale",
        "theme": "1.6",
        "anct": True,
        "fcs": False,
        "dc": ["cabbalr", "etat_droit_commun"],
        "quartiers": [],
        "size": 34000,
        "statut": "solde",
    },
    {
        "title": "Job & Go ! De l'Artois à l'Europe pour l'emploi",
        "operator": "Association Léo-Lagrange",
        "pilier": "emploi",
        "theme": "2.1",
        "anct": True,
        "fcs": False,
        "dc": ["region", "autre"],
        "quartiers": ["QP062008", "QP062011", "QP062006"],
        "size": 62000,
        "statut": "justifie",
    },
    {
        "title": "Mission d'appui aux équipes des Programmes de Réussite Educative (PRE)",
        "operator": "CABBALR",
        "pilier": "pilotage",
        "theme": "4.1",
        "anct": True,
        "fcs": False,
        "dc": ["cabbalr"],
        "quartiers": [],
        "size": 19000,
        "statut": "solde",
    },
]

# --------------------------------------------------------------------------------------------
# Year configurations
# --------------------------------------------------------------------------------------------

# Programmed dossiers (besides the focus ones): (pilier, group, count, flags). Flags: "fcs" (FCS and
# ANCT), "fcs_only" (FCS and droit commun), "dc_only", "large".
CONFIG = {
    2021: {
        # Seeds picked once so that the drawn thématiques already give about the target priority
        # share: the fitting then barely moves amounts between priority and other dossiers.
        "seed": 2021,
        "focus": FOCUS_2021,
        "programmed": [
            ("cohesion_sociale", "association", 35, ()),
            ("cohesion_sociale", "association", 15, ("fcs",)),
            ("cohesion_sociale", "association", 3, ("fcs_only",)),
            ("cohesion_sociale", "pre", 9, ("large",)),
            ("cohesion_sociale", "commune", 13, ()),
            ("cohesion_sociale", "commune", 1, ("dc_only",)),
            ("cohesion_sociale", "ccas", 6, ()),
            ("cohesion_sociale", "bailleur", 1, ()),
            ("cohesion_sociale", "entreprise", 1, ()),
            ("cohesion_sociale", "autre", 1, ()),
            ("cohesion_sociale", "epci", 1, ()),
            ("emploi", "association", 13, ()),
            ("emploi", "association", 2, ("large",)),
            ("emploi", "association", 2, ("fcs",)),
            ("emploi", "epci", 1, ("large",)),
            ("emploi", "epci", 1, ("dc_only",)),
            ("emploi", "commune", 2, ()),
            ("emploi", "entreprise", 1, ()),
            ("emploi", "ccas", 1, ()),
            ("cadre_de_vie", "association", 2, ()),
            ("cadre_de_vie", "bailleur", 3, ()),
            ("cadre_de_vie", "bailleur", 1, ("large",)),
            ("cadre_de_vie", "commune", 2, ()),
            ("cadre_de_vie", "commune", 1, ("large",)),
            ("cadre_de_vie", "epci", 1, ()),
            ("pilotage", "association", 1, ("fcs",)),
            ("pilotage", "epci", 2, ()),
            ("pilotage", "commune", 1, ()),
        ],
        "not_programmed": [
            # (statut, pilier, group, requests anct, requests FCS)
            ("refuse", "cohesion_sociale", "association", True, False),
            ("refuse", "cohesion_sociale", "association", True, False),
            ("refuse", "cohesion_sociale", "association", False, True),
            ("refuse", "cohesion_sociale", "association", True, True),
            ("refuse", "cohesion_sociale", "autre", False, False),
            ("refuse", "emploi", "association", True, False),
            ("refuse", "emploi", "entreprise", True, False),
            ("refuse", "emploi", "association", False, False),
            ("refuse", "cadre_de_vie", "commune", True, False),
            ("refuse", "cohesion_sociale", "commune", False, False),
            ("abandonne", "cohesion_sociale", "association", True, False),
            ("abandonne", "cohesion_sociale", "association", False, True),
            ("abandonne", "emploi", "association", True, False),
            ("abandonne", "cadre_de_vie", "association", True, False),
            ("brouillon", "cohesion_sociale", "association", True, False),
            ("brouillon", "emploi", "association", True, False),
        ],
        "programmed_statuses": [("solde", 55), ("justifie", 35), ("programme", 10)],
        # Granted amounts of programmed dossiers: (droit commun, spécifique) by pilier.
        "targets": {
            "cohesion_sociale": (2030892, 2704035),
            "cadre_de_vie": (52050, 672671),
            "emploi": (704966, 702549),
            "pilotage": (11025, 53275),
        },
        "priority_total": 4990650,  # 72.0 % of 6 931 463
        "fcs_total": 92921,
        "pilier_counts": {"cohesion_sociale": 88, "emploi": 24, "cadre_de_vie": 10, "pilotage": 5},
    },
    2020: {
        "seed": 2070,
        "focus": [],
        "programmed": [
            ("cohesion_sociale", "association", 40, ()),
            ("cohesion_sociale", "association", 15, ("fcs",)),
            ("cohesion_sociale", "association", 2, ("fcs_only",)),
            ("cohesion_sociale", "pre", 9, ("large",)),
            ("cohesion_sociale", "commune", 8, ()),
            ("cohesion_sociale", "commune", 1, ("dc_only",)),
            ("cohesion_sociale", "ccas", 4, ()),
            ("cohesion_sociale", "bailleur", 1, ()),
            ("cohesion_sociale", "epci", 2, ()),
            ("emploi", "association", 14, ()),
            ("emploi", "association", 2, ("large",)),
            ("emploi", "association", 2, ("fcs",)),
            ("emploi", "epci", 1, ("large",)),
            ("emploi", "epci", 1, ()),
            ("emploi", "commune", 1, ()),
            ("emploi", "entreprise", 1, ()),
            ("cadre_de_vie", "association", 2, ()),
            ("cadre_de_vie", "bailleur", 3, ()),
            ("cadre_de_vie", "bailleur", 1, ("large",)),
            ("cadre_de_vie", "commune", 1, ()),
            ("cadre_de_vie", "commune", 1, ("large",)),
            ("cadre_de_vie", "epci", 1, ()),
            ("pilotage", "association", 1, ("fcs",)),
            ("pilotage", "epci", 3, ()),
            ("pilotage", "commune", 1, ()),
        ],
        "not_programmed": [
            ("refuse", "cohesion_sociale", "association", True, False),
            ("refuse", "cohesion_sociale", "association", True, False),
            ("refuse", "cohesion_sociale", "association", True, False),
            ("refuse", "cohesion_sociale", "association", False, True),
            ("refuse", "cohesion_sociale", "association", True, True),
            ("refuse", "cohesion_sociale", "association", False, False),
            ("refuse", "emploi", "association", True, False),
            ("refuse", "emploi", "association", True, False),
            ("refuse", "emploi", "entreprise", True, False),
            ("refuse", "cadre_de_vie", "association", True, False),
            ("refuse", "cadre_de_vie", "commune", True, False),
            ("refuse", "emploi", "association", False, False),
        ],
        "programmed_statuses": [("solde", 80), ("justifie", 20)],
        "targets": {
            "cohesion_sociale": (1912437, 2558716),
            "cadre_de_vie": (48310, 652084),
            "emploi": (688215, 689833),
            "pilotage": (10480, 52725),
        },
        "priority_total": None,  # computed: exactly 69 % of the total
        "priority_percent": 69,
        "fcs_total": 88640,
        "pilier_counts": {"cohesion_sociale": 82, "emploi": 22, "cadre_de_vie": 9, "pilotage": 5},
    },
}

# Mean share of spécifique credits in a dossier, and droit-commun funders, by pilier.
DC_FUNDERS = {
    "cohesion_sociale": (
        ["caf", "departement", "commune", "etat_droit_commun", "region", "cabbalr", "autre"],
        [4, 4, 4, 2, 1, 1, 1],
    ),
    "cadre_de_vie": (["bailleur", "commune", "cabbalr", "etat_droit_commun"], [4, 3, 2, 1]),
    "emploi": (
        ["region", "fse", "france_travail", "departement", "etat_droit_commun", "cabbalr", "commune"],
        [4, 3, 3, 3, 2, 1, 1],
    ),
    "pilotage": (["cabbalr", "commune", "etat_droit_commun"], [4, 2, 1]),
}
DC_LINE_COUNTS = {
    "cohesion_sociale": [1, 1, 2, 2, 2, 3, 3, 4],
    "cadre_de_vie": [1, 1, 1, 2],
    "emploi": [1, 2, 2, 3, 3, 4],
    "pilotage": [1, 1, 1, 2],
}
# Large dossiers of these (pilier, group) pairs are on this thématique, with one of these actions.
LARGE_THEMES = {("emploi", "epci"): "2.1", ("cadre_de_vie", "bailleur"): "3.1"}
LARGE_ACTIVITIES = {"Gestion urbaine de proximité", "Accompagnement au relogement", "Médiation sociale"}
OWN_FUNDER = {
    "commune": "commune",
    "ccas": "commune",
    "caisse": "commune",
    "epci": "cabbalr",
    "bailleur": "bailleur",
}


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def log_uniform(rng, low, high):
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def size_for(rng, pilier, flags, group):
    if "large" in flags:
        return log_uniform(rng, 150000, 330000) if group != "pre" else log_uniform(rng, 130000, 300000)
    if "fcs" in flags or "fcs_only" in flags:
        return log_uniform(rng, 6000, 22000)
    if pilier == "pilotage":
        return rng.uniform(8000, 20000)
    return log_uniform(rng, 7000, 75000)


def distribute(target, weights, minimum):
    """Integers summing to `target`, proportional to `weights`, each >= minimum, in round figures
    (multiples of 100, or 50 under 5 000), the remainder on the largest."""
    count = len(weights)
    assert target >= count * minimum, (target, count, minimum)
    total_weight = sum(weights)
    rest = target - count * minimum
    raw = [minimum + rest * weight / total_weight for weight in weights]
    biggest = max(range(count), key=lambda index: raw[index])
    amounts = [0] * count
    for index, value in enumerate(raw):
        if index == biggest:
            continue
        step = 100 if value >= 5000 else 50
        amounts[index] = max(int(round(value / step)) * step, math.ceil(minimum / step) * step)
    amounts[biggest] = target - sum(amounts)
    assert amounts[biggest] >= minimum, (target, amounts)
    return amounts


def fcs_amounts(rng, count, total):
    """`count` FCS grants between 1 500 and 8 000 euros, summing to exactly `total`."""
    while True:
        amounts = [1500 + 100 * round(65 * rng.random() ** 1.5) for _ in range(count - 1)]
        last = total - sum(amounts)
        if 1500 <= last <= 8000:
            amounts.append(last)
            rng.shuffle(amounts)
            return amounts


class YearBuilder:
    def __init__(self, year):
        self.year = year
        self.config = CONFIG[year]
        self.rng = random.Random(self.config["seed"])
        self.usage = {}
        self.titles = set()
        self.epci_titles = {theme: list(titles) for theme, titles in EPCI_TITLES[year].items()}
        self.pre_left = list(PRE_CARRIERS)

    # ---- operators ---------------------------------------------------------------------------

    def operators(self, group):
        if group == "association":
            return [op for op in ASSOCIATIONS if self.year in op["years"]]
        if group == "commune":
            return COMMUNE_OPERATORS
        if group == "ccas":
            return CCAS
        if group == "epci":
            return [CABBALR]
        if group == "bailleur":
            return BAILLEURS
        if group in ("entreprise", "autre"):
            return [op for op in OTHERS if op["kind"] == group]
        raise AssertionError(group)

    def pick_operator(self, group, pilier, large=False):
        if group == "pre":
            insee = self.pre_left.pop(self.rng.randrange(len(self.pre_left)))
            operator = BY_NAME[PRE_CARRIERS[insee]]
            self.usage[operator["name"]] = self.usage.get(operator["name"], 0) + 1
            return operator, "1.1", insee
        candidates = [
            op
            for op in self.operators(group)
            if self.usage.get(op["name"], 0) < op["limit"]
            and any(THEMES[theme] == pilier for theme in op["themes"])
            and (op["big"] or not large or group != "association")
        ]
        assert candidates, (group, pilier)
        weights = [1.0 / (1 + self.usage.get(op["name"], 0)) ** 2 for op in candidates]
        operator = self.rng.choices(candidates, weights)[0]
        self.usage[operator["name"]] = self.usage.get(operator["name"], 0) + 1
        themes = [theme for theme in operator["themes"] if THEMES[theme] == pilier]
        if large and (pilier, group) in LARGE_THEMES:
            themes = [LARGE_THEMES[(pilier, group)]]
        theme = self.rng.choice(themes)
        return operator, theme, operator["commune"]

    # ---- quartiers and titles ------------------------------------------------------------------

    def pick_quartiers(self, operator, pilier, group):
        rng = self.rng
        if pilier == "pilotage" or group == "epci" and pilier != "cadre_de_vie":
            return []
        if group == "epci":  # the agglomeration's urban renewal work: the two NPNRU quartiers
            return [rng.choice(["QP062008", "QP062011"])]
        if group == "association" and rng.random() < 0.05:
            return []
        home = list(operator["home"])
        rng.shuffle(home)
        count = rng.choice([1, 1, 1, 2, 2, 3])
        chosen = home[:count]
        others = [code for code in QPV if code not in chosen]
        while len(chosen) < count and group in ("association", "entreprise", "autre"):
            chosen.append(others.pop(rng.randrange(len(others))))
        if not chosen:
            chosen = [rng.choice(list(QPV))]
        return chosen

    def place_and_title(self, operator, theme, pilier, group, insee, large=False):
        """The dossier's quartiers and a title unique within the year."""
        for attempt in range(40):
            quartiers = self.pick_quartiers(operator, pilier, group)
            title = self.make_title(
                operator, theme, quartiers, group, insee, last_try=attempt == 39, large=large
            )
            if title:
                return quartiers, title
        raise AssertionError("unreachable")

    def make_title(self, operator, theme, quartiers, group, insee, last_try=True, large=False):
        rng = self.rng
        if group == "pre":
            title = f"Programme de Réussite Éducative – {commune_name(insee)}"
            assert title not in self.titles
            self.titles.add(title)
            return title
        if group == "epci":
            pool = self.epci_titles.get(theme, [])
            base = pool.pop(0) if pool else rng.choice(ACTIVITIES[theme])
            title = base if not quartiers else f"{base} – {QPV_LABELS[quartiers[0]]}"
            if title not in self.titles:
                self.titles.add(title)
                return title
        activities = operator["acts"].get(theme)
        if not activities:
            pools = {"bailleur": BAILLEUR_ACTIVITIES, "commune": COMMUNE_ACTIVITIES, "ccas": CCAS_ACTIVITIES}
            activities = pools.get(operator["group"], ACTIVITIES)[theme]
        activities = list(activities)
        if large and group in ("bailleur", "commune") and THEMES[theme] == "cadre_de_vie":
            activities = [activity for activity in activities if activity in LARGE_ACTIVITIES]
        rng.shuffle(activities)
        places = [QPV_LABELS[code] for code in quartiers]
        if insee:
            places.insert(0, commune_name(insee))
        if not places:
            places = ["territoire intercommunal"]
        for place in places:
            for activity in activities:
                title = f"{activity} – {place}"
                if title not in self.titles:
                    self.titles.add(title)
                    return title
        if not last_try:
            return None
        for activity in activities:
            title = f"{activity} – {places[0]} ({operator['name']})"
            if title not in self.titles:
                self.titles.add(title)
                return title
        raise AssertionError("no unique title")

    # ---- funding lines --------------------------------------------------------------------------

    def dc_funders(self, pilier, group, count, exclude=()):
        rng = self.rng
        funders, weights = DC_FUNDERS[pilier]
        chosen = []
        own = OWN_FUNDER.get(group)
        if group == "pre":
            chosen = ["commune", "caf", "departement", "etat_droit_commun"][: max(count, 2)]
            return chosen
        if own and own in funders or own and rng.random() < 0.6:
            chosen.append(own)
        pool = [(f, w) for f, w in zip(funders, weights, strict=True) if f not in chosen and f not in exclude]
        while len(chosen) < count and pool:
            funder = rng.choices([f for f, _ in pool], [w for _, w in pool])[0]
            chosen.append(funder)
            pool = [(f, w) for f, w in pool if f != funder]
        return chosen[: max(count, 1)]

    def new_dossier(self, operator, pilier, theme, quartiers, title, statut):
        qn = self.rng.random() < 0.15
        codes = [QPV[code] if qn else code for code in quartiers]
        assert THEMES[theme] == pilier and theme not in FORBIDDEN_THEMES
        return {
            "title": title,
            "operator": operator,
            "pilier": pilier,
            "theme": theme,
            "quartiers": codes,
            "statut": statut,
            "lines": [],
        }

    # ---- programmed dossiers ----------------------------------------------------------------------

    def build_programmed(self):
        rng = self.rng
        config = self.config
        dossiers = []
        spec_share = {p: config["targets"][p][1] / sum(config["targets"][p]) for p in PILIERS}
        for focus in config["focus"]:
            operator = BY_NAME[focus["operator"]]
            self.usage[operator["name"]] = self.usage.get(operator["name"], 0) + 1
            self.titles.add(focus["title"])
            dossier = self.new_dossier(
                operator, focus["pilier"], focus["theme"], focus["quartiers"], focus["title"], focus["statut"]
            )
            dossier["quartiers"] = list(focus["quartiers"])
            dossier.update(
                size=focus["size"], anct=focus["anct"], fcs=focus["fcs"], dc=list(focus["dc"]), focus=True
            )
            dossiers.append(dossier)
        statuses, status_weights = zip(*config["programmed_statuses"], strict=True)
        for pilier, group, count, flags in config["programmed"]:
            for _ in range(count):
                operator, theme, insee = self.pick_operator(group, pilier, large="large" in flags)
                quartiers, title = self.place_and_title(
                    operator, theme, pilier, group, insee, "large" in flags
                )
                statut = rng.choices(statuses, status_weights)[0]
                dossier = self.new_dossier(operator, pilier, theme, quartiers, title, statut)
                anct = "fcs_only" not in flags and "dc_only" not in flags
                fcs = "fcs" in flags or "fcs_only" in flags
                if "fcs_only" in flags:
                    n_dc = rng.choice([1, 1, 2])
                elif "dc_only" in flags:
                    n_dc = rng.choice([2, 3])
                else:
                    n_dc = rng.choice(DC_LINE_COUNTS[pilier])
                    if fcs:
                        n_dc = min(n_dc, 2)
                dc = self.dc_funders(pilier, operator["group"] if group != "pre" else "pre", n_dc)
                dossier.update(
                    size=size_for(rng, pilier, flags, group), anct=anct, fcs=fcs, dc=dc, focus=False
                )
                dossiers.append(dossier)
        # Calibrate the relative sizes so that each pilier's sizes add up to its target.
        for pilier in PILIERS:
            members = [d for d in dossiers if d["pilier"] == pilier]
            assert len(members) == config["pilier_counts"][pilier], (pilier, len(members))
            factor = sum(config["targets"][pilier]) / sum(d["size"] for d in members)
            for dossier in members:
                dossier["size"] *= factor
        # FCS grants.
        fcs_dossiers = [d for d in dossiers if d["fcs"]]
        for dossier, amount in zip(
            fcs_dossiers, fcs_amounts(rng, len(fcs_dossiers), config["fcs_total"]), strict=True
        ):
            dossier["fcs_amount"] = amount
        # Line weights.
        for dossier in dossiers:
            size = dossier["size"]
            share = spec_share[dossier["pilier"]]
            if dossier["focus"]:
                ratio = share
            else:
                ratio = min(0.97, max(0.15, share + rng.uniform(-0.2, 0.2)))
            lines = []
            fcs = dossier.get("fcs_amount", 0)
            if dossier["anct"]:
                spec = size * ratio
                lines.append({"funder": "anct", "weight": max(spec - fcs, 2000.0)})
                dc_part = size * (1 - ratio)
            elif dossier["fcs"]:
                dc_part = max(size - fcs, 1500.0)
            else:
                dc_part = size
            if dossier["fcs"]:
                lines.append({"funder": "cabbalr_fcs", "fixed": fcs})
            dc_weights = [rng.uniform(0.5, 1.5) for _ in dossier["dc"]]
            if dc_weights:
                dc_weights[0] *= 1.6
            total = sum(dc_weights)
            for funder, weight in zip(dossier["dc"], dc_weights, strict=True):
                lines.append({"funder": funder, "weight": dc_part * weight / total})
            dossier["lines"] = lines
            assert 2 <= len(lines) <= 6, dossier["title"]
            assert len({line["funder"] for line in lines}) == len(lines), dossier["title"]
        self.fit_amounts(dossiers)
        for dossier in dossiers:
            for line in dossier["lines"]:
                granted = line["granted"]
                if rng.random() < 0.65:
                    requested = granted
                else:
                    requested = max(granted, int(math.ceil(granted * rng.uniform(1.05, 1.5) / 100.0)) * 100)
                line["requested"] = requested
        return dossiers

    def fit_amounts(self, dossiers):
        """Set each line's granted amount so that every bucket meets its exact target."""
        config = self.config
        targets = config["targets"]
        grand_total = sum(sum(pair) for pair in targets.values())
        priority_total = config["priority_total"]
        if priority_total is None:
            assert grand_total * config["priority_percent"] % 100 == 0
            priority_total = grand_total * config["priority_percent"] // 100

        def is_priority(dossier):
            return dossier["theme"] in PRIORITY_THEMES

        def lines_of(pilier, nature, priority):
            out = []
            for dossier in dossiers:
                if dossier["pilier"] != pilier or is_priority(dossier) != priority:
                    continue
                for line in dossier["lines"]:
                    if (line["funder"] in SPECIFIC_FUNDERS) == (nature == "sp"):
                        out.append(line)
            return out

        # Natural split of each (pilier, nature) group between priority and other thématiques.
        groups = {}
        for pilier in PILIERS:
            for index, nature in enumerate(("dc", "sp")):
                target = targets[pilier][index]
                parts = {}
                for priority in (True, False):
                    lines = lines_of(pilier, nature, priority)
                    parts[priority] = (
                        sum(line.get("fixed", 0) for line in lines),
                        sum(line.get("weight", 0) for line in lines),
                    )
                fixed_total = parts[True][0] + parts[False][0]
                weight_total = parts[True][1] + parts[False][1]
                natural = parts[True][0] + (target - fixed_total) * parts[True][1] / weight_total
                groups[(pilier, nature)] = {"target": target, "natural": natural, "fixed": parts}
        mixed = [key for key, g in groups.items() if 0 < g["natural"] < g["target"]]
        natural_priority = sum(g["natural"] for g in groups.values())
        delta = priority_total - natural_priority
        print(
            f"  {self.year}: natural priority share {natural_priority / grand_total:.4f}, "
            f"target {priority_total / grand_total:.4f}"
        )
        if delta > 0:
            room = sum(groups[key]["target"] - groups[key]["natural"] for key in mixed)
            for key in mixed:
                g = groups[key]
                g["priority"] = g["natural"] + delta * (g["target"] - g["natural"]) / room
        else:
            room = sum(groups[key]["natural"] for key in mixed)
            for key in mixed:
                g = groups[key]
                g["priority"] = g["natural"] + delta * g["natural"] / room
        for g in groups.values():
            g["priority"] = int(round(g.get("priority", g["natural"])))
        largest = max(mixed, key=lambda key: groups[key]["target"])
        groups[largest]["priority"] += priority_total - sum(g["priority"] for g in groups.values())
        for (pilier, nature), g in groups.items():
            for priority in (True, False):
                bucket_target = g["priority"] if priority else g["target"] - g["priority"]
                lines = lines_of(pilier, nature, priority)
                fixed = [line for line in lines if "fixed" in line]
                free = [line for line in lines if "fixed" not in line]
                for line in fixed:
                    line["granted"] = line["fixed"]
                rest = bucket_target - sum(line["fixed"] for line in fixed)
                if not free:
                    assert rest == 0, (pilier, nature, priority, rest)
                    continue
                minimum = 1500 if nature == "sp" else 300
                amounts = distribute(rest, [line["weight"] for line in free], minimum)
                for line, amount in zip(free, amounts, strict=True):
                    line["granted"] = amount

    # ---- other dossiers ---------------------------------------------------------------------------

    def build_not_programmed(self):
        rng = self.rng
        dossiers = []
        for statut, pilier, group, anct, fcs in self.config["not_programmed"]:
            operator, theme, insee = self.pick_operator(group, pilier)
            quartiers, title = self.place_and_title(operator, theme, pilier, group, insee)
            dossier = self.new_dossier(operator, pilier, theme, quartiers, title, statut)
            size = log_uniform(rng, 6000, 70000) if not fcs else log_uniform(rng, 5000, 15000)
            n_dc = rng.choice([1, 2, 2, 3]) if (anct or fcs) else rng.choice([2, 3])
            dc = self.dc_funders(pilier, operator["group"], n_dc)
            lines = []
            spec = size * rng.uniform(0.4, 0.7)
            if fcs:
                fcs_request = 100 * int(rng.uniform(15, 80))
                lines.append({"funder": "cabbalr_fcs", "requested": fcs_request})
                spec -= fcs_request
            if anct:
                lines.append({"funder": "anct", "requested": max(1500, 100 * int(spec / 100))})
            dc_part = size - spec if (anct or fcs) else size
            weights = [rng.uniform(0.5, 1.5) for _ in dc]
            for funder, weight in zip(dc, weights, strict=True):
                amount = 100 * int(dc_part * weight / sum(weights) / 100)
                lines.append({"funder": funder, "requested": max(500, amount)})
            for line in lines:
                line["granted"] = None
            assert 2 <= len(lines) <= 6
            assert len({line["funder"] for line in lines}) == len(lines)
            dossier["lines"] = lines
            dossiers.append(dossier)
        return dossiers

    # ---- output -------------------------------------------------------------------------------------

    def rows(self):
        programmed = self.build_programmed()
        others = self.build_not_programmed()
        focus = [d for d in programmed if d.get("focus")]
        rest = [d for d in programmed if not d.get("focus")] + others
        self.rng.shuffle(rest)
        rows = []
        for number, dossier in enumerate(focus + rest, start=1):
            reference = f"PV{self.year}-{number:03d}"
            operator = dossier["operator"]
            for line in sorted(dossier["lines"], key=lambda line: FUNDERS.index(line["funder"])):
                granted = line["granted"]
                if dossier["statut"] in PROGRAMMED:
                    assert granted is not None and 0 < granted <= line["requested"]
                    granted_cell = f"{granted}.00"
                else:
                    assert granted is None
                    granted_cell = ""
                cells = {
                    "annee": str(self.year),
                    "numero_dossier": reference,
                    "intitule": dossier["title"],
                    "porteur": operator["name"],
                    "siret": operator["siret"],
                    "type_porteur": operator["kind"],
                    "pilier": dossier["pilier"],
                    "thematique": dossier["theme"],
                    "quartiers": QUARTIER_SEPARATOR.join(dossier["quartiers"]),
                    "statut": dossier["statut"],
                    "financeur": line["funder"],
                    "nature": "",
                    "montant_demande": f"{line['requested']}.00",
                    "montant_accorde": granted_cell,
                }
                rows.append([cells[column] for column in COLUMNS])
        return rows


def write(year):
    rows = YearBuilder(year).rows()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"programmation_{year}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    print(f"  wrote {path.relative_to(ROOT)}: {len(rows)} funding lines")


def main():
    for year in (2021, 2020):
        write(year)


if __name__ == "__main__":
    main()
