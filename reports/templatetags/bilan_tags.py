"""Filters of the bilan's template: amounts in whole euros, shares as the report writes them."""

from decimal import Decimal

from django import template

from projects.templatetags.money import format_euros, percent_fr

register = template.Library()


@register.filter
def euros0(amount) -> str:
    """`Decimal("6931463.00")` → "6 931 463 €" (rounded half-up to the euro)."""
    return format_euros(amount, 0)


@register.filter
def share(value) -> str:
    """A percentage in running text: "72 %" for 72.0, "59,6 %" for 59.6."""
    if value is None:
        return "—"
    value = Decimal(value)
    return percent_fr(value, 0 if value == value.to_integral_value() else 1)
