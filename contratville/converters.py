"""Integers from addresses, query parameters and forms, kept within what the database can
compare.

A path like `/projets/99999999999999999999/` or a parameter like `?porteur=99999999999999999999`
is a number no row can have: SQLite refuses to bind it (OverflowError) and PostgreSQL compares it
as a numeric. The `int64` path converter makes such an address match no route (404), `parse_id`
reads a parameter the same way, and `IdModelMultipleChoiceField` refuses such ids with a form
error (Django's own field queries `pk IN (…)` with them)."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import register_converter

# The largest value of a 64-bit signed integer: PostgreSQL's bigint, SQLite's INTEGER.
MAX_INT64 = 2**63 - 1
_MAX_DIGITS = len(str(MAX_INT64))


def parse_id(text) -> int | None:
    """`text` as a non-negative 64-bit integer written in ASCII digits (spaces around allowed),
    or None: no sign, no exponent, no other script's digits ("²", "٣")."""
    text = str(text).strip()
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_INT64 else None


class Int64Converter:
    """`<int64:pk>`: Django's `<int:…>` (digits only), bounded to the database's integers."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            # No match: the address answers 404.
            raise ValueError(f"{value[:30]!r} is not a 64-bit integer")
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(Int64Converter, "int64")


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Objects chosen by their id (or by `to_field_name`): an id that is not a number the
    database can hold ("99999999999999999999", "²") is the field's `invalid_pk_value` error,
    before any query."""

    def _check_values(self, value):
        if not self.to_field_name and isinstance(value, list | tuple):
            for pk in value:
                if parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": str(pk)[:40]},
                    )
        return super()._check_values(value)
