"""Filters of the bilan's template: amounts in whole euros, shares as the report writes them
(contratville/formatting.py)."""

from django import template

from contratville import formatting

register = template.Library()


@register.filter
def euros0(amount) -> str:
    """`Decimal("6931463.00")` → "6 931 463 €" (rounded half-up to the euro)."""
    return formatting.euros(amount, 0)


@register.filter
def share(value) -> str:
    """A percentage in running text: "72 %" for 72.0, "59,6 %" for 59.6."""
    return formatting.percent_prose(value)
