"""Numbers as the application writes them: the one definition of amounts, percentages and counts
in text, used by the templates (projects/templatetags/money.py), the charts and their tables,
the PDFs, the JSON and the spreadsheets.

- `euros(Decimal("6931463"))` → "6 931 463,00 €", `euros(amount, 0)` → "6 931 463 €" (the
  bilan): no-break spaces between the groups of thousands and before the sign, so that a line
  never splits a sum.
- `percent(part, whole)` computes a share from Decimals; `percent_text` writes it "68,3 %".
- `number(1234)` → "1 234"; `number(amount, 2)` → "1 234,50" (an amount as typed in a cell).
- `plain_amount` and `plain_percent`: the machine-readable strings of the bilan's JSON, the
  envelopes' JSON and the import format, "6931463.00" and "68.3".

Every rounding is half-up (6.25 → 6.3, never the banker's 6.2), and a percentage is rounded
once, where it is computed: what is written is that value. The application speaks French only,
so the format does not depend on the active locale.
"""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
# Written for an amount or a share that does not exist.
MISSING = "—"
# The number format of an amount's cell in the spreadsheets we write (XLSX).
XLSX_AMOUNT_FORMAT = "#,##0.00"


def _rounded(value: Decimal | int, decimals: int) -> Decimal:
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    # No "-0,00": a negative amount that rounds to nothing is nothing.
    return rounded if rounded else abs(rounded)


def number(value: Decimal | int, decimals: int = 0, *, separator: str = NBSP) -> str:
    """`1234` → "1 234", `number(Decimal("1234.5"), 2)` → "1 234,50": French digits, groups of
    thousands split by `separator` (a no-break space; a plain one where people type)."""
    rounded = _rounded(value, decimals)
    whole, _point, fraction = f"{abs(rounded):f}".partition(".")
    text = f"{int(whole):,}".replace(",", separator)
    if fraction:
        text = f"{text},{fraction}"
    return f"-{text}" if rounded < 0 else text


def euros(amount: Decimal | int | None, decimals: int = 2) -> str:
    """`Decimal("6931463")` → "6 931 463,00 €"; "—" when there is no amount."""
    if amount is None:
        return MISSING
    return f"{number(amount, decimals)}{NBSP}€"


def percent(part: Decimal | int, whole: Decimal | int, decimals: int = 1) -> Decimal:
    """`part` as a percentage of `whole`, rounded half-up to `decimals` (one: 68.3); zero when
    `whole` is zero."""
    step = Decimal(1).scaleb(-decimals)
    if not whole:
        return Decimal(0).quantize(step)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(step, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal | int | None, decimals: int = 1) -> str:
    """`Decimal("68.3")` → "68,3 %"; "—" when there is no share."""
    if value is None:
        return MISSING
    return f"{number(value, decimals)}{NBSP}%"


def percent_prose(value: Decimal | int | None) -> str:
    """A share in running text: "72 %" for 72.0, "59,6 %" for 59.6."""
    if value is None:
        return MISSING
    value = Decimal(value)
    return percent_text(value, 0 if value == value.to_integral_value() else 1)


def plain_amount(value: Decimal | int) -> str:
    """`Decimal("6931463")` → "6931463.00": two decimals after a point, no grouping."""
    return str(_rounded(value, 2))


def plain_percent(value: Decimal | int | None) -> str | None:
    """`Decimal("59.6")` → "59.6": one decimal after a point; None stays None (JSON null)."""
    return None if value is None else str(_rounded(value, 1))
