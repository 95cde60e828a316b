"""The subsidies' open data (docs/contracts.md §10): `manage.py export_scdl YEAR` and the
direction's download, in the SCDL « subventions » format, validated by frictionless against the
project's Table Schema; a dossier that lacks what a required field needs is reported, never
written invalid."""

import csv
import datetime
import html
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from frictionless import Resource, Schema

from funding.models import Payment, PaymentKind, PaymentState
from funding.scdl import FIELDS, SCHEMA_PATH
from projects.models import FundingLine, Operator, Status
from tests.factories import FundingLineFactory, OperatorFactory, ProgrammeYearFactory, ProjectFactory, funder

pytestmark = pytest.mark.django_db

SIRET = "20007246000013"


def export(year, tmp_path, capsys) -> tuple[int, list[dict], str]:
    target = tmp_path / f"subventions-{year}.csv"
    code = 0
    try:
        call_command("export_scdl", str(year), "--output", str(target))
    except SystemExit as exit_:
        code = exit_.code
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    return code, rows, capsys.readouterr().err


def validate(path) -> list[str]:
    schema = Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    report = Resource(path=path.name, basepath=str(path.parent), schema=schema).validate()
    return [error.message for task in report.tasks for error in task.errors]


def test_the_demonstrations_2021_subsidies_validate_against_the_schema(settings, tmp_path, capsys):
    settings.DEBUG = True
    settings.AGGLOMERATION_SIRET = SIRET
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    code, rows, errors = export(2021, tmp_path, capsys)
    assert (code, errors) == (0, "")
    assert list(rows[0]) == FIELDS
    assert validate(tmp_path / "subventions-2021.csv") == []

    # One row per programmed dossier funded by the agglomeration, but its own actions.
    lines = FundingLine.objects.filter(
        funder__paid_by_agglomeration=True,
        amount_granted__gt=0,
        project__year_id=2021,
        project__status__in=Status.programmed(),
    ).exclude(project__operator__name="CABBALR")
    assert sorted(row["referenceDecision"] for row in rows) == sorted(
        {line.project.reference for line in lines}
    )
    assert sum(Decimal(row["montant"]) for row in rows) == sum(line.amount_granted for line in lines)
    assert all(row["idBeneficiaire"] or row["rnaBeneficiaire"] for row in rows)
    assert {row["idAttribuant"] for row in rows} == {SIRET}
    assert {row["conditionsVersement"] for row in rows} == {"échelonné"}
    assert all("/" in row["datesPeriodeVersement"] for row in rows)


@pytest.fixture
def year_2024(agent):
    year = ProgrammeYearFactory(year=2024)
    complete = ProjectFactory(reference="COMPLET", year=year, status=Status.PROGRAMME,
                              decision_date=datetime.date(2024, 3, 4),
                              operator=OperatorFactory(name="Association Élan", rna="W623001234"))  # fmt: skip
    line = FundingLineFactory(project=complete, funder=funder("cabbalr_fcs"), amount_requested=Decimal("5000"),
                              amount_granted=Decimal("4500.50"))  # fmt: skip
    Payment.objects.create(funding_line=line, kind=PaymentKind.SOLDE, planned_on=datetime.date(2024, 5, 2),
                           planned_amount=Decimal("4500.50"))  # fmt: skip
    lacking = ProjectFactory(reference="SANS-ID", year=year, status=Status.PROGRAMME,
                             decision_date=datetime.date(2024, 3, 4),
                             operator=OperatorFactory(name="Collectif sans identifiant", siret="", rna=""))  # fmt: skip
    FundingLineFactory(project=lacking, funder=funder("cabbalr"), amount_requested=Decimal("900"),
                       amount_granted=Decimal("900"))  # fmt: skip
    # Another funder's money only: not the agglomeration's subsidy.
    other = ProjectFactory(reference="ANCT-SEULE", year=year, status=Status.PROGRAMME,
                           decision_date=datetime.date(2024, 3, 4))  # fmt: skip
    FundingLineFactory(project=other, funder=funder("anct"), amount_granted=Decimal("100"))
    return year


