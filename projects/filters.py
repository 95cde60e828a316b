"""The dossiers' filters (docs/contracts.md §5): the query parameters of `/projets/` and of its
export.

Values are the codes of the import format (a quartier by its QPV code, a commune by its INSEE
code, a porteur by its id); every parameter may repeat, its values being alternatives
(`?statut=depose&statut=programme`). An unknown code is a form error, in French, on its field.

Filters across to-many relations (quartiers, communes, funding lines) are `EXISTS` subqueries:
they never duplicate a dossier, so no `DISTINCT` is needed and sums over the result stay right.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Exists, OuterRef, Q
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe

from contratville.collation import sort_key
from contratville.converters import IdModelMultipleChoiceField, parse_id
from projects.models import (
    Commune,
    Funder,
    FundingLine,
    Nature,
    Operator,
    OperatorKind,
    Pillar,
    ProgrammeYear,
    Project,
    Quartier,
    Status,
    Theme,
)

# Parameters that describe one funding line: combined, they must hold on the same line
# (`financeur=anct&nature=specifique`: a dossier with a specific ANCT line).
LINE_FILTERS = ("financeur", "nature")
MAX_SEARCH_LENGTH = 200
# The range of ProgrammeYear.year.
MIN_YEAR, MAX_YEAR = 2000, 2100


def case_variants(word: str) -> list[str]:
    """The spellings of a word to look for. SQLite folds the case of ASCII letters only, so
    "élan" would miss "Élan": the usual capitalisations of an accented word are tried too
    (PostgreSQL folds them all anyway)."""
    if word.isascii():
        return [word]
    return list(dict.fromkeys([word, word.lower(), word.upper(), word.capitalize()]))


def _unknown(what: str, hint: str = "") -> dict[str, str]:
    """Error messages of a code field: `what` is e.g. "Pilier inconnu"."""
    return {
        "invalid_choice": f"{what} : « %(value)s »{hint}.",
        "invalid_pk_value": f"{what} : « %(pk)s »{hint}.",
    }


class RepeatableTextInput(forms.TextInput):
    """A text box whose parameter may repeat (`?q=a&q=b`): every value is kept, each in its
    own box, so that submitting the form again keeps them all."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [value for value in values if value and value.strip()]

    def render(self, name, value, attrs=None, renderer=None):
        values = [v for v in value if v] if isinstance(value, list | tuple) else [value]
        parts = []
        for index, item in enumerate(values or [""]):
            item_attrs = dict(attrs or {})
            if index:
                # Each box needs its own id; the later ones are named for screen readers.
                item_attrs["id"] = f"{item_attrs.get('id', name)}_{index}"
                item_attrs["aria-label"] = f"Recherche n° {index + 1}"
            parts.append((super().render(name, item, item_attrs, renderer),))
        return format_html_join("", "{}", parts)


class SearchTermsField(forms.Field):
    """Free-text searches: a list of phrases, spaces collapsed."""

    widget = RepeatableTextInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        phrases = [" ".join(str(v).split()) for v in value]
        for phrase in phrases:
            # PostgreSQL refuses a NUL character in a query: a form error, not a server error.
            ProhibitNullCharactersValidator()(phrase)
            if len(phrase) > MAX_SEARCH_LENGTH:
                raise ValidationError(
                    f"La recherche est trop longue ({len(phrase)} caractères, {MAX_SEARCH_LENGTH} au plus).",
                    code="max_length",
                )
        return [phrase for phrase in phrases if phrase]


class ManyOptionsSelectMultiple(forms.SelectMultiple):
    """Django's `<select multiple>`, written without a template per option: the same HTML,
    byte for byte (tests/test_performance_guards.py compares them), ten times faster. A national
    programme has 1,500 quartiers, whose options took most of the list's rendering time
    (docs/performance.md). Option groups go through Django's templates as usual."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        groups = context["optgroups"]
        if any(group_name for group_name, _options, _index in groups):
            return super().render(name, value, attrs, renderer)
        parts = [f'<select name="{conditional_escape(context["name"])}"{_attrs(context["attrs"])}>']
        for _group, options, _index in groups:
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuartierMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Quartiers named by any of their codes: 2015 (`QP…`), 2024 (`QN…`) or local."""

    widget = ManyOptionsSelectMultiple

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._canonical: dict[str, str] = {}

    def __deepcopy__(self, memo):
        # Each form gets its own field: the codes it has seen must not be shared.
        result = super().__deepcopy__(memo)
        result._canonical = {}
        return result

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return [self.prepare_value(item) for item in value]
        if isinstance(value, Quartier):
            return value.code
        if isinstance(value, str):
            # A bookmark may carry the 2024 code: the option is still shown as selected.
            return self._canonical.get(value.strip().upper(), value)
        return super().prepare_value(value)

    def _check_values(self, value):
        for code in value:
            self.validate_no_null_characters(code)
        codes = {str(code).strip().upper() for code in value}
        found = list(
            self.queryset.filter(Q(code_2015__in=codes) | Q(code_2024__in=codes) | Q(local_code__in=codes))
        )
        for quartier in found:
            for code in (quartier.code_2015, quartier.code_2024, quartier.local_code):
                if code:
                    self._canonical[code] = quartier.code
        for code in sorted(codes):
            if code not in self._canonical:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": code}
                )
        return found


class QuartierFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = QuartierMultipleChoiceField


class SearchFilter(django_filters.Filter):
    field_class = SearchTermsField


def _programme_years() -> list[tuple[int, str]]:
    return [
        (year, str(year)) for year in ProgrammeYear.objects.order_by("-year").values_list("year", flat=True)
    ]


class YearsField(forms.MultipleChoiceField):
    """Programme years. Any year of the programme's range is accepted, not only the years
    that already have a programmation: a bookmark of next year's list opens, empty."""

    default_error_messages = {"invalid_year": "« %(value)s » n'est pas une année (exemple : 2022)."}

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", _programme_years)
        super().__init__(**kwargs)

    def to_python(self, value):
        years = set()
        for raw in super().to_python(value):
            year = parse_id(raw)
            if year is None or not MIN_YEAR <= year <= MAX_YEAR:
                raise ValidationError(
                    self.error_messages["invalid_year"], code="invalid_year", params={"value": raw[:40]}
                )
            years.add(year)
        return sorted(years)

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


class YearFilter(django_filters.MultipleChoiceFilter):
    field_class = YearsField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs.filter(year_id__in=value) if value else qs


class ForeignKeyFilter(django_filters.ModelMultipleChoiceFilter):
    """A foreign key among the chosen objects (however the parameter names them):
    `pillar_id IN (…)`, no join, no duplicate."""

    field_class = IdModelMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": [obj.pk for obj in value]})


class LabelledModelMultipleChoiceField(IdModelMultipleChoiceField):
    """Options labelled by the model's `label` (a pilier, a financeur), not its `__str__`."""

    def label_from_instance(self, obj):
        return getattr(obj, "label", None) or str(obj)


class LabelledForeignKeyFilter(ForeignKeyFilter):
    field_class = LabelledModelMultipleChoiceField


class LabelledModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = LabelledModelMultipleChoiceField


