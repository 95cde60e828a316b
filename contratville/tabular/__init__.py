"""Reading the spreadsheets people send: CSV (UTF-8 with or without BOM, Windows-1252 as French
Excel writes it, or UTF-16 as Excel's "Texte Unicode" writes it; `;`, `,` or tab) and XLSX
(first sheet), and parsing French cell values.

Files come from outside, so nothing is trusted: the size is capped, the content must match the
extension, an XLSX archive is checked part by part (declared sizes, real inflated sizes, no DTD)
before any XML parser sees it, and rows, columns and cells are counted while they are read.
Every refusal is a `TableError` whose message tells the user, in French, what is wrong and where.

- `reader`: `read_table`, which tells a file's kind from its bytes and bounds what is read;
- `csvfile`: a CSV's encoding, separator and rows;
- `xlsxfile`: an XLSX archive's checks and its first sheet's rows;
- `cells`: cell values (text, amounts, codes) and the formula guard of the files we write;
- `base`: the error, the table, the bounds.

Depends on no model: only on the standard library, openpyxl, and Django's settings for the
size limit.
"""

from .base import (
    DEFAULT_MAX_FILE_SIZE,
    EXCEL_MAX_ROWS,
    MAX_CELL_LENGTH,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_XLSX_PARTS,
    MAX_XLSX_UNCOMPRESSED,
    Table,
    TableError,
    check_size,
)
from .cells import (
    FORMULA_GUARD,
    FORMULA_PREFIXES,
    cell_text,
    clean_text,
    formula_safe,
    formula_unguarded,
    normalize_key,
    parse_amount,
)
from .reader import read_table

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "EXCEL_MAX_ROWS",
    "FORMULA_GUARD",
    "FORMULA_PREFIXES",
    "MAX_CELLS",
    "MAX_CELL_LENGTH",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_XLSX_PARTS",
    "MAX_XLSX_UNCOMPRESSED",
    "Table",
    "TableError",
    "cell_text",
    "check_size",
    "clean_text",
    "formula_safe",
    "formula_unguarded",
    "normalize_key",
    "parse_amount",
    "read_table",
]
