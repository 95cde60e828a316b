"""What the bilan's tests share: the 2021 demonstration loaded once per module, the text of a
PDF (pdftotext) and of an HTML page, and the figures of docs/domain.md §8 as a reader finds them."""

import html
import re
import subprocess
from contextlib import contextmanager

from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from contratville import roles
from tests.factories import UserFactory

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"

# Every figure of docs/domain.md's 2021 table (§8), as the bilan prints it (whole euros, French
# decimal comma).
FIGURES_2021 = [
    "141",
    "122",
    "6 931 463 €",
    "4 734 927 €",
    "68,3",
    "2 030 892 €",
    "2 704 035 €",
    "724 721 €",
    "10,5",
    "52 050 €",
    "672 671 €",
    "1 407 515 €",
    "20,3",
    "704 966 €",
    "702 549 €",
    "64 300 €",
    "0,9",
    "11 025 €",
    "53 275 €",
    "4 132 530 €",
    "59,6 %",
    "72 %",
    "69 %",
    "92 921 €",
    "169 541 €",
    "68 049 €",
    "32 111 €",
    "69 381 €",
]
# Rows of tables, read left to right.
ROWS_2021 = [
    "Cohésion sociale 4 734 927 € 68,3",
    "Cadre de vie, renouvellement urbain 724 721 € 10,5",
    "Emploi et développement économique 1 407 515 € 20,3",
    "Pilotage, qualification des acteurs, évaluation 64 300 € 0,9",
    "Total 6 931 463 € 100,0",
    "Cohésion sociale 2 030 892 € 2 704 035 € 4 734 927 €",
    "Cadre de vie, renouvellement urbain 52 050 € 672 671 € 724 721 €",
    "Emploi et développement économique 704 966 € 702 549 € 1 407 515 €",
    "Pilotage, qualification des acteurs, évaluation 11 025 € 53 275 € 64 300 €",
    "Total 2 798 933 € 4 132 530 € 6 931 463 €",
    "Cohésion sociale 54 72,0",
    "Cadre de vie, renouvellement urbain 2 2,7",
    "Emploi et développement économique 18 24,0",
    "Pilotage, qualification des acteurs, évaluation 1 1,3",
    "Total 75 100,0",
    "Divion Rénovation de la salle Mancey 68 049 €",
    "Bruay-La-Buissière Création d'une aire de jeux – terrasses Basly 32 111 €",
    "Hersin-Coupigny Création d'une maison de la solidarité 69 381 €",
    "Total 169 541 €",
]
SENTENCES_2021 = [
    "Sur les 141 projets déposés, 122 actions ont été soutenues",
    "mobilisent 72 % des crédits de la programmation (69 % en 2020)",
    "59,6 % des crédits de la programmation sont des crédits spécifiques",
    "soit 4 132 530 €",
    "Une enveloppe FCS de 92 921 € de la CABBALR a permis de soutenir 22 projets",
    "169 541 € ont été attribués à 3 communes",
    "En 2021, 75 des 127 dossiers programmés sont portés par des acteurs associatifs",
]
SECTION_TITLES_2021 = [
    "Sommaire",
    "Le Contrat de Ville et ses quartiers",
    "Géographie de la politique de la ville",
    "La programmation 2021 du Contrat de Ville",
    "Répartition financière par pilier",
    "Répartition entre droit commun et crédits spécifiques",
    "Mobilisation des opérateurs associatifs",
    "Le Fonds de cohésion sociale de l'Agglomération",
    "Les fonds de concours Politique de la Ville",
    "Actions « focus » 2021",
    "Évaluation : ce que les actions 2021 ont atteint",
    "Le Programme National de Renouvellement Urbain",
    "Le service « Politique de la Ville » de l'Agglomération",
    "Perspectives",
    "Avis des communes et des conseils citoyens",
    "Annexe : les dossiers programmés par pilier et leurs financeurs",
]
FOCUS_2021 = [
    "Opérateur : Dév And You",
    "Opérateur : CABBALR – Extracité",
    "Opérateur : Association Léo-Lagrange",
    "Opérateur : CABBALR – aZ Etudes et Conseils",
    "Qualification des Aidants Numériques",
    "Job & Go ! De l'Artois à l'Europe pour l'emploi",
    "42 aidants numériques intervenant dans les quartiers formés en 2021.",
    "Objectif recherché",
]
FCS_AXES = [
    "Soutien aux actions des conseils citoyens",
    "Déploiement d'une action locale à l'échelle intercommunale",
    "Appui aux petites associations de quartier",
    "Qualification des acteurs des quartiers",
    "Inclusion numérique",
]


def normalise(text: str) -> str:
    """No-break and narrow no-break spaces as spaces, every run of whitespace as one space,
    typographic apostrophes as straight ones."""
    text = text.replace(NBSP, " ").replace(NARROW_NBSP, " ").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf: bytes, *, layout: bool = True) -> str:
    """pdftotext of the PDF (the -layout mode keeps each table row on its line), normalised."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    result = subprocess.run(args, input=pdf, capture_output=True, check=True)
    return normalise(result.stdout.decode("utf-8"))


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, normalised."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return [normalise(page) for page in result.stdout.decode("utf-8").split("\f") if page.strip()]


def pdf_info(pdf: bytes) -> dict[str, str]:
    result = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    info = {}
    for line in result.stdout.decode("utf-8").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def html_text(content: bytes | str) -> str:
    """The visible text of an HTML page: no scripts, no tags, entities decoded, normalised."""
    if isinstance(content, bytes):
        content = content.decode("utf-8")
    content = re.sub(r"<script\b.*?</script>", " ", content, flags=re.S)
    content = re.sub(r"<style\b.*?</style>", " ", content, flags=re.S)
    content = re.sub(r"<[^>]+>", " ", content)
    return normalise(html.unescape(content))


@contextmanager
def demo_2021(django_db_blocker):
    """The demonstration programme, loaded in a transaction rolled back at the end: for a
    module-scoped fixture that renders once what several tests read."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        with open("/dev/null", "w") as devnull:
            call_command("load_demo", verbosity=0, stdout=devnull)
        yield
        transaction.set_rollback(True)


def signed_in_client(role: str = roles.COMITE) -> Client:
    """A new client signed in as a new user of `role`; usable in a module-scoped fixture, where
    tests/conftest.py's function-scoped `client_of` and `user_in` are not."""
    client = Client()
    client.force_login(UserFactory(role=role))
    return client
