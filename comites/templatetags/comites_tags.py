"""Template helpers of the comités' pages."""

from decimal import Decimal

from django import template

from contratville import formatting

register = template.Library()


@register.filter
def amount_input(amount: Decimal | None) -> str:
    """An amount as typed in a cell, the French way: "10 000,00" (no currency sign); "" when
    None (the funder's decision is pending)."""
    if amount is None:
        return ""
    return formatting.number(amount, 2)


@register.filter
def item(sequence, index):
    """`list|item:i`: the i-th element (a column's total)."""
    try:
        return sequence[index]
    except (IndexError, KeyError, TypeError):
        return None


@register.filter
def is_row(value) -> bool:
    """Whether an item of the scenario's table is a dossier's row (not a pilier's subtotal)."""
    return hasattr(value, "cells")
