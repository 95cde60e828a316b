"""The export `/projets/export/` (docs/import-format.md §9): the filtered dossiers in the import format,
as CSV or XLSX, that import back unchanged; and a readable XLSX for people."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.imports.format import COLUMNS
from projects.imports.service import programmation_import
from projects.models import FundingLine, Operator, ProgrammeYear, Project, StatusChange
from projects.selectors import dossiers_for_export
from tests.factories import FundingLineFactory, ProjectFactory, funder, quartier

pytestmark = pytest.mark.django_db

URL = "/projets/export/"
SIRET = "73282932000074"

# A programmation with what an export must carry back: accents, separators and formula-like
# text, a SIRET, quartiers in both geographies, a nature that is not the funder's default,
# amounts with cents and with spaces, an empty granted amount, a dossier without lines.
PROGRAMMATION = [
    COLUMNS,
    ["2022", "D-001", "Accompagnement à la scolarité; soutien", "Association Élan", "", "association",
     "cohesion_sociale", "1.1", "QP062008|QN06211M", "programme", "anct", "", "12 000,00", "10 000"],
    ["2022", "D-001", "Accompagnement à la scolarité; soutien", "Association Élan", "", "association",
     "cohesion_sociale", "1.1", "QP062008|QN06211M", "programme", "caf", "", "5000", "5000"],
    ["2022", "D-001", "Accompagnement à la scolarité; soutien", "Association Élan", "", "association",
     "cohesion_sociale", "1.1", "QP062008|QN06211M", "programme", "commune", "specifique", "2 500,50",
     "2 500,50"],
    ["2022", "D-002", "Chantier d'insertion \"Bâtir\"", "Ville de Bruay-La-Buissière", SIRET, "commune",
     "emploi", "2.1", "QP062011", "en_instruction", "region", "", "30000", ""],
    ["2022", "D-003", "=SOMME(A1:A9)", "+Plus de liens", "", "association", "cadre_de_vie", "3.1", "",
     "brouillon", "", "", "", ""],
    ["2021", "R-7", "-moins de déchets", "@quartiers", "", "autre", "pilotage", "4.1", "QN06204M",
     "solde", "cabbalr_fcs", "", "1234.56", "1234.56"],
]  # fmt: skip


def csv_content(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def imported():
    result = programmation_import(content=csv_content(PROGRAMMATION), filename="programmation.csv")
    assert result.ok, result.errors
    assert result.projects_created == 4
    return result


def read_csv(response) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline=""), delimiter=";"))


def read_xlsx(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]


def database_state():
    """Everything an import may write."""
    return (
        list(
            Project.objects.order_by("id").values_list(
                "id", "year_id", "reference", "title", "status", "operator_id", "pillar_id", "theme_id",
                "updated_at",
            )
        ),
        list(
            FundingLine.objects.order_by("id").values_list(
                "id", "project_id", "funder_id", "nature", "amount_requested", "amount_granted", "position"
            )
        ),
        list(Operator.objects.order_by("id").values_list("id", "name", "kind", "siret", "updated_at")),
        list(Project.quartiers.through.objects.order_by("id").values_list("id", "project_id", "quartier_id")),
        list(ProgrammeYear.objects.order_by("year").values_list("year", flat=True)),
        StatusChange.objects.count(),
    )  # fmt: skip


# Access and errors


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL + "?format=csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_the_comite_may_not_export(comite_client, imported):
    assert comite_client.get(URL + "?format=csv").status_code == 403
    assert comite_client.get(URL + "?format=xlsx").status_code == 403


@pytest.mark.parametrize("fmt", ["pdf", "XLSX", "ods", ""])
def test_an_unknown_format_is_a_400_in_french(agent_client, fmt):
    response = agent_client.get(URL + f"?format={fmt}")
    assert response.status_code == 400
    assert response.content.decode() == (
        f"Format d'export inconnu « {fmt} » : les formats possibles sont csv, xlsx, xlsx-lisible."
    )


def test_invalid_filters_export_nothing(agent_client, imported):
    response = agent_client.get(URL + "?format=csv&pilier=culture")
    assert response.status_code == 400
    text = response.content.decode()
    assert "rien n'a été exporté" in text and "Pilier inconnu : « culture »" in text


def test_without_a_format_the_export_is_xlsx(agent_client, imported):
    response = agent_client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# CSV


def test_csv_is_utf8_with_bom_semicolons_and_the_exact_import_header(agent_client, imported):
    response = agent_client.get(URL + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == COLUMNS
    assert response.content.split(b"\r\n")[0] == b"\xef\xbb\xbf" + ";".join(COLUMNS).encode()


def test_csv_has_one_row_per_funding_line_with_the_dossier_repeated(agent_client, imported):
    rows = read_csv(agent_client.get(URL + "?format=csv&annee=2022"))[1:]
    assert [row[1] for row in rows] == ["D-001", "D-001", "D-001", "D-002", "D-003"]
    assert rows[:3] == [
        ["2022", "D-001", "Accompagnement à la scolarité; soutien", "Association Élan", "", "association",
         "cohesion_sociale", "1.1", "QP062008|QP062011", "programme", funder_code, nature, requested, granted]
        for funder_code, nature, requested, granted in [
            ("anct", "specifique", "12000.00", "10000.00"),
            ("caf", "droit_commun", "5000.00", "5000.00"),
            ("commune", "specifique", "2500.50", "2500.50"),
        ]
    ]  # fmt: skip
    # The SIRET grouped as INSEE prints it, the granted amount empty when not decided.
    assert rows[3][4] == "732 829 320 00074"
    assert rows[3][10:] == ["region", "droit_commun", "30000.00", ""]
    # A dossier without funding lines: one row, empty funder, nature and amounts.
    assert rows[4][10:] == ["", "", "", ""]


def test_csv_cells_that_would_start_a_formula_get_an_apostrophe(agent_client, imported):
    rows = {row[1]: row for row in read_csv(agent_client.get(URL + "?format=csv"))[1:]}
    assert rows["D-003"][2:4] == ["'=SOMME(A1:A9)", "'+Plus de liens"]
    assert rows["R-7"][2:4] == ["'-moins de déchets", "'@quartiers"]
    # Quartiers are written by their 2015 code, whichever code the file used.
    assert rows["R-7"][8] == "QP062004"


def test_csv_file_name_says_the_year_and_the_day(agent_client, imported):
    today = timezone.localdate().isoformat()
    response = agent_client.get(URL + "?format=csv&annee=2022")
    assert response["Content-Disposition"] == f'attachment; filename="programmation-2022-{today}.csv"'
    response = agent_client.get(URL + "?format=csv")
    assert (
        response["Content-Disposition"] == f'attachment; filename="programmation-toutes-annees-{today}.csv"'
    )
    response = agent_client.get(URL + "?format=xlsx&annee=2022&annee=2021")
    assert response["Content-Disposition"] == f'attachment; filename="programmation-2021-2022-{today}.xlsx"'


# XLSX


def test_xlsx_has_the_exact_header_and_one_row_per_line(agent_client, imported):
    response = agent_client.get(URL + "?format=xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read_xlsx(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 1 + 6  # D-001 ×3, D-002, D-003, R-7
    assert sorted(row[1] for row in rows[1:]) == ["D-001", "D-001", "D-001", "D-002", "D-003", "R-7"]


def test_xlsx_amounts_and_years_are_number_cells(agent_client, imported):
    sheet = read_xlsx(agent_client.get(URL + "?format=xlsx&annee=2022"))
    requested, granted = COLUMNS.index("montant_demande") + 1, COLUMNS.index("montant_accorde") + 1
    first = 2
    assert sheet.cell(first, 1).value == 2022 and sheet.cell(first, 1).data_type == "n"
    cell = sheet.cell(first, requested)
    assert (cell.value, cell.data_type, cell.number_format) == (12000, "n", "#,##0.00")
    third = sheet.cell(first + 2, granted)
    assert (third.value, third.data_type, third.number_format) == (2500.5, "n", "#,##0.00")
    # Not granted yet, or no line: an empty cell.
    assert sheet.cell(first + 3, granted).value is None
    assert sheet.cell(first + 4, requested).value is None
    assert sheet.freeze_panes == "A2"


def test_xlsx_text_that_would_start_a_formula_is_text_with_an_apostrophe(agent_client, imported):
    sheet = read_xlsx(agent_client.get(URL + "?format=xlsx&q=SOMME"))
    title, operator = sheet.cell(2, 3), sheet.cell(2, 4)
    assert (title.value, title.data_type) == ("'=SOMME(A1:A9)", "s")
    assert (operator.value, operator.data_type) == ("'+Plus de liens", "s")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# The round trip


@pytest.mark.parametrize("fmt, filename", [("csv", "export.csv"), ("xlsx", "export.xlsx")])
def test_an_export_reimported_unedited_changes_nothing(agent_client, imported, fmt, filename):
    before = database_state()
    response = agent_client.get(URL + f"?format={fmt}")
    assert response.status_code == 200
    result = programmation_import(content=response.content, filename=filename)
    assert result.ok, [str(error) for error in result.errors]
    assert (result.projects_created, result.projects_updated, result.projects_unchanged) == (0, 0, 4)
    assert (result.operators_created, result.operators_updated) == (0, 0)
    assert result.lines == 5
    assert database_state() == before


def test_dossiers_entered_by_hand_also_round_trip(agent_client):
    project = ProjectFactory(title="@mention d'un partenaire", reference="0042")
    project.quartiers.set([quartier("QP062008"), quartier("QP062012")])
    FundingLineFactory(
        project=project, funder=funder("anct"), amount_requested=Decimal("0.10"), amount_granted=None
    )
    FundingLineFactory(
        project=project,
        funder=funder("caf"),
        amount_requested=Decimal("99999999.99"),
        amount_granted=Decimal("0"),
    )
    before = database_state()
    for fmt in ("csv", "xlsx"):
        response = agent_client.get(URL + f"?format={fmt}")
        result = programmation_import(content=response.content, filename=f"export.{fmt}")
        assert result.ok, [str(error) for error in result.errors]
        assert (result.projects_created, result.projects_updated, result.projects_unchanged) == (0, 0, 1), fmt
        assert database_state() == before


# Filters


def test_a_filtered_export_holds_only_the_filtered_dossiers(agent_client, imported):
    rows = read_csv(agent_client.get(URL + "?format=csv&quartier=QN06211M"))[1:]
    assert sorted({row[1] for row in rows}) == ["D-001", "D-002"]
    # Every line of a chosen dossier is exported, not only the lines matching a line filter.
    rows = read_csv(agent_client.get(URL + "?format=csv&financeur=caf"))[1:]
    assert [(row[1], row[10]) for row in rows] == [("D-001", "anct"), ("D-001", "caf"), ("D-001", "commune")]
    rows = read_csv(agent_client.get(URL + "?format=csv&statut=brouillon&statut=solde"))[1:]
    assert sorted(row[1] for row in rows) == ["D-003", "R-7"]
    sheet = read_xlsx(agent_client.get(URL + "?format=xlsx&type_porteur=commune"))
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["D-002"]


def test_the_export_follows_the_list_order(agent_client, imported):
    rows = read_csv(agent_client.get(URL + "?format=csv&tri=-reference&annee=2022"))[1:]
    assert [row[1] for row in rows] == ["D-003", "D-002", "D-001", "D-001", "D-001"]


def test_the_export_takes_a_constant_number_of_queries(agent_client, imported):
    def queries_for_export():
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(URL + "?format=xlsx&quartier=QP062008").status_code == 200
        return len(queries)

    few = queries_for_export()
    for n in range(30):
        project = ProjectFactory(year__year=2022, reference=f"X-{n}")
        project.quartiers.set([quartier("QP062008"), quartier("QP062004")])
        FundingLineFactory(project=project)
        FundingLineFactory(project=project, funder=funder("caf"))
    # session, user, 2 × permissions, the quartier checked, dossiers, their quartiers, their lines
    assert queries_for_export() == few == 8


# The readable XLSX


def test_the_readable_xlsx_has_french_headers_labels_and_a_totals_row(agent_client, imported):
    today = timezone.localdate().isoformat()
    response = agent_client.get(URL + "?format=xlsx-lisible&annee=2022")
    assert (
        response["Content-Disposition"] == f'attachment; filename="programmation-lisible-2022-{today}.xlsx"'
    )
    sheet = read_xlsx(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "Année", "N° de dossier", "Intitulé", "Porteur", "Type de porteur", "Pilier", "Thématique",
        "Quartiers", "Statut", "Financeur", "Nature", "Montant demandé", "Montant accordé",
    ]  # fmt: skip
    assert rows[1] == (
        2022,
        "D-001",
        "Accompagnement à la scolarité; soutien",
        "Association Élan",
        "Association",
        "Cohésion sociale",
        "1.1 Education",
        "Quartier Du Mont Liébaut, Le Centre",
        "Programmé",
        "État – ANCT crédits politique de la ville",
        "Crédits spécifiques",
        12000,
        10000,
    )
    assert rows[3][9:11] == ("Communes", "Crédits spécifiques")
    assert rows[5][2:4] == ("'=SOMME(A1:A9)", "'+Plus de liens")
    assert rows[-1][0] == "Total" and rows[-1][2] == "3 dossiers"
    assert rows[-1][11:] == (49500.5, 17500.5)
    assert all(cell.font.b for cell in sheet[1]) and all(cell.font.b for cell in sheet[sheet.max_row])
    assert sheet.cell(2, 12).number_format == "#,##0.00" and sheet.cell(2, 12).data_type == "n"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 50
    assert sheet.auto_filter.ref == "A1:M6"


def test_dossiers_are_read_in_chunks_without_changing_the_rows(imported):
    whole = list(dossiers_for_export(Project.objects.all(), "reference"))
    chunked = list(dossiers_for_export(Project.objects.all(), "reference", chunk_size=2))
    assert chunked == whole
    assert [d.reference for d in chunked] == ["D-001", "D-002", "D-003", "R-7"]
    assert [len(d.lines) for d in chunked] == [3, 1, 0, 1]
    assert chunked[0].quartiers == [("QP062008", "Quartier Du Mont Liébaut"), ("QP062011", "Le Centre")]
