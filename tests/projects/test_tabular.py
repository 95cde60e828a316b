"""Reading spreadsheets as people write them."""

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from contratville.tabular import TableError, formula_safe, normalize_key, parse_amount, read_table


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("12 345 678", "12345678.00"),
        ("1234", "1234.00"),
        ("1 234,5 €", "1234.50"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("0", "0.00"),
        ("0.30000000000000004", "0.30"),
    ],
)
def test_amounts_in_every_form_spreadsheets_write(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("-5", "le montant « -5 » doit être positif ou nul"),
        ("12,345,6", "« 12,345,6 » n'est pas un montant"),
        ("abc", "« abc » n'est pas un montant (exemples acceptés : 1234,56 ou 1 234,56)"),
        # Ambiguous: French reads a decimal comma, so three decimals; refused rather than guessed.
        ("1,234", "le montant « 1,234 » a plus de deux décimales"),
        ("12.345", "le montant « 12.345 » a plus de deux décimales"),
        ("10.125", "le montant « 10.125 » a plus de deux décimales"),
    ],
)
def test_bad_amounts_say_why(raw, message):
    with pytest.raises(ValueError) as info:
        parse_amount(raw)
    assert str(info.value) == message


def test_headers_are_compared_without_case_accents_or_spaces():
    assert normalize_key(" Numéro Dossier ") == "numero_dossier"
    assert normalize_key("\ufeffANNEE") == "annee"


def test_formula_guard_round_trips():
    assert formula_safe("=SOMME(A1)") == "'=SOMME(A1)"
    assert formula_safe("-5 jeunes") == "'-5 jeunes"
    assert formula_safe("Atelier") == "Atelier"
    table = read_table(b"a;b\n'=SOMME(A1);'Atelier\n", "f.csv")
    assert table.rows == [(2, ["=SOMME(A1)", "'Atelier"])]


@pytest.mark.parametrize("separator", [";", ","])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_with_either_separator_and_with_or_without_bom(separator, bom):
    content = bom + f"annee{separator}intitule\n2022{separator}Café des parents\n".encode()
    table = read_table(content, "prog.csv")
    assert table.headers == ["annee", "intitule"]
    assert table.rows == [(2, ["2022", "Café des parents"])]


def test_windows_1252_csv_keeps_its_accents():
    content = "annee;intitule\n2022;Élan – café des âgés\n".encode("cp1252")
    assert read_table(content, "excel.csv").rows == [(2, ["2022", "Élan – café des âgés"])]


def test_blank_lines_are_skipped_but_row_numbers_stay_those_of_the_file():
    table = read_table(b"a;b\n1;2\n;\n\n3;4\n", "f.csv")
    assert table.rows == [(2, ["1", "2"]), (5, ["3", "4"])]


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.active = len(sheets) - 1  # the active sheet is not the first one
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_reads_the_first_sheet_with_typed_cells():
    content = _xlsx(
        {
            "Programmation": [["annee", "montant"], [2022, 1234.56], [2022.0, 1500], [None, None]],
            "Notes": [["ignored"]],
        }
    )
    table = read_table(content, "prog.xlsx")
    assert table.format == "xlsx"
    assert table.headers == ["annee", "montant"]
    assert table.rows == [(2, ["2022", "1234.56"]), (3, ["2022", "1500"])]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "f.csv", "Le fichier est vide."),
        (b"not a zip", "f.xlsx", "Le fichier porte l'extension .xlsx mais n'est pas un classeur Excel."),
        (b"PK\x03\x04garbage", "f.xlsx", "Le fichier n'est pas un classeur XLSX valide."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            "f.xls",
            "Le format Excel 97-2003 (.xls) n'est pas lu : enregistrez le fichier en .xlsx ou en CSV.",
        ),
        (b"\n\n;;\n", "f.csv", "Le fichier ne contient aucune ligne."),
    ],
)
def test_unreadable_files_are_refused_in_french(content, name, message):
    with pytest.raises(TableError) as info:
        read_table(content, name)
    assert str(info.value) == message


def _workbook(first: list, second: list, layout: str) -> bytes:
    """A workbook of two sheets of rows, `first` being the one a reader reads first, its
    formulas saved without their computed value. `layout`: "simple"; "chart first" (a chart
    sheet before them); "reordered" (`first` is the workbook's second part, listed first)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if layout == "chart first":
        chart_sheet = book.create_chartsheet("Graphique")
    for title, rows in [("Données", first), ("Autre", second)][:: -1 if layout == "reordered" else 1]:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if layout == "chart first":
        chart = BarChart()
        chart.add_data(Reference(book["Données"], min_col=1, min_row=1, max_row=2))
        chart_sheet.add_chart(chart)
    buffer = io.BytesIO()
    book.save(buffer)
    written, uncalculated = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(uncalculated, "w") as archive:
        for info in written.infolist():
            # openpyxl writes an empty value beside each formula; a program that does not
            # calculate writes none.
            data = written.read(info).replace(b"</f><v />", b"</f>")
            if layout == "reordered" and info.filename == "xl/workbook.xml":
                sheets = re.findall(rb"<sheet [^>]*/>", data)
                data = data.replace(b"".join(sheets), b"".join(reversed(sheets)))
            archive.writestr(info, data)
    return uncalculated.getvalue()


LAYOUTS = ["simple", "chart first", "reordered"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_formula_without_its_value_on_the_first_worksheet_is_refused(layout):
    content = _workbook([["annee", "montant"], [2022, "=1000+500"]], [["autre"], [1]], layout)
    with pytest.raises(TableError) as info:
        read_table(content, "f.xlsx")
    assert str(info.value) == (
        "Cellule B2 : la formule « =1000+500 » n'a pas de valeur calculée enregistrée : ouvrez le "
        "fichier dans votre tableur, enregistrez-le, puis importez-le à nouveau."
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_formulas_of_another_sheet_are_not_read(layout):
    content = _workbook([["annee", "montant"], [2022, 1500]], [["total"], ["=SUM(A1:A9)"]], layout)
    table = read_table(content, "f.xlsx")
    assert (table.headers, table.rows) == (["annee", "montant"], [(2, ["2022", "1500"])])