class ProjectFilter(django_filters.FilterSet):
    q = SearchFilter(
        label="Recherche",
        method="filter_text",
        help_text="N° de dossier, intitulé ou porteur.",
    )
    annee = YearFilter(label="Année", widget=forms.CheckboxSelectMultiple)
    pilier = LabelledForeignKeyFilter(
        label="Pilier",
        field_name="pillar",
        to_field_name="code",
        queryset=Pillar.objects.order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        error_messages=_unknown(
            "Pilier inconnu", hint=" (codes possibles : cohesion_sociale, cadre_de_vie, emploi, pilotage)"
        ),
    )
    thematique = ForeignKeyFilter(
        label="Thématique",
        field_name="theme",
        to_field_name="code",
        queryset=Theme.objects.order_by("order", "code"),
        distinct=False,
        error_messages=_unknown("Thématique inconnue", hint=" (code ANCT attendu, par exemple 1.1)"),
    )
    statut = django_filters.MultipleChoiceFilter(
        label="Statut",
        field_name="status",
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        error_messages={"invalid_choice": "Statut inconnu : « %(value)s »."},
    )
    type_porteur = django_filters.MultipleChoiceFilter(
        label="Type de porteur",
        field_name="operator__kind",
        choices=OperatorKind.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        error_messages={"invalid_choice": "Type de porteur inconnu : « %(value)s »."},
    )
    porteur = ForeignKeyFilter(
        label="Porteur",
        field_name="operator",
        queryset=Operator.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        error_messages={
            "invalid_choice": "Porteur inconnu : aucun porteur n'a l'identifiant « %(value)s ».",
            "invalid_pk_value": "« %(pk)s » n'est pas un identifiant de porteur.",
        },
    )
    quartier = QuartierFilter(
        label="Quartier",
        queryset=Quartier.objects.order_by("kind", "code_2015", "name"),
        method="filter_quartier",
        error_messages=_unknown(
            "Quartier inconnu", hint=" (code QPV attendu, par exemple QP062004 ou QN06204M)"
        ),
    )
    commune = django_filters.ModelMultipleChoiceFilter(
        label="Commune",
        to_field_name="insee_code",
        queryset=Commune.objects.order_by("name"),
        method="filter_commune",
        error_messages=_unknown("Commune inconnue", hint=" (code INSEE attendu, par exemple 62119)"),
    )
    financeur = LabelledModelMultipleChoiceFilter(
        label="Financeur",
        to_field_name="code",
        queryset=Funder.objects.order_by("order", "code"),
        method="filter_nothing",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_unknown("Financeur inconnu", hint=" (un code comme anct, region, caf)"),
    )
    nature = django_filters.MultipleChoiceFilter(
        label="Nature des crédits",
        choices=Nature.choices,
        method="filter_nothing",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Nature inconnue : « %(value)s » (codes possibles : droit_commun, specifique)."
        },
    )

    class Meta:
        model = Project
        fields = []

    def filter_queryset(self, queryset):
        line_values = {}
        for name, value in self.form.cleaned_data.items():
            if name in LINE_FILTERS:
                line_values[name] = value
            else:
                queryset = self.filters[name].filter(queryset, value)
        return self.filter_lines(
            queryset, funders=line_values.get("financeur"), natures=line_values.get("nature")
        )

    def filter_nothing(self, queryset, name, value):
        # Line filters are applied together by `filter_lines`.
        return queryset

    def filter_lines(self, queryset, *, funders=None, natures=None):
        lines = FundingLine.objects.filter(project=OuterRef("pk"))
        if funders:
            lines = lines.filter(funder__in=[funder.pk for funder in funders])
        if natures:
            lines = lines.filter(nature__in=natures)
        if not funders and not natures:
            return queryset
        return queryset.filter(Exists(lines))

    def filter_quartier(self, queryset, name, value):
        if not value:
            return queryset
        links = Project.quartiers.through.objects.filter(
            project_id=OuterRef("pk"), quartier_id__in=[quartier.pk for quartier in value]
        )
        return queryset.filter(Exists(links))

    def filter_commune(self, queryset, name, value):
        if not value:
            return queryset
        links = Project.quartiers.through.objects.filter(
            project_id=OuterRef("pk"), quartier__communes__in=[commune.pk for commune in value]
        )
        return queryset.filter(Exists(links))

    def filter_text(self, queryset, name, value):
        # Each phrase matches when every one of its words is in the reference, the title or
        # the porteur's name; several phrases are alternatives. Accents count as typed.
        match = Q()
        for phrase in value:
            words = Q()
            for word in phrase.split():
                word_match = Q()
                for variant in case_variants(word):
                    word_match |= (
                        Q(reference__icontains=variant)
                        | Q(title__icontains=variant)
                        | Q(operator__name__icontains=variant)
                    )
                words &= word_match
            match |= words
        return queryset.filter(match)

    def prepare_display(self) -> None:
        """Prepare the lists of choices before the form is shown (call after validation).

        The porteur filter lists only the porteurs already chosen (there may be thousands):
        one picks a porteur from its page or through the search, and unticks it here. The
        commune filter lists the communes that have a quartier (a dossier reaches a commune
        only through its quartiers), sorted as French readers expect, accents ignored."""
        cleaned = getattr(self.form, "cleaned_data", {})
        self.form.fields["porteur"].widget.choices = [
            (operator.pk, operator.name) for operator in cleaned.get("porteur") or []
        ]
        # A chosen year without a programmation yet is shown too, ticked.
        years = {year for year, _ in _programme_years()} | set(cleaned.get("annee") or [])
        self.form.fields["annee"].choices = [(year, str(year)) for year in sorted(years, reverse=True)]
        selected = {commune.pk for commune in cleaned.get("commune") or []}
        communes = Commune.objects.filter(Q(quartiers__isnull=False) | Q(pk__in=selected)).distinct()
        self.form.fields["commune"].widget.choices = [
            (commune.insee_code, commune.name) for commune in sorted(communes, key=lambda c: sort_key(c.name))
        ]

    @property
    def line_filters(self) -> dict:
        """The chosen funders and natures (`funders`, `natures`), empty when none."""
        cleaned = getattr(self.form, "cleaned_data", {})
        return {"funders": list(cleaned.get("financeur") or []), "natures": list(cleaned.get("nature") or [])}

    @property
    def year_label(self) -> str:
        """The chosen years for a file name: `2021`, `2020-2021`, or `toutes-annees`."""
        years = self.form.cleaned_data.get("annee") or []
        return "-".join(str(year) for year in years) or "toutes-annees"
