"""The forms that show the dossier filters, and the dossier list's filter (`ProjectFilter`).

A form here validates nothing itself: it shows what `parse_filters` read (the values chosen, or
the address's values and the errors found), so that the list and the dashboard, whose forms
differ in layout only, can never disagree on what a parameter accepts."""

from django import forms
from django.http import QueryDict
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe

from contratville.collation import sort_key
from projects.models import Nature, OperatorKind, ProgrammeYear, Project, Status

from .parameters import LABELS, FilterReference, ParsedFilters, parse_filters
from .scope import REGISTERED, DossierScope


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


class ShownField(forms.Field):
    """A field that shows a parameter's values; its choices are its widget's."""

    @property
    def choices(self):
        return self.widget.choices

    @choices.setter
    def choices(self, value):
        self.widget.choices = list(value)


def shown(name: str, widget, **kwargs) -> ShownField:
    """A field that shows a parameter: its label from `LABELS`, never required, no checks."""
    return ShownField(label=LABELS[name], widget=widget, required=False, **kwargs)


class ParsedFilterForm(forms.Form):
    """A GET form showing parsed filters: bound to the values `parse_filters` read, its errors
    those it found (each next to its field). Subclasses declare the fields they show with
    `shown()`, and set their choices in `prepare_display` (the reference data is read then, and
    only for a page that shows the form)."""

    def __init__(self, parsed: ParsedFilters, reference: FilterReference, **kwargs):
        super().__init__(data=parsed.form_data(), **kwargs)
        self.parsed, self.reference = parsed, reference
        self.cleaned_data = {}
        self._errors = forms.utils.ErrorDict()
        for name, messages in parsed.errors.items():
            self.add_error(name if name in self.fields else None, list(messages))

    def set_choices(self, name: str, choices) -> None:
        self.fields[name].choices = choices

    def prepare_display(self) -> None:
        """The choices of the fields every filter form shows alike."""
        reference, names = self.reference, self.parsed.names
        choices = {
            "pilier": reference.pillars.items(),
            "thematique": [(code, f"{code} {label}") for code, label in reference.themes.items()],
            "statut": Status.choices,
            "type_porteur": OperatorKind.choices,
            "nature": Nature.choices,
            "financeur": reference.funders.items(),
            "quartier": [(q.code, q.option_label) for q in reference.quartiers if q.code],
            # The porteur filter lists only the porteurs already chosen (there may be
            # thousands): one picks a porteur from its page or through the search.
            "porteur": [(pk, names["porteur"][pk]) for pk in self.parsed.scope.porteur],
            **{
                name: [(value, condition.label) for value, condition in conditions.items()]
                for name, conditions in REGISTERED.items()
            },
        }
        # The communes that have a quartier, and any other one chosen.
        communes = dict(reference.communes)
        communes.update(names.get("commune", {}))
        choices["commune"] = sorted(communes.items(), key=lambda item: sort_key(item[1]))
        for name, values in choices.items():
            if name in self.fields:
                self.set_choices(name, values)


class DossierFilterForm(ParsedFilterForm):
    """The dossier list's filters, every parameter."""

    q = shown("q", RepeatableTextInput, help_text="N° de dossier, intitulé ou porteur.")
    annee = shown("annee", forms.CheckboxSelectMultiple)
    pilier = shown("pilier", forms.CheckboxSelectMultiple)
    thematique = shown("thematique", ManyOptionsSelectMultiple)
    statut = shown("statut", forms.CheckboxSelectMultiple)
    type_porteur = shown("type_porteur", forms.CheckboxSelectMultiple)
    porteur = shown("porteur", forms.CheckboxSelectMultiple)
    quartier = shown("quartier", ManyOptionsSelectMultiple)
    commune = shown("commune", ManyOptionsSelectMultiple)
    financeur = shown("financeur", forms.CheckboxSelectMultiple)
    nature = shown("nature", forms.CheckboxSelectMultiple)
    pieces = shown("pieces", forms.CheckboxSelectMultiple)
    compte_rendu = shown("compte_rendu", forms.CheckboxSelectMultiple)

    def prepare_display(self) -> None:
        super().prepare_display()
        # Any year of the programme, latest first; a chosen year without a programmation yet
        # is shown too, ticked (a bookmark of next year's list opens, empty).
        years = set(ProgrammeYear.objects.values_list("year", flat=True)) | set(self.parsed.scope.annee)
        self.set_choices("annee", [(year, str(year)) for year in sorted(years, reverse=True)])


class ProjectFilter:
    """The dossier list's filters (`/projets/` and its export): the address read once by
    `parse_filters`, the scope it gives, and the form that shows it."""

    def __init__(self, data=None, queryset=None, *, reference: FilterReference | None = None):
        self.reference = reference or FilterReference()
        self.parsed = parse_filters(QueryDict() if data is None else data, self.reference)
        self.form = DossierFilterForm(self.parsed, self.reference)
        self.queryset = Project.objects.all() if queryset is None else queryset

    def is_valid(self) -> bool:
        return self.parsed.is_valid

    @property
    def errors(self) -> dict[str, list[str]]:
        return self.parsed.errors

    @property
    def scope(self) -> DossierScope:
        return self.parsed.scope

    @property
    def qs(self):
        """The dossiers in scope; none while a filter is invalid (never a larger set that would
        look filtered)."""
        if not self.is_valid():
            return self.queryset.none()
        return self.scope.apply(self.queryset)

    def prepare_display(self) -> None:
        """Read the choices of the form's lists (call before showing the form)."""
        self.form.prepare_display()

    @property
    def year_label(self) -> str:
        """The chosen years for a file name: `2021`, `2020-2021`, or `toutes-annees`."""
        return "-".join(str(year) for year in self.scope.annee) or "toutes-annees"
