"""The dossier form's fields and widgets: amounts typed the French way ("1 234,56") and shown
back that way, dates, thématiques tagged with their pilier, quartiers named with their communes."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from contratville import formatting
from contratville.converters import IdModelMultipleChoiceField
from contratville.tabular import parse_amount
from projects.models import Quartier


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed as a French reader writes it: "1 234,56", "1234.56", "1 234 €".

    Parsed with the import's own `parse_amount`, so that the form and the import accept the
    same amounts and refuse them with the same French messages."""

    widget = forms.TextInput
    default_error_messages = {"invalid": "Saisissez un nombre, par exemple 1 234,56."}

    def __init__(self, *, noun: str = "montant", **kwargs):
        self.noun = noun
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int):
            return Decimal(value)
        text = str(value).strip()
        if not text:
            return None
        try:
            amount = parse_amount(text)
        except ValueError as error:
            message = str(error).replace("montant", self.noun)
            raise ValidationError(message[0].upper() + message[1:] + ".", code="invalid") from error
        return amount

    def prepare_value(self, value):
        # A typed value that did not validate is shown back as typed.
        if isinstance(value, Decimal | int):
            # "1 234,50" with plain spaces: what a French user types, read back by parse_amount.
            return formatting.number(value, self.decimal_places, separator=" ")
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "input--amount"})
        return attrs


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ThemeSelect(forms.Select):
    """Each thématique carries its pilier, so that the script can narrow the list."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-pillar"] = str(instance.pillar_id)
        return option


class QuartierChoiceField(IdModelMultipleChoiceField):
    def label_from_instance(self, obj: Quartier) -> str:
        communes = ", ".join(commune.name for commune in obj.communes.all())
        label = f"{obj.code} — {obj.name}"
        return f"{label} ({communes})" if communes else label
