"""`read_table`: a CSV or XLSX file, whatever its name says, read into a header and numbered
rows of text, bounded in rows, columns and cells.
"""

from collections.abc import Iterable, Sequence

from openpyxl.utils import get_column_letter

from .base import MAX_CELL_LENGTH, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, Table, TableError, check_size, thousands
from .cells import cell_text, clean_text
from .csvfile import looks_like_csv, read_csv
from .xlsxfile import read_xlsx

# What a file is, from its first bytes, whatever its name says.
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OTHER_SIGNATURES = (
    (b"%PDF-", "un document PDF"),
    (b"\x89PNG\r\n\x1a\n", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF87a", "une image GIF"),
    (b"GIF89a", "une image GIF"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7-Zip"),
    (b"Rar!\x1a\x07", "une archive RAR"),
    (b"{\\rtf", "un document RTF"),
    (b"\x7fELF", "un programme"),
    (b"MZ", "un programme Windows"),
)


def _other_kind(content: bytes) -> str | None:
    for signature, kind in OTHER_SIGNATURES:
        if content.startswith(signature):
            return kind
    return None


def _bounded_rows(raw_rows: Iterable[tuple[int, Sequence]], fmt: str) -> list[tuple[int, list[str]]]:
    """The non-empty rows as text, refusing the file as soon as it is too large or a row, a cell
    or the header row cannot be right."""

    def where(number: int, position: int) -> str:
        if fmt == "xlsx":
            return f"Ligne {number}, colonne {get_column_letter(position + 1)}"
        return f"Ligne {number}, colonne {position + 1}"

    rows: list[tuple[int, list[str]]] = []
    cells_read = 0
    for number, cells in raw_rows:
        cells_read += len(cells)
        if cells_read > MAX_CELLS:
            raise TableError(
                f"Le fichier est trop grand : plus de {thousands(MAX_CELLS)} cellules à lire ; "
                "importez-le en plusieurs fichiers."
            )
        # A CSV's cells are text already: only a workbook's need `cell_text`.
        texts = [clean_text(cell if cell.__class__ is str else cell_text(cell)) for cell in cells]
        used = len(texts)
        while used and not texts[used - 1]:
            used -= 1
        if not used:
            if not rows and any(isinstance(cell, str) and cell for cell in cells):
                raise TableError(
                    f"Ligne {number} : la ligne d'en-têtes ne contient que des espaces : la première "
                    "ligne du fichier doit donner le nom de chaque colonne."
                )
            continue
        if used > MAX_COLUMNS:
            raise TableError(
                f"Ligne {number} : {thousands(used)} colonnes, alors que {MAX_COLUMNS} au plus sont "
                "acceptées : vérifiez le séparateur et la ligne d'en-têtes."
            )
        del texts[used:]
        for position, text in enumerate(texts):
            if len(text) > MAX_CELL_LENGTH:
                raise TableError(
                    f"{where(number, position)} : la cellule compte {thousands(len(text))} caractères ; "
                    f"{thousands(MAX_CELL_LENGTH)} au plus sont acceptés."
                )
        rows.append((number, texts))
        if len(rows) > MAX_ROWS + 1:
            raise TableError(
                f"Le fichier compte plus de {thousands(MAX_ROWS)} lignes de données : importez-le en "
                "plusieurs fichiers."
            )
    return rows


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1] if "." in name else ""


def read_table(content: bytes, filename: str = "", *, max_size: int | None = None) -> Table:
    """Read a CSV or XLSX file into headers and numbered rows, skipping blank rows.

    `max_size` defaults to the IMPORT_MAX_UPLOAD_SIZE setting. Raises TableError."""
    if not content:
        raise TableError("Le fichier est vide.")
    check_size(len(content), max_size=max_size)
    name = filename.lower()
    extension = _extension(name)
    is_zip = content.startswith(ZIP_SIGNATURES)
    other = _other_kind(content)

    if extension == "xlsm":
        raise TableError(
            "Les classeurs avec macros (.xlsm) ne sont pas acceptés : enregistrez le fichier au "
            "format « Classeur Excel (.xlsx) » ou en CSV."
        )
    if content.startswith(OLE2_SIGNATURE) and extension == "xlsx":
        raise TableError(
            "Le fichier porte l'extension .xlsx mais c'est un classeur Excel 97-2003 ou un classeur "
            "protégé par un mot de passe : enregistrez-le au format « Classeur Excel (.xlsx) », sans "
            "mot de passe, ou en CSV."
        )
    if other:
        if extension in ("csv", "xlsx", "xls"):
            raise TableError(
                f"Le fichier porte l'extension .{extension} mais c'est {other}, pas un tableau : "
                "déposez un fichier CSV ou XLSX."
            )
        raise TableError(f"Le fichier est {other}, pas un tableau : déposez un fichier CSV ou XLSX.")
    if extension == "xlsx" or (is_zip and extension != "csv"):
        if not is_zip:
            if looks_like_csv(content):
                raise TableError(
                    "Le fichier porte l'extension .xlsx mais c'est un fichier texte (CSV) : "
                    "renommez-le en .csv."
                )
            raise TableError("Le fichier porte l'extension .xlsx mais n'est pas un classeur Excel.")
        raw_rows, fmt = read_xlsx(content), "xlsx"
    elif extension == "xls" or content.startswith(OLE2_SIGNATURE):
        raise TableError(
            "Le format Excel 97-2003 (.xls) n'est pas lu : enregistrez le fichier en .xlsx ou en CSV."
        )
    elif is_zip:
        raise TableError(
            "Le fichier porte l'extension .csv mais contient un classeur : renommez-le en .xlsx."
        )
    else:
        raw_rows, fmt = read_csv(content), "csv"

    rows = _bounded_rows(raw_rows, fmt)
    if not rows:
        raise TableError("Le fichier ne contient aucune ligne.")
    (_, headers), *data = rows
    return Table(headers=headers, rows=data, format=fmt)
