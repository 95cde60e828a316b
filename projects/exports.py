"""The dossiers as spreadsheets (docs/import-format.md).

`csv` and `xlsx` write the import format itself (`projects.imports.format`), one row per
funding line, so that an export edited in a spreadsheet imports back and an unedited one changes
nothing. `xlsx-lisible` is for people: French headers, labels instead of codes, a totals row.

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

from contratville.formatting import XLSX_AMOUNT_FORMAT, plain_amount
from contratville.tabular import formula_safe
from projects.models import Nature, OperatorKind, Status

from .imports.format import AMOUNT_COLUMNS, COLUMNS, LABELS, QUARTIER_SEPARATOR
from .selectors import ExportDossier

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZERO = Decimal("0.00")

# The readable export's columns (all but the SIRET), with their widths; the headers are the
# format's French labels.
READABLE_COLUMNS = [
    # (header, width)
    (LABELS[name], width)
    for name, width in (
        ("annee", 8),
        ("numero_dossier", 16),
        ("intitule", 50),
        ("porteur", 36),
        ("type_porteur", 18),
        ("pilier", 28),
        ("thematique", 36),
        ("quartiers", 36),
        ("statut", 15),
        ("financeur", 32),
        ("nature", 20),
        ("montant_demande", 17),
        ("montant_accorde", 17),
    )
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


def import_format_rows(dossiers: Iterable[ExportDossier]) -> Iterator[list]:
    """One list of values per funding line, in the order of `COLUMNS` (a dossier without lines
    gives one row with empty financeur, nature and amounts). Values keep their type: the year
    an int, amounts Decimal or None, the rest text."""
    for dossier in dossiers:
        values = [
            dossier.year,
            dossier.reference,
            dossier.title,
            dossier.operator_name,
            display_siret(dossier.siret),
            dossier.operator_kind,
            dossier.pillar_code,
            dossier.theme_code,
            QUARTIER_SEPARATOR.join(code for code, _ in dossier.quartiers),
            dossier.status,
        ]
        if not dossier.lines:
            yield [*values, "", "", None, None]
        for line in dossier.lines:
            yield [*values, line.funder_code, line.nature, line.requested, line.granted]


def readable_rows(dossiers: Iterable[ExportDossier]) -> Iterator[list]:
    """The same rows with labels, in the order of `READABLE_COLUMNS`."""
    kinds, statuses, natures = dict(OperatorKind.choices), dict(Status.choices), dict(Nature.choices)
    for dossier in dossiers:
        values = [
            dossier.year,
            dossier.reference,
            dossier.title,
            dossier.operator_name,
            str(kinds.get(dossier.operator_kind, dossier.operator_kind)),
            dossier.pillar_label,
            f"{dossier.theme_code} {dossier.theme_label}",
            ", ".join(name for _, name in dossier.quartiers),
            str(statuses.get(dossier.status, dossier.status)),
        ]
        if not dossier.lines:
            yield [*values, "", "", None, None]
        for line in dossier.lines:
            yield [
                *values,
                line.funder_label,
                str(natures.get(line.nature, line.nature)),
                line.requested,
                line.granted,
            ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_amount(value)
    if isinstance(value, int):
        return str(value)
    return formula_safe(str(value))


def write_csv(projects: Iterable[ExportDossier]) -> bytes:
    """The import format as CSV: UTF-8 with a BOM and `;`, as French Excel opens it."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in import_format_rows(projects):
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_text(value):
    if isinstance(value, str):
        # Control characters are not allowed in an XLSX file.
        return formula_safe(ILLEGAL_CHARACTERS_RE.sub("", value)) or None
    return value


def _xlsx_cell(sheet, value, *, amount: bool = False, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
    if amount:
        cell.number_format = XLSX_AMOUNT_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def _xlsx_row(sheet, row: list, amount_positions: set[int]) -> list:
    # Plain values where no style is needed: a styled cell costs several times more to write.
    return [
        _xlsx_cell(sheet, value, amount=True) if index in amount_positions else _xlsx_text(value)
        for index, value in enumerate(row)
    ]


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


def write_xlsx(projects: Iterable[ExportDossier]) -> bytes:
    """The import format as XLSX: amounts are number cells, the year a number."""
    book, sheet = _new_sheet("Programmation", [IMPORT_COLUMN_WIDTHS[column] for column in COLUMNS])
    sheet.append([_xlsx_cell(sheet, column, bold=True) for column in COLUMNS])
    amount_positions = {COLUMNS.index(column) for column in AMOUNT_COLUMNS}
    for row in import_format_rows(projects):
        sheet.append(_xlsx_row(sheet, row, amount_positions))
    return _save(book)


def write_readable_xlsx(projects: Iterable[ExportDossier]) -> bytes:
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
        sheet.append(_xlsx_row(sheet, row, amount_positions))
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


def export_projects(projects: Iterable[ExportDossier], format_key: str) -> bytes:
    return WRITERS[format_key](projects)
