"""Template filters for amounts and shares: thin wrappers of contratville/formatting.py, the
project's one definition of how numbers are written ("6 931 463,00 €", "68,3 %")."""

from django import template

from contratville import formatting

register = template.Library()


@register.filter
def euros(amount, decimals: int = 2) -> str:
    """`Decimal("6931463")` → "6 931 463,00 €"; `|euros:0` → "6 931 463 €"."""
    return formatting.euros(amount, decimals)


@register.filter
def percent_fr(value, decimals: int = 1) -> str:
    """`Decimal("68.3")` → "68,3 %"."""
    return formatting.percent_text(value, decimals)


@register.filter
def number_fr(value, decimals: int = 0) -> str:
    """`1234` → "1 234"; `Decimal("68.3")|number_fr:1` → "68,3" (a figure under its unit's header)."""
    if value is None:
        return formatting.MISSING
    return formatting.number(value, decimals)
