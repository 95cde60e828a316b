"""The programmation import (docs/import-format.md): all or nothing, every error located."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from projects.imports.format import COLUMNS
from projects.imports.service import programmation_import
from projects.models import FundingLine, Nature, Operator, ProgrammeYear, Project, StatusChange
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"
GOOD_ROWS = [
    # annee, numero, intitule, porteur, siret, type, pilier, thematique, quartiers, statut, financeur, nature, demande, accorde
    [
        "2022",
        "D-001",
        "Accompagnement à la scolarité",
        "Association Élan",
        "",
        "association",
        "cohesion_sociale",
        "1.1",
        "QP062008|QN06211M",
        "programme",
        "anct",
        "",
        "12 000,00",
        "10 000",
    ],
    [
        "2022",
        "D-001",
        "Accompagnement à la scolarité",
        "Association Élan",
        "",
        "association",
        "cohesion_sociale",
        "1.1",
        "QP062008|QN06211M",
        "programme",
        "caf",
        "",
        "5000",
        "5000",
    ],
    [
        "2022",
        "D-001",
        "Accompagnement à la scolarité",
        "Association Élan",
        "",
        "association",
        "cohesion_sociale",
        "1.1",
        "QP062008|QN06211M",
        "programme",
        "commune",
        "specifique",
        "2 500,50",
        "2 500,50",
    ],
    [
        "2022",
        "D-002",
        "Chantier d'insertion",
        "Ville de Bruay-La-Buissière",
        SIRET,
        "commune",
        "emploi",
        "2.1",
        "QP062011",
        "en_instruction",
        "region",
        "",
        "30000",
        "",
    ],
    [
        "2022",
        "D-003",
        "Diagnostic en marchant",
        "Association Élan",
        "",
        "association",
        "cadre_de_vie",
        "3.1",
        "",
        "brouillon",
        "",
        "",
        "",
        "",
    ],
]


def csv_bytes(rows, header=COLUMNS, separator=";", encoding="utf-8", bom=False) -> bytes:
    lines = [separator.join(header)] + [separator.join(row) for row in rows]
    content = ("\n".join(lines) + "\n").encode(encoding)
    return (b"\xef\xbb\xbf" + content) if bom else content


def xlsx_bytes(rows, header=COLUMNS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def database_state():
    """Everything an import may write, to prove that a refused file wrote nothing."""
    return (
        list(
            Project.objects.order_by("id").values_list(
                "id", "year_id", "reference", "title", "status", "operator_id"
            )
        ),
        list(
            FundingLine.objects.order_by("id").values_list(
                "id", "project_id", "funder__code", "nature", "amount_requested", "amount_granted"
            )
        ),
        list(Operator.objects.order_by("id").values_list("id", "name", "kind", "siret")),
        list(Project.quartiers.through.objects.order_by("id").values_list("project_id", "quartier_id")),
        list(ProgrammeYear.objects.values_list("year", flat=True)),
    )


def import_rows(rows, **kwargs):
    return programmation_import(content=csv_bytes(rows, **kwargs), filename="programmation.csv")


def test_a_good_csv_file_creates_dossiers_lines_operators_and_quartiers():
    result = import_rows(GOOD_ROWS)
    assert result.ok, result.errors
    assert (result.projects_created, result.projects_updated, result.lines, result.operators_created) == (
        3,
        0,
        4,
        2,
    )

    scolarite = Project.objects.get(year_id=2022, reference="D-001")
    assert scolarite.title == "Accompagnement à la scolarité"
    assert scolarite.operator.name == "Association Élan"
    assert scolarite.pillar.code == "cohesion_sociale" and scolarite.theme.code == "1.1"
    assert sorted(q.code_2015 for q in scolarite.quartiers.all()) == ["QP062008", "QP062011"]
    lines = list(
        scolarite.funding_lines.order_by("position").values_list(
            "funder__code", "nature", "amount_requested", "amount_granted"
        )
    )
    assert lines == [
        ("anct", Nature.SPECIFIQUE, Decimal("12000.00"), Decimal("10000.00")),
        ("caf", Nature.DROIT_COMMUN, Decimal("5000.00"), Decimal("5000.00")),
        ("commune", Nature.SPECIFIQUE, Decimal("2500.50"), Decimal("2500.50")),
    ]
    chantier = Project.objects.get(reference="D-002")
    assert chantier.operator.siret == SIRET and chantier.operator.kind == "commune"
    assert chantier.funding_lines.get().amount_granted is None
    assert Project.objects.get(reference="D-003").funding_lines.count() == 0
    assert ProgrammeYear.objects.filter(year=2022).exists()
    assert StatusChange.objects.filter(to_status="programme", project=scolarite).count() == 1


def test_the_same_file_as_xlsx_gives_the_same_dossiers():
    typed = [row[:12] + [row[12], row[13]] for row in GOOD_ROWS]
    typed[1][12], typed[1][13] = 5000, 5000  # numeric cells, as a spreadsheet stores them
    typed[0][0] = 2022
    result = programmation_import(content=xlsx_bytes(typed), filename="programmation.xlsx")
    assert result.ok, result.errors
    assert result.projects_created == 3
    assert FundingLine.objects.filter(
        project__reference="D-001", funder__code="caf"
    ).get().amount_granted == Decimal("5000.00")


@pytest.mark.parametrize("separator", [",", ";"])
def test_comma_separated_with_bom_and_odd_header_case(separator):
    rows = [[cell.replace(",", ".") for cell in row] for row in GOOD_ROWS[:2]]
    header = [name.upper() if i % 2 else f" {name} " for i, name in enumerate(COLUMNS)]
    result = programmation_import(
        content=csv_bytes(rows, header=header, separator=separator, bom=True), filename="f.csv"
    )
    assert result.ok, result.errors
    assert Project.objects.get().funding_lines.count() == 2


def test_a_year_written_as_a_number_cell_is_read():
    row = GOOD_ROWS[0][:]
    row[0] = "2022.0"
    assert import_rows([row]).ok
    assert Project.objects.get().year_id == 2022


def test_columns_in_any_order_and_optional_columns_absent():
    order = [
        "financeur",
        "montant_demande",
        "statut",
        "annee",
        "numero_dossier",
        "intitule",
        "porteur",
        "type_porteur",
        "pilier",
        "thematique",
    ]
    content = (";".join(order) + "\nanct;1500;depose;2023;X-1;Atelier;Asso;association;emploi;2.2\n").encode()
    result = programmation_import(content=content, filename="f.csv")
    assert result.ok, result.errors
    line = FundingLine.objects.get()
    assert (line.funder.code, line.amount_requested, line.amount_granted) == (
        "anct",
        Decimal("1500.00"),
        None,
    )


def test_reimporting_the_same_file_changes_nothing():
    assert import_rows(GOOD_ROWS).ok
    before = database_state()
    again = import_rows(GOOD_ROWS)
    assert again.ok
    assert (again.projects_created, again.projects_updated, again.projects_unchanged) == (0, 0, 3)
    assert (again.operators_created, again.operators_updated) == (0, 0)
    assert database_state() == before


def test_a_reimport_replaces_the_funding_lines_of_a_dossier():
    assert import_rows(GOOD_ROWS).ok
    edited = [row[:] for row in GOOD_ROWS if row[1] != "D-001"]
    edited.insert(
        0,
        [
            "2022",
            "D-001",
            "Accompagnement à la scolarité",
            "Association Élan",
            "",
            "association",
            "cohesion_sociale",
            "1.1",
            "QP062008",
            "solde",
            "fse",
            "",
            "7000",
            "6500",
        ],
    )
    result = import_rows(edited)
    assert result.ok, result.errors
    assert (result.projects_created, result.projects_updated, result.projects_unchanged) == (0, 1, 2)
    project = Project.objects.get(reference="D-001")
    assert list(project.funding_lines.values_list("funder__code", "amount_granted")) == [
        ("fse", Decimal("6500.00"))
    ]
    assert [q.code_2015 for q in project.quartiers.all()] == ["QP062008"]
    assert project.status == "solde"
    assert project.status_changes.last().from_status == "programme"


def test_operators_are_matched_by_siret_then_by_exact_name():
    known = OperatorFactory(name="Ancien nom de la ville", siret=SIRET, kind="commune")
    by_name = OperatorFactory(name="Association Élan", kind="association")
    assert import_rows(GOOD_ROWS).ok
    assert Project.objects.get(reference="D-002").operator_id == known.pk
    known.refresh_from_db()
    assert known.name == "Ville de Bruay-La-Buissière"  # the file's name for that SIRET wins
    assert Project.objects.get(reference="D-001").operator_id == by_name.pk
    assert Operator.objects.count() == 2


def test_odd_spacing_in_names_and_codes_is_forgiven():
    rows = [[f"  {cell}\u00a0" if cell else cell for cell in GOOD_ROWS[0]]]
    rows[0][3] = "Association   Élan"
    rows[0][5] = "Association"
    rows[0][9] = "Programmé"
    result = import_rows(rows)
    assert result.ok, result.errors
    project = Project.objects.get()
    assert (project.operator.name, project.operator.kind, project.status) == (
        "Association Élan",
        "association",
        "programme",
    )


def test_the_export_apostrophe_is_removed_on_import():
    row = GOOD_ROWS[0][:]
    row[2] = '\'=HYPERLINK("x")'
    row[3] = "'-Collectif des habitants"
    assert import_rows([row]).ok
    project = Project.objects.get()
    assert project.title == '=HYPERLINK("x")'
    assert project.operator.name == "-Collectif des habitants"


def _single_error(rows, **kwargs):
    before = database_state()
    result = import_rows(rows, **kwargs)
    assert not result.ok
    assert database_state() == before
    return [(issue.row, issue.column, issue.message) for issue in result.errors]


def _with(column, value, row=0):
    rows = [r[:] for r in GOOD_ROWS]
    rows[row][COLUMNS.index(column)] = value
    return rows


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("annee", "deux mille", "« deux mille » n'est pas une année (exemple : 2022)"),
        ("annee", "", "l'année est obligatoire"),
        ("numero_dossier", "", "le numéro de dossier est obligatoire"),
        (
            "siret",
            "12345678901234",
            "le SIRET « 12345678901234 » n'est pas valide (clé de contrôle incorrecte)",
        ),
        ("siret", "1234", "le SIRET « 1234 » doit comporter 14 chiffres"),
        (
            "type_porteur",
            "fondation",
            "type de porteur inconnu « fondation » (attendu : association, commune, epci, "
            "bailleur, etablissement_public, entreprise, autre)",
        ),
        (
            "pilier",
            "culture",
            "pilier inconnu « culture » (attendu : cohesion_sociale, cadre_de_vie, emploi, pilotage)",
        ),
        ("thematique", "9.9", "thématique inconnue « 9.9 » (code ANCT attendu, par exemple 1.1)"),
        (
            "thematique",
            "2.1",
            "la thématique 2.1 relève du pilier « Emploi et développement économique », "
            "pas du pilier « Cohésion sociale »",
        ),
        (
            "quartiers",
            "QP062008|QP999999",
            "quartier inconnu « QP999999 » (code QPV attendu, par exemple QP062004 ou QN06204M)",
        ),
        (
            "statut",
            "valide",
            "statut inconnu « valide » (attendu : brouillon, depose, en_instruction, programme, refuse, "
            "abandonne, justifie, solde)",
        ),
        ("financeur", "banque", "financeur inconnu « banque » (attendu : un code comme anct, region, caf)"),
        ("nature", "mixte", "nature inconnue « mixte » (attendu : droit_commun ou specifique)"),
        ("montant_demande", "-100", "le montant « -100 » doit être positif ou nul"),
        ("montant_demande", "", "le montant demandé est obligatoire pour une ligne de financement"),
        (
            "montant_accorde",
            "beaucoup",
            "« beaucoup » n'est pas un montant (exemples acceptés : 1234,56 ou 1 234,56)",
        ),
    ],
)
def test_each_kind_of_error_names_its_row_and_column_and_writes_nothing(column, value, message):
    # Row 3 of the file is the second dossier line: the header is row 1.
    assert _single_error(_with(column, value, row=1)) == [(3, column, message)]


def test_rows_of_one_dossier_must_agree():
    errors = _single_error(_with("intitule", "Autre titre", row=1))
    assert errors == [
        (
            3,
            "intitule",
            "« Autre titre » diffère de « Accompagnement à la scolarité » (ligne 2) pour le "
            "dossier D-001 de 2022 : les lignes d'un même dossier doivent concorder",
        )
    ]


def test_one_operator_must_have_one_kind_in_a_file():
    errors = _single_error(_with("type_porteur", "commune", row=4))
    assert errors == [
        (
            6,
            "type_porteur",
            "le porteur « Association Élan » est de type « association » à la ligne 2 mais « commune » ici",
        )
    ]


def test_amounts_without_funder_are_refused():
    assert _single_error(_with("montant_demande", "100", row=4)) == [
        (6, "montant_demande", "« 100 » est donné sans financeur : indiquez le code du financeur")
    ]


def test_unknown_and_missing_columns_are_reported():
    header = [name for name in COLUMNS if name != "statut"] + ["commentaire"]
    rows = [[cell for i, cell in enumerate(row) if COLUMNS[i] != "statut"] + ["note"] for row in GOOD_ROWS]
    errors = _single_error(rows, header=header)
    assert (1, "commentaire", f"colonne inconnue (colonnes attendues : {', '.join(COLUMNS)})") in errors
    assert (1, "statut", "colonne obligatoire absente de la ligne d'en-têtes") in errors
    assert len(errors) == 2


def test_every_error_of_the_file_is_reported_at_once():
    rows = _with("annee", "20x2", row=0)
    rows[2][COLUMNS.index("montant_accorde")] = "n/a"
    rows[3][COLUMNS.index("pilier")] = ""
    errors = _single_error(rows)
    assert [(row, column) for row, column, _ in errors] == [
        (2, "annee"),
        (4, "montant_accorde"),
        (5, "pilier"),
    ]


def test_a_bad_row_after_many_good_ones_writes_nothing():
    assert import_rows(GOOD_ROWS[:1]).ok
    rows = []
    for n in range(1, 801):
        rows.append(
            [
                "2023",
                f"B-{n:04d}",
                f"Action {n}",
                f"Association {n % 40}",
                "",
                "association",
                "emploi",
                "2.1",
                "QP062004",
                "programme",
                "anct",
                "",
                "1000",
                "1000",
            ]
        )
    rows.append(
        [
            "2023",
            "B-9999",
            "Action",
            "Association 1",
            "",
            "association",
            "emploi",
            "2.1",
            "QP062004",
            "programme",
            "anct",
            "",
            "1000",
            "mille",
        ]
    )
    errors = _single_error(rows)
    assert errors == [
        (802, "montant_accorde", "« mille » n'est pas un montant (exemples acceptés : 1234,56 ou 1 234,56)")
    ]
    assert Project.objects.count() == 1


def test_dry_run_checks_and_counts_but_writes_nothing():
    before = database_state()
    result = programmation_import(content=csv_bytes(GOOD_ROWS), filename="f.csv", dry_run=True)
    assert result.ok
    assert (result.projects_created, result.lines, result.operators_created) == (3, 4, 2)
    assert database_state() == before


def test_command_imports_and_summarises(tmp_path, capsys):
    path = tmp_path / "programmation.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("import_programmation", str(path))
    out = capsys.readouterr().out
    assert "3 créé(s), 0 mis à jour" in out
    assert "4 ligne(s) de financement" in out
    assert Project.objects.count() == 3


def test_command_dry_run_writes_nothing(tmp_path, capsys):
    path = tmp_path / "programmation.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("import_programmation", str(path), "--dry-run")
    assert "Simulation réussie" in capsys.readouterr().out
    assert Project.objects.count() == 0


def test_command_lists_errors_and_fails(tmp_path, capsys):
    path = tmp_path / "programmation.csv"
    path.write_bytes(csv_bytes(_with("siret", "1234", row=3)))
    with pytest.raises(CommandError) as info:
        call_command("import_programmation", str(path))
    assert info.value.returncode == 1
    assert (
        "Ligne 5, colonne « siret » : le SIRET « 1234 » doit comporter 14 chiffres" in capsys.readouterr().err
    )
    assert Project.objects.count() == 0