def test_a_dossier_without_identifier_or_schedule_is_reported_and_left_out(
    settings, tmp_path, capsys, year_2024
):
    settings.AGGLOMERATION_SIRET = SIRET
    code, rows, errors = export(2024, tmp_path, capsys)
    assert code == 1
    assert errors.splitlines() == [
        "Dossier SANS-ID (Collectif sans identifiant) : le porteur n'a ni SIRET ni numéro RNA (à saisir sur sa "
        "fiche) ; aucun versement prévu (l'échéancier donne les conditions et la période de versement).",
        "1 dossier(s) non publiable(s) : corrigez-les puis relancez l'export (1 ligne(s) écrite(s)).",
    ]
    assert rows == [
        {
            "nomAttribuant": settings.AGGLOMERATION_NAME, "idAttribuant": SIRET, "dateConvention": "2024-03-04",
            "referenceDecision": "COMPLET", "nomBeneficiaire": "Association Élan", "idBeneficiaire": "",
            "rnaBeneficiaire": "W623001234", "objet": rows[0]["objet"], "montant": "4500.50",
            "nature": "aide en numéraire", "conditionsVersement": "unique", "datesPeriodeVersement": "2024-05-02",
            "idRAE": "", "notificationUE": "non", "pourcentageSubvention": "1.00", "dispositifAide": "",
        }
    ]  # fmt: skip
    assert validate(tmp_path / "subventions-2024.csv") == []


def test_a_paid_payment_gives_its_actual_date(settings, tmp_path, capsys, year_2024):
    settings.AGGLOMERATION_SIRET = SIRET
    Payment.objects.filter(funding_line__project__reference="COMPLET").update(
        state=PaymentState.VERSE, paid_on=datetime.date(2024, 6, 1), paid_amount=Decimal("4500.50")
    )
    _code, rows, _errors = export(2024, tmp_path, capsys)
    assert rows[0]["datesPeriodeVersement"] == "2024-06-01"


def test_without_the_agglomerations_siret_nothing_is_written(settings, tmp_path, capsys, year_2024):
    settings.AGGLOMERATION_SIRET = ""
    code, rows, errors = export(2024, tmp_path, capsys)
    assert (code, rows) == (1, [])
    assert errors.splitlines()[0] == (
        "Le SIRET de l'agglomération (réglage AGGLOMERATION_SIRET) est «  » : 14 chiffres attendus ; "
        "aucune ligne n'est écrite."
    )


def test_the_direction_downloads_the_file_and_agents_cannot(settings, year_2024, direction_client, agent):
    settings.AGGLOMERATION_SIRET = SIRET
    response = direction_client.get("/donnees-ouvertes/subventions-2024.csv")
    assert response.status_code == 409
    assert "Dossier SANS-ID (Collectif sans identifiant)" in response.content.decode()
    Operator.objects.filter(name="Collectif sans identifiant").update(rna="W623009999")
    line = FundingLine.objects.get(project__reference="SANS-ID")
    Payment.objects.create(funding_line=line, kind=PaymentKind.SOLDE, planned_on=datetime.date(2024, 9, 1),
                           planned_amount=Decimal("900"))  # fmt: skip
    response = direction_client.get("/donnees-ouvertes/subventions-2024.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="subventions-2024.csv"'
    assert [row["referenceDecision"] for row in csv.DictReader(io.StringIO(response.content.decode()))] == [
        "COMPLET", "SANS-ID"
    ]  # fmt: skip
    direction_client.force_login(agent)
    assert direction_client.get("/donnees-ouvertes/subventions-2024.csv").status_code == 403


def test_an_rna_number_is_checked_on_the_porteur_form(agent_client):
    operator = OperatorFactory(name="Association Élan", kind="association")
    url = f"/porteurs/{operator.pk}/modifier/"
    form = agent_client.get(url).context["form"]
    data = {
        "name": "Association Élan",
        "kind": "association",
        "rna": "w 623 001 234",
        "seen_updated_at": form.initial["seen_updated_at"].isoformat(),
    }
    response = agent_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    operator.refresh_from_db()
    assert operator.rna == "W623001234"
    data.update(rna="W12", seen_updated_at=operator.updated_at.isoformat())
    response = agent_client.post(url, data)
    assert "Le numéro RNA « W12 » doit être un W suivi de 9 chiffres (exemple : W623001234)." in (
        html.unescape(response.content.decode())
    )


def test_the_csv_reader_keeps_its_own_cell_bound_whatever_frictionless_set():
    """frictionless (imported by this module) raises the csv module's process-wide field limit;
    the import's reader sets its own again, so that a runaway cell is still stopped."""
    import csv as csv_module
    import sys

    from contratville.tabular import TableError, read_table

    csv_module.field_size_limit(sys.maxsize)
    content = ("annee;numero_dossier\n2021;" + "x" * 200_000 + "\n").encode()
    with pytest.raises(TableError) as error:
        read_table(content, "long.csv")
    assert (
        str(error.value)
        == "Ligne 2 : une cellule compte plus de 131 072 caractères ; 10 000 au plus sont acceptés."
    )
