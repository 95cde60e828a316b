"""Amounts as French readers write them: "6 931 463,00 €"."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


def format_euros(amount: Decimal | int | None, decimals: int = 2) -> str:
    """`Decimal("6931463")` → "6 931 463,00 €" (no-break spaces, so a line never splits a sum)."""
    if amount is None:
        return "—"
    # Rounded half-up here: number_format alone would round half-even.
    rounded = Decimal(amount).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0€"


@register.filter
def euros(amount, decimals: int = 2) -> str:
    return format_euros(amount, decimals)


@register.filter
def percent_fr(value, decimals: int = 1) -> str:
    """`Decimal("68.3")` → "68,3 %"."""
    if value is None:
        return "—"
    return f"{number_format(Decimal(value), decimal_pos=decimals, use_l10n=True)}\u00a0%"
