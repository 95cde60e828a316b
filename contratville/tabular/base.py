"""What the reader's modules share: the error every refusal raises, the table it reads, and
the bounds that keep a hostile file from costing minutes or gigabytes.
"""

from dataclasses import dataclass

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


class TableError(Exception):
    """The file cannot be read as a table at all; the message is for the user, in French."""


@dataclass
class Table:
    headers: list[str]
    # (spreadsheet row number, cells as text) for every non-empty row; the header is row 1.
    rows: list[tuple[int, list[str]]]
    format: str


def thousands(value: int) -> str:
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


def check_size(size: int, *, max_size: int | None = None) -> None:
    """Refuse a file of `size` bytes above `max_size` (default: the IMPORT_MAX_UPLOAD_SIZE
    setting), as `read_table` does; an upload's declared size is checked with it before the file
    is read or stored. Raises TableError."""
    limit = _max_file_size() if max_size is None else max_size
    if size > limit:
        raise TableError(f"Le fichier dépasse la taille maximale de {_megabytes(limit)}.")
