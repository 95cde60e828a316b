"""Filters of the operators' list (`/porteurs/`), by query parameters.

The parameters follow the dossiers' list (docs/contracts.md §5): `type_porteur` takes the kind's
code of the import format and may repeat, `q` searches the name or the SIRET, `tri` orders."""

import django_filters
from django import forms
from django.db.models import Q

from contratville.collation import french

from .models import Operator, OperatorKind


def siret_digits(text: str) -> str:
    """What a SIRET search means once the spaces people type are gone."""
    return "".join(text.split())


def search_operators(queryset, text: str):
    """Operators whose name or SIRET contains `text`, case-insensitively."""
    text = text.strip()
    if not text:
        return queryset
    variants = [text]
    if not text.isascii():
        # SQLite folds the case of ASCII letters only: "élan" would miss "Élan". The usual
        # spellings of an accented word are tried too (PostgreSQL folds them all anyway).
        variants += [text.lower(), text.upper(), text.capitalize(), text.title()]
    condition = Q()
    for variant in dict.fromkeys(variants):
        condition |= Q(name__icontains=variant)
    digits = siret_digits(text)
    if digits.isdigit():
        condition |= Q(siret__contains=digits)
    return queryset.filter(condition)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Orders as asked, names the French way, then by name and id, so that pages never share
    or lose a row."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        if value.lstrip("-") == "name":
            name = french("name")
            return name.desc() if value.startswith("-") else name.asc()
        return value

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        return qs.order_by(*ordering, french("name").asc(), "pk")


class OperatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Nom ou SIRET",
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    type_porteur = django_filters.MultipleChoiceFilter(
        field_name="kind",
        label="Type de porteur",
        choices=OperatorKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    # `project_count` is annotated by the view's queryset.
    tri = StableOrderingFilter(
        label="Trier par",
        fields=(("name", "nom"), ("project_count", "dossiers")),
        choices=[
            ("nom", "Nom, de A à Z"),
            ("-nom", "Nom, de Z à A"),
            ("-dossiers", "Nombre de dossiers, décroissant"),
            ("dossiers", "Nombre de dossiers, croissant"),
        ],
        empty_label=None,
    )

    class Meta:
        model = Operator
        fields = []

    def filter_q(self, queryset, name, value):
        return search_operators(queryset, value)
