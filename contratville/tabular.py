"""Reading the spreadsheets people send: CSV (UTF-8 with or without BOM, Windows-1252 as French
Excel writes it, or UTF-16 as Excel's "Texte Unicode" writes it; `;`, `,` or tab) and XLSX
(first sheet), and parsing French cell values.

Files come from outside, so nothing is trusted: the size is capped, the content must match the
extension, an XLSX archive is checked part by part (declared sizes, real inflated sizes, no DTD)
before any XML parser sees it, and rows, columns and cells are counted while they are read.
Every refusal is a `TableError` whose message tells the user, in French, what is wrong and where.
"""

import csv
import io
import re
import struct
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils import get_column_letter

# Characters spreadsheets use to group thousands: space, no-break space, narrow no-break
# space, thin space.
GROUPING_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
FORMULA_PREFIXES = ("=", "+", "-", "@")
# An amount once its grouping spaces, currency and decimal comma are dealt with.
AMOUNT = re.compile(r"[+-]?\d+(\.\d+)?")
# An XLSX whose content would expand beyond this is refused before it is unpacked.
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
# A workbook saved by a spreadsheet has a few dozen parts; thousands mean a crafted archive.
MAX_XLSX_PARTS = 2000
# When Django's settings give no IMPORT_MAX_UPLOAD_SIZE.
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
# A programmation has 14 columns and a few thousand rows; these bounds are far above any real
# file and keep a hostile one from costing minutes or gigabytes.
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELL_LENGTH = 10_000
# Cells read, empty ones included (a row that ends far to the right is padded by the reader).
MAX_CELLS = MAX_ROWS * MAX_COLUMNS
# The last row of an Excel sheet: a row number beyond it only comes from a crafted file.
EXCEL_MAX_ROWS = 1_048_576
_CHUNK = 1024 * 1024


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
    if not AMOUNT.fullmatch(text):
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


def _number(value: int) -> str:
    """10000 as a French reader writes it: 10 000."""
    return f"{value:,}".replace(",", " ")


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes == int(megabytes):
        return f"{int(megabytes)} Mo"
    return f"{megabytes:.1f} Mo".replace(".", ",")


def _max_file_size() -> int:
    from django.conf import settings

    if settings.configured:
        return int(getattr(settings, "IMPORT_MAX_UPLOAD_SIZE", DEFAULT_MAX_FILE_SIZE))
    return DEFAULT_MAX_FILE_SIZE


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
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters never found in a text file (tab, line feed and carriage return are).
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _other_kind(content: bytes) -> str | None:
    for signature, kind in OTHER_SIGNATURES:
        if content.startswith(signature):
            return kind
    return None


def _looks_binary(content: bytes) -> bool:
    """Many control bytes: a binary file, not a text with one stray character."""
    sample = content[:65536]
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    return controls > max(8, len(sample) // 100)


def _utf16_without_bom(content: bytes) -> str | None:
    """UTF-16 written without its byte order mark: every other byte of Latin text is zero."""
    if len(content) < 4 or len(content) % 2:
        return None
    sample = content[:65536]
    even_zeros = sample[0::2].count(0) / (len(sample) / 2)
    odd_zeros = sample[1::2].count(0) / (len(sample) / 2)
    if odd_zeros >= 0.7 and even_zeros <= 0.1:
        return "utf-16-le"
    if even_zeros >= 0.7 and odd_zeros <= 0.1:
        return "utf-16-be"
    return None


# Text that went through a wrong conversion: UTF-8 bytes read as Windows-1252 then saved again
# ("CafÃ©" for "Café", "lâ€™" for "l’"). The lead characters are those of the UTF-8 encodings of
# French letters, no-break space and guillemets, œ, and the typographic quotes, dashes and €.
_CONTINUATION = "".join(
    bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0xC0)
)
MOJIBAKE = re.compile(f"[ÂÃÅ][{re.escape(_CONTINUATION)}]|â[{re.escape(_CONTINUATION)}]{{2}}")
# Decoded as Windows-1252, an MS-DOS (cp850) or Mac file shows these signs inside words
# ("caf‚" for "café", "rŽunion" for "réunion"), where French text never has them.
_FOREIGN = "‚ƒ„†‡ˆ‰‹˜›¤¦¼½¾"
WRONG_CODE_PAGE = re.compile(f"[A-Za-z][{_FOREIGN}]|[{_FOREIGN}][A-Za-z]|[a-z][ŠŽ]")
_WORD_SEPARATORS = " \t\r\n;,\"'"


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _word_at(text: str, start: int, end: int) -> str:
    while start > 0 and text[start - 1] not in _WORD_SEPARATORS and end - start < 40:
        start -= 1
    while end < len(text) and text[end] not in _WORD_SEPARATORS and end - start < 40:
        end += 1
    return text[start:end]


