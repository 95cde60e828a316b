"""Reading the spreadsheets people send: CSV (UTF-8 with or without BOM, or Windows-1252 as
French Excel writes it; `;` or `,`) and XLSX (first sheet), and parsing French cell values."""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import tablib

# Characters spreadsheets use to group thousands: space, no-break space, narrow no-break
# space, thin space.
GROUPING_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
FORMULA_PREFIXES = ("=", "+", "-", "@")
# An XLSX whose content would expand beyond this is refused before it is unpacked.
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024


class TableError(Exception):
    """The file cannot be read as a table at all; the message is for the user, in French."""


@dataclass
class Table:
    headers: list[str]
    # (spreadsheet row number, cells as text) for every non-empty row; the header is row 1.
    rows: list[tuple[int, list[str]]]
    format: str


def cell_text(value) -> str:
    """A cell as the text a person sees, whatever the file format gave us."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def clean_text(value: str) -> str:
    """Trim the spaces (including no-break ones) around a value and undo the export's
    formula guard: a leading apostrophe before `=`, `+`, `-` or `@`."""
    value = value.replace("\u00a0", " ").replace("\u202f", " ").strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        value = value[1:]
    return value


def formula_safe(value: str) -> str:
    """The export's guard: no cell may start a formula in the reader's spreadsheet."""
    if value and value[0] in FORMULA_PREFIXES:
        return "'" + value
    return value


def normalize_key(value: str) -> str:
    """Header or code as compared: no accents, lower case, `_` for spaces and dashes."""
    value = unicodedata.normalize("NFKD", clean_text(value).lstrip("\ufeff"))
    value = "".join(c for c in value if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s\-]+", "_", value.strip())


def parse_amount(raw: str) -> Decimal:
    """A French or plain amount: `1234.56`, `1 234,56`, `1234`, `1 234 €`, `1.234,56`.

    Raises ValueError with a French message."""
    text = GROUPING_SPACES.sub("", raw).replace("€", "").replace("EUR", "")
    if not text:
        raise ValueError("montant vide")
    if "," in text and "." in text:
        # The right-most one separates the decimals; the other groups thousands.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError(f"« {raw} » n'est pas un montant")
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        raise ValueError(f"« {raw} » n'est pas un montant (exemples acceptés : 1234,56 ou 1 234,56)")
    amount = Decimal(text)
    if amount < 0:
        raise ValueError(f"le montant « {raw} » doit être positif ou nul")
    rounded = amount.quantize(Decimal("0.01"))
    if rounded != amount:
        # Spreadsheet arithmetic leaves float dust (0.30000000000000004): only that is rounded.
        if abs(rounded - amount) > Decimal("0.000001"):
            raise ValueError(f"le montant « {raw} » a plus de deux décimales")
    if rounded >= Decimal("10000000000"):
        raise ValueError(f"le montant « {raw} » est trop grand")
    return rounded


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # French Excel saves "CSV (séparateur : point-virgule)" in Windows-1252. Bytes that
    # cp1252 leaves undefined mean the file is neither: refuse rather than guess.
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TableError(
            "Le fichier CSV n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en "
            "« CSV UTF-8 » depuis votre tableur."
        ) from exc


def _detect_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") >= first_line.count(",") else ","


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    if "\x00" in text:
        raise TableError("Le fichier n'est pas un fichier CSV lisible (caractères binaires).")
    delimiter = _detect_delimiter(text)
    # Python's csv rather than tablib's CSV loader: tablib drops blank lines, which would
    # shift the row numbers we report to the user.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise TableError(f"Le fichier CSV est mal formé à la ligne {reader.line_num} : {exc}.") from exc


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise TableError("Le fichier XLSX est trop volumineux une fois décompressé.")
    except zipfile.BadZipFile as exc:
        raise TableError("Le fichier n'est pas un classeur XLSX valide.") from exc
    try:
        book = tablib.Databook()
        book.load(content, format="xlsx", headers=False)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise TableError("Le classeur XLSX n'a pas pu être lu (fichier endommagé ?).") from exc
    sheets = book.sheets()
    if not sheets:
        raise TableError("Le classeur XLSX ne contient aucune feuille.")
    first = sheets[0]
    return [(index, [cell_text(v) for v in row]) for index, row in enumerate(first, start=1)]


def read_table(content: bytes, filename: str = "") -> Table:
    """Read a CSV or XLSX file into headers and numbered rows, skipping blank rows."""
    if not content:
        raise TableError("Le fichier est vide.")
    is_zip = content[:4] == b"PK\x03\x04"
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or (is_zip and not name.endswith(".csv")):
        if not is_zip:
            raise TableError("Le fichier porte l'extension .xlsx mais n'est pas un classeur Excel.")
        raw_rows, fmt = _read_xlsx(content), "xlsx"
    elif name.endswith(".xls") or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(
            "Le format Excel 97-2003 (.xls) n'est pas lu : enregistrez le fichier en .xlsx ou en CSV."
        )
    elif is_zip:
        raise TableError(
            "Le fichier porte l'extension .csv mais contient un classeur : renommez-le en .xlsx."
        )
    else:
        raw_rows, fmt = _read_csv(content), "csv"

    rows = [(number, [clean_text(cell_text(c)) for c in cells]) for number, cells in raw_rows]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise TableError("Le fichier ne contient aucune ligne.")
    (_, headers), *data = rows
    return Table(headers=headers, rows=data, format=fmt)
