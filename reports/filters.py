"""The dashboard's filters: the dossier list's query parameters (docs/contracts.md §5), read into a
`Scope` that the selectors apply, and the form that shows them.

A parameter may repeat; values are the import format's codes (a quartier by its QPV code, a
commune by its INSEE code, a porteur by its id). Unknown values are dropped rather than
refused: a bookmark made before a code changed still opens.

Dossier filters (pilier, thématique, type de porteur, porteur, quartier, commune) choose the
dossiers. Funding-line filters (financeur, nature) choose the dossiers that have such a line
*and* restrict the amounts to those lines: `?financeur=anct` sums the ANCT credits only.
The list's `statut` and `q` are not dashboard filters: every figure is defined by the dossiers'
statuses (filed, programmed...), and a text search makes no programme figure.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlencode

from django import forms
from django.db.models import Q

from contratville.converters import parse_id
from projects.filters import ManyOptionsSelectMultiple
from projects.models import FundingLine, Nature, OperatorKind, Project

# The dossier list's parameters that the dashboard understands, in the order of its form.
PARAMETERS = ("pilier", "thematique", "type_porteur", "porteur", "quartier", "commune", "financeur", "nature")


@dataclass(frozen=True)
class Scope:
    """Which dossiers and funding lines a figure counts; empty means all of them."""

    pilier: tuple[str, ...] = ()
    thematique: tuple[str, ...] = ()
    type_porteur: tuple[str, ...] = ()
    porteur: tuple[int, ...] = ()
    quartier: tuple[str, ...] = ()
    commune: tuple[str, ...] = ()
    financeur: tuple[str, ...] = ()
    nature: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def restricts_lines(self) -> bool:
        return bool(self.financeur or self.nature)

    def project_q(self, path: str = "") -> Q:
        """The condition on dossiers; `path` is the way from the queried model to the dossier
        (`""` for `Project`, `"project__"` for `FundingLine`). Many-to-many conditions are
        subqueries, so that a dossier is never counted twice."""
        condition = Q()
        if self.pilier:
            condition &= Q(**{f"{path}pillar__code__in": self.pilier})
        if self.thematique:
            condition &= Q(**{f"{path}theme__code__in": self.thematique})
        if self.type_porteur:
            condition &= Q(**{f"{path}operator__kind__in": self.type_porteur})
        if self.porteur:
            condition &= Q(**{f"{path}operator_id__in": self.porteur})
        targets = Project.quartiers.through.objects
        if self.quartier:
            by_code = (
                Q(quartier__code_2015__in=self.quartier)
                | Q(quartier__code_2024__in=self.quartier)
                | Q(quartier__local_code__in=self.quartier)
            )
            condition &= Q(**{f"{path}pk__in": targets.filter(by_code).values("project_id")})
        if self.commune:
            in_commune = targets.filter(quartier__communes__insee_code__in=self.commune)
            condition &= Q(**{f"{path}pk__in": in_commune.values("project_id")})
        if self.restricts_lines:
            lines = FundingLine.objects.filter(self._line_only_q())
            condition &= Q(**{f"{path}pk__in": lines.values("project_id")})
        return condition

    def line_q(self) -> Q:
        """The condition on funding lines: their dossier is in scope and the line itself too."""
        dossiers = replace(self, financeur=(), nature=()).project_q("project__")
        return dossiers & self._line_only_q()

    def _line_only_q(self) -> Q:
        condition = Q()
        if self.financeur:
            condition &= Q(funder__code__in=self.financeur)
        if self.nature:
            condition &= Q(nature__in=self.nature)
        return condition

    def params(self, **overrides: Iterable) -> list[tuple[str, str]]:
        """The scope as query parameters; `overrides` replace a parameter's values (a bar of
        the pilier chart links to that pilier, whatever the piliers chosen)."""
        items = []
        for name in PARAMETERS:
            values = overrides[name] if name in overrides else getattr(self, name)
            items.extend((name, str(value)) for value in values)
        for name, values in overrides.items():
            if name not in PARAMETERS:
                items.extend((name, str(value)) for value in values)
        return items

    def query_string(self, **overrides: Iterable) -> str:
        return urlencode(self.params(**overrides))


@dataclass(frozen=True)
class Choices:
    """The values each parameter accepts, as (code, label) pairs, from the reference data."""

    pilier: Sequence[tuple[str, str]]
    thematique: Sequence[tuple[str, str]]
    quartier: Sequence[tuple[str, str]]
    commune: Sequence[tuple[str, str]]
    financeur: Sequence[tuple[str, str]]
    type_porteur: Sequence[tuple[str, str]] = tuple(OperatorKind.choices)
    nature: Sequence[tuple[str, str]] = tuple(Nature.choices)
    # Every code a quartier goes by (2015, 2024, local) → the code its option carries.
    quartier_aliases: Mapping[str, str] = field(default_factory=dict)


def scope_from_query(query: Mapping, choices: Choices) -> Scope:
    """Read the parameters of a `QueryDict`, keeping only known values."""
    values = {}
    for name in PARAMETERS:
        raw = [value.strip() for value in query.getlist(name) if value.strip()]
        if name == "porteur":
            ids = (parse_id(value) for value in raw)
            values[name] = tuple(dict.fromkeys(pk for pk in ids if pk is not None))
            continue
        known = {code: code for code, _label in getattr(choices, name)}
        if name == "quartier":
            known.update(choices.quartier_aliases)
            raw = [value.upper() for value in raw]
        values[name] = tuple(dict.fromkeys(known[value] for value in raw if value in known))
    return Scope(**values)


class DashboardFilterForm(forms.Form):
    """The year and the filters, as a GET form whose address can be bookmarked. The lists use
    the dossier list's fast `<select>` (1,500 quartiers at national scale)."""

    annee = forms.TypedChoiceField(label="Année", coerce=int)
    pilier = forms.MultipleChoiceField(label="Pilier", required=False, widget=forms.CheckboxSelectMultiple)
    nature = forms.MultipleChoiceField(
        label="Nature des crédits", required=False, widget=forms.CheckboxSelectMultiple
    )
    type_porteur = forms.MultipleChoiceField(
        label="Type de porteur", required=False, widget=forms.CheckboxSelectMultiple
    )
    thematique = forms.MultipleChoiceField(
        label="Thématique", required=False, widget=ManyOptionsSelectMultiple
    )
    financeur = forms.MultipleChoiceField(label="Financeur", required=False, widget=ManyOptionsSelectMultiple)
    quartier = forms.MultipleChoiceField(label="Quartier", required=False, widget=ManyOptionsSelectMultiple)
    commune = forms.MultipleChoiceField(label="Commune", required=False, widget=ManyOptionsSelectMultiple)

    def __init__(self, *, years: list[int], year: int, scope: Scope, choices: Choices):
        # Unbound, with the scope as initial values: the scope is already clean.
        initial = {name: [str(value) for value in getattr(scope, name)] for name in PARAMETERS}
        super().__init__(initial={**initial, "annee": str(year)})
        self.fields["annee"].choices = [(str(y), str(y)) for y in sorted(years, reverse=True)]
        for name, form_field in self.fields.items():
            if name != "annee":
                form_field.choices = list(getattr(choices, name))
