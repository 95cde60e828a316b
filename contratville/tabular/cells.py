"""Cell values as people type them in a spreadsheet: text, French amounts, codes compared
without accents or case; and the formula guard of the files we write, with its undo when such
a file comes back.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

# Characters spreadsheets use to group thousands: space, no-break space, narrow no-break
# space, thin space.
GROUPING_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
# The formula guard of every file we write (exports, documents): a cell whose text starts with
# one of these would be a formula in the reader's spreadsheet, so it is written after an
# apostrophe (`formula_safe`), which the reader removes again (`formula_unguarded`).
FORMULA_PREFIXES = ("=", "+", "-", "@")
FORMULA_GUARD = "'"
# An amount once its grouping spaces, currency and decimal comma are dealt with.
AMOUNT = re.compile(r"[+-]?\d+(\.\d+)?")


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
    formula guard (`formula_unguarded`)."""
    return formula_unguarded(value.replace("\u00a0", " ").replace("\u202f", " ").strip())


def formula_safe(value: str) -> str:
    """The export's guard: no cell may start a formula in the reader's spreadsheet."""
    if value and value[0] in FORMULA_PREFIXES:
        return FORMULA_GUARD + value
    return value


def formula_unguarded(value: str) -> str:
    """A guarded cell as it was before `formula_safe`: the leading apostrophe before `=`, `+`,
    `-` or `@` removed."""
    if len(value) > 1 and value[0] == FORMULA_GUARD and value[1] in FORMULA_PREFIXES:
        return value[1:]
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
