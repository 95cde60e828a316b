"""The dossiers as spreadsheets (CONTRACTS.md §3).

`csv` and `xlsx` write the import format itself, one row per funding line, so that an export
edited in a spreadsheet imports back and an unedited one changes nothing. `xlsx-lisible` is for
people: French headers, labels instead of codes, a totals row.

No cell may start a formula in the reader's spreadsheet: text that begins with `=`, `+`, `-` or
`@` gets a leading apostrophe (`formula_safe`), which the import removes again.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from projects.models import Project

from .services import COLUMNS
from .tabular import formula_safe

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0.00"
AMOUNT_COLUMNS = {"montant_demande", "montant_accorde"}
ZERO = Decimal("0.00")

READABLE_COLUMNS = [
    # (header, width)
    ("Année", 8),
    ("N° de dossier", 16),
    ("Intitulé", 50),
    ("Porteur", 36),
    ("Type de porteur", 18),
    ("Pilier", 28),
    ("Thématique", 36),
    ("Quartiers", 36),
    ("Statut", 15),
    ("Financeur", 32),
    ("Nature", 20),
    ("Montant demandé", 17),
    ("Montant accordé", 17),
]
IMPORT_COLUMN_WIDTHS = {
    "annee": 8,
    "numero_dossier": 16,
    "intitule": 50,
    "porteur": 36,
    "siret": 20,
    "type_porteur": 20,
    "pilier": 18,
    "thematique": 11,
    "quartiers": 22,
    "statut": 15,
    "financeur": 18,
    "nature": 14,
    "montant_demande": 17,
    "montant_accorde": 17,
}


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    extension: str
    content_type: str


FORMATS = {
    "csv": ExportFormat("csv", "CSV (format d'import)", "csv", CSV_CONTENT_TYPE),
    "xlsx": ExportFormat("xlsx", "Excel (format d'import)", "xlsx", XLSX_CONTENT_TYPE),
    "xlsx-lisible": ExportFormat(
        "xlsx-lisible", "Excel lisible (libellés et totaux)", "xlsx", XLSX_CONTENT_TYPE
    ),
}


def file_name(export_format: ExportFormat, years: str, day) -> str:
    """`programmation-2021-2024-05-31.csv`; the readable one says so."""
    stem = "programmation-lisible" if export_format.key == "xlsx-lisible" else "programmation"
    return f"{stem}-{years}-{day.isoformat()}.{export_format.extension}"


def display_siret(siret: str) -> str:
    """`73282932000074` → `732 829 320 00074`: grouped as INSEE prints it, so that a spreadsheet
    opening the CSV keeps it as text (the import accepts the spaces)."""
    if len(siret) == 14 and siret.isdigit():
        return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    return siret


def import_format_rows(projects: Iterable[Project]) -> Iterator[list]:
    """One list of values per funding line, in the order of `COLUMNS` (a dossier without lines
    gives one row with empty financeur, nature and amounts). Values keep their type: the year
    an int, amounts Decimal or None, the rest text."""
    for project in projects:
        operator = project.operator
        quartiers = "|".join(sorted(quartier.code for quartier in project.quartiers.all()))
        dossier = [
            project.year_id,
            project.reference,
            project.title,
            operator.name,
            display_siret(operator.siret),
            operator.kind,
            project.pillar.code,
            project.theme.code,
            quartiers,
            project.status,
        ]
        lines = list(project.funding_lines.all())
        if not lines:
            yield [*dossier, "", "", None, None]
        for line in lines:
            yield [*dossier, line.funder.code, line.nature, line.amount_requested, line.amount_granted]


def readable_rows(projects: Iterable[Project]) -> Iterator[list]:
    """The same rows with labels, in the order of `READABLE_COLUMNS`."""
    for project in projects:
        operator = project.operator
        quartiers = ", ".join(
            quartier.name for quartier in sorted(project.quartiers.all(), key=lambda q: q.code)
        )
        dossier = [
            project.year_id,
            project.reference,
            project.title,
            operator.name,
            operator.get_kind_display(),
            project.pillar.label,
            str(project.theme),
            quartiers,
            project.get_status_display(),
        ]
        lines = list(project.funding_lines.all())
        if not lines:
            yield [*dossier, "", "", None, None]
        for line in lines:
            yield [
                *dossier,
                line.funder.label,
                line.get_nature_display(),
                line.amount_requested,
                line.amount_granted,
            ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return formula_safe(str(value))


def write_csv(projects: Iterable[Project]) -> bytes:
    """The import format as CSV: UTF-8 with a BOM and `;`, as French Excel opens it."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in import_format_rows(projects):
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet, value, *, amount: bool = False, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        # Control characters are not allowed in an XLSX file.
        value = formula_safe(ILLEGAL_CHARACTERS_RE.sub("", value)) or None
    cell = WriteOnlyCell(sheet, value=value)
    if amount:
        cell.number_format = AMOUNT_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def _new_sheet(title: str, widths: list[int]):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    # Set before any row: a write-only sheet is written as it goes.
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return book, sheet


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(projects: Iterable[Project]) -> bytes:
    """The import format as XLSX: amounts are number cells, the year a number."""
    book, sheet = _new_sheet("Programmation", [IMPORT_COLUMN_WIDTHS[column] for column in COLUMNS])
    sheet.append([_xlsx_cell(sheet, column, bold=True) for column in COLUMNS])
    amount_positions = {COLUMNS.index(column) for column in AMOUNT_COLUMNS}
    for row in import_format_rows(projects):
        sheet.append(
            [_xlsx_cell(sheet, value, amount=index in amount_positions) for index, value in enumerate(row)]
        )
    return _save(book)


def write_readable_xlsx(projects: Iterable[Project]) -> bytes:
    """For people: French headers in bold, labels, the first row frozen, a filter on the
    headers, and a totals row computed from the lines."""
    book, sheet = _new_sheet("Programmation", [width for _, width in READABLE_COLUMNS])
    last_column = get_column_letter(len(READABLE_COLUMNS))
    header = []
    for title, _ in READABLE_COLUMNS:
        cell = _xlsx_cell(sheet, title, bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    amount_positions = {len(READABLE_COLUMNS) - 2, len(READABLE_COLUMNS) - 1}
    requested = granted = ZERO
    dossiers = set()
    count = 0
    for row in readable_rows(projects):
        count += 1
        dossiers.add((row[0], row[1]))
        requested += row[-2] or ZERO
        granted += row[-1] or ZERO
        sheet.append(
            [_xlsx_cell(sheet, value, amount=index in amount_positions) for index, value in enumerate(row)]
        )
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"
    totals = [None] * len(READABLE_COLUMNS)
    totals[0] = "Total"
    totals[2] = f"{len(dossiers)} dossier{'s' if len(dossiers) > 1 else ''}"
    totals[-2], totals[-1] = requested, granted
    sheet.append(
        [
            _xlsx_cell(sheet, value, amount=index in amount_positions, bold=True)
            for index, value in enumerate(totals)
        ]
    )
    return _save(book)


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "xlsx-lisible": write_readable_xlsx}


def export_projects(projects: Iterable[Project], format_key: str) -> bytes:
    return WRITERS[format_key](projects)
