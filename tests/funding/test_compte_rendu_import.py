"""Comptes-rendus financiers imported from a spreadsheet: French amounts, accented headers, several
dossiers; unknown accounts, negative beneficiaries, QPV above the total, a dossier of another
year: French errors by row and column, and nothing written (all or nothing)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from funding.compte_rendu_import import compte_rendu_import
from funding.models import CompteRendu, CompteRenduLine
from projects.models import Status
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "Année;N° dossier;Compte;Prévu;Réalisé;Reçu le;Bilan qualitatif;Bénéficiaires;Dont QPV;Femmes;Hommes\n"
)


@pytest.fixture
def dossiers():
    year = ProgrammeYearFactory(year=2021)
    return [
        ProjectFactory(reference=reference, year=year, status=Status.PROGRAMME, operator=OperatorFactory())
        for reference in ("PV2021-001", "PV2021-002")
    ]


def run(text: str, user, filename="cr.csv"):
    return compte_rendu_import(content=text.encode("utf-8"), filename=filename, user=user)


def test_two_dossiers_with_their_accounts(dossiers, agent):
    result = run(
        HEADER
        + "2021;PV2021-001;64;1 000,00;1 200,50;02/05/2022;Ateliers tenus.;120;90;70;50\n"
        + "2021;PV2021-001;74; 5000 ;5 000;;;;;;\n"
        + "2021;PV2021-002;60;300;250;2022-04-30;Sorties.;40;40;;\n",
        agent,
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.summary() == "2 compte(s)-rendu(s) enregistré(s), 3 compte(s) de charges ou de produits."
    first = CompteRendu.objects.get(project=dossiers[0])
    assert (first.received_on, first.beneficiaries, first.beneficiaries_qpv) == (
        datetime.date(2022, 5, 2),
        120,
        90,
    )
    assert {(line.account, line.planned, line.actual) for line in first.lines.all()} == {
        ("64", Decimal("1000.00"), Decimal("1200.50")),
        ("74", Decimal("5000.00"), Decimal("5000.00")),
    }
    assert first.is_complete and first.history.first().history_user == agent


def test_an_import_completes_what_was_entered_without_erasing_it(dossiers, agent):
    run(HEADER + "2021;PV2021-001;64;1000;900;02/05/2022;Ateliers tenus.;120;90;;\n", agent)
    result = run("annee;numero_dossier;compte;prevu;realise\n2021;PV2021-001;60;50;45\n", agent)
    assert result.ok
    report = CompteRendu.objects.get(project=dossiers[0])
    assert (report.assessment, report.beneficiaries, report.version) == ("Ateliers tenus.", 120, 2)
    assert sorted(report.lines.values_list("account", flat=True)) == ["60", "64"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2021;PV2021-001;59;10;10;;;;;;", "Ligne 2, colonne « compte » : compte inconnu « 59 » (comptes possibles : 60, 61"),
        ("2021;PV2021-001;64;10;10;;;-3;;;", "Ligne 2, colonne « beneficiaires » : « -3 » est négatif : un nombre de personnes est positif ou nul"),
        ("2021;PV2021-001;64;dix;10;;;;;;", "Ligne 2, colonne « prevu » : « dix » n'est pas un montant"),
        ("2021;PV2021-001;64;10;10;31/02/2022;;;;;", "Ligne 2, colonne « recu_le » :"),
        ("2022;PV2021-001;64;10;10;;;;;;", "Ligne 2, colonne « numero_dossier » : aucun dossier « PV2021-001 » en 2022"),
        ("2021;PV2021-001;64;10;10;;;10;11;;", "Ligne 2, colonne « dont_qpv » : dossier PV2021-001 : 11 habitants des QPV pour 10 bénéficiaires en tout"),
        ("2021;PV2021-001;64;10;10;;;10;;8;5", "Ligne 2, colonne « hommes » : dossier PV2021-001 : Femmes (8) et hommes (5) font 13"),
    ],
)  # fmt: skip
def test_bad_rows_are_named_and_nothing_is_written(dossiers, agent, row, expected):
    good = "2021;PV2021-002;60;300;250;2022-04-30;Sorties.;40;40;;\n"
    result = run(HEADER + row + "\n" + good, agent)
    assert not result.ok
    assert str(result.errors[0]).startswith(expected), str(result.errors[0])
    assert result.summary().endswith("rien n'a été enregistré.")
    assert not CompteRendu.objects.exists() and not CompteRenduLine.objects.exists()


def test_two_rows_of_a_dossier_may_not_disagree(dossiers, agent):
    result = run(
        HEADER + "2021;PV2021-001;64;10;10;;;120;;;\n" + "2021;PV2021-001;60;10;10;;;130;;;\n",
        agent,
    )
    assert [str(e) for e in result.errors] == [
        "Ligne 3, colonne « beneficiaires » : « 130 » contredit la ligne 2 du même dossier"
    ]


def test_a_closed_dossier_is_refused(dossiers, agent):
    dossiers[0].status = Status.SOLDE
    dossiers[0].save()
    result = run(HEADER + "2021;PV2021-001;64;10;10;;;;;;\n", agent)
    assert [str(e) for e in result.errors] == [
        "Ligne 2 : dossier PV2021-001 : Le dossier est au statut « Soldé » : le compte-rendu se saisit sur un "
        "dossier programmé ou justifié."
    ]


def test_an_unknown_column_or_a_missing_one(dossiers, agent):
    result = run("annee;numero_dossier;compte;prevu;budget\n2021;PV2021-001;64;1;2\n", agent)
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("Ligne 1, colonne « budget » : colonne inconnue")
    assert messages[1] == "Ligne 1 : colonne(s) obligatoire(s) absente(s) : realise"


def test_an_xlsx_through_the_page(dossiers, agent_client, client_of, comite):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["annee", "numero_dossier", "compte", "prevu", "realise", "recu_le", "bilan_qualitatif"])
    sheet.append([2021, "PV2021-002", 64, 1500.5, 1400, datetime.date(2022, 5, 2), "Menée."])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("cr.xlsx", buffer.getvalue())
    response = agent_client.post("/comptes-rendus/import/", {"fichier": upload}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "1 compte(s)-rendu(s) enregistré(s), 1 compte(s) de charges ou de produits."
    ]
    line = CompteRenduLine.objects.get()
    assert (line.planned, line.actual) == (Decimal("1500.50"), Decimal("1400.00"))
    assert client_of(comite).get("/comptes-rendus/import/").status_code == 403