def _check_text(text: str, *, from_cp1252: bool) -> None:
    """Refuse a decoded CSV whose characters show it is not text, or not in the encoding it was
    read in: importing it would store broken accents."""
    control = CONTROL_CHARACTER.search(text)
    if control:
        code = ord(control.group())
        what = "un caractère nul (octet 0)" if code == 0 else f"un caractère de contrôle (code {code})"
        raise TableError(
            f"Ligne {_line_of(text, control.start())} : le fichier contient {what} : ce n'est pas un "
            "fichier CSV lisible ; enregistrez-le à nouveau en CSV depuis votre tableur."
        )
    for match in MOJIBAKE.finditer(text):
        try:
            fixed = match.group().encode("cp1252").decode("utf-8")
        except UnicodeError:
            continue
        raise TableError(
            f"Ligne {_line_of(text, match.start())} : accents abîmés (« {match.group()} » au lieu de "
            f"« {fixed} ») : le fichier a été mal converti ; enregistrez-le à nouveau en "
            "« CSV UTF-8 » depuis votre tableur."
        )
    if from_cp1252:
        match = WRONG_CODE_PAGE.search(text)
        if match:
            raise TableError(
                f"Ligne {_line_of(text, match.start())} : accents illisibles "
                f"(« {_word_at(text, match.start(), match.end())} ») : le fichier n'est ni en UTF-8 "
                "ni en Windows-1252 (encodage MS-DOS ou Mac ?) ; enregistrez-le en « CSV UTF-8 » "
                "depuis votre tableur."
            )


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            text = content[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TableError(
                "Le fichier CSV annonce l'encodage UTF-8 mais contient des caractères d'un autre "
                "encodage : enregistrez-le à nouveau en « CSV UTF-8 » depuis votre tableur."
            ) from exc
        _check_text(text, from_cp1252=False)
        return text
    utf16 = "utf-16" if content.startswith(UTF16_BOMS) else _utf16_without_bom(content)
    if utf16:
        # Excel's "Texte Unicode" (UTF-16, tab-separated).
        try:
            text = content.decode(utf16).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise TableError(
                "Le fichier semble encodé en UTF-16 mais n'est pas lisible ainsi : enregistrez-le "
                "en « CSV UTF-8 » depuis votre tableur."
            ) from exc
        _check_text(text, from_cp1252=False)
        return text
    if _looks_binary(content):
        raise TableError("Le fichier n'est pas un fichier CSV lisible (caractères binaires).")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_text(text, from_cp1252=False)
        return text
    # French Excel saves "CSV (séparateur : point-virgule)" in Windows-1252. Bytes that
    # cp1252 leaves undefined mean the file is neither: refuse rather than guess.
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TableError(
            "Le fichier CSV n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en "
            "« CSV UTF-8 » depuis votre tableur."
        ) from exc
    _check_text(text, from_cp1252=True)
    return text


def _detect_delimiter(text: str) -> str:
    first_line = next((line for line in text.split("\n", 50) if line.strip()), "")
    semicolons, commas, tabs = first_line.count(";"), first_line.count(","), first_line.count("\t")
    if tabs > max(semicolons, commas):
        return "\t"
    return ";" if semicolons >= commas else ","


def _looks_like_csv(content: bytes) -> bool:
    try:
        text = _decode(content[:4096])
    except (TableError, UnicodeError):
        return False
    first_line = text.split("\n", 1)[0]
    return any(separator in first_line for separator in ";,\t")


def _read_csv(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(content)
    delimiter = _detect_delimiter(text)
    # Python's csv rather than tablib's CSV loader: tablib drops blank lines, which would
    # shift the row numbers we report to the user.
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    unbalanced_quotes = text.count('"') % 2 == 1
    while True:
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" not in str(exc):
                raise TableError(
                    f"Le fichier CSV est mal formé à la ligne {reader.line_num} : {exc}."
                ) from exc
            if unbalanced_quotes:
                raise _unclosed_quote(first_line) from exc
            raise TableError(
                f"Ligne {first_line} : une cellule compte plus de {_number(csv.field_size_limit())} "
                f"caractères ; {_number(MAX_CELL_LENGTH)} au plus sont acceptés."
            ) from exc
        if unbalanced_quotes and reader.line_num > first_line and stream.tell() >= len(text):
            # The csv module reads an unclosed quote to the end of the file as one cell.
            raise _unclosed_quote(first_line)
        yield reader.line_num, row


def _unclosed_quote(line: int) -> TableError:
    return TableError(
        f"Ligne {line} : un guillemet (\") ouvert n'est jamais refermé : toute la suite du fichier "
        "serait lue comme une seule cellule. Corrigez cette ligne ou enregistrez le fichier à "
        "nouveau depuis votre tableur."
    )


# -- XLSX --------------------------------------------------------------------------------------

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_OOXML_FIRST_PARTS = ("[content_types].xml", "_rels/", "docprops/", "xl/")
DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# A formula element, with or without a namespace prefix: <f>, <f t="shared" .../>, <x:f>.
FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
_DAMAGED = "Le classeur XLSX n'a pas pu être lu (fichier endommagé ?)."


def _open_archive(content: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        if _truncated_workbook(content):
            raise TableError(
                "Le classeur XLSX est incomplet (fichier tronqué, par exemple par un téléchargement "
                "interrompu) : enregistrez-le ou téléchargez-le à nouveau."
            ) from exc
        raise TableError("Le fichier n'est pas un classeur XLSX valide.") from exc


def _truncated_workbook(content: bytes) -> bool:
    """The archive has no directory at its end, but starts as a workbook does."""
    if len(content) < _LOCAL_HEADER.size:
        return False
    fields = _LOCAL_HEADER.unpack_from(content)
    name = content[_LOCAL_HEADER.size : _LOCAL_HEADER.size + fields[10]]
    try:
        return name.decode("utf-8").lower().startswith(_OOXML_FIRST_PARTS)
    except UnicodeDecodeError:
        return False


def _inflate(content: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, in chunks, never more than it declares: a part whose data inflates
    beyond its declared size is refused as soon as it does, whatever zipfile would make of it."""
    offset = info.header_offset
    if offset + _LOCAL_HEADER.size > len(content):
        raise TableError(_damaged_part(info))
    fields = _LOCAL_HEADER.unpack_from(content, offset)
    if fields[0] != b"PK\x03\x04":
        raise TableError(_damaged_part(info))
    start = offset + _LOCAL_HEADER.size + fields[10] + fields[11]
    data = content[start : start + info.compress_size]
    if len(data) < info.compress_size:
        raise TableError(_damaged_part(info))
    produced = crc = 0
    for chunk in _decompressed_chunks(data, info):
        produced += len(chunk)
        if produced > info.file_size:
            raise TableError(
                f"Le classeur XLSX est falsifié : sa partie « {info.filename} » se décompresse "
                f"au-delà des {_number(info.file_size)} octets qu'elle annonce ; il n'est pas lu."
            )
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != info.file_size or crc != info.CRC:
        raise TableError(_damaged_part(info))


def _decompressed_chunks(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    if info.compress_type == zipfile.ZIP_STORED:
        for index in range(0, len(data), _CHUNK):
            yield data[index : index + _CHUNK]
        return
    decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = data
    while not decompressor.eof:
        try:
            chunk = decompressor.decompress(pending, _CHUNK)
        except zlib.error as exc:
            raise TableError(_damaged_part(info)) from exc
        pending = decompressor.unconsumed_tail
        if not chunk and not pending:
            # The compressed data ends before its end-of-stream mark.
            raise TableError(_damaged_part(info))
        yield chunk


def _damaged_part(info: zipfile.ZipInfo) -> str:
    return (
        f"Le classeur XLSX est endommagé (partie « {info.filename} » illisible) : enregistrez-le à "
        "nouveau depuis votre tableur."
    )


def _check_archive(content: bytes) -> bool:
    """Check an XLSX archive before any XML parser reads it; True when a sheet holds formulas."""
    with _open_archive(content) as archive:
        infos = archive.infolist()
        names = {info.filename.lower(): info for info in infos}
        if "mimetype" in names:
            raise TableError(
                "Le fichier est un document OpenDocument (LibreOffice, .ods) : enregistrez-le au "
                "format « Classeur Excel (.xlsx) » ou en CSV depuis votre tableur."
            )
        if "word/document.xml" in names:
            raise TableError(
                "Le fichier est un document Word, pas un classeur : déposez un fichier CSV ou XLSX."
            )
        if "[content_types].xml" not in names:
            raise TableError("Le fichier est une archive ZIP mais pas un classeur XLSX.")
        if len(infos) > MAX_XLSX_PARTS:
            raise TableError(
                f"Le fichier XLSX compte {_number(len(infos))} parties, bien plus qu'un classeur : "
                "il n'est pas lu."
            )
        if "xl/vbaproject.bin" in names:
            raise TableError(
                "Le classeur contient des macros : enregistrez-le au format « Classeur Excel (.xlsx) », "
                "sans macros, puis importez-le à nouveau."
            )
        if sum(info.file_size for info in infos) > MAX_XLSX_UNCOMPRESSED:
            raise TableError("Le fichier XLSX est trop volumineux une fois décompressé.")
        has_formulas = False
        for info in infos:
            if info.flag_bits & 0x1:
                raise TableError(
                    "Le classeur XLSX est chiffré : enregistrez-le sans mot de passe, puis importez-le."
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise TableError(_damaged_part(info))
            name = info.filename.lower()
            is_xml = name.endswith((".xml", ".rels", ".vml"))
            is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
            tail = b""
            for chunk in _inflate(content, info):
                if is_xml:
                    window = tail + chunk
                    if DOCTYPE.search(window):
                        raise TableError(
                            f"Le classeur XLSX contient une déclaration XML interdite (<!DOCTYPE> ou "
                            f"<!ENTITY> dans « {info.filename} ») : un tableur n'en écrit jamais ; il "
                            "n'est pas lu."
                        )
                    if is_sheet and not has_formulas and FORMULA_ELEMENT.search(window):
                        has_formulas = True
                    tail = chunk[-32:]
        return has_formulas


def _xlsx_position(number: int, position: int) -> str:
    return f"Cellule {get_column_letter(position + 1)}{number}"


def _uncached_formulas(sheet) -> Iterator[tuple[str, str]]:
    """(cell, formula) of each formula saved without its computed value, as a program that
    writes workbooks without calculating them leaves it (a spreadsheet always saves the value).
    The archive was checked first: no DTD, sizes as declared."""
    with sheet._get_source() as source:
        for _event, element in ElementTree.iterparse(source):
            tag = element.tag.rpartition("}")[2]
            if tag == "row":
                element.clear()
            if tag != "c":
                continue
            children = {child.tag.rpartition("}")[2]: child for child in element}
            if "f" in children and "v" not in children:
                yield element.get("r", "?"), children["f"].text or ""
            element.clear()


def _read_xlsx(content: bytes) -> Iterator[tuple[int, Sequence]]:
    has_formulas = _check_archive(content)
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it ignores; they change no value.
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=True, keep_links=False
            )
        except TableError:
            raise
        except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
            raise TableError(_DAMAGED) from exc
        try:
            if not book.worksheets:
                raise TableError("Le classeur XLSX ne contient aucune feuille.")
            sheet = book.worksheets[0]
            if has_formulas:
                for cell, formula in _uncached_formulas(sheet):
                    shown = f"la formule « ={formula} »" if formula else "la formule"
                    raise TableError(
                        f"Cellule {cell} : {shown} n'a pas de valeur calculée "
                        "enregistrée : ouvrez le fichier dans votre tableur, enregistrez-le, puis "
                        "importez-le à nouveau."
                    )
            # The declared dimension may be a lie: rows are read as they are, not padded to it.
            sheet.reset_dimensions()
            seen = False
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > EXCEL_MAX_ROWS:
                    raise TableError(
                        f"Le classeur dépasse la dernière ligne d'une feuille Excel "
                        f"({_number(EXCEL_MAX_ROWS)}) : il n'est pas lu."
                    )
                for position, value in enumerate(values):
                    if isinstance(value, str) and value in EXCEL_ERRORS:
                        raise TableError(
                            f"{_xlsx_position(number, position)} : la cellule contient l'erreur "
                            f"« {value} » : corrigez la formule dans votre tableur, puis importez à nouveau."
                        )
                seen = seen or any(value is not None for value in values)
                yield number, values
            if not seen:
                raise TableError(f"La première feuille du classeur (« {sheet.title} ») est vide.")
        except TableError:
            raise
        except Exception as exc:
            raise TableError(_DAMAGED) from exc
        finally:
            book.close()


# -- Both formats ------------------------------------------------------------------------------


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
                f"Le fichier est trop grand : plus de {_number(MAX_CELLS)} cellules à lire ; "
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
                f"Ligne {number} : {_number(used)} colonnes, alors que {MAX_COLUMNS} au plus sont "
                "acceptées : vérifiez le séparateur et la ligne d'en-têtes."
            )
        del texts[used:]
        for position, text in enumerate(texts):
            if len(text) > MAX_CELL_LENGTH:
                raise TableError(
                    f"{where(number, position)} : la cellule compte {_number(len(text))} caractères ; "
                    f"{_number(MAX_CELL_LENGTH)} au plus sont acceptés."
                )
        rows.append((number, texts))
        if len(rows) > MAX_ROWS + 1:
            raise TableError(
                f"Le fichier compte plus de {_number(MAX_ROWS)} lignes de données : importez-le en "
                "plusieurs fichiers."
            )
    return rows


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1] if "." in name else ""


def check_size(size: int, *, max_size: int | None = None) -> None:
    """Refuse a file of `size` bytes above `max_size` (default: the IMPORT_MAX_UPLOAD_SIZE
    setting), as `read_table` does; an upload's declared size is checked with it before the file
    is read or stored. Raises TableError."""
    limit = _max_file_size() if max_size is None else max_size
    if size > limit:
        raise TableError(f"Le fichier dépasse la taille maximale de {_megabytes(limit)}.")


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
            if _looks_like_csv(content):
                raise TableError(
                    "Le fichier porte l'extension .xlsx mais c'est un fichier texte (CSV) : "
                    "renommez-le en .csv."
                )
            raise TableError("Le fichier porte l'extension .xlsx mais n'est pas un classeur Excel.")
        raw_rows, fmt = _read_xlsx(content), "xlsx"
    elif extension == "xls" or content.startswith(OLE2_SIGNATURE):
        raise TableError(
            "Le format Excel 97-2003 (.xls) n'est pas lu : enregistrez le fichier en .xlsx ou en CSV."
        )
    elif is_zip:
        raise TableError(
            "Le fichier porte l'extension .csv mais contient un classeur : renommez-le en .xlsx."
        )
    else:
        raw_rows, fmt = _read_csv(content), "csv"

    rows = _bounded_rows(raw_rows, fmt)
    if not rows:
        raise TableError("Le fichier ne contient aucune ligne.")
    (_, headers), *data = rows
    return Table(headers=headers, rows=data, format=fmt)
